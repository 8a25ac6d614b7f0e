"""The storyboard's animatic through the real media worker (issue 12): its frame count is the sum of
the panels' durations and its rate the project's (ffprobe), stills and slate cards alike; asking
again for an unchanged board reuses the built clip; a change builds a new one; the OTIO export has a
clip per panel; another studio gets 404."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from projects.models import Animatic
from studio.tenancy.models import Role
from tests.projects.conftest import make_org, make_project, make_user
from tests.support.waiting import wait_for


def probe_frames(path: Path) -> tuple[int, str, tuple[int, int]]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
         "stream=nb_read_frames,r_frame_rate,width,height", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )
    stream = json.loads(out.stdout)["streams"][0]
    return int(stream["nb_read_frames"]), stream["r_frame_rate"], (stream["width"], stream["height"])


def png(color: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(buffer, format="PNG")
    return SimpleUploadedFile("panel.png", buffer.getvalue(), content_type="image/png")


def wait_ready(client, url: str, worker) -> dict:
    def ready():
        state = client.get(url).json()
        animatic = state["animatic"]
        return state if animatic and animatic["status"] != "building" else None

    state = wait_for(ready, timeout=180, what=f"the animatic (worker log: {worker.log_path})")
    assert state["animatic"]["status"] == "ready", state["animatic"]["failure_reason"]
    return state


def download(client, url: str, path: Path) -> Path:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    path.write_bytes(b"".join(response.streaming_content))
    return path


def test_animatic_is_built_cached_and_rebuilt_by_the_media_worker(transactional_db, live_worker, api, tmp_path):
    org = make_org("animwk")
    artist = make_user(org=org, role=Role.ARTIST)
    project = make_project(org, code="AN", fps_num=24000, fps_den=1001, width=1280, height=720)
    sequence = project.sequences.create(code="AN_010")
    client = api(artist)
    base = f"/api/v1/sequences/{sequence.id}/storyboard/"
    for prompt, frames in (("Wide: the lander", 24), ("Slate: the gear touches down", 13), ("Mara at the altimeter", 35)):
        panels = client.post(base + "panels/", {"prompt": prompt, "duration_frames": frames, "camera_notes": "push in",
                                                "action_notes": "dust"}, format="json").json()["panels"]
    for panel, color in ((panels[0], "red"), (panels[2], "green")):
        assert client.post(f"/api/v1/panels/{panel['id']}/still/", {"file": png(color)}, format="multipart").status_code == 200

    first = client.post(base + "animatic/")
    assert first.status_code == 202, first.json()
    state = wait_ready(client, base + "animatic/", live_worker)
    animatic = state["animatic"]
    assert animatic["current"] and animatic["frame_count"] == 72 and animatic["fps"] == "24000/1001"
    frames, rate, size = probe_frames(download(client, animatic["media"], tmp_path / "first.mp4"))
    assert (frames, rate, size) == (24 + 13 + 35, "24000/1001", (960, 540))

    # Unchanged board: the same clip, no new build.
    again = client.post(base + "animatic/")
    assert again.status_code == 200 and again.json()["animatic"]["id"] == animatic["id"]
    assert Animatic.objects.count() == 1

    exported = client.get(animatic["otio"])
    assert exported.status_code == 200 and "attachment" in exported["Content-Disposition"]
    timeline = json.loads(exported.content)
    clips = timeline["tracks"]["children"][0]["children"]
    assert [c["source_range"]["duration"]["value"] for c in clips] == [24, 13, 35]
    assert [c["source_range"]["start_time"]["value"] for c in clips] == [0, 24, 37]
    assert clips[1]["metadata"]["greenlight"]["prompt"] == "Slate: the gear touches down"

    # A change: the old clip is no longer current; asking builds the new board.
    client.patch(f"/api/v1/panels/{panels[1]['id']}/", {"duration_frames": 30}, format="json")
    stale = client.get(base + "animatic/").json()
    assert stale["animatic"] is None and stale["latest"]["id"] == animatic["id"] and not stale["latest"]["current"]
    assert client.post(base + "animatic/").status_code == 202
    rebuilt = wait_ready(client, base + "animatic/", live_worker)["animatic"]
    assert rebuilt["id"] != animatic["id"] and rebuilt["frame_count"] == 89
    frames, rate, _ = probe_frames(download(client, rebuilt["media"] + "?download=1", tmp_path / "second.mp4"))
    assert (frames, rate) == (89, "24000/1001")
    assert [str(i) for i in Animatic.objects.values_list("id", flat=True)] == [rebuilt["id"]]

    rival = make_user(org=make_org("animrival"), role=Role.OWNER)
    assert api(rival).get(rebuilt["media"]).status_code == 404
    assert api(rival).get(rebuilt["otio"]).status_code == 404
