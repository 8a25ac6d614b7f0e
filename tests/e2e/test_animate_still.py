"""Animate a still in Chromium (issue 12): a two-panel board's animatic plays in the review player
(frame-accurate, panel markers, the panel under the playhead); "Animate" on a panel card starts an
image-to-video render of a shot from its still (the demo LTX-Video I2V model on the real worker),
its live job card finishes and the take appears in the shot's gallery; "Use this frame" in a
version's player starts one from the exact frame under the playhead. Screenshots: animate-*.png."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def drawing(color: str, label: str) -> bytes:
    image = Image.new("RGB", (320, 180), color)
    ImageDraw.Draw(image).ellipse((120, 50, 200, 130), fill="white")
    ImageDraw.Draw(image).text((12, 12), label, fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def make_board(client, project) -> dict:
    sequence = client.post(f"/api/v1/projects/{project['id']}/sequences/", json={"code": "MR_095", "name": "Animate test"})
    assert sequence.status_code == 201, sequence.text
    sequence = sequence.json()
    for prompt, frames, color in (("The lander's lights come on", 24, "#2b5d8a"), ("Dust settles on the visor", 12, "#8a3b2b")):
        panels = client.post(f"/api/v1/sequences/{sequence['id']}/storyboard/panels/", json={"prompt": prompt, "duration_frames": frames})
        assert panels.status_code == 201, panels.text
        panel = panels.json()["panels"][-1]
        still = client.post(f"/api/v1/panels/{panel['id']}/still/", files={"file": ("still.png", drawing(color, prompt), "image/png")})
        assert still.status_code in (200, 201), still.text
    return sequence


def play_animatic(s) -> None:
    page = s.page
    page.get_by_test_id("play-animatic").click()
    player = page.get_by_test_id("animatic-player")
    player.wait_for(timeout=180_000)
    page.wait_for_function("document.querySelector('[data-testid=animatic-video]')?.readyState >= 2", timeout=60_000)
    page.get_by_test_id("animatic-timecode").filter(has_text="of 36").wait_for()
    assert player.get_by_test_id("timeline-marker").count() == 2  # one marker per panel
    # Frame accurate: jump to frame 30 (inside panel 2, which starts at frame 24).
    frame = player.get_by_test_id("frame-number")
    frame.click()
    frame.fill("30")
    frame.press("Enter")
    page.get_by_test_id("animatic-panel").filter(has_text="panel 2").wait_for()
    page.wait_for_function("document.querySelector('[data-testid=animatic-player] [data-frame]')?.dataset.frame === '30'")
    s.shot("animate-animatic-player", full_page=True)


def wait_job_done(page) -> None:
    card = page.get_by_test_id("animate-dialog").get_by_test_id("job-card").first
    card.wait_for()
    state = "document.querySelector('[data-testid=animate-dialog] [data-testid=job-card]')?.dataset.state"
    page.wait_for_function(f"['succeeded','failed','cancelled'].includes({state})", timeout=180_000)
    assert card.get_attribute("data-state") == "succeeded", card.inner_text()


def test_play_the_animatic_and_animate_a_panel_still_into_a_take(session_factory, api_as):
    producer = api_as("producer@northlight.test")
    project = next(p for p in producer.get("/api/v1/projects/").json()["results"] if p["code"] == "MR")
    supervisor = api_as("supervisor@northlight.test")
    sequence = make_board(supervisor, project)
    shots = producer.get(f"/api/v1/projects/{project['id']}/shots/", params={"page_size": "all"}).json()["results"]
    shot = next(x for x in shots if x["code"] == "MR_010_0010")

    s = session_factory()
    s.sign_in("supervisor@northlight.test")
    page = s.page
    page.goto(f"/projects/{project['id']}/sequences/{sequence['id']}/board")
    page.get_by_role("heading", name=re.compile("Storyboard")).wait_for()
    play_animatic(s)

    # "Animate" on the first panel: prompt (the panel's), the demo image-to-video model, a shot.
    page.get_by_test_id("panel-card").nth(0).get_by_test_id("animate-panel").click()
    dialog = page.get_by_test_id("animate-dialog")
    dialog.get_by_role("heading", name="Animate panel 1's still").wait_for()
    assert dialog.get_by_label("What happens").input_value() == "The lander's lights come on"
    dialog.get_by_label("Model (image-to-video)").select_option("ltx-i2v-demo")
    dialog.get_by_label("Shot").select_option(label="MR_010_0010")
    s.shot("animate-dialog")
    dialog.get_by_test_id("animate-submit").click()
    wait_job_done(page)
    s.shot("animate-job-done")
    with s.api() as client:
        jobs = client.get(f"/api/v1/shots/{shot['id']}/generations/").json()["results"]
    job = next(j for j in jobs if j["model"] == "ltx-i2v-demo")
    assert job["parameters"]["init_source"]["kind"] == "panel" and job["parameters"]["init_source"]["panel_number"] == 1

    # The take lands in the shot's gallery.
    dialog.get_by_test_id("animate-open-shot").click()
    page.locator(f"[data-testid=take-card][data-seed='{job['seed']}']").wait_for(timeout=60_000)
    s.shot("animate-take-in-gallery", full_page=True)

    # "Use this frame" in a version's player: the frame under the playhead is the first frame.
    version = producer.get(f"/api/v1/shots/{shot['id']}/").json()["versions"][0]
    page.goto(f"/projects/{project['id']}/versions/{version['id']}")
    counter = page.get_by_test_id("frame-number")
    counter.click()
    counter.fill("1012")
    counter.press("Enter")
    page.wait_for_function("document.querySelector('[data-frame]')?.dataset.frame === '1012'")
    page.get_by_test_id("use-this-frame").click()
    dialog = page.get_by_test_id("animate-dialog")
    dialog.get_by_role("heading", name=re.compile("Animate frame 1012 of MR_010_0010")).wait_for()
    dialog.get_by_label("What happens").fill("the dust drifts across the lens")
    dialog.get_by_test_id("animate-submit").click()
    wait_job_done(page)
    s.shot("animate-from-player-frame")
    with s.api() as client:
        jobs = client.get(f"/api/v1/shots/{shot['id']}/generations/").json()["results"]
    source = next(j for j in jobs if j["prompt"] == "the dust drifts across the lens")["parameters"]["init_source"]
    assert (source["kind"], source["version"], source["frame"]) == ("version_frame", version["id"], 1012)
    assert not s.errors, s.errors
