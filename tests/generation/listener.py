"""Subscribing to a project's Channels group through the real channel layer (Redis), as a browser's
WebSocket consumer would, from synchronous test or benchmark code.

All layer calls run on one private event loop in a background thread: channel layers keep
per-loop state (connections, local receive queues), so every call must use the same loop.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time

from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers

from studio.realtime.publish import project_group


class GroupListener:
    def __init__(self, project_id):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="group-listener", daemon=True)
        self.thread.start()
        self.layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
        self.group = project_group(project_id)
        self.channel = self._run(self.layer.new_channel())
        self._run(self.layer.group_add(self.group, self.channel))

    def _run(self, coroutine, timeout: float | None = None):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def next_event(self, timeout: float = 30.0) -> tuple[dict, float]:
        """The next event on the group and the moment it arrived (perf_counter)."""
        message = self._run(asyncio.wait_for(self.layer.receive(self.channel), timeout))
        return json.loads(message["text"]), time.perf_counter()

    def collect(self, until, timeout: float = 30.0) -> list[dict]:
        """Events until (and including) the first for which `until(event)` is true."""
        events = []
        while True:
            event, _ = self.next_event(timeout)
            events.append(event)
            if until(event):
                return events

    def close(self) -> None:
        async def shutdown():
            try:
                await self.layer.group_discard(self.group, self.channel)
            finally:
                tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
                for task in tasks:  # the layer's reader task
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await self.layer.close_pools()

        try:
            self._run(shutdown(), timeout=10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
            self.loop.close()
