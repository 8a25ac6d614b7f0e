"""Live updates in the browser, and catching up after a dropped connection.

The page's WebSocket goes through Playwright's WebSocket routing, which forwards it to the live
server; the test cuts it, refuses reconnections for a while, makes a change through the API meanwhile,
then lets the page reconnect: it must resume with `?since=<last event id>` and show the change from
the replayed event (nothing else refreshes the page's data).
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def pump_until(page, condition, *, timeout: float = 30, what: str) -> None:
    """Let Playwright deliver events (the WebSocket route handler runs on them) until `condition()`
    holds: a wait on the event itself, bounded by `timeout`, never a fixed pause."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        page.wait_for_timeout(50)  # a poll: hands control to Playwright's event dispatch


def test_comment_arrives_live_and_after_a_dropped_connection(session_factory):
    artist = session_factory()
    artist.sign_in("artist@northlight.test")
    producer = session_factory()
    page = producer.page

    urls: list[str] = []
    routes: list = []
    state = {"offline": False}

    def handle(ws):
        urls.append(ws.url)
        if state["offline"]:
            ws.close(code=1011, reason="test: network down")
            return
        ws.connect_to_server()
        routes.append(ws)

    page.route_web_socket("**/ws/projects/**", handle)
    producer.sign_in("producer@northlight.test")

    with artist.api() as client:
        project = next(p for p in client.get("/api/v1/projects/").json()["results"] if p["code"] == "MR")
        shot = client.get(f"/api/v1/projects/{project['id']}/shots/", params={"q": "MR_010_0010"}).json()["results"][0]
        version = shot["current_version"]
        assert version is not None, "the demo data gives MR_010_0010 a version"

        page.goto(f"/projects/{project['id']}/versions/{version['id']}")
        page.locator("[data-testid=live-status][data-status=live]").wait_for()
        comments = page.locator("[data-testid=comment]")
        comments.first.wait_for()
        before = comments.count()

        # Live: a comment posted by someone else appears without a reload.
        comments_url = f"/api/v1/versions/{version['id']}/comments/"
        r = client.post(comments_url, json={"body": "Live note from the artist.", "frame": 1005, "internal": False})
        assert r.status_code == 201, r.text
        page.locator("[data-testid=comment]", has_text="Live note from the artist.").wait_for()
        assert comments.count() == before + 1

        # Drop the connection and keep the network down.
        state["offline"] = True
        routes[-1].close(code=1012, reason="test: connection dropped")
        page.locator("[data-testid=live-status][data-status=reconnecting]").wait_for()
        r = client.post(comments_url, json={"body": "Posted while you were offline.", "frame": 1020, "internal": False})
        assert r.status_code == 201, r.text
        attempts = len(urls)
        pump_until(page, lambda: len(urls) > attempts, what="a reconnection attempt after the comment was posted")
        assert page.locator("[data-testid=comment]", has_text="Posted while you were offline.").count() == 0
        producer.shot("30-reconnecting")

        # Back online: the page reconnects with since=<last id> and catches up.
        state["offline"] = False
        page.locator("[data-testid=live-status][data-status=live]").wait_for(timeout=30_000)
        page.locator("[data-testid=comment]", has_text="Posted while you were offline.").wait_for()
        assert comments.count() == before + 2
        producer.shot("31-caught-up")

    first, last = parse_qs(urlparse(urls[0]).query), parse_qs(urlparse(urls[-1]).query)
    assert "since" not in first, urls[0]
    since = int(last["since"][0])
    assert since > 0, urls[-1]
    assert len(urls) >= 3, f"expected refused reconnection attempts while offline: {urls}"
