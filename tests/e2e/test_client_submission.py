"""Submitting to the client, and what the client can and cannot see, in Chromium against the live server.

The artist uploads two versions of MR_020_0060 (the real media worker builds their review media);
the producer, on the shot page, submits v001 to the client with a note; the demo client signs in and
sees only what was submitted to them (the seed's MR_010_0010 v001 and this v001): the shot list holds
those two shots, the shot page shows v001 only (v002 is newer but not submitted), no Submit button;
a direct media URL of the unsubmitted v002 answers 404 in the client's own browser session, while
v001's poster loads. The producer withdraws the submission; the client's next look no longer has it.

Its own shot (MR_020_0060), so the other browser tests are untouched.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SHOT = "MR_020_0060"
SEEDED = "MR_010_0010"  # seed_demo submits its v001
NOTE = "First look at the lander pull-back"


def clip(path: Path, colour: str) -> Path:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c={colour}:s=480x270:r=24:d=2", "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def upload(client, shot_id: str, path: Path) -> dict:
    with path.open("rb") as handle:
        r = client.post(f"/api/v1/shots/{shot_id}/versions/", files={"file": (path.name, handle, "video/mp4")})
    assert r.status_code == 201, r.text
    version = r.json()
    deadline = time.monotonic() + 180  # the media queue also runs the likeness scans
    while version["processing_status"] == "processing" and time.monotonic() < deadline:
        time.sleep(0.3)
        version = client.get(f"/api/v1/versions/{version['id']}/").json()
    assert version["processing_status"] == "ready", version
    return version


def shot_codes(page) -> list[str]:
    page.locator("[data-testid=shot-row]").first.wait_for()
    return sorted(page.locator("[data-testid=shot-row]").evaluate_all("rows => rows.map(r => r.dataset.shot)"))


def open_shot(page, code: str) -> None:
    page.get_by_role("link", name="Moonrise").click()
    page.locator(f"[data-testid=shot-row][data-shot={code}] a.shot-code").click()
    page.get_by_role("heading", name=code).wait_for()


def test_the_producer_submits_and_the_client_sees_only_that(session_factory, api_as, tmp_path):
    artist_api = api_as("artist@northlight.test")
    project = next(p for p in artist_api.get("/api/v1/projects/").json()["results"] if p["code"] == "MR")
    shot = artist_api.get(f"/api/v1/projects/{project['id']}/shots/", params={"q": SHOT}).json()["results"][0]
    v1 = upload(artist_api, shot["id"], clip(tmp_path / "grey.mp4", "gray"))
    v2 = upload(artist_api, shot["id"], clip(tmp_path / "blue.mp4", "blue"))

    # The producer submits v001 from its card on the shot page.
    producer = session_factory()
    page = producer.page
    producer.sign_in("producer@northlight.test")
    open_shot(page, SHOT)
    card = page.locator(f"[data-testid=version-card][data-version={v1['label']}]")
    card.get_by_role("button", name="Submit to client").click()
    card.get_by_label(f"Note for the client about {v1['label']}").fill(NOTE)
    producer.shot("60-submit-to-client-form")
    card.get_by_role("button", name=f"Submit {v1['label']}").click()
    submitted = card.get_by_test_id("submitted-to-client")
    submitted.wait_for()
    assert "Submitted to client" in submitted.inner_text() and NOTE in submitted.inner_text()
    other = page.locator(f"[data-testid=version-card][data-version={v2['label']}]")
    assert other.get_by_role("button", name="Submit to client").is_enabled()  # v002 stays internal until submitted
    producer.shot("61-submitted-to-client")

    # The client sees only what was submitted to them.
    client = session_factory()
    cpage = client.page
    client.sign_in("client@northlight.test")
    cpage.get_by_role("link", name="Moonrise").click()
    assert shot_codes(cpage) == sorted([SEEDED, SHOT])
    client.shot("62-client-shot-list")
    cpage.locator(f"[data-testid=shot-row][data-shot={SHOT}] a.shot-code").click()
    cpage.get_by_role("heading", name=SHOT).wait_for()
    cpage.locator("[data-testid=version-card]").first.wait_for()
    assert cpage.locator("[data-testid=version-card]").evaluate_all("cards => cards.map(c => c.dataset.version)") == [v1["label"]]
    assert cpage.get_by_role("button", name="Submit to client").count() == 0
    assert cpage.get_by_role("button", name="Withdraw").count() == 0
    assert "Submitted to client" in cpage.get_by_test_id("submitted-to-client").inner_text()
    client.shot("63-client-sees-the-submitted-version")

    # A direct media URL of the unsubmitted v002, in the client's own browser session: 404.
    client.expect_console_error("404")
    for kind in ("poster", "proxy", "sprite", "original"):
        response = cpage.goto(f"/api/v1/versions/{v2['id']}/media/{kind}/")
        assert response.status == 404, (kind, response.status)
    assert cpage.goto(f"/api/v1/versions/{v2['id']}/").status == 404
    client.shot("64-client-unsubmitted-media-404")
    assert cpage.goto(f"/api/v1/versions/{v1['id']}/media/poster/").status == 200
    client.shot("65-client-submitted-poster")

    # Withdrawn: gone from the client's view at their next look.
    card.get_by_role("button", name="Withdraw").click()
    card.get_by_role("button", name="Submit to client").wait_for()
    producer.shot("66-withdrawn")
    cpage.goto("/")
    cpage.get_by_role("link", name="Moonrise").click()
    assert shot_codes(cpage) == [SEEDED]
    assert cpage.goto(f"/api/v1/versions/{v1['id']}/media/poster/").status == 404
