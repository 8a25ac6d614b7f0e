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

    # The revisit: the same page opened again, nothing changed in between.
    seen.clear()
    page.goto(f"/projects/{project['id']}")
    page.locator("[data-testid=shot-row]").first.wait_for()
    page.wait_for_load_state("networkidle")
    statuses = [(u, st) for u, st, _ in seen]
    assert any(st == 304 for _, st in statuses), f"the revisit's shot-list request was not answered 304: {statuses}"
    # And the page shows the list it already had.
    assert page.locator("[data-testid=shot-row]").count() > 0
