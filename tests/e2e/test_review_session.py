"""A presenter-led review session in the browser (issue 13, "Playlists and review sessions").

The producer builds a playlist from the shot list's selection, notes and reorders it, and starts a
session; the supervisor and the artist join and follow her playhead (seek, play, pause), her live
drawing and her change of item, through the server's review room. A late joiner (the producer's
second screen) gets the current item and frame at once from the room's snapshot. Presence shows who
watches and who has control; control is handed to the supervisor, who drives and posts a note that
lands on the version and frame on screen. Screenshots: 60- to 65-session-*.png.
"""

from __future__ import annotations

import re
import uuid

import pytest

from tests.e2e.session_helpers import (
    build_playlist_from_selection,
    draw_arrow,
    go_to_frame,
    join,
    members,
    player_attr,
    wait_frame,
    wait_item,
    wait_playing,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SHOTS = ["MR_010_0010", "MR_010_0020"]


def _build(producer, project_id: str) -> tuple[str, str]:
    """The playlist from the selection, with a note on an item and a reorder through ↑/↓; its id and URL."""
    page = producer.page
    playlist_id = build_playlist_from_selection(page, project_id, f"Session dailies {uuid.uuid4().hex[:6]}", SHOTS)
    items = page.get_by_test_id("playlist-item")
    assert [items.nth(i).get_attribute("data-shot") for i in range(items.count())] == SHOTS
    note = page.locator("[data-testid=playlist-item][data-shot=MR_010_0020] input")
    note.fill("Check the bars against the grade")
    note.press("Enter")
    page.get_by_role("button", name=re.compile(r"Move MR_010_0020 v\d+ up")).click()
    page.locator("[data-testid=playlist-item]").first.and_(page.locator("[data-shot=MR_010_0020]")).wait_for()
    page.get_by_role("button", name=re.compile(r"Move MR_010_0020 v\d+ down")).click()
    page.locator("[data-testid=playlist-item]").first.and_(page.locator("[data-shot=MR_010_0010]")).wait_for()
    with producer.api() as client:
        body = client.get(f"/api/v1/playlists/{playlist_id}/").json()
    assert [(i["shot"]["code"], i["note"]) for i in body["items"]] == [
        ("MR_010_0010", ""), ("MR_010_0020", "Check the bars against the grade")]
    producer.shot("60-session-playlist-built")
    return playlist_id, page.url


def test_a_presenter_leads_two_followers_and_a_late_joiner(session_factory):
    producer, supervisor, artist = session_factory(), session_factory(), session_factory()
    producer.sign_in("producer@northlight.test")
    with producer.api() as client:
        project = next(p for p in client.get("/api/v1/projects/").json()["results"] if p["code"] == "MR")
    playlist_id, url = _build(producer, project["id"])

    join(producer, url, present=True)
    for person, email in ((supervisor, "supervisor@northlight.test"), (artist, "artist@northlight.test")):
        person.sign_in(email)
        join(person, url)
    followers = (supervisor.page, artist.page)

    # Seek: the followers land on the presenter's frame; her arrow reaches them on that frame.
    go_to_frame(producer.page, 1012)
    draw_arrow(producer.page)
    for page in followers:
        wait_frame(page, 1012)
        page.locator("[data-testid=live-drawing][data-frame='1012']").wait_for()
        assert page.get_by_test_id("annotation-layer").locator("[data-shape=arrow]").count() == 1
    producer.shot("61-session-presenter")
    supervisor.shot("62-session-follower")

    # Play, then pause: they play along and stop on the presenter's frame.
    producer.page.get_by_role("button", name="Play", exact=True).click()
    for page in followers:
        wait_playing(page, True)
    producer.page.get_by_role("button", name="Pause", exact=True).click()
    wait_playing(producer.page, False)
    stopped = int(player_attr(producer.page, "frame"))
    for page in followers:
        wait_playing(page, False)
        wait_frame(page, stopped)

    # The next item: everyone moves to MR_010_0020; the presenter goes to frame 1005.
    producer.page.get_by_role("button", name="Next →").click()
    wait_item(producer.page, "MR_010_0020")
    producer.page.locator("[data-testid=player][data-ready=true]").wait_for(timeout=60_000)
    go_to_frame(producer.page, 1005)
    for page in followers:
        wait_item(page, "MR_010_0020")
        wait_frame(page, 1005)
    assert artist.page.get_by_test_id("item-note").inner_text() == "Note: Check the bars against the grade"

    _late_joiner_and_hand_over(session_factory, producer, supervisor, artist, url)


def _late_joiner_and_hand_over(session_factory, producer, supervisor, artist, url: str) -> None:
    # A late joiner (the producer's screening-room display) gets item and frame at once.
    screen = session_factory()
    screen.sign_in("producer@northlight.test")
    screen.page.goto(url)
    screen.page.get_by_role("button", name="Join session").click()
    wait_item(screen.page, "MR_010_0020")
    wait_frame(screen.page, 1005)
    screen.shot("63-session-late-joiner")

    # Presence: four watching, the presenter has control.
    producer.page.get_by_test_id("session-member").nth(3).wait_for()
    listed = members(producer.page)
    assert sorted(n for n, _ in listed) == ["Alex Moreau", "Priya Natarajan", "Priya Natarajan", "Sam Okafor"]
    assert [n for n, has_control in listed if has_control] == ["Priya Natarajan"]
    assert producer.page.locator("[data-testid=session-member][data-presenter=true][data-you=true]").count() == 1

    # Control handed to the supervisor: he drives, the others (the producer too) follow.
    producer.page.get_by_role("button", name="Hand over control to Sam Okafor").click()
    supervisor.page.get_by_test_id("session-status").filter(has_text="You are presenting.").wait_for()
    producer.page.get_by_test_id("session-status").filter(has_text="Following Sam Okafor.").wait_for()
    go_to_frame(supervisor.page, 1010)
    for person in (producer, artist, screen):
        wait_frame(person.page, 1010)
    assert supervisor.page.locator("[data-testid=session-member][data-name='Sam Okafor'][data-presenter=true]").count() == 1
    supervisor.shot("64-session-handed-over")

    # A note taken in the session lands on the version and frame on screen.
    version_id = supervisor.page.get_by_test_id("item-player").get_attribute("data-version")
    supervisor.page.locator("#comment-body").fill("Session note: the bars flicker here.")
    supervisor.page.get_by_role("button", name="Post note").click()
    supervisor.page.wait_for_function("document.querySelector('#comment-body').value === ''")  # posted
    with supervisor.api() as client:
        notes = client.get(f"/api/v1/versions/{version_id}/comments/").json()
    rows = notes["results"] if isinstance(notes, dict) else notes
    assert any(c["body"] == "Session note: the bars flicker here." and c["frame"] == 1010 for c in rows), rows
    artist.shot("65-session-follower-after-hand-over")
