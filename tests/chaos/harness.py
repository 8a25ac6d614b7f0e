"""The fault suite's harness: supervised processes, a private Redis and a private PostgreSQL cluster.

Everything here runs on this machine, on loopback ports chosen at run time, and stops with the test:

- `Supervisor` keeps a command running (a Celery worker, like systemd or Kubernetes would): when the
  process dies it is started again. `kill()` SIGKILLs the whole process group (the worker and its pool);
  `kill_child()` only the pool process that runs the task.
- `OwnRedis` is a `redis-server` of its own on its own port with an append-only file (the production
  recommendation for the broker), so restarting it never touches the machine's shared Redis.
- `OwnPostgres` is a throwaway PostgreSQL 15 cluster (`initdb` + `pg_ctl` in a temporary folder, run as
  the `postgres` system user when the tests run as root), so a server restart touches nobody else.
- `Beat` calls the reapers the way beat does, but every second instead of every 30-60 s.

`scale()` says how hard to push: `CHAOS_SCALE=full` (make chaos) or the bounded default (make test).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def full() -> bool:
    return os.environ.get("CHAOS_SCALE", "") == "full"


def scale(bounded: int, full_count: int) -> int:
    return full_count if full() else bounded


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def report(scenario: str, **figures) -> None:
    """Append one scenario's figures to var/chaos/report.jsonl (make chaos prints them) and to the log."""
    folder = ROOT / "var" / "chaos"
    folder.mkdir(parents=True, exist_ok=True)
    line = {"scenario": scenario, "scale": "full" if full() else "bounded", "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "loadavg": [round(x, 2) for x in os.getloadavg()], **figures}
    with open(folder / "report.jsonl", "a") as fh:
        fh.write(json.dumps(line, default=str) + "\n")
    print(f"\nCHAOS {scenario}: {json.dumps(figures, default=str)}")


def wait_until(predicate, *, timeout: float, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


class Supervisor:
    """Runs `cmd` and starts it again whenever it exits, until `stop()`."""

    def __init__(self, name: str, cmd: list[str], *, env: dict, log_path: Path, ready=None):
        self.name, self.cmd, self.env, self.log_path, self.ready = name, cmd, env, log_path, ready
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self._stopping = threading.Event()
        self._started = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"supervisor-{name}", daemon=True)

    def start(self, timeout: float = 90) -> Supervisor:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        self.wait_ready(timeout)
        return self

    def _spawn(self) -> None:
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        with self._started:
            self.proc = proc
            self.starts += 1
            self._started.notify_all()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._spawn()
            self.proc.wait()
            if not self._stopping.is_set():
                time.sleep(0.2)  # like a service manager's restart delay

    def wait_ready(self, timeout: float = 90, *, starts: int | None = None) -> None:
        """Wait for start number `starts` (default: the current one) to be up and ready."""
        deadline = time.monotonic() + timeout
        with self._started:
            self._started.wait_for(lambda: self.proc is not None and (starts is None or self.starts >= starts),
                                   timeout=max(0.1, deadline - time.monotonic()))
        if self.ready is not None:
            wait_until(lambda: self.proc is not None and self.proc.poll() is None and self.ready(self),
                       timeout=max(1, deadline - time.monotonic()), interval=0.2, what=f"{self.name} to be ready (see {self.log_path})")

    def child_pids(self) -> list[int]:
        proc = self.proc
        if proc is None:
            return []
        out = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def kill(self) -> int:
        """SIGKILL the whole process (group): the node dies, nothing is acknowledged or cleaned up."""
        starts = self.starts
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return starts

    def kill_child(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    def stop(self, timeout: float = 20) -> None:
        self._stopping.set()
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        self._thread.join(timeout=5)


def celery_ready(node: str):
    """A readiness check: the current start of the worker logged that it is ready."""

    def check(supervisor: Supervisor) -> bool:
        with open(supervisor.log_path, "rb") as log:
            log.seek(supervisor.log_offset)
            return f"{node} ready.".encode() in log.read()

    return check


class OwnRedis:
    """A private redis-server with an append-only file, restartable on the same port."""

    def __init__(self, *, appendonly: bool = True):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="gl-chaos-redis-"))
        self.appendonly = appendonly
        self.proc: subprocess.Popen | None = None
        self.restarts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> OwnRedis:
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir), "--save", "",
               "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "always", "--protected-mode", "yes"]
        self.proc = subprocess.Popen(cmd, stdout=open(self.dir / "redis.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True)  # noqa: SIM115
        wait_until(self._pong, timeout=20, interval=0.05, what="the chaos redis-server to answer")
        return self

    def _pong(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)

    def restart(self, *, down_seconds: float = 1.0) -> None:
        self.stop()
        time.sleep(down_seconds)  # the outage itself: what is observed while Redis is down
        self.start()
        self.restarts += 1

    def close(self) -> None:
        self.stop(signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


class OwnPostgres:
    """A throwaway PostgreSQL 15 cluster on its own port (never the machine's shared server)."""

    def __init__(self):
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="gl-chaos-pg-"))
        self.data = self.root / "data"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=timeout, cwd="/")

    def url(self, db: str = "greenlight") -> str:
        return f"postgres://greenlight:greenlight@127.0.0.1:{self.port}/{db}"

    def start(self) -> OwnPostgres:
        if not (self.data / "PG_VERSION").exists():
            self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
            with open(self.data / "postgresql.conf", "a") as conf:
                conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
                           "fsync = off\nmax_connections = 200\n")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")
        return self

    def psql(self, sql: str, db: str = "postgres") -> str:
        return self._run(str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db,
                         "-Atqc", sql).stdout

    def create_app_database(self, name: str = "greenlight") -> str:
        self.psql("CREATE ROLE greenlight LOGIN SUPERUSER PASSWORD 'greenlight'")
        self.psql(f"CREATE DATABASE {name} OWNER greenlight")
        return self.url(name)

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def restart(self, *, down_seconds: float = 2.0, mode: str = "immediate") -> None:
        """Stop (immediate: like a crash, backends killed, recovery at start) and start again."""
        self.stop(mode)
        time.sleep(down_seconds)
        self.start()

    def close(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class Beat(threading.Thread):
    """Runs the reapers beat runs (generation.tasks.reap_stale_jobs, projects.tasks.reap_stuck_media)
    every `interval` seconds, in this process, against the test database."""

    def __init__(self, *, interval: float = 1.0, stale_after: float = 3.0):
        super().__init__(name="chaos-beat", daemon=True)
        self.interval, self.stale_after = interval, stale_after
        self.stopped = threading.Event()
        self.counts: dict[str, int] = {}
        self.errors: list[str] = []

    def run(self) -> None:
        from datetime import timedelta

        from django.db import connection

        from generation import services as generation
        from projects import processing

        try:
            while not self.stopped.wait(self.interval):
                try:
                    for key, value in generation.reap_stale_jobs(stale_after=timedelta(seconds=self.stale_after)).items():
                        self.counts[f"jobs_{key}"] = self.counts.get(f"jobs_{key}", 0) + value
                    for key, value in processing.reap_stuck_media(requeue_after=timedelta(seconds=30)).items():
                        if key != "waiting":
                            self.counts[f"media_{key}"] = self.counts.get(f"media_{key}", 0) + value
                except Exception as exc:  # noqa: BLE001 - a reaper run that fails is retried next second, like beat
                    self.errors.append(repr(exc))
                    connection.close()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=30)
