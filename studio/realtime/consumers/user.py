"""/ws/me/: the caller's own notifications."""

from __future__ import annotations

from studio.realtime.consumers.base import BaseStreamConsumer, Refused
from studio.realtime.publish import user_group


class UserStreamConsumer(BaseStreamConsumer):
    """The caller's own notifications (mentions, decisions asked of them)."""

    handlers = {"ping": "on_ping"}

    async def open(self) -> None:
        user = self.scope.get("user")
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            raise Refused()
        await self.accept()
        await self.join_group(user_group(user.pk))
        await self.send_control("stream.ready", {"user": str(user.pk)})

    async def event_message(self, message: dict) -> None:
        await self.send(text_data=message["text"])
