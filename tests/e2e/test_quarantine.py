"""A version whose likeness grant is revoked is quarantined, and the browser says why.

Set up through the real API on the live server (the agency registers a talent, the studio requests a
grant for Moonrise, the agency grants it, the artist renders with that talent cast on the real
worker, the agency revokes the grant); then the producer, in Chromium, sees the version marked
quarantined with the revocation's reason on the shot's version stack and in the review's approvals
panel; Approve is disabled there with the quarantine's reason (issue 13), and the shot list and the
player mark it with a "Quarantined" badge.

Its own talent and shot, so the other browser tests (Ava Reyes's grant, MR_010_0040) are untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SHOT = "MR_010_0050"
TALENT = "Rafe Okafor"
REASON = "Rafe Okafor withdrew his consent to digital replicas on 3 March."


def wait_for(fetch, done, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last seen: {value}")
        time.sleep(0.25)


@pytest.fixture
def quarantined_version(api_as) -> dict:
    agent, producer, artist = api_as("agent@crescent.test"), api_as("producer@northlight.test"), api_as("artist@northlight.test")
    project = next(p for p in producer.get("/api/v1/projects/").json()["results"] if p["code"] == "MR")
    shot = producer.get(f"/api/v1/projects/{project['id']}/shots/", params={"q": SHOT}).json()["results"][0]

    talent = agent.post("/api/v1/talent/", json={"name": TALENT, "aliases": ["R. Okafor"]})
    assert talent.status_code == 201, talent.text
    talent = talent.json()
    now = dt.datetime.now(dt.UTC)
    requested = producer.post("/api/v1/consents/", json={
        "talent": talent["id"], "project": project["id"], "use_types": ["digital_replica"], "media": ["theatrical"],
        "territories": ["WORLD"], "valid_until": (now + dt.timedelta(days=30)).isoformat(),
        "intended_use": "Digital replica of Rafe Okafor as the mission controller in Moonrise's first-footprint insert, no dialogue.",
        "requires_per_use_approval": False,
    })
    assert requested.status_code == 201, requested.text
    grant = agent.post(f"/api/v1/consents/{requested.json()['id']}/grant/", json={
        "document_sha256": hashlib.sha256(b"Rafe Okafor rider").hexdigest(), "signed_at": (now - dt.timedelta(hours=1)).isoformat(),
        "signed_by": "Rafe Okafor", "signer_capacity": "self",
    })
    assert grant.status_code == 200 and grant.json()["state"] == "active", grant.text

    submitted = artist.post(f"/api/v1/shots/{shot['id']}/generations/", json={
        "prompt": "Top-down, a crisp boot print in grey dust", "cast": [talent["id"]], "use_type": "digital_replica", "steps": 2, "seed": 7,
    })
    assert submitted.status_code == 201, submitted.text
    (job,) = submitted.json()["jobs"]
    job = wait_for(lambda: artist.get(f"/api/v1/generations/{job['id']}/").json(),
                   lambda j: j["state"] in ("succeeded", "failed", "cancelled"), timeout=120, what="the render")
    assert job["state"] == "succeeded", job["error"]
    # The render is a take in the shot's gallery; publishing it makes the version under review.
    (take,) = [t for t in artist.get(f"/api/v1/shots/{shot['id']}/takes/").json()["results"] if t["job"] == job["id"]]
    published = artist.post(f"/api/v1/takes/{take['id']}/publish/", json={})
    assert published.status_code == 202, published.text  # the media worker conforms it and makes the version
    done = wait_for(lambda: artist.get(f"/api/v1/takes/{take['id']}/").json(), lambda t: t["publish"]["state"] != "conforming",
                    timeout=120, what="the conform")
    assert done["publish"]["state"] == "published", done["publish"]
    version_id = done["version"]["id"]
    # Revoke once the review media exists, so the page can play it.
    wait_for(lambda: artist.get(f"/api/v1/versions/{version_id}/").json(), lambda v: v["processing_status"] != "processing",
             timeout=90, what="the review proxy")

    revoked = agent.post(f"/api/v1/consents/{grant.json()['id']}/revoke/", json={"reason": REASON})
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked", revoked.text
    version = producer.get(f"/api/v1/versions/{version_id}/").json()
    assert version["quarantined"] is True and REASON in version["quarantine_reason"], version
    return {"project": project, "shot": shot, "version": version}


def test_a_quarantined_version_shows_why_on_the_stack_and_in_review(session_factory, quarantined_version):
    version = quarantined_version["version"]
    producer = session_factory()
    page = producer.page
    producer.sign_in("producer@northlight.test")
    page.get_by_role("link", name="Moonrise").click()
    page.locator(f"[data-testid=shot-row][data-shot={SHOT}] a.shot-code").click()
    page.get_by_role("heading", name=SHOT).wait_for()

    # The version stack: marked, with the reason.
    card = page.locator(f"[data-testid=version-card][data-version={version['label']}]")
    card.wait_for()
    assert card.get_attribute("data-quarantined") == "true"
    assert card.get_by_test_id("quarantined").inner_text() == "Quarantined"
    assert REASON in card.get_by_test_id("quarantine").inner_text()
    producer.shot("40-quarantined-version-stack")

    # The review: the approvals panel says it is quarantined and why.
    card.locator("a.strong-link").click()
    page.locator("[data-testid=player][data-ready=true]").wait_for(timeout=60_000)
    approvals = page.get_by_test_id("approvals")
    notice = approvals.get_by_test_id("approvals-quarantine")
    notice.wait_for()
    assert REASON in notice.inner_text()
    assert "cannot be approved" in notice.inner_text()

    # Approve is disabled with the reason before any click (issue 13), and the player says quarantined.
    assert page.locator("[data-testid=player] .player-head").get_by_test_id("badge-quarantined").is_visible()
    lane = page.get_by_test_id("lane-producer")
    approve = lane.get_by_role("button", name="Approve")
    approve.wait_for()
    assert approve.is_disabled()
    reason = lane.get_by_test_id("action-reason").first.inner_text()
    assert reason.startswith("Quarantined, so it cannot be approved") and REASON in reason, reason
    assert page.locator("[data-testid=lane-producer][data-state=pending]").count() == 1
    assert approvals.get_attribute("data-status") != "approved"
    # One vocabulary: the agency's lane is not "Awaiting decision" next to a use that is quarantined.
    agency_lane = page.get_by_test_id("lane-agency")
    if agency_lane.count():
        assert agency_lane.get_by_test_id("lane-state").inner_text() == "Quarantined"
    producer.shot("41-quarantined-review-approve-disabled")

    # The shot list marks the row.
    page.get_by_role("link", name=SHOT).first.click()
    page.locator("a", has_text="Shot list").first.click()
    badge = page.locator(f"[data-testid=shot-row][data-shot={SHOT}]").get_by_test_id("badge-quarantined")
    badge.wait_for()
    assert REASON not in badge.inner_text() and "Quarantined" in badge.inner_text()
    producer.shot("42-quarantined-shot-list-badge")
