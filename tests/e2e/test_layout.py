"""The main pages at the two sizes studios work at (issue 13, "Layout"): 1024×700 (a laptop) and
1440×900. Checked with bounding boxes, not by eye: the shot list keeps its key columns (shot, status,
current version, assignees) on screen; the shot page shows the generate panel in the first screen,
beside the takes and versions instead of 2,000 px below them; the player's toolbar fits in the
window. Screenshots: layout-<width>x<height>-*.png."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SIZES = [(1024, 700), (1440, 900)]
SHOT = "MR_010_0010"  # a demo shot with an uploaded version
KEY_COLUMNS = ("Shot", "Status", "Current version", "Assignees")


def inside(box: dict | None, width: int, height: int | None = None) -> bool:
    if box is None:
        return False
    fits = box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5 and box["width"] >= 8
    return fits and (height is None or box["y"] >= 0 and box["y"] < height)


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["1024x700", "1440x900"])
def test_the_shot_list_shot_page_and_player_fit(session_factory, width, height):
    session = session_factory()
    page = session.page
    page.set_viewport_size({"width": width, "height": height})
    session.sign_in("artist@northlight.test")
    page.get_by_role("link", name="Moonrise").click()

    # The shot list: the key columns' headers are on screen, not cut or scrolled off to the right.
    table = page.get_by_role("table", name="Shots")
    table.wait_for()
    for name in KEY_COLUMNS:
        header = table.locator("thead th").filter(has_text=name).first
        assert header.is_visible(), name
        box = header.bounding_box()
        assert inside(box, width, height) and box["width"] >= 60, (name, box)
    row = page.locator(f"[data-testid=shot-row][data-shot={SHOT}]")
    assert inside(row.locator("a.shot-code").bounding_box(), width)
    session.shot(f"layout-{width}x{height}-shot-list")

    # The shot page: the generate panel starts in the first screen, beside the takes and versions.
    row.locator("a.shot-code").click()
    page.get_by_role("heading", name=SHOT).wait_for()
    panel = page.get_by_test_id("generate-panel")
    panel.wait_for()
    box = panel.bounding_box()
    assert box is not None and box["y"] < height - 120, f"the generate panel starts at y={box and box['y']} of a {height} px window"
    assert inside(box, width), box
    versions = page.get_by_role("heading", name="Versions").bounding_box()
    assert versions is not None and versions["x"] + versions["width"] <= box["x"], "the versions and the generate panel sit side by side"
    session.shot(f"layout-{width}x{height}-shot-page")

    # The player: every control of its toolbars is inside the player (not clipped by its edge) and the window.
    page.locator("[data-testid=version-card][data-version=v001] a.strong-link").click()
    player = page.get_by_test_id("player")
    player.wait_for()
    page.locator("[data-testid=player] .transport").wait_for()
    edge = player.bounding_box()
    assert inside(edge, width), edge
    controls = page.locator("[data-testid=player] .transport, [data-testid=player] .draw-toolbar").locator("button, select, input, a")
    for i in range(controls.count()):
        control = controls.nth(i)
        if control.is_visible():
            box = control.bounding_box()
            what = control.inner_text() or control.get_attribute("aria-label")
            right = edge["x"] + edge["width"] + 0.5
            assert box is not None and box["x"] >= edge["x"] and box["x"] + box["width"] <= right, (what, box, edge)
    assert inside(page.get_by_test_id("approvals").bounding_box(), width), "the approvals panel is beside the player, not off screen"
    session.shot(f"layout-{width}x{height}-player")
