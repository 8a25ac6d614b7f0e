"""Helpers for the review-session browser test (tests/e2e/test_review_session.py)."""

from __future__ import annotations

import re

PRESENTER_NAME = "Priya Natarajan"


def player_attr(page, name: str) -> str | None:
    return page.locator("[data-testid=player]").get_attribute(f"data-{name}")


def wait_frame(page, frame: int, timeout: float = 15_000) -> None:
    """Waits until the player's frame counter is `frame` (a follower following, without a reload)."""
    page.wait_for_function(
        f"document.querySelector('[data-testid=player]')?.dataset.frame === '{frame}'", timeout=timeout
    )


def wait_playing(page, playing: bool, timeout: float = 15_000) -> None:
    value = "true" if playing else "false"
    page.wait_for_function(f"document.querySelector('[data-testid=player]')?.dataset.playing === '{value}'", timeout=timeout)


def wait_item(page, shot: str, timeout: float = 15_000) -> None:
    page.locator("[data-testid=item-shot]", has_text=shot).wait_for(timeout=timeout)
    page.locator(f"[data-testid=item-player][data-label^='{shot} ']").wait_for(timeout=timeout)


def go_to_frame(page, frame: int) -> None:
    box = page.get_by_test_id("frame-number")
    box.click()
    box.fill(str(frame))
    box.press("Enter")
    wait_frame(page, frame)
    box.blur()


def build_playlist_from_selection(page, project_id: str, name: str, shots: list[str]) -> str:
    """Producer: ticks `shots` in the shot list, "Add to playlist…", creates `name`; returns its id."""
    page.goto(f"/projects/{project_id}")
    for code in shots:
        page.locator(f"[data-testid=shot-row][data-shot='{code}'] [data-testid=shot-select]").check()
    page.get_by_test_id("shot-selection").get_by_role("button", name="Add to playlist…").click()
    page.get_by_label(re.compile(r"New playlist with the 2 selected shots")).fill(name)
    page.get_by_role("button", name="Create playlist").click()
    page.get_by_test_id("playlist-page").wait_for()
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def join(session, url: str, *, present: bool = False) -> None:
    page = session.page
    page.goto(url)
    page.locator("[data-testid=player][data-ready=true]").wait_for(timeout=60_000)
    page.get_by_role("button", name="Start session" if present else "Join session").click()
    expected = "You are presenting." if present else f"Following {PRESENTER_NAME}."
    page.get_by_test_id("session-status").filter(has_text=expected).wait_for()


def draw_arrow(page) -> None:
    page.get_by_role("button", name="Arrow (A)").click()
    layer = page.get_by_test_id("annotation-layer")
    box = layer.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.6, steps=8)
    page.mouse.up()


def members(page) -> list[tuple[str, bool]]:
    rows = page.get_by_test_id("session-member")
    return [(rows.nth(i).get_attribute("data-name"), rows.nth(i).get_attribute("data-presenter") == "true") for i in range(rows.count())]
