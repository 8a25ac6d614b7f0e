"""The storyboard in Chromium (issue 12): a supervisor builds a three-panel board with uploaded
stills, reorders it (drag, then the keyboard buttons), plays the animatic built by the media worker,
and makes shots from the panels (preview, then apply); a second browser on the board sees the
panels arrive live. Screenshots: storyboard-*.png."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PANELS = [("Wide: the lander descends through dust", 24, "crane down", "lander settles"),
          ("Close on the landing gear", 12, "macro", "dust burst"),
          ("Mara reads the altimeter", 36, "handheld", "she exhales")]


def drawing(path, color: str, label: str):
    image = Image.new("RGB", (480, 270), color)
    ImageDraw.Draw(image).text((20, 20), label, fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def prompts(page) -> list[str]:
    return page.locator("[data-testid=panel-card] [data-testid=panel-prompt]").all_inner_texts()


ORDER_JS = "[...document.querySelectorAll('[data-testid=panel-card] [data-testid=panel-prompt]')].map(e => e.textContent)"


def add_panels(s, tmp_path) -> None:
    page = s.page
    cards = page.get_by_test_id("panel-card")
    for index, (prompt, frames, camera, action) in enumerate(PANELS):
        page.get_by_test_id("add-panel").click()
        form = page.get_by_test_id("new-panel")
        form.get_by_label("Prompt").fill(prompt)
        form.get_by_label("Duration (frames)").fill(str(frames))
        form.get_by_label("Camera notes").fill(camera)
        form.get_by_label("Action notes").fill(action)
        form.get_by_role("button", name="Add").click()
        card = cards.nth(index)
        card.wait_for()
        color = ["#8a3b2b", "#2b5d8a", "#3b8a4a"][index]
        card.locator("input[type=file]").set_input_files(str(drawing(tmp_path / f"p{index}.png", color, prompt)))
        card.locator("img").wait_for()
    assert prompts(page) == [p[0] for p in PANELS]
    page.get_by_test_id("board-total").filter(has_text="72 frames").wait_for()


def reorder(s, watcher) -> None:
    """Drag the third panel onto the first, then move the (now second) first panel right with its button."""
    page = s.page
    cards = page.get_by_test_id("panel-card")
    cards.nth(2).drag_to(cards.nth(0))
    page.wait_for_function(f"{ORDER_JS}[0].startsWith('Mara')")
    assert prompts(page) == [PANELS[2][0], PANELS[0][0], PANELS[1][0]]
    page.get_by_role("button", name="Move panel 2 right").click()
    page.wait_for_function(f"{ORDER_JS}[2].startsWith('Wide')")
    assert prompts(page) == [PANELS[2][0], PANELS[1][0], PANELS[0][0]]
    watcher.page.wait_for_function(f"{ORDER_JS}[0].startsWith('Mara')")  # live on the other screen


def play_animatic(s, sequence) -> None:
    page = s.page
    page.get_by_test_id("play-animatic").click()
    page.get_by_test_id("animatic-video").wait_for(timeout=180_000)
    page.wait_for_function("document.querySelector('[data-testid=animatic-video]').readyState >= 2", timeout=60_000)
    page.get_by_test_id("animatic-timecode").filter(has_text="of 72").wait_for()
    with s.api() as client:
        state = client.get(f"/api/v1/sequences/{sequence['id']}/storyboard/animatic/").json()
    assert state["animatic"]["status"] == "ready" and state["animatic"]["frame_count"] == 72
    assert [p["frames"] for p in state["animatic"]["panels"]] == [36, 12, 24]
    s.shot("storyboard-animatic", full_page=True)


def make_shots(s, project, sequence) -> None:
    page = s.page
    page.get_by_test_id("make-shots").click()
    plan = page.get_by_test_id("shot-plan")
    plan.wait_for()
    rows = plan.locator("tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).inner_text().split("\t")[1:4] == ["MR_090_0010", "New shot", "1001–1036"]
    assert "3 new shots" in page.get_by_test_id("plan-summary").inner_text()
    s.shot("storyboard-make-shots-preview")
    page.get_by_role("button", name="Apply").click()
    plan.wait_for(state="hidden")
    page.get_by_test_id("panel-card").nth(2).get_by_role("link", name="MR_090_0030").wait_for()
    with s.api() as client:
        shots = client.get(f"/api/v1/projects/{project['id']}/shots/", params={"sequence": sequence["id"]}).json()["results"]
    assert sorted((x["code"], x["frame_in"], x["frame_out"]) for x in shots) == [
        ("MR_090_0010", 1001, 1036), ("MR_090_0020", 1037, 1048), ("MR_090_0030", 1049, 1072)]
    s.shot("storyboard-shots-made", full_page=True)
    # Running it again changes nothing.
    page.get_by_test_id("make-shots").click()
    page.get_by_test_id("plan-summary").filter(has_text="Nothing to change").wait_for()
    page.get_by_role("button", name="Cancel").click()


def test_build_a_board_play_the_animatic_and_make_shots(session_factory, api_as, tmp_path):
    producer = api_as("producer@northlight.test")
    project = next(p for p in producer.get("/api/v1/projects/").json()["results"] if p["code"] == "MR")
    made = producer.post(f"/api/v1/projects/{project['id']}/sequences/", json={"code": "MR_090", "name": "Board test"})
    assert made.status_code == 201, made.text
    sequence = made.json()

    s = session_factory()
    s.sign_in("supervisor@northlight.test")
    page = s.page
    page.goto(f"/projects/{project['id']}?sequence={sequence['id']}")
    page.get_by_test_id("sequence-storyboard").click()
    page.get_by_role("heading", name=re.compile("Storyboard")).wait_for()
    watcher = session_factory()  # a second person on the board: changes arrive live
    watcher.sign_in("producer@northlight.test")
    watcher.page.goto(f"/projects/{project['id']}/sequences/{sequence['id']}/board")
    watcher.page.get_by_text("No panels yet").wait_for()
    s.shot("storyboard-empty")

    add_panels(s, tmp_path)
    watcher.page.get_by_test_id("panel-card").nth(2).locator("img").wait_for()  # live, without a reload
    s.shot("storyboard-three-panels", full_page=True)
    reorder(s, watcher)
    play_animatic(s, sequence)
    make_shots(s, project, sequence)

    # The shot page shows its panel's still.
    page.get_by_test_id("panel-card").nth(0).get_by_role("link", name="MR_090_0010").click()
    page.get_by_test_id("shot-panel").locator("img").wait_for()
    s.shot("storyboard-shot-panel")
    assert not s.errors, s.errors
    assert not watcher.errors, watcher.errors
