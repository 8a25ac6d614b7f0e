"""Real uvicorn web processes for the realtime tests and the benchmark (loopback only).

`UvicornServer` runs `.venv/bin/uvicorn studio.asgi:application --ws websockets` on a free
127.0.0.1 port against the given database and Redis, and waits until /healthz answers.
`ws_connect` opens a WebSocket the way a browser would (allowed Origin, token or cookie).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import connect as websockets_connect

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "http://127.0.0.1:8000"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def django_env(extra: dict | None = None) -> dict:
    """The environment of this process's Django settings, for a child process."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    env = os.environ.copy()
    env.update({
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CHANNELS_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"].get("prefix", "gl-asgi"),
        "DATA_DIR": str(settings.DATA_DIR),
        "DB_CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
        "OMP_NUM_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
    })
    env.update(extra or {})
    return env


class UvicornServer:
    def __init__(self, *, name: str, env: dict | None = None, log_dir: Path | None = None, ws: str = "websockets",
                 args: list[str] | None = None):
        self.name = name
        self.extra_env = env or {}
        self.ws_impl = ws
        self.extra_args = list(args or [])
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log_path = (log_dir or ROOT / "var" / "test") / f"uvicorn-{name}.log"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> UvicornServer:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        for _attempt in range(3):  # a port taken between probing and binding: try another
            self.port = free_port()
            self._log = open(self.log_path, "ab")  # noqa: SIM115
            self.proc = subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "uvicorn"), "studio.asgi:application", "--ws", self.ws_impl,
                 "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log", "--log-level", "warning", *self.extra_args],
                cwd=ROOT, env=django_env(self.extra_env), stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
            )
            if self._wait_ready(timeout):
                return self
            self.stop()
        raise RuntimeError(f"uvicorn {self.name} did not start; see {self.log_path}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if httpx.get(f"{self.http}/healthz", timeout=2).status_code in (200, 503):
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        return False

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self._close_log()
            return
        try:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        self._close_log()

    def kill(self) -> None:
        """Die like a crashed process: no clean-up of presence, rooms or sockets."""
        self.stop(signal.SIGKILL)

    def _close_log(self) -> None:
        log = getattr(self, "_log", None)
        if log is not None and not log.closed:
            log.close()


async def ws_connect(url: str, *, token: str | None = None, origin: str = ORIGIN, **kwargs):
    headers = {"Authorization": f"Token {token}"} if token else {}
    return await websockets_connect(url, origin=origin, additional_headers=headers, open_timeout=20, max_queue=None, **kwargs)


async def recv_json(ws, timeout: float = 10) -> dict:
    import asyncio

    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def recv_type(ws, type: str, timeout: float = 10) -> dict:
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        message = await recv_json(ws, max(0.01, deadline - loop.time()))
        if message["type"] == type:
            return message
