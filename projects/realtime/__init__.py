"""The projects side of realtime: what a project stream is, and the review room of a playlist.

The realtime core (`studio/realtime/`) knows streams by id and asks; this package answers and adds
the room, all registered by `ProjectsConfig.ready`:

- `streams` — `ProjectStreams`, the stream resolver (`studio.realtime.access`): a project's stream id
  is the project's id, and `projects.access` decides who may watch it and who is studio-internal;
- `room` — the room's state and the pure operations on it, held in Redis;
- `consumers` — `ReviewRoomConsumer` at `/ws/playlists/{id}/room/`, on the core's consumer base;
- `selectors` — the playlist and version reads the room and presence need;
- `routing` — the room's WebSocket route, registered with the core (`studio.realtime.routing`).
"""
