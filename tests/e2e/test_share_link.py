"""A share link in the browser: the producer makes one with a passphrase on the version's review
page; a guest without an account opens it in a fresh browser context, identifies, and watches the
copy the real media worker burnt their name into (the clip is black, so any bright pixel in the
frame the browser shows is the watermark); the producer sees the view in the log and revokes the
link; the guest's reload says it was revoked."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SHOT = "MR_010_0030"
PASSPHRASE = "moonrise-screening"
GUEST = "Greta Guest"

# Bright pixels of the frame the <video> shows, drawn to a canvas (same origin, so readable).
BRIGHT_PIXELS = """(selector) => {
  const v = document.querySelector(selector);
  if (!v || v.hidden || v.readyState < 2 || !v.videoWidth) return 0;
  const c = document.createElement("canvas");
  c.width = v.videoWidth; c.height = v.videoHeight;
  const ctx = c.getContext("2d");
  ctx.drawImage(v, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] > 160 && d[i + 1] > 160 && d[i + 2] > 160) n++;
  return n;
}"""


def black_clip(path: Path) -> Path:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=black:s=480x270:r=24:d=2", "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def upload(client, shot_id: str, path: Path) -> dict:
    with path.open("rb") as handle:
        r = client.post(f"/api/v1/shots/{shot_id}/versions/", files={"file": (path.name, handle, "video/mp4")})
    assert r.status_code == 201, r.text
    version = r.json()
    deadline = time.monotonic() + 90
    while version["processing_status"] == "processing" and time.monotonic() < deadline:
        time.sleep(0.3)
        version = client.get(f"/api/v1/versions/{version['id']}/").json()
    assert version["processing_status"] == "ready", version
    return version


def test_producer_shares_guest_watches_watermarked_then_revoked(session_factory, api_as, tmp_path):
    producer_api = api_as("producer@northlight.test")
    project = next(p for p in producer_api.get("/api/v1/projects/").json()["results"] if p["code"] == "MR")
    shot = producer_api.get(f"/api/v1/projects/{project['id']}/shots/", params={"q": SHOT}).json()["results"][0]
    version = upload(producer_api, shot["id"], black_clip(tmp_path / "black.mp4"))

    producer = session_factory()
    producer.sign_in("producer@northlight.test")
    page = producer.page
    page.goto(f"/projects/{project['id']}/versions/{version['id']}")
    panel = page.get_by_test_id("share-panel")
    panel.get_by_role("button", name="New share link").click()
    panel.get_by_label("For whom").fill("Festival committee")
    panel.get_by_label("Passphrase (optional)").fill(PASSPHRASE)
    panel.get_by_role("button", name="Create link").click()
    url = panel.locator("#share-url").input_value()
    assert "/s/" in url
    producer.shot("share-01-producer-created")

    guest = session_factory()
    guest.expect_console_error("410")  # the player's poll after the revocation
    g = guest.page
    g.goto(url)
    g.get_by_label("Your name").fill(GUEST)
    g.get_by_label("Your email").fill("greta@festival.example")
    g.get_by_label("Passphrase").fill(PASSPHRASE)
    g.get_by_role("button", name="Watch").click()
    g.get_by_text(f"Watching as {GUEST}").wait_for()
    # Wait for the copy to be prepared and a decoded frame to be painted, then read its pixels:
    # the clip is black, so bright pixels are the burnt-in name (an unmarked frame never passes).
    g.wait_for_function(f"() => ({BRIGHT_PIXELS})('#player') > 200", timeout=120_000)
    assert not g.locator("#download").is_visible()  # the link does not allow downloads
    guest.shot("share-02-guest-watermarked")

    row = panel.get_by_test_id("share-link").first
    row.get_by_role("button", name="Views").click()
    panel.get_by_test_id("share-views").get_by_text(GUEST).wait_for()
    row.get_by_role("button", name="Revoke").click()
    panel.locator("[data-testid=share-link][data-state=revoked]").wait_for()
    producer.shot("share-03-producer-revoked")

    response = g.reload()
    assert response is not None and response.status == 410
    g.get_by_text("This share link was revoked").wait_for()
    guest.shot("share-04-guest-revoked")
