"""The review player is frame-accurate in a real Chromium: what it says is the frame is the frame shown.

Two videos are made with ffmpeg where every frame is one flat grey whose level encodes its index
(Y = 16 + 4·N, and the reverse ramp for the second), uploaded as versions through the API, processed
by the real media worker into review proxies, and played in the browser. After each action the test
reads the pixels the <video> element shows (drawn to a canvas) and decodes the frame index from them.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SHOT = "MR_020_0020"
FRAMES = 48

# Average the centre of the picture of the video inside `root` and decode the grey ramp.
READ_FRAME = """([selector, reverse]) => {
  const video = document.querySelector(selector);
  if (!video || video.readyState < 2) return null;
  const c = document.createElement('canvas');
  c.width = 8; c.height = 8;
  const ctx = c.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(video, video.videoWidth / 2 - 4, video.videoHeight / 2 - 4, 8, 8, 0, 0, 8, 8);
  const px = ctx.getImageData(0, 0, 8, 8).data;
  let sum = 0;
  for (let i = 0; i < px.length; i += 4) sum += px[i];
  const r = sum / (px.length / 4);
  const y = r * 219 / 255 + 16;               // limited-range luma back from the RGB the browser drew
  const n = (y - 16) / 4;
  return Math.round(reverse ? (188 - (y - 16)) / 4 : n);
}"""


def make_ramp(path: Path, *, reverse: bool) -> Path:
    level = f"16+4*({FRAMES - 1}-N)" if reverse else "16+4*N"
    source = f"color=c=black:s=320x180:r=24:d={FRAMES / 24},format=yuv420p,geq=lum='{level}':cb=128:cr=128"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "12", str(path)],
        check=True,
    )
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


@pytest.fixture
def ramps(session_factory, tmp_path):
    """An artist's session with two grey-ramp versions (v1 up, v2 down) on one Moonrise shot."""
    s = session_factory()
    s.sign_in("artist@northlight.test")
    with s.api() as client:
        project = next(p for p in client.get("/api/v1/projects/").json()["results"] if p["code"] == "MR")
        shot = client.get(f"/api/v1/projects/{project['id']}/shots/", params={"q": SHOT}).json()["results"][0]
        up = upload(client, shot["id"], make_ramp(tmp_path / "ramp_up.mp4", reverse=False))
        down = upload(client, shot["id"], make_ramp(tmp_path / "ramp_down.mp4", reverse=True))
    return s, project, up, down


def shown(page, selector: str = "[data-testid=stage] video", reverse: bool = False) -> int:
    return page.evaluate(READ_FRAME, [selector, reverse])


def settle(page) -> int:
    """Waits until the player has landed (paused, seeked) and returns the index it says it shows."""
    page.wait_for_function(
        "(() => { const p = document.querySelector('[data-testid=player]');"
        " return p.dataset.playing === 'false' && p.dataset.ready === 'true' && p.dataset.shownFrame === p.dataset.frame; })()"
    )
    return int(page.get_by_test_id("player").get_attribute("data-index"))


# Records every index the player shows from now on (data-index changes), for checks on playback.
RECORD_INDICES = """() => {
  const p = document.querySelector('[data-testid=player]');
  window.__indices = [Number(p.dataset.index)];
  new MutationObserver(() => window.__indices.push(Number(p.dataset.index)))
    .observe(p, {attributes: true, attributeFilter: ['data-index']});
}"""


def wait_for_index(page, condition: str) -> None:
    """Waits until the player's frame index meets `condition` (e.g. ">= 3"): playback has moved."""
    page.wait_for_function(f"Number(document.querySelector('[data-testid=player]').dataset.index) {condition}")


def play_shuttle_and_loop(page) -> None:
    """Play/pause, J/K/L shuttle and an in/out loop: wherever playback stops, the frame shown is the counter's."""
    page.keyboard.press("Home")
    settle(page)
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('[data-testid=player]').dataset.playing === 'true'")
    wait_for_index(page, ">= 3")  # playback has moved on a few frames
    page.keyboard.press("Space")
    stopped = settle(page)
    assert 0 < stopped < FRAMES - 1
    assert shown(page) == stopped

    # J/K/L: forward, then reverse, then stop.
    page.keyboard.press("l")
    wait_for_index(page, f">= {stopped + 3}")
    page.keyboard.press("k")
    forward = settle(page)
    assert forward > stopped and shown(page) == forward
    page.keyboard.press("j")
    wait_for_index(page, f"<= {forward - 3}")
    page.keyboard.press("k")
    back = settle(page)
    assert back < forward and shown(page) == back

    # In/out with loop: playback stays inside 10..14.
    page.keyboard.press("Home")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    settle(page)
    page.keyboard.press("i")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    settle(page)
    page.keyboard.press("o")
    page.keyboard.press("r")
    assert page.get_by_test_id("range").inner_text().startswith("1011–1015")
    page.evaluate(RECORD_INDICES)
    page.keyboard.press("Space")
    # Every frame index the player shows is recorded; stop once playback has moved through the range
    # and looped back (a step backwards that is not the very first one: it may start at the out point).
    page.wait_for_function(
        "new Set(window.__indices).size >= 3 && window.__indices.some((v, i) => i > 1 && v < window.__indices[i - 1])"
    )
    page.keyboard.press("Space")
    seen = set(page.evaluate("window.__indices"))
    looped = settle(page)
    assert seen <= set(range(10, 15)), f"playback left the in/out range: {sorted(seen)}"
    assert len(seen) >= 3, f"playback did not move through the range: {sorted(seen)}"
    assert 10 <= looped <= 14 and shown(page) == looped

    # In, Out, then C: the note is on the range (no hidden switch), and the next note starts at a frame.
    page.keyboard.press("c")
    assert page.get_by_test_id("composer-range").inner_text() == "1011–1015"
    page.locator("#comment-body").fill("The flare pops in these frames")
    page.locator("#comment-body").press("Control+Enter")
    page.locator("[data-testid=timeline-marker][data-frame='1011']").wait_for(timeout=20_000)
    page.get_by_test_id("composer-frame").wait_for()
    assert page.get_by_test_id("composer-range").count() == 0

    # Shift+drag on the timeline marks a range.
    box = page.get_by_test_id("timeline").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.25, y)
    page.keyboard.down("Shift")
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=6)
    page.mouse.up()
    page.keyboard.up("Shift")
    first, last = (int(n) for n in page.get_by_test_id("composer-range").inner_text().split("–"))
    assert 1001 < first < last <= 1001 + FRAMES


def test_stepping_seeking_and_shuttle_land_on_the_frame_shown(ramps):
    s, project, up, _ = ramps
    page = s.page
    page.goto(f"/projects/{project['id']}/versions/{up['id']}")
    page.locator("[data-testid=player][data-ready=true]").wait_for(timeout=60_000)
    assert up["frame_count"] == FRAMES and up["first_frame"] == 1001

    assert settle(page) == 0 and shown(page) == 0

    for expected in range(1, 6):  # → one frame at a time
        page.keyboard.press("ArrowRight")
        assert settle(page) == expected
        assert shown(page) == expected
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert settle(page) == 3 and shown(page) == 3
    assert page.get_by_test_id("frame-number").input_value() == "1004"
    assert page.get_by_test_id("timecode").inner_text() == "00:00:41:20"

    page.keyboard.press("Shift+ArrowRight")  # ten frames
    assert settle(page) == 13 and shown(page) == 13

    # Type a frame number, then a timecode.
    box = page.get_by_test_id("frame-number")
    box.click()
    box.fill("1030")
    box.press("Enter")
    assert settle(page) == 29 and shown(page) == 29
    box.click()
    box.fill("00:00:41:21")  # frame 1005
    box.press("Enter")
    assert settle(page) == 4 and shown(page) == 4
    s.shot("20-player-frame-accuracy")

    page.keyboard.press("End")
    assert settle(page) == FRAMES - 1 and shown(page) == FRAMES - 1
    page.keyboard.press("Home")
    assert settle(page) == 0 and shown(page) == 0

    # Click the middle of the timeline: frame floor(0.5 * 48) = 24.
    track = page.get_by_test_id("timeline").bounding_box()
    page.mouse.click(track["x"] + track["width"] * 0.5 + 1, track["y"] + track["height"] / 2)
    assert settle(page) == 24 and shown(page) == 24

    play_shuttle_and_loop(page)


def test_compare_links_both_playheads_side_by_side_and_as_a_wipe(ramps):
    s, project, up, down = ramps
    page = s.page
    page.goto(f"/projects/{project['id']}/compare?a={up['id']}&b={down['id']}")
    page.locator("[data-testid=compare-player][data-ready=true]").wait_for(timeout=60_000)

    def both() -> tuple[int, int]:
        page.wait_for_function("document.querySelector('[data-testid=compare-player]').dataset.ready === 'true'")
        return shown(page, "[data-testid=stage-a] video"), shown(page, "[data-testid=stage-b] video", reverse=True)

    assert both() == (0, 0)
    for _ in range(7):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('[data-testid=compare-player]').dataset.frame === '1008'")
    assert both() == (7, 7)
    s.shot("21-compare-side-by-side")

    page.keyboard.press("s")  # swap A/B: the down ramp is now on the left, still on frame 7
    page.locator("[data-testid=compare-player][data-ready=true]").wait_for()
    page.wait_for_function("document.querySelector('[data-testid=compare-player]').dataset.frame === '1008'")
    assert shown(page, "[data-testid=stage-a] video", reverse=True) == 7
    assert shown(page, "[data-testid=stage-b] video") == 7

    page.keyboard.press("w")  # wipe
    page.locator("[data-testid=compare-player][data-mode=wipe][data-ready=true]").wait_for()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('[data-testid=compare-player]').dataset.frame === '1009'")
    page.wait_for_function("document.querySelector('[data-testid=compare-player]').dataset.ready === 'true'")
    assert shown(page, "[data-testid=stage-wipe] video:not(.linked)", reverse=True) == 8
    assert shown(page, "[data-testid=stage-wipe] video.linked") == 8
    s.shot("22-compare-wipe")
