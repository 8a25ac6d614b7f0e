"""A version held by the likeness scan shows why in the browser, and offers "Request consent".

Set up through the real API on the live server: the Crescent agent registers a talent and uploads a
reference photograph (skimage's astronaut); the artist uploads a clip that shows that face
(composited with ffmpeg); the real media worker scans it and holds it (no grant). Then the producer,
in Chromium, sees the held badge and the reason on the shot's version stack, and sends the consent
request from the card (section 4), pre-filled with the talent and the use.

Its own talent and shot (MR_020_0050), so the other browser tests are untouched.
"""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from tests.support import faces as real_faces

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SHOT = "MR_020_0050"
TALENT = "Nia Castell"


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
def held_version(api_as, tmp_path) -> dict:
    agent, producer, artist = api_as("agent@crescent.test"), api_as("producer@northlight.test"), api_as("artist@northlight.test")
    project = next(p for p in producer.get("/api/v1/projects/").json()["results"] if p["code"] == "MR")
    shot = producer.get(f"/api/v1/projects/{project['id']}/shots/", params={"q": SHOT}).json()["results"][0]
    talent = agent.post("/api/v1/talent/", json={"name": TALENT, "aliases": []})
    assert talent.status_code == 201, talent.text
    photo = io.BytesIO()
    Image.fromarray(real_faces.astronaut()).save(photo, format="PNG")
    asset = agent.post(f"/api/v1/talent/{talent.json()['id']}/assets/", files={"file": ("nia.png", photo.getvalue(), "image/png")},
                       data={"kind": "face"})
    assert asset.status_code == 201 and asset.json()["face_detected"] is True, asset.text
    clip = real_faces.face_clip(tmp_path / "reaction.mp4", real_faces.astronaut(), seconds=2)
    uploaded = artist.post(f"/api/v1/shots/{shot['id']}/versions/", files={"file": ("reaction.mp4", clip.read_bytes(), "video/mp4")})
    assert uploaded.status_code == 201, uploaded.text
    version = wait_for(lambda: producer.get(f"/api/v1/versions/{uploaded.json()['id']}/").json(),
                       lambda v: v["likeness_scan"]["state"] not in ("pending", "running"), timeout=120, what="the likeness scan")
    assert version["likeness_scan"]["state"] == "held", version["likeness_scan"]
    return {"shot": shot, "version": version}


def test_a_held_version_says_why_and_the_producer_requests_consent_from_it(session_factory, held_version):
    version = held_version["version"]
    producer = session_factory()
    page = producer.page
    producer.sign_in("producer@northlight.test")
    page.get_by_role("link", name="Moonrise").click()
    page.locator(f"[data-testid=shot-row][data-shot={SHOT}] a.shot-code").click()
    page.get_by_role("heading", name=SHOT).wait_for()

    card = page.locator(f"[data-testid=version-card][data-version={version['label']}]")
    card.wait_for()
    assert card.get_by_test_id("likeness-scan").inner_text() == "Held: protected face"
    reason = card.get_by_test_id("held-reason")
    assert "Held by the likeness scan" in reason.inner_text() and TALENT in reason.inner_text()
    producer.shot("45-likeness-held-version")

    card.get_by_role("button", name=f"Request consent for {TALENT}…").click()
    page.locator("#cr-description").fill(
        "Nia Castell appears as herself in the reaction close-up of Moonrise shot MR_020_0050, photographed, unaltered."
    )
    page.get_by_role("button", name="Send request").click()
    card.get_by_text(f"Consent request for {TALENT} sent to Crescent Talent.").wait_for()
    producer.shot("46-likeness-held-request-sent")

    # Issue 13: the badge where decisions are made, and Approve disabled with its reason before any click.
    page.locator("a", has_text="Shot list").first.click()
    row = page.locator(f"[data-testid=shot-row][data-shot={SHOT}]")
    badge = row.get_by_test_id("badge-held")
    badge.wait_for()
    assert badge.inner_text().startswith("Held") and "likeness scan" in badge.get_attribute("title")
    producer.shot("47-likeness-held-shot-list-badge")
    row.locator("a.shot-code").click()
    card = page.locator(f"[data-testid=version-card][data-version={version['label']}]")
    card.locator("a.strong-link").click()
    page.get_by_test_id("player").wait_for()
    assert page.locator("[data-testid=player] .player-head").get_by_test_id("badge-held").is_visible()
    lane = page.get_by_test_id("lane-producer")
    approve = lane.get_by_role("button", name="Approve")
    approve.wait_for()
    assert approve.is_disabled()
    reason = lane.get_by_test_id("action-reason").first.inner_text()
    assert TALENT in reason or "likeness scan" in reason.lower(), reason
    assert approve.get_attribute("aria-describedby"), "the reason is tied to the button for assistive technology"
    download = page.get_by_role("button", name="Download (signed)")
    assert download.is_disabled()
    producer.shot("48-likeness-held-approve-disabled")
