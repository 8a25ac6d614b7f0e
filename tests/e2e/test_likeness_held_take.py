"""A *take* held by the likeness scan, in the browser: imported, held with the performer named and
why, publish disabled with its reason, and the consent request the agency then sees.

The tiny demo text-to-video model cannot draw a face, so the held take is a render made elsewhere:
the artist imports a clip (ComfyUI, say) into a shot's takes gallery in Chromium. Set up through the
real API on the live server: the Crescent agent registers a talent and uploads a reference photograph
(skimage's astronaut, a real person); the clip shows that face (composited with ffmpeg). The real
media worker scans the imported take and holds it (no grant). The producer sends "Request consent"
from the take's card; the agent finds the request in the agency's queue.

Its own talent and shot (MR_020_0030), so the other browser tests are untouched (a talent with the
same reference face elsewhere in the session may be named too: the checks look for this one).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from tests.support import faces as real_faces

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SHOT = "MR_020_0030"
TALENT = "Ines Moreau"
USE = "Ines Moreau appears as herself in the visor close-up of Moonrise shot MR_020_0030, photographed, unaltered."


@pytest.fixture
def face_clip(api_as, tmp_path) -> Path:
    """The agency enrols the talent's reference face; returns a clip that shows it."""
    agent = api_as("agent@crescent.test")
    talent = agent.post("/api/v1/talent/", json={"name": TALENT, "aliases": []})
    assert talent.status_code == 201, talent.text
    photo = io.BytesIO()
    Image.fromarray(real_faces.astronaut()).save(photo, format="PNG")
    asset = agent.post(f"/api/v1/talent/{talent.json()['id']}/assets/", files={"file": ("ines.png", photo.getvalue(), "image/png")},
                       data={"kind": "face"})
    assert asset.status_code == 201 and asset.json()["face_detected"] is True, asset.text
    return real_faces.face_clip(tmp_path / "comfy_visor_00017.mp4", real_faces.astronaut(), seconds=2)


def open_shot(session, email: str):
    session.sign_in(email)
    page = session.page
    page.get_by_role("link", name="Moonrise").click()
    page.locator(f"[data-testid=shot-row][data-shot={SHOT}] a.shot-code").click()
    page.get_by_role("heading", name=SHOT).wait_for()
    return page.get_by_test_id("takes-gallery")


def scrub_to(page, card, fraction: float) -> None:
    box = card.get_by_test_id("take-scrub").bounding_box()
    page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)


def imported_card(gallery):
    return gallery.locator("[data-testid=take-card][data-source=import]").first


def test_an_imported_take_is_held_with_its_reason_and_the_agency_gets_the_consent_request(session_factory, face_clip):
    artist = session_factory()
    gallery = open_shot(artist, "artist@northlight.test")
    gallery.get_by_role("button", name="Import a render…").click()
    dialog = artist.page.locator("dialog[open]")
    dialog.get_by_label("Video file").set_input_files(str(face_clip))
    dialog.get_by_label("Rendered with").fill("ComfyUI")
    dialog.get_by_label("Prompt (optional)").fill("close on the visor, breath fogging, Earth reflected")
    artist.shot("46-import-a-render")
    dialog.get_by_role("button", name="Import").click()
    dialog.wait_for(state="detached")

    card = imported_card(gallery)
    card.wait_for()
    assert card.get_by_test_id("take-imported").inner_text() == "Imported"
    assert "Imported from ComfyUI" in card.inner_text()
    scrub_to(artist.page, card, 0.75)  # hover scrub: 3/4 across the poster of 48 frames shows frame 36 (0-based)
    card.locator("[data-testid=take-scrub][data-frame='36']").wait_for()
    artist.page.mouse.move(0, 0)
    scan = card.get_by_test_id("likeness-scan")
    scan.filter(has_text="Held: protected face").wait_for(timeout=180_000)  # the media worker's scan (dlib) under load
    reason = card.get_by_test_id("held-reason")
    assert "Held by the likeness scan" in reason.inner_text() and TALENT in reason.inner_text()
    publish = card.get_by_test_id("take-publish-blocked").get_by_role("button", name="Publish")
    assert publish.is_disabled() and TALENT in publish.get_attribute("title")  # the refusal names the performer
    assert card.get_by_role("button", name=f"Request consent for {TALENT}…").count() == 0  # artists do not ask agencies
    artist.shot("47-likeness-held-take")

    producer = session_factory()
    card = imported_card(open_shot(producer, "producer@northlight.test"))
    card.get_by_test_id("held-reason").wait_for()
    card.get_by_role("button", name=f"Request consent for {TALENT}…").click()
    producer.page.locator("#cr-description").fill(USE)
    producer.page.get_by_role("button", name="Send request").click()
    card.get_by_text(f"Consent request for {TALENT} sent to Crescent Talent.").wait_for()
    producer.shot("48-held-take-consent-request-sent")
    with producer.api() as mine:
        [sent] = [r for r in mine.get("/api/v1/consent-requests/", params={"side": "studio"}).json()["results"]
                  if r["talent"]["name"] == TALENT]
    assert sent["state"] == "open" and sent["origin"] == "likeness_scan", sent

    agent = session_factory()
    agent.sign_in("agent@crescent.test")
    agent.page.goto("/o/crescent/consent-requests")
    agent.page.locator("[data-testid=consent-request-row][data-state=open]", has_text=TALENT).wait_for()
    agent.shot("49-agency-sees-take-consent-request")
