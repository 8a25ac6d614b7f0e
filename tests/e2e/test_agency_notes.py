"""The agency's frame notes on a use it reviews (issue 13): the studio reads them marked "from <agency>",
a client reviewer never sees them.

Set up through the real API on the live server (the agency registers a talent, the studio requests a
grant for Moonrise that needs the agency's approval of each use, the agency grants it, the artist
renders with that talent cast on the real worker and publishes the take, the producer submits the
version to the client). Then, in Chromium: the agent opens the use from "Likeness uses", goes to a
frame and posts a note to the studio; the producer sees it on the version's review page, marked from
the agency; the client reviewer, on the same version, does not.

Its own talent and shot (MR_020_0010), so the other browser tests are untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time

import pytest

from tests.e2e.session_helpers import go_to_frame

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SHOT = "MR_020_0010"
TALENT = "Lena Varga"
AGENCY = "Crescent Talent"
NOTE = "Soften the jawline here; Lena's rider asks for no close-ups of her profile."
FRAME = 1010


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
def reviewed_use(api_as) -> dict:
    agent, producer, artist = api_as("agent@crescent.test"), api_as("producer@northlight.test"), api_as("artist@northlight.test")
    project = next(p for p in producer.get("/api/v1/projects/").json()["results"] if p["code"] == "MR")
    shot = producer.get(f"/api/v1/projects/{project['id']}/shots/", params={"q": SHOT}).json()["results"][0]

    talent = agent.post("/api/v1/talent/", json={"name": TALENT, "aliases": []})
    assert talent.status_code == 201, talent.text
    talent = talent.json()
    now = dt.datetime.now(dt.UTC)
    requested = producer.post(
        "/api/v1/consents/",
        json={
            "talent": talent["id"],
            "project": project["id"],
            "use_types": ["digital_replica"],
            "media": ["theatrical"],
            "territories": ["WORLD"],
            "valid_until": (now + dt.timedelta(days=30)).isoformat(),
            "intended_use": "Digital replica of Lena Varga as the flight engineer on the ridge in Moonrise, wide shots only, no dialogue.",
            "requires_per_use_approval": True,
        },
    )
    assert requested.status_code == 201, requested.text
    grant = agent.post(
        f"/api/v1/consents/{requested.json()['id']}/grant/",
        json={
            "document_sha256": hashlib.sha256(b"Lena Varga rider").hexdigest(),
            "signed_at": (now - dt.timedelta(hours=1)).isoformat(),
            "signed_by": "Lena Varga",
            "signer_capacity": "self",
        },
    )
    assert grant.status_code == 200 and grant.json()["state"] == "active", grant.text

    submitted = artist.post(
        f"/api/v1/shots/{shot['id']}/generations/",
        json={
            "prompt": "Wide: the ridge line against the stars, a lone figure",
            "cast": [talent["id"]],
            "use_type": "digital_replica",
            "steps": 2,
            "seed": 11,
        },
    )
    assert submitted.status_code == 201, submitted.text
    (job,) = submitted.json()["jobs"]
    job = wait_for(
        lambda: artist.get(f"/api/v1/generations/{job['id']}/").json(),
        lambda j: j["state"] in ("succeeded", "failed", "cancelled"),
        timeout=120,
        what="the render",
    )
    assert job["state"] == "succeeded", job["error"]
    (take,) = [t for t in artist.get(f"/api/v1/shots/{shot['id']}/takes/").json()["results"] if t["job"] == job["id"]]
    published = artist.post(f"/api/v1/takes/{take['id']}/publish/", json={})
    assert published.status_code == 202, published.text
    done = wait_for(
        lambda: artist.get(f"/api/v1/takes/{take['id']}/").json(),
        lambda t: t["publish"]["state"] != "conforming",
        timeout=120,
        what="the conform",
    )
    assert done["publish"]["state"] == "published", done["publish"]
    version_id = done["version"]["id"]
    version = wait_for(
        lambda: artist.get(f"/api/v1/versions/{version_id}/").json(),
        lambda v: v["processing_status"] != "processing",
        timeout=120,
        what="the review proxy",
    )
    assert version["processing_status"] == "ready", version
    # The client reviewer sees only what was submitted to them: submit it, so the page is theirs to open.
    sent = producer.post(f"/api/v1/projects/{project['id']}/submissions/", json={"versions": [version_id]})
    assert sent.status_code in (200, 201), sent.text
    return {"project": project, "shot": shot, "version": version, "grant": grant.json()}


def test_the_agency_notes_a_frame_the_studio_reads_it_and_the_client_does_not(session_factory, reviewed_use, api_as):
    version = reviewed_use["version"]

    # The agent: the use awaits their review; they go to a frame and write to the studio.
    agent = session_factory()
    page = agent.page
    agent.sign_in("agent@crescent.test")
    page.get_by_role("link", name="Likeness uses").click()
    row = page.locator("[data-testid=use-row][data-state=pending_review]", has_text=TALENT).first
    row.wait_for()
    row.get_by_role("button", name="Review").click()
    review = page.get_by_test_id("use-review")
    review.locator("[data-testid=player][data-ready=true]").wait_for(timeout=60_000)
    notes = review.get_by_test_id("agency-notes")
    assert notes.get_by_role("button", name="Post note").is_disabled()  # nothing written yet: held back, not refused
    go_to_frame(page, FRAME)
    assert notes.get_by_test_id("agency-note-frames").inner_text() == str(FRAME)
    notes.get_by_label(f"Note at frame {FRAME}").fill(NOTE)
    agent.shot("70-agency-note-written")
    notes.get_by_role("button", name="Post note").click()
    posted = notes.locator(f"[data-testid=agency-note][data-frame='{FRAME}']", has_text=NOTE)
    posted.wait_for()
    assert notes.get_by_label(f"Note at frame {FRAME}").input_value() == ""
    agent.shot("71-agency-note-posted")
    agent.sign_out()
    agent.close()

    # The producer: the note is on the version's review page, at its frame, marked from the agency.
    producer = session_factory()
    page = producer.page
    producer.sign_in("producer@northlight.test")
    page.goto(f"/projects/{reviewed_use['project']['id']}/versions/{version['id']}")
    page.locator("[data-testid=player][data-ready=true]").wait_for(timeout=60_000)
    studio_note = page.locator(f"[data-testid=comment][data-frame='{FRAME}']", has_text=NOTE)
    studio_note.wait_for()
    assert studio_note.get_by_test_id("from-agency").inner_text() == f"from {AGENCY}"
    assert page.locator(f"[data-testid=timeline-marker][data-frame='{FRAME}']").count() >= 1
    page_shot = producer.shot("72-studio-reads-the-agency-note")  # Approve waits for the agency, with the reason
    studio_note.scroll_into_view_if_needed()
    studio_note.screenshot(path=page_shot.with_name("72b-agency-note-from-the-agency.png"))
    producer.sign_out()
    producer.close()

    # The client reviewer: the same version (submitted to them), without the agency's note.
    client = session_factory()
    page = client.page
    client.sign_in("client@northlight.test")
    page.goto(f"/projects/{reviewed_use['project']['id']}/versions/{version['id']}")
    page.locator("[data-testid=player][data-ready=true]").wait_for(timeout=60_000)
    page.get_by_test_id("review").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=comment]", has_text=NOTE).count() == 0
    assert page.get_by_test_id("from-agency").count() == 0
    client.shot("73-client-does-not-see-the-agency-note")
    listed = api_as("client@northlight.test").get(f"/api/v1/versions/{version['id']}/comments/")
    assert listed.status_code == 200 and all(NOTE not in c["body"] for c in listed.json()), listed.text
    assert api_as("client@northlight.test").get(f"/api/v1/versions/{version['id']}/agency-notes/").json() == []

    # The agency revokes the grant: the version is quarantined, and the client's open page says at once
    # that it is no longer available (a `withdrawn` event, without the reason). What the page reloads of
    # it (the version, its shot) answers 404 to the client now, as it must.
    client.expect_console_error("status of 404 (Not Found)")
    revoked = api_as("agent@crescent.test").post(
        f"/api/v1/consents/{reviewed_use['grant']['id']}/revoke/", json={"reason": "Lena Varga withdrew her consent."}
    )
    assert revoked.status_code == 200, revoked.text
    gone = page.get_by_test_id("version-withdrawn")
    gone.wait_for()
    assert "No longer available" in gone.inner_text() and "Lena" not in gone.inner_text()
    client.shot("74-client-version-withdrawn-live")
    client.close()
