"""The WebSocket routes of projects, registered with the realtime core by `ProjectsConfig.ready`."""

from django.urls import re_path

from projects.realtime.consumers import ReviewRoomConsumer

websocket_urlpatterns: list = [
    re_path(r"^ws/playlists/(?P<playlist_id>[^/]+)/room/$", ReviewRoomConsumer.as_asgi()),
]
