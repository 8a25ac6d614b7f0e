"""Browser tests: Debian's Chromium (driven by Playwright) against a live Greenlight.

Everything is real: the built bundle served by Django through uvicorn (HTTP and WebSockets), the
test PostgreSQL database seeded with the demo data, the tiny demo diffusers model, and a real Celery
worker rendering and transcoding. Run in their own pytest invocation (sync Playwright must not share
a process with asyncio tests): `make test` does, or

    TEST_DATABASE_NAME=test_gl_frontend REDIS_URL=redis://127.0.0.1:6379/14 CHANNELS_PREFIX=gl-frontend \
    DATA_DIR=$PWD/var/test-frontend .venv/bin/python -m pytest tests/e2e -p no:cacheprovider

Screenshots of every screen go to test-artifacts/screenshots/ (git-ignored; see docs/FRONTEND.md).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command

from tests.support.worker import WorkerProcess

ROOT = Path(__file__).resolve().parents[2]
DIST_INDEX = ROOT / "frontend" / "dist" / "index.html"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "greenlight-demo"

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict:
    """The same database, Redis, channel prefix and data folders as the test run (and its worker)."""
    env = WorkerProcess(queues="", name="e2e-env").env()
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


@pytest.fixture(scope="session")
def built_frontend() -> Path:
    """The bundle must exist (make test builds it); build it here when run on its own."""
    if not DIST_INDEX.exists():
        subprocess.run([str(ROOT / "frontend" / "scripts" / "task.sh"), "build"], check=True, cwd=ROOT)
    return DIST_INDEX


@pytest.fixture(scope="session")
def demo_data(django_db_setup, django_db_blocker, built_frontend):
    """Demo organizations, Moonrise, talent and grants, and the tiny model — committed, for the server."""
    with django_db_blocker.unblock():
        call_command("build_demo_model", verbosity=0)
        call_command("seed_demo", verbosity=0)
    # collectstatic in a fresh process: settings list frontend/dist only when it exists at start-up.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], check=True, cwd=ROOT, env=_env())


@pytest.fixture(scope="session")
def greenlight_server(demo_data, live_worker) -> Iterator[str]:
    """uvicorn serving studio.asgi (HTTP + WebSockets) on a free port, against the test database."""
    port = _free_port()
    log_path = ROOT / "var" / "test" / "e2e-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "studio.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--ws", "websockets", "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}; see {log_path}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code < 500:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server did not answer within 60 s; see {log_path}")
        time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    log.close()


@pytest.fixture(scope="session")
def browser(greenlight_server):
    # Sync Playwright runs an event loop in this thread, and Django refuses database calls while one
    # runs. The tests make none, but pytest-django opens and rolls back a transaction around each
    # (`django_db` is what makes it create the test database). The server and the worker were
    # started above, so this setting stays in this test process and never reaches the code under test.
    import os as _os

    _os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does: EXTRA_APT=chromium deploy/bootstrap.sh).")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


class Session:
    """One browser context (its own cookies) with the helpers every flow needs."""

    def __init__(self, browser, base: str, shots: Path):
        self.base = base
        self.shots = shots
        self.context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=base)
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()
        self.closed = False
        self.errors: list[str] = []
        self.expected: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on(
            "console",
            lambda m: self.errors.append(f"console.{m.type}: {m.text}")
            if m.type == "error" and "401 (Unauthorized)" not in m.text else None,
        )

    def expect_console_error(self, text: str) -> None:
        """A console error containing `text` is expected (the browser logs every 4xx a fetch gets, e.g.
        the 403 of a refused approval the test provokes); any other still fails the test."""
        self.expected.append(text)

    def shot(self, name: str, *, full_page: bool = False) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def sign_in(self, email: str) -> None:
        page = self.page
        page.goto("/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.locator(".topbar").wait_for()

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.page.get_by_role("button", name="Sign in").wait_for()

    def api(self) -> httpx.Client:
        """An HTTP client sharing this browser's session (cookies), for checks the UI does not show."""
        cookies = {c["name"]: c["value"] for c in self.context.cookies()}
        return httpx.Client(base_url=self.base, cookies=cookies, headers={"X-CSRFToken": cookies.get("csrftoken", "")}, timeout=30)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.context.close()


@pytest.fixture
def api_as(greenlight_server) -> Iterator:
    """api_as(email) -> an httpx client on the live server with that demo user's API token, for test
    setup through the real API (no browser, no CSRF)."""
    clients: list[httpx.Client] = []

    def make(email: str) -> httpx.Client:
        r = httpx.post(f"{greenlight_server}/api/v1/auth/token/", json={"email": email, "password": DEMO_PASSWORD}, timeout=30)
        assert r.status_code == 201, r.text
        client = httpx.Client(base_url=greenlight_server, headers={"Authorization": f"Token {r.json()['token']}"}, timeout=30)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture
def session_factory(request, browser, greenlight_server, screenshots):
    made: list[Session] = []

    def make() -> Session:
        s = Session(browser, greenlight_server, screenshots)
        made.append(s)
        return s

    yield make
    if getattr(request.node, "e2e_failed", False):
        for i, s in enumerate(made):
            if not s.closed and not s.page.is_closed():
                s.shot(f"FAILED-{request.node.name}-{i}", full_page=True)
    for s in made:
        s.close()
    errors = [e for s in made for e in s.errors if not any(x in e for x in s.expected)]
    assert not errors, "the page reported errors:\n" + "\n".join(errors)
