"""Start a real Celery worker process against the test database and the test Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


class WorkerProcess:
    def __init__(self, *, queues: str, name: str, concurrency: int = 1, env: dict | None = None, log_path: Path | None = None):
        self.queues = queues
        self.name = name
        self.concurrency = concurrency
        self.extra_env = env or {}
        self.log_path = log_path or ROOT / "var" / "test" / f"worker-{name}.log"
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict:
        env = os.environ.copy()
        db = connection.settings_dict
        env.update(
            {
                "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
                "REDIS_URL": settings.REDIS_URL,
                "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
                "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
                "CHANNELS_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"].get("prefix", "gl-asgi"),
                "DATA_DIR": str(settings.DATA_DIR),
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "MODELS_DIR": str(settings.MODELS_DIR),
                "OMP_NUM_THREADS": "1",
                "HF_HUB_OFFLINE": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60) -> WorkerProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115
        cmd = [
            sys.executable, "-m", "celery", "-A", "studio", "worker",
            "-Q", self.queues, "-c", str(self.concurrency), "-n", f"{self.name}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info",
        ]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env(), stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        from studio.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited with {self.proc.returncode}; see {self.log_path}")
            replies = app.control.ping(destination=[f"{self.name}@{os.uname().nodename}"], timeout=0.5)
            if replies:
                return
        raise RuntimeError(f"worker {self.name} did not answer a ping within {timeout}s; see {self.log_path}")

    def child_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        finally:
            self._log.close()
