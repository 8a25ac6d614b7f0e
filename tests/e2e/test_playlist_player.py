"""Playing a playlist alone (issue 13): next / previous, auto-advance at an item's end, another
version of an item's shot, and "compare with the previous approved" opening the compare page.

Set up through the real API: the artist uploads two short clips (v001, v002) to a Moonrise shot with
no version; the producer and the client approve v001 in their lanes; the producer makes a playlist
of v002 and MR_010_0010's version. Screenshot: 66-playlist-player.png.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.session_helpers import wait_item, wait_playing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SHOT = "MR_020_0030"


def _clip(path: Path) -> Path:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=24:d=1", "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def _upload(client, shot_id: str, path: Path) -> dict:
    with path.open("rb") as handle:
        r = client.post(f"/api/v1/shots/{shot_id}/versions/", files={"file": (path.name, handle, "video/mp4")})
    assert r.status_code == 201, r.text
    version = r.json()
    deadline = time.monotonic() + 120
    while version["processing_status"] == "processing" and time.monotonic() < deadline:
        time.sleep(0.5)
        version = client.get(f"/api/v1/versions/{version['id']}/").json()
    assert version["processing_status"] == "ready", version
    return version


def _setup(api_as, tmp_path) -> tuple[dict, dict, dict]:
    artist, producer, client = (api_as(f"{who}@northlight.test") for who in ("artist", "producer", "client"))
    project = next(p for p in producer.get("/api/v1/projects/").json()["results"] if p["code"] == "MR")
    shots = producer.get(f"/api/v1/projects/{project['id']}/shots/", params={"page_size": 100}).json()["results"]
    shot = next(s for s in shots if s["code"] == SHOT)
    first = next(s for s in shots if s["code"] == "MR_010_0010")
    v1 = _upload(artist, shot["id"], _clip(tmp_path / "v1.mp4"))
    v2 = _upload(artist, shot["id"], _clip(tmp_path / "v2.mp4"))
    submitted = producer.post(f"/api/v1/projects/{project['id']}/submissions/", json={"versions": [v1["id"]]})
    assert submitted.status_code == 201, submitted.text  # a client decides only on what was submitted to them
    for who, lane in ((producer, "producer"), (client, "client")):
        r = who.post(f"/api/v1/versions/{v1['id']}/approvals/", json={"lane": lane, "decision": "approved"})
        assert r.status_code in (200, 201), r.text
    assert producer.get(f"/api/v1/versions/{v1['id']}/").json()["approval_status"] == "approved"
    r = producer.post(f"/api/v1/projects/{project['id']}/playlists/",
                      json={"name": "Solo playback", "versions": [v2["id"], first["current_version"]["id"]]})
    assert r.status_code == 201, r.text
    return project, r.json(), v1


def test_playing_a_playlist_in_order_with_versions_and_compare(session_factory, api_as, tmp_path):
    project, playlist, v1 = _setup(api_as, tmp_path)
    producer = session_factory()
    producer.sign_in("producer@northlight.test")
    page = producer.page
    page.goto(f"/projects/{project['id']}/playlists")
    page.locator("[data-testid=playlist-row][data-playlist='Solo playback'] a").click()
    wait_item(page, SHOT)
    assert page.get_by_test_id("item-position").inner_text() == "1 / 2"
    assert page.locator("[data-testid=playlist-item]").first.get_by_test_id("item-badges").inner_text().strip() != ""

    # Another version of the item's shot, then back; compare with the approved v001.
    page.locator("#item-version").select_option(v1["id"])
    page.locator(f"[data-testid=item-player][data-label='{SHOT} v001']").wait_for()
    page.locator("#item-version").select_option(label="v002 (in playlist)")
    page.locator(f"[data-testid=item-player][data-label='{SHOT} v002']").wait_for()
    compare = page.get_by_role("link", name="Compare with approved v001")
    assert f"b={v1['id']}" in compare.get_attribute("href")
    producer.shot("66-playlist-player")

    # Play from the end of the first item: the next one starts by itself.
    page.locator("[data-testid=player][data-ready=true]").wait_for(timeout=60_000)
    page.locator("[data-testid=player]").click(position={"x": 5, "y": 5})
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Space")
    wait_item(page, "MR_010_0010", timeout=30_000)
    assert page.get_by_test_id("item-position").inner_text() == "2 / 2"
    wait_playing(page, True, timeout=30_000)
    page.keyboard.press("Space")

    # Previous / next by the buttons.
    page.get_by_role("button", name="← Previous").click()
    wait_item(page, SHOT)
    assert page.get_by_role("button", name="← Previous").is_disabled()
    page.get_by_role("button", name="Next →").click()
    wait_item(page, "MR_010_0010")
    assert page.get_by_role("button", name="Next →").is_disabled()

    compare_page = f"/projects/{project['id']}/compare?a="
    page.get_by_role("button", name="← Previous").click()
    wait_item(page, SHOT)
    page.get_by_role("link", name="Compare with approved v001").click()
    page.wait_for_url(re.compile(re.escape(compare_page)))
