"""Takes before versions with the demo model that draws its prompt (issue 11), in Chromium against a
live server and a real render worker: an artist asks the shapes demo model for two takes of
"a red circle moving left on a blue background" on a 36-frame shot of the 24 fps project; both land
in the shot's gallery over the WebSocket; the artist compares them side by side, stars one and
publishes it; the published version says how it was conformed (native 8 fps, 9 frames → the
project's 24 fps and the shot's 36 frames). Each take's poster is read back as pixels: the prompt's
red object on its blue background is in the picture the screenshots show. Screenshots: test-artifacts/screenshots/takes-*.png.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from generation.demo_models import adherence

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PROMPT = "a red circle moving left on a blue background"
SEQUENCE = "MR_096"  # its own sequence: the e2e tests share one live server and its database
SHOT = "MR_096_0010"


def make_shot(client) -> tuple[dict, dict]:
    project = next(p for p in client.get("/api/v1/projects/").json()["results"] if p["code"] == "MR")
    sequence = client.post(f"/api/v1/projects/{project['id']}/sequences/", json={"code": SEQUENCE, "name": "Takes"})
    assert sequence.status_code == 201, sequence.text
    shot = client.post(
        f"/api/v1/projects/{project['id']}/shots/",
        json={"code": SHOT, "sequence": sequence.json()["id"], "frame_in": 1001, "frame_out": 1036, "description": "Two takes"},
    )
    assert shot.status_code == 201, shot.text
    return project, shot.json()


def test_two_takes_of_the_demo_model_compared_starred_and_one_published(session_factory, api_as):
    project, shot = make_shot(api_as("producer@northlight.test"))
    s = session_factory()
    s.sign_in("artist@northlight.test")
    page = s.page
    page.goto(f"/projects/{project['id']}/shots/{shot['id']}")
    page.get_by_role("heading", name=SHOT).wait_for()

    # The shapes demo model (the default); its card lists its vocabulary and example prompts. Two takes, seeds 11 and 12.
    page.get_by_label("Model", exact=True).select_option("shapes-t2v-demo")
    assert page.get_by_test_id("example-prompt").count() > 0
    page.get_by_label("Prompt", exact=True).fill(PROMPT)
    page.get_by_role("textbox", name="Seed").fill("11")
    page.get_by_label("Count", exact=True).fill("2")
    page.get_by_role("button", name="Generate 2 takes", exact=True).click()
    page.locator("[data-testid=job-card]").nth(1).wait_for()
    s.shot("takes-01-job-cards")
    for seed in ("11", "12"):
        page.locator(f"[data-testid=take-card][data-seed='{seed}']").wait_for(timeout=180_000)
    cards = page.get_by_test_id("take-card")
    assert cards.count() == 2
    # Takes, not versions: nothing entered review.
    assert page.locator("[data-testid=version-card]").count() == 0
    s.shot("takes-02-gallery")

    # Each take's picture shows the prompt: a red object on a blue background (read from the poster's pixels).
    with s.api() as client:
        takes = client.get(f"/api/v1/shots/{shot['id']}/takes/").json()["results"]
        assert sorted(t["seed"] for t in takes) == [11, 12]
        for take in takes:
            poster = client.get(f"/api/v1/takes/{take['id']}/poster/")
            assert poster.status_code == 200, poster.text
            frame = np.asarray(Image.open(io.BytesIO(poster.content)).convert("RGB"))
            reading = adherence.read(frame[None])
            assert (reading.colour, reading.background) == ("red", "blue"), f"seed {take['seed']}: {reading}"

    # Compare the two side by side, star seed 12, publish it.
    for seed in ("11", "12"):
        page.get_by_label(f"Select the take, seed {seed}, to compare").check()
    compare = page.get_by_test_id("take-compare")
    compare.wait_for()
    assert compare.locator("video").count() == 2
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=take-compare] video')].every((v) => v.readyState >= 2)", timeout=30_000
    )
    s.shot("takes-03-compare")
    chosen = page.locator("[data-testid=take-card][data-seed='12']")
    chosen.get_by_role("button", name="☆ Star").click()
    page.locator("[data-testid=take-card][data-seed='12'][data-starred=true]").wait_for()
    chosen.get_by_role("button", name="Publish", exact=True).click()
    chosen.get_by_test_id("take-published").wait_for(timeout=180_000)
    conform = chosen.get_by_test_id("take-conform").inner_text()
    assert "36 frames" in conform and "24" in conform, conform
    version = page.locator("[data-testid=version-card]").first
    version.wait_for()
    assert page.locator("[data-testid=version-card]").count() == 1  # one version: the published take
    chosen.scroll_into_view_if_needed()
    s.shot("takes-04-published")
    # The version's review media are made on the media queue; its card then shows the picture.
    version.locator("img").wait_for(timeout=180_000)
    version.scroll_into_view_if_needed()
    assert "conformed 24 fps, 36 frames" in version.inner_text()
    s.shot("takes-05-version")

    with s.api() as client:
        detail = client.get(f"/api/v1/shots/{shot['id']}/").json()
        published = detail["versions"][0]
        assert published["lineage"]["seed"] == 12 and published["lineage"]["prompt"] == PROMPT
        other = next(t for t in client.get(f"/api/v1/shots/{shot['id']}/takes/").json()["results"] if t["seed"] == 11)
        assert other["version"] is None  # the other take stays a take
    assert not s.errors, s.errors
