"""The audit list pages by cursor (newest first) in a fixed number of queries however long the chain;
`?page=N` still answers numbered pages; other tenants' events never appear."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from studio.audit import services as audit
from studio.audit.models import AuditEvent
from studio.tenancy.models import Role
from tests.support.world import make_org, make_user


def chain(org, count: int) -> None:
    for i in range(count):
        audit.record(organization=org, action="bench.event", data={"i": i})


def walk(client, url: str) -> tuple[list[dict], list[int]]:
    rows, queries = [], []
    while url:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        queries.append(len(captured.captured_queries))
        url = body["next"]
    return rows, queries


def test_cursor_pages_cover_the_chain_newest_first_in_fixed_queries(db, api):
    org = make_org("audit-cursor")
    owner = make_user("owner@audit-cursor.test", org=org, role=Role.OWNER)
    rival = make_org("audit-rival")
    chain(rival, 3)
    chain(org, 5)
    url = f"/api/v1/audit-events/?organization={org.pk}&page_size=2"
    few, few_queries = walk(api(owner), url)
    chain(org, 20)
    many, many_queries = walk(api(owner), url)
    assert len(many) == len(few) + 20 and len({r["id"] for r in many}) == len(many)
    assert [r["id"] for r in many] == sorted((r["id"] for r in many), reverse=True)
    assert {r["organization"] for r in many} == {str(org.pk)}
    assert set(few_queries) == set(many_queries) and len(set(many_queries)) == 1
    first = api(owner).get(url).json()
    assert first["count"] == len(many) and "cursor=" in first["next"] and first["previous"] is None


def test_numbered_pages_still_answer(db, api):
    org = make_org("audit-numbered")
    owner = make_user("owner@audit-numbered.test", org=org, role=Role.OWNER)
    chain(org, 5)
    body = api(owner).get(f"/api/v1/audit-events/?organization={org.pk}&page=2&page_size=2").json()
    assert body["count"] >= 5 and len(body["results"]) == 2 and "page=3" in body["next"] and "page=1" not in body["next"]


def test_other_tenants_events_stay_invisible(db, api):
    org = make_org("audit-mine")
    owner = make_user("owner@audit-mine.test", org=org, role=Role.OWNER)
    rival = make_org("audit-theirs")
    chain(rival, 3)
    rows, _ = walk(api(owner), f"/api/v1/audit-events/?organization={rival.pk}")
    assert rows == []
    event = AuditEvent.objects.filter(organization=rival).first()
    assert api(owner).get(f"/api/v1/audit-events/{event.pk}/").status_code == 404
