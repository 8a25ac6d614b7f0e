"""WebSocket routes. The realtime issue adds the project and personal streams here."""

websocket_urlpatterns: list = []
