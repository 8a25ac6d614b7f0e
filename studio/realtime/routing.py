"""WebSocket routes (the protocol is in docs/REALTIME.md)."""

from django.urls import re_path

from studio.realtime.consumers import NotFoundConsumer, ProjectStreamConsumer, ReviewRoomConsumer, UserStreamConsumer

websocket_urlpatterns: list = [
    re_path(r"^ws/projects/(?P<project_id>[^/]+)/$", ProjectStreamConsumer.as_asgi()),
    re_path(r"^ws/me/$", UserStreamConsumer.as_asgi()),
    re_path(r"^ws/playlists/(?P<playlist_id>[^/]+)/room/$", ReviewRoomConsumer.as_asgi()),
    re_path(r"", NotFoundConsumer.as_asgi()),
]
