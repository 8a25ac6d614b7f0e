"""Revisiting an unchanged shot list costs a 304, not the list again (issue 17, "Conditional requests").

The browser's own HTTP cache does the work: the first visit's shot-list response carries a validator
(`ETag`), and when the page is opened again the app's request for the same list goes out with
`If-None-Match`; the server answers `304 Not Modified` and the browser uses the copy it has.
Chromium reports the revalidation to Playwright as a response with status 304.

Depends on the server half of issue 17 (validators and 304 on the shot list; branch `perf`): on a
server without them this test fails, saying so.
"""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SHOT_LIST_API = re.compile(r"/api/v1/projects/[0-9a-f-]{36}/shots/(\?|$)")


def test_revisiting_an_unchanged_shot_list_is_answered_304(session_factory):
    s = session_factory()
    s.sign_in("producer@northlight.test")
    with s.api() as client:
        project = next(p for p in client.get("/api/v1/projects/").json()["results"] if p["code"] == "MR")

    seen: list[tuple[str, int, dict]] = []
    s.page.on(
        "response",
        lambda r: seen.append((r.url, r.status, r.headers)) if SHOT_LIST_API.search(r.url) and r.request.method == "GET" else None,
    )

    page = s.page
    page.goto(f"/projects/{project['id']}")
    page.locator("[data-testid=shot-row]").first.wait_for()
    page.wait_for_load_state("networkidle")
    first = [x for x in seen if x[1] != 304]
    assert first, f"the shot list was not requested: {seen}"
    url, status, headers = first[0]
    assert status == 200, (url, status)
    assert headers.get("etag") or headers.get("last-modified"), (
        "the shot list's response carries no validator (ETag / Last-Modified), so the browser cannot ask "
        f"again conditionally; this needs the server half of issue 17 (branch perf). Headers: {headers}"
    )
    assert "no-store" not in headers.get("cache-control", ""), f"the browser may not keep it: {headers.get('cache-control')}"

    # The revisit: the same page opened again, nothing changed in between. Playwright's `response`
    # may report the copy Chromium hands the page after a revalidation (200, from its cache;
    # microsoft/playwright#27573), so the status the server actually sent is read from the DevTools
    # protocol too (`Network.responseReceivedExtraInfo`: the raw status line of the network response).
    seen.clear()
    asked: list = []
    page.on("request", lambda r: asked.append(r) if SHOT_LIST_API.search(r.url) else None)
    cdp = s.context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls: dict[str, str] = {}
    raw: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.responseReceivedExtraInfo", lambda e: raw.__setitem__(e["requestId"], e["statusCode"]))
    page.goto(f"/projects/{project['id']}")
    page.locator("[data-testid=shot-row]").first.wait_for()
    page.wait_for_load_state("networkidle")
    statuses = [st for _, st, _ in seen]
    on_the_wire = [status for rid, status in raw.items() if SHOT_LIST_API.search(urls.get(rid, ""))]
    sent = [r.all_headers().get("if-none-match") for r in asked]
    etag = headers.get("etag")
    assert sent and sent[0] == etag, f"the revisit did not ask conditionally: If-None-Match {sent}, ETag {etag!r}"
    assert 304 in statuses + on_the_wire, (
        f"the revisit's shot-list request was not answered 304: Playwright saw {statuses}, the network {on_the_wire}; "
        f"it sent If-None-Match {sent}"
    )
    # And the page shows the list it already had.
    assert page.locator("[data-testid=shot-row]").count() > 0
