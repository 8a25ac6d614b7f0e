"""/ws/projects/{id}/: durable events (replayable with ?since=), live progress and presence of one project."""

from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings

from studio.realtime import presence, selectors
from studio.realtime.access import StreamAccess, version_in_stream
from studio.realtime.consumers.base import CLOSE_BAD_REQUEST, REPLAY_BATCH, BaseStreamConsumer, Refused, now_iso
from studio.realtime.publish import encode, layer_message, make_envelope, project_group

log = logging.getLogger(__name__)


class ProjectStreamConsumer(BaseStreamConsumer):
    """Durable events (replayable with ?since=), live progress and presence of one project."""

    handlers = {"ping": "on_ping", "presence.view": "on_presence_view"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.access: StreamAccess | None = None
        self.last_id = 0
        self.viewing: str | None = None

    async def open(self) -> None:
        user = self.scope.get("user")
        project_id = self.scope["url_route"]["kwargs"]["project_id"]
        access = await database_sync_to_async(selectors.project_access)(user=user, project_id=project_id)
        if access is None:
            raise Refused()
        self.access = access
        self.project_id = str(access.stream_id)
        since = self._parse_since()
        await self.accept()
        # Subscribe before reading the log: an event committed after the read arrives live, one
        # committed before it is in the read; duplicates are dropped by id in event_message.
        await self.join_group(project_group(self.project_id))
        replay = await self._replay(since)
        for audience, text in await selectors.latest_progress_texts(project_id=self.project_id):
            await self._deliver(audience, text)
        rev = await presence.current_rev(project_id=self.project_id)  # read first: later changes have a higher rev
        entries = await presence.viewers(project_id=self.project_id)
        await self.send_control("presence.snapshot", {"versions": self._visible_presence(presence.by_version(entries)), "rev": rev})
        await self.send_control("stream.ready", {"last_id": self.last_id, **replay})
        self.tasks.append(asyncio.create_task(self._presence_loop()))

    def _parse_since(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin1"))
        if "since" not in query:
            return None
        raw = query["since"][-1]
        if not raw.isdigit() or len(raw) > 18:
            raise Refused(CLOSE_BAD_REQUEST, f"since must be the id of the last event you received (a whole number), not {raw[:40]!r}.")
        return int(raw)

    async def _replay(self, since: int | None) -> dict:
        last = await database_sync_to_async(selectors.last_event_id)(project_id=self.project_id)
        self.last_id = last
        if since is None:
            return {"replayed": 0}
        limit = int(getattr(settings, "REALTIME_REPLAY_LIMIT", 10000))
        if since > last:
            await self._reset("ahead", f"No event {since} yet in this project (the latest is {last}); reload and continue from {last}.")
            return {"replayed": 0}
        oldest = await database_sync_to_async(selectors.oldest_event_id)(project_id=self.project_id)
        after = since
        if oldest is not None and since < oldest - 1:
            if last - oldest + 1 > limit:
                await self._reset("too_far_behind", f"More than {limit} events were missed; reload the project's state.")
                return {"replayed": 0}
            await self._reset("history_pruned", f"Events before {oldest} were pruned; reload the project's state, then apply what follows.")
            after = oldest - 1
        elif last - since > limit:
            await self._reset("too_far_behind", f"More than {limit} events were missed; reload the project's state.")
            return {"replayed": 0}
        self.last_id = after
        sent = await self._catch_up(up_to=None)
        return {"replayed": sent}

    async def _reset(self, reason: str, detail: str) -> None:
        await self.send_control("stream.reset", {"reason": reason, "detail": detail})

    async def _catch_up(self, *, up_to: int | None) -> int:
        """Send every stored event after self.last_id (up to `up_to`) this caller may see, in order."""
        sent = 0
        while True:
            rows = await database_sync_to_async(selectors.events_between)(
                project_id=self.project_id, after=self.last_id, up_to=up_to, limit=REPLAY_BATCH
            )
            for seq, audience, text in rows:
                self.last_id = seq
                if await self._deliver(audience, text):
                    sent += 1
            if len(rows) < REPLAY_BATCH:
                return sent

    async def event_message(self, message: dict) -> None:
        event_id = message.get("id")
        if event_id is None:  # ephemeral: progress, presence
            await self._deliver(message.get("audience", "all"), message["text"])
            return
        if event_id <= self.last_id:
            return  # already sent (replay, or a catch-up that overtook the live message)
        if event_id > self.last_id + 1:
            # Numbers are committed in order, so everything before this one is in the log already:
            # fetch what the live stream did not bring (a dropped or slower message).
            await self._catch_up(up_to=event_id - 1)
        self.last_id = event_id
        await self._deliver(message.get("audience", "all"), message["text"])

    # -- who receives what -----------------------------------------------------------------
    async def _deliver(self, audience: str, text: str) -> bool:
        """Send one event if this watcher may see it: its audience, then the owning app's per-event rule
        (`StreamAccess.events`, e.g. a client reviewer sees only the versions submitted to them)."""
        if not self.access.may_see(audience):
            return False
        if self.access.events is not None:
            text = await self._filtered(text)
            if text is None:
                return False
        await self.send(text_data=text)
        return True

    async def _filtered(self, text: str) -> str | None:
        envelope = json.loads(text)
        kind = envelope.get("type")
        if kind in self.access.events.refresh_types:
            fresh = await database_sync_to_async(selectors.project_access)(user=self.scope["user"], project_id=self.project_id)
            if fresh is None:
                return None  # no access any more: the re-check closes the socket
            self.access = fresh
            if self.access.events is None:
                return text
        data = self.access.events(kind, envelope.get("data"))
        if data is None:
            return None
        if data is envelope.get("data"):
            return text
        envelope["data"] = data
        return encode(envelope)

    def _visible_presence(self, versions: dict) -> dict:
        rule = self.access.events
        if rule is None:
            return versions
        return {version: viewers for version, viewers in versions.items() if rule("presence.changed", {"version": version}) is not None}

    async def on_ping(self, message: dict) -> None:
        # A cheap way for a client to make sure it missed nothing at the tail of the stream.
        await self.stream_resync(message)
        await self.send_control("stream.pong", {"last_id": self.last_id})

    async def stream_resync(self, message: dict) -> None:
        latest = await database_sync_to_async(selectors.last_event_id)(project_id=self.project_id)
        if latest > self.last_id:
            await self._catch_up(up_to=latest)

    def still_allowed(self) -> bool:
        if not self._auth_still_valid():
            return False
        access = selectors.project_access(user=self.scope["user"], project_id=self.project_id)
        if access is None:
            return False
        self.access = access  # a role change (e.g. to client reviewer) applies from now on
        return True

    # -- presence ------------------------------------------------------------------------
    async def on_presence_view(self, message: dict) -> None:
        version = message.get("version")
        if version is not None:
            found = await database_sync_to_async(version_in_stream)(stream_id=self.project_id, version_id=version)
            if found is None or not await self._may_see_version(str(found)):
                # A version this watcher may not see answers as one that does not exist (no oracle).
                await self.send_error("invalid", "version must be the id of a version of this project, or null.", "presence.view")
                return
            version = str(found)
        previous = self.viewing
        user = self.scope["user"]
        if version is not None:
            await presence.enter(project_id=self.project_id, version_id=version, conn=self.channel_name, user_id=user.pk, name=user.name)
        elif previous is not None:
            await presence.leave(project_id=self.project_id, conn=self.channel_name)
        self.viewing = version
        await self._announce({v for v in (previous, version) if v})

    async def _may_see_version(self, version: str) -> bool:
        """Whether this watcher's per-event rule lets presence on `version` through (a client reviewer:
        only versions submitted to them). A refusal re-reads the rule once: it may have just changed."""
        for attempt in range(2):
            rule = self.access.events
            if rule is None or rule("presence.changed", {"version": version}) is not None:
                return True
            if attempt == 0:
                fresh = await database_sync_to_async(selectors.project_access)(user=self.scope["user"], project_id=self.project_id)
                if fresh is None:
                    return False
                self.access = fresh
        return False

    async def _announce(self, versions: set[str]) -> None:
        if not versions:
            return
        entries = await presence.viewers(project_id=self.project_id)
        rev = await presence.next_rev(project_id=self.project_id)
        for version in sorted(versions):
            envelope = make_envelope(
                id=None, type="presence.changed", project=self.project_id, at=now_iso(),
                data={"version": version, "viewers": presence.summarise(entries, version), "rev": rev},
            )
            await self.channel_layer.group_send(project_group(self.project_id), layer_message(envelope))

    async def _presence_loop(self) -> None:
        period = max(0.1, presence.ttl_seconds() / 3)
        user = self.scope["user"]
        while True:
            await asyncio.sleep(period)
            try:
                if self.viewing:
                    await presence.refresh(
                        project_id=self.project_id, version_id=self.viewing, conn=self.channel_name, user_id=user.pk, name=user.name
                    )
                changed = await presence.sweep(project_id=self.project_id)
                await self._announce(changed)
            except Exception:  # noqa: BLE001 - keep the loop alive through a Redis hiccup
                log.exception("realtime: presence refresh failed")

    async def leave(self) -> None:
        if self.viewing:
            version, self.viewing = self.viewing, None
            await presence.leave(project_id=self.project_id, conn=self.channel_name)
            await self._announce({version})
