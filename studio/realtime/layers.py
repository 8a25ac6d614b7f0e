"""The channel layer: channels_redis' core layer, with the blocking Redis read moved off the event loop.

Why: in the stock `RedisChannelLayer` the consumer that holds the process's receive lock performs
the blocking Redis read (BZPOPMIN) itself, inside the web server's event loop. Two problems follow
with the pinned redis-py 8:

- redis-py gives every connection a 5 s socket timeout, the same as channels_redis' 5 s BZPOPMIN:
  the two race and reads fail with `TimeoutError` (the stock layer then raises into a consumer);
- a cancellation that lands during a blocking command can be swallowed (redis/redis-py#2028): when a
  socket closes, Channels cancels its consumer's receive, the task keeps running, and the closed
  consumer stays in memory. We measured consumers still alive seconds after their socket closed,
  and event-loop shutdowns that never finished.

Here one daemon thread per process (and local-channel prefix) runs its own event loop and does every
blocking read, with a 1 s BZPOPMIN well under the socket timeout, and is never cancelled. Messages go
to per-channel buffers; a consumer's receive() waits on a plain future that cancels at once. Groups,
capacity, expiry and the Redis data layout are the stock layer's, so processes interoperate.

Redis restarts: the reader backs off and reads again. When a read succeeds after failures, the
layer adds every local channel to its groups again (a Redis without persistence forgot them, and
its sockets would otherwise stay open and silent) and hands each local channel a `stream.resync`
message, on which the consumers catch up from the durable event log (found by the fault suite,
tests/chaos/test_redis_restart.py).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import time
from collections.abc import Callable

from channels_redis.core import RedisChannelLayer
from redis import asyncio as aioredis

log = logging.getLogger(__name__)

ABANDONED_KEEP_SECONDS = 60  # keep the buffer of a channel nobody receives on for this long
POOL_MAX_CONNECTIONS = 200  # per event loop and Redis host
POOL_WAIT_SECONDS = 10  # how long a command waits for a free connection before failing
READER_IDLE_EXIT_SECONDS = 5  # a reader with no local channel left stops after this
RESYNC_MESSAGE = {"type": "stream.resync"}  # to each local channel after Redis came back


class _LocalChannel:
    """Messages for one process-local channel, filled by the reader thread, drained by receive()."""

    __slots__ = ("buffer", "waiter", "sink", "abandoned_at")

    def __init__(self, capacity: int):
        self.buffer: collections.deque = collections.deque(maxlen=capacity)  # full: the oldest is dropped
        self.waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future] | None = None
        self.sink: tuple[asyncio.AbstractEventLoop, Callable[[dict], None]] | None = None
        self.abandoned_at: float | None = None


def _wake(futures: list[asyncio.Future]) -> None:
    for future in futures:
        if not future.done():
            future.set_result(None)


def _deliver(items: list[tuple[Callable[[dict], None], dict]]) -> None:
    for sink, message in items:
        sink(message)


class RealtimeChannelLayer(RedisChannelLayer):
    # Block in Redis for less than redis-py's 5 s socket timeout.
    brpop_timeout = 1

    def __init__(self, *args, capacity: int = 1000, **kwargs):
        super().__init__(*args, capacity=capacity, **kwargs)
        self._local: dict[str, _LocalChannel] = {}
        self._memberships: dict[str, set[str]] = {}  # local channel -> groups, to re-join after a Redis restart
        self._readers: dict[str, threading.Thread] = {}
        self._readers_lock = threading.Lock()
        self._reader_cleaners: list[asyncio.Future] = []

    def create_pool(self, index: int):
        """A pool that waits for a free connection instead of failing: redis-py's default pool raises
        `MaxConnectionsError` at 100 connections in use, which a burst of sockets closing together
        (a deploy, a network blip) reaches at once."""
        host = dict(self.hosts[index])
        if "address" in host:
            address = host.pop("address")
            host.setdefault("max_connections", POOL_MAX_CONNECTIONS)
            host.setdefault("timeout", POOL_WAIT_SECONDS)
            return aioredis.BlockingConnectionPool.from_url(address, **host)
        return super().create_pool(index)

    async def new_channel(self, prefix: str = "specific") -> str:
        channel = await super().new_channel(prefix)
        self._local[channel] = _LocalChannel(self.capacity)
        return channel

    async def receive(self, channel: str):
        if "!" not in channel:
            return await super().receive(channel)
        assert self.require_valid_channel_name(channel)
        real_channel = self.non_local_name(channel)
        assert real_channel.endswith(self.client_prefix + "!"), "Wrong client prefix"
        local = self._local.get(channel)
        if local is None:
            local = self._local[channel] = _LocalChannel(self.capacity)
        local.abandoned_at = None
        self._ensure_reader(real_channel)
        loop = asyncio.get_running_loop()
        try:
            while True:
                if local.buffer:
                    return local.buffer.popleft()
                future = loop.create_future()
                local.waiter = (loop, future)
                if local.buffer:  # a message landed between the check and setting the waiter
                    local.waiter = None
                    continue
                try:
                    await future
                finally:
                    local.waiter = None
        except asyncio.CancelledError:
            # Channels cancels receive() when the consumer is done; keep what arrives for a while in
            # case the channel is received on again (e.g. from another event loop), then forget it.
            local.abandoned_at = time.monotonic()
            raise

    def attach(self, channel: str, sink: Callable[[dict], None]) -> None:
        """Deliver this channel's messages by calling `sink(message)` on the caller's event loop.

        The fast path for consumers (see consumers.BaseStreamConsumer.__call__): a group message for
        many sockets of this process becomes one call into the loop that feeds each consumer's inbox,
        instead of one future, one task and one `asyncio.wait` per socket.
        """
        loop = asyncio.get_running_loop()
        local = self._local.get(channel)
        if local is None:
            local = self._local[channel] = _LocalChannel(self.capacity)
        local.sink = (loop, sink)
        self._ensure_reader(self.non_local_name(channel))
        while local.buffer:
            sink(local.buffer.popleft())

    def detach(self, channel: str) -> None:
        self._local.pop(channel, None)
        self._memberships.pop(channel, None)

    async def group_add(self, group: str, channel: str) -> None:
        await super().group_add(group, channel)
        if "!" in channel:
            self._memberships.setdefault(channel, set()).add(group)

    async def group_discard(self, group: str, channel: str) -> None:
        await super().group_discard(group, channel)
        groups = self._memberships.get(channel)
        if groups is not None:
            groups.discard(group)

    async def _rejoin(self, real_channel: str) -> None:
        """Redis is back after a failed read: re-add this reader's local channels to their groups,
        then tell each of them to catch up (`stream.resync`)."""
        mine = [channel for channel in list(self._memberships) if channel.startswith(real_channel)]
        for channel in mine:
            for group in list(self._memberships.get(channel, ())):
                await super().group_add(group, channel)
        log.warning("channel layer: Redis is reachable again; %d local channels re-joined their groups", len(mine))
        self._dispatch([(channel, dict(RESYNC_MESSAGE)) for channel in mine])

    # ---------------------------------------------------------------- the reader thread
    def _ensure_reader(self, real_channel: str) -> None:
        # Always under the lock: a reader that finds no channel left removes itself under it too.
        with self._readers_lock:
            reader = self._readers.get(real_channel)
            if reader is None or not reader.is_alive():
                reader = threading.Thread(
                    target=self._run_reader, args=(real_channel,), name=f"channel-layer-reader-{real_channel[-14:-1]}", daemon=True
                )
                self._readers[real_channel] = reader
                reader.start()

    def _run_reader(self, real_channel: str) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._read_forever(real_channel))
            loop.run_until_complete(self._close_reader_pools(loop))
        finally:
            loop.close()

    async def _close_reader_pools(self, loop) -> None:
        if self._reader_cleaners:
            await asyncio.wait(self._reader_cleaners[:])
        layer = self._layers.pop(loop, None)
        if layer is not None:
            await layer.flush()

    def _has_local_channels(self, real_channel: str) -> bool:
        return any(channel.startswith(real_channel) for channel in list(self._local))

    async def _receive_one(self, real_channel: str):
        """channels_redis' receive_single, but answering None when the blocking pop times out."""
        index = self.consistent_hash(real_channel)
        channel_key = self.prefix + real_channel
        await self.receive_clean_locks.acquire(channel_key)
        try:
            content = await self._brpop_with_clean(index, channel_key, timeout=self.brpop_timeout)
            if content is None:
                self.receive_clean_locks.release(channel_key)
                return None
            cleaner = asyncio.ensure_future(self._clean_receive_backup(index, channel_key))
            self._reader_cleaners.append(cleaner)

            def _cleanup_done(done):
                self._reader_cleaners.remove(done)
                self.receive_clean_locks.release(channel_key)

            cleaner.add_done_callback(_cleanup_done)
        except BaseException:
            self.receive_clean_locks.release(channel_key)
            raise
        message = self.deserialize(content)
        return message.pop("__asgi_channel__", real_channel), message

    async def _read_forever(self, real_channel: str) -> None:
        swept = idle_since = time.monotonic()
        failed = False
        while True:
            try:
                received = await self._receive_one(real_channel)
                if failed:
                    await self._rejoin(real_channel)
                    failed = False
            except Exception:  # noqa: BLE001 - Redis restarts: log, back off, keep reading
                if not failed:
                    log.exception("channel layer: reading %s failed", real_channel)
                failed = True
                await asyncio.sleep(0.5)
                continue
            now = time.monotonic()
            if now - swept > 10:
                swept = now
                self._forget_abandoned(now)
            if received is None:
                # Nobody in this process uses these channels any more (a test's or a script's
                # listener was closed): stop; the next receive() starts a new reader.
                if self._has_local_channels(real_channel):
                    idle_since = now
                elif now - idle_since > READER_IDLE_EXIT_SECONDS:
                    with self._readers_lock:
                        if not self._has_local_channels(real_channel):
                            self._readers.pop(real_channel, None)
                            return
                continue
            idle_since = now
            message_channel, message = received
            channels = message_channel if isinstance(message_channel, list) else [message_channel]
            self._dispatch([(channel, message) for channel in channels])

    def _dispatch(self, items: list[tuple[str, dict]]) -> None:
        """Hand messages to their local channels. One wake-up per event loop, not per channel: a group
        message for 200 sockets of this process is one call into the web server's loop."""
        to_wake: dict[asyncio.AbstractEventLoop, list[asyncio.Future]] = {}
        to_sink: dict[asyncio.AbstractEventLoop, list[tuple[Callable[[dict], None], dict]]] = {}
        for channel, message in items:
            local = self._local.get(channel)
            if local is None:
                continue  # a channel this process no longer has
            if local.sink is not None:
                to_sink.setdefault(local.sink[0], []).append((local.sink[1], message))
                continue
            local.buffer.append(message)
            waiter = local.waiter
            if waiter is not None:
                to_wake.setdefault(waiter[0], []).append(waiter[1])
        for target_loop, futures in to_wake.items():
            try:
                target_loop.call_soon_threadsafe(_wake, futures)
            except RuntimeError:  # that loop has closed
                pass
        for target_loop, items_for_loop in to_sink.items():
            try:
                target_loop.call_soon_threadsafe(_deliver, items_for_loop)
            except RuntimeError:
                pass

    async def close_pools(self) -> None:
        """Close the connection pools of the calling event loop (and forget those of closed loops).

        The reader thread's pool belongs to the reader's loop: it closes it itself when it stops.
        """
        await self.wait_received()
        loop = asyncio.get_running_loop()
        for layer_loop, layer in list(self._layers.items()):
            if layer_loop is loop:
                await layer.flush()
            elif layer_loop.is_closed():
                self._layers.pop(layer_loop, None)

    def _forget_abandoned(self, now: float) -> None:
        for channel, local in list(self._local.items()):
            if local.abandoned_at is not None and now - local.abandoned_at > ABANDONED_KEEP_SECONDS:
                self._local.pop(channel, None)
