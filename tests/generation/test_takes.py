"""Takes without a worker: a finished render stored through the worker's own service
(`complete_attempt`) from a clip encoded with ffmpeg, then the gallery, marks, re-runs, publishing
with conform (checked with ffprobe), permissions and tenancy (foreign takes are 404; client
reviewers see no takes)."""

from __future__ import annotations

import hashlib
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from generation import encoding, services
from generation.models import GenerationJob, Take
from projects.models import Version
from studio.audit.models import AuditEvent
from studio.realtime.models import Event as StoredEvent

pytestmark = pytest.mark.django_db


def finished_take(w, tmp_path, *, user=None, shot=None, frames: int = 81, fps: Fraction = Fraction(16), seed: int | None = 5,
                  prompt: str = "a red circle moving left on a blue background") -> Take:
    """A render of `frames` frames at `fps`, finished through the worker's services (no diffusers)."""
    (job,) = services.submit_generation(actor=user or w.artist, shot=shot or w.shot, prompt=prompt, seed=seed, frames=frames, fps=fps)
    me = services.WorkerIdentity(node="test@here", host="test-host", pid=1)
    job = services.start_attempt(job_id=job.id, worker=me)
    clip = np.zeros((frames, 64, 64, 3), np.uint8)
    for i in range(frames):
        clip[i, :, : 8 + (i % 50), 0] = 200  # a bar that grows, so frames differ
        clip[i, :, :, 2] = 120
    path = encoding.encode_mp4(clip, tmp_path / f"{job.id}.mp4", fps=fps)
    poster = encoding.write_poster(clip, tmp_path / f"{job.id}.jpg")
    take = services.complete_attempt(
        job_id=job.id, attempt=job.attempts, video=path, poster=poster, native=encoding.probe(path),
        frames_sha256=hashlib.sha256(clip.tobytes()).hexdigest(), timings={"total": 1.0}, store_started=time.perf_counter(),
        lineage={"job": str(job.id), "seed": job.seed, "prompt": job.prompt, "model": {"name": job.model.name},
                 "parameters": dict(job.parameters)},
    )
    assert take is not None
    return take


def publish(client, take, **body):
    """POST publish (202: conforming), then the media worker's task body here; the take afterwards."""
    from generation.tasks import conform_take

    response = client.post(f"/api/v1/takes/{take.id}/publish/", body, format="json")
    assert response.status_code == 202, response.content
    accepted = response.json()
    assert accepted["publish"]["state"] == "conforming" and accepted["version"] is None
    assert Version.objects.filter(lineage__take=str(take.id)).count() == 0  # nothing is published before the conform
    conform_take(str(take.id), accepted["publish"]["attempt"])
    return Take.objects.get(pk=take.pk)


def cut(shot, frames: int):
    shot.frame_in, shot.frame_out = 1001, 1000 + frames
    shot.save(update_fields=["frame_in", "frame_out"])


def test_a_finished_render_is_a_take_in_the_gallery_not_a_version(api, world, tmp_path):
    take = finished_take(world, tmp_path)
    job = GenerationJob.objects.get(pk=take.job_id)
    assert job.state == "succeeded" and job.version_id is None and Version.objects.count() == 0
    assert (take.native_fps, take.native_frames, take.native_width, take.native_height) == (16, 81, 64, 64)
    assert AuditEvent.objects.filter(action="take.created", target_id=str(take.id)).exists()
    created = StoredEvent.objects.filter(type="take.created").get()
    assert created.data["id"] == str(take.id) and created.audience == "internal"  # client reviewers never get it

    body = api(world.artist).get(f"/api/v1/shots/{world.shot.id}/takes/").json()
    (row,) = body["results"]
    assert row["id"] == str(take.id) and row["seed"] == 5 and row["prompt"].startswith("a red circle")
    assert row["native"] == {"fps": "16/1", "frames": 81, "width": 64, "height": 64}
    assert row["consent_state"] == "none" and row["version"] is None and row["created_by"]["id"] == str(world.artist.id)
    assert row["poster_url"] == f"/api/v1/takes/{take.id}/poster/"
    actions = {a["action"]: a["allowed"] for a in row["allowed_actions"]}
    assert actions == {"star": True, "unstar": False, "discard": True, "restore": False, "rerun": True, "publish": True,
                       "request_consent": False}  # nothing is held by the likeness scan

    media = api(world.artist).get(row["media_url"], HTTP_RANGE="bytes=0-99")
    assert media.status_code == 206 and media["Content-Type"] == "video/mp4"
    assert api(world.artist).get(row["poster_url"]).status_code == 200


def test_star_discard_restore_are_audited_and_published_and_discarded_takes_leave_the_gallery(api, world, tmp_path):
    take = finished_take(world, tmp_path)
    other = finished_take(world, tmp_path, seed=9)
    client = api(world.artist)
    assert client.post(f"/api/v1/takes/{take.id}/star/", {}, format="json").json()["starred"] is True
    assert client.post(f"/api/v1/takes/{other.id}/discard/").json()["discarded"] is True
    gallery = client.get(f"/api/v1/shots/{world.shot.id}/takes/").json()["results"]
    assert [t["id"] for t in gallery] == [str(take.id)]
    assert [t["id"] for t in client.get(f"/api/v1/shots/{world.shot.id}/takes/?discarded=true").json()["results"]] == [str(other.id)]
    assert len(client.get(f"/api/v1/shots/{world.shot.id}/takes/?discarded=all").json()["results"]) == 2
    assert [t["id"] for t in client.get(f"/api/v1/shots/{world.shot.id}/takes/?starred=true").json()["results"]] == [str(take.id)]
    assert client.get(f"/api/v1/shots/{world.shot.id}/takes/?discarded=maybe").status_code == 400
    assert client.post(f"/api/v1/takes/{take.id}/unstar/").json()["starred"] is False
    assert client.post(f"/api/v1/takes/{other.id}/restore/").json()["discarded"] is False
    actions = list(AuditEvent.objects.filter(action__startswith="take.").exclude(action="take.created").values_list("action", flat=True))
    assert sorted(actions) == ["take.discarded", "take.restored", "take.starred", "take.unstarred"]
    assert StoredEvent.objects.filter(type="take.updated").count() == 4
    # Starring a starred take changes nothing: no audit, no event.
    client.post(f"/api/v1/takes/{take.id}/star/", {"starred": False}, format="json")
    assert StoredEvent.objects.filter(type="take.updated").count() == 4


def test_publishing_conforms_to_the_project_rate_and_the_shot_cut_and_keeps_the_take_lineage(api, world, tmp_path):
    cut(world.shot, 36)
    take = finished_take(world, tmp_path)
    client = api(world.artist)
    take = publish(client, take)
    assert take.publish_state == "published", take.publish_error
    version = take.version
    assert version.number == 1 and version.source == "generation" and version.created_by == world.artist
    info = encoding.probe(Path(version.original.path))
    assert (info["fps"], info["frames"]) == (Fraction(24), 36)  # the project's rate, the shot's cut
    assert (info["width"], info["height"]) == (114, 64)  # 16:9 like the project, pillarboxed, not stretched
    assert (version.fps_num, version.fps_den, version.frame_count) == (24, 1, 36)
    lineage = version.lineage
    assert lineage["take"] == str(take.id) and lineage["job"] == str(take.job_id) and lineage["seed"] == 5
    assert lineage["prompt"] == take.prompt and lineage["model"]["name"] == "wan2.1-t2v-tiny" and lineage["parameters"]["frames"] == 81
    record = lineage["conform"]
    assert record["method"] == "retime" and record["length"] == "trimmed" and record["frame"] == "pillarbox"
    assert record["native"] == {"fps": "16/1", "frames": 81, "width": 64, "height": 64}
    assert client.get(f"/api/v1/takes/{take.id}/").json()["publish"]["conform"] == record["summary"]
    shown = client.get(f"/api/v1/versions/{version.id}/").json()["conform"]
    assert shown.startswith("native 16 fps, 81 frames → conformed 24 fps, 36 frames (retime")
    assert "trimmed to the shot's 36-frame cut (86 frames of 122 dropped at the end)" in shown
    # The take and its job point at the version; the take cannot be published again or discarded.
    take.refresh_from_db()
    assert take.version_id == version.id and take.published_by == world.artist
    assert GenerationJob.objects.get(pk=take.job_id).version_id == version.id
    again = client.post(f"/api/v1/takes/{take.id}/publish/", {}, format="json")
    assert again.status_code == 409 and "already published as v001" in again.json()["detail"]
    assert client.post(f"/api/v1/takes/{take.id}/discard/").status_code == 409
    assert Version.objects.count() == 1
    assert AuditEvent.objects.filter(action="take.published", target_id=str(take.id)).count() == 1
    published = StoredEvent.objects.filter(type="take.updated").last()
    assert published.data["version"] == str(version.id)


@pytest.mark.parametrize(
    ("fps", "cut_frames", "method", "frames", "phrase"),
    [
        ((24000, 1001), 100, "retime", 100, "held its last frame for 75 frames"),  # 17 @16 → 25 @23.976, held to 100
        ((25, 1), None, "interpolate", 27, "the shot has no cut length"),  # 17 @16 → 27 @25 (motion-interpolated)
    ],
)
def test_publishing_holds_a_short_take_and_records_the_method(api, world, tmp_path, fps, cut_frames, method, frames, phrase):
    world.project.fps_num, world.project.fps_den = fps
    world.project.save(update_fields=["fps_num", "fps_den"])
    if cut_frames:
        cut(world.shot, cut_frames)
    take = finished_take(world, tmp_path, frames=17)
    version = publish(api(world.artist), take, method=method).version
    info = encoding.probe(Path(version.original.path))
    assert (info["fps"], info["frames"]) == (Fraction(*fps), frames)
    assert version.lineage["conform"]["method"] == method and phrase in version.lineage["conform"]["summary"]


def test_publish_refuses_a_discarded_take_and_an_unknown_method_writing_nothing(api, world, tmp_path):
    take = finished_take(world, tmp_path)
    client = api(world.artist)
    bad = client.post(f"/api/v1/takes/{take.id}/publish/", {"method": "blend"}, format="json")
    assert bad.status_code == 400 and "Use one of: retime, interpolate" in str(bad.json()["fields"]["method"])
    client.post(f"/api/v1/takes/{take.id}/discard/")
    refused = client.post(f"/api/v1/takes/{take.id}/publish/", {}, format="json")
    assert refused.status_code == 409 and "restore it before publishing" in refused.json()["detail"]
    assert Version.objects.count() == 0 and not AuditEvent.objects.filter(action="take.published").exists()


def test_rerun_same_seed_new_seed_and_vary_prompt(api, world, tmp_path):
    take = finished_take(world, tmp_path, seed=1234)
    client = api(world.artist)

    def rerun(body):
        return client.post(f"/api/v1/takes/{take.id}/rerun/", body, format="json")

    same = rerun({"mode": "same_seed"})
    assert same.status_code == 201, same.content
    (job,) = same.json()["jobs"]
    assert (job["seed"], job["prompt"], job["frames"], job["fps"], job["steps"]) == (1234, take.prompt, 81, "16/1", take.job.steps)
    (fresh,) = rerun({"mode": "new_seed"}).json()["jobs"]
    assert fresh["prompt"] == take.prompt and isinstance(fresh["seed"], int)
    (varied,) = rerun({"mode": "vary_prompt", "prompt": "a green square moving right"}).json()["jobs"]
    assert (varied["seed"], varied["prompt"]) == (1234, "a green square moving right")
    before = GenerationJob.objects.count()
    assert "needs the new prompt" in str(rerun({"mode": "vary_prompt"}).json()["fields"]["prompt"])
    assert "Use one of: same_seed, new_seed, vary_prompt" in str(rerun({"mode": "again"}).json()["fields"]["mode"])
    assert "use mode 'vary_prompt'" in str(rerun({"mode": "same_seed", "prompt": "other"}).json()["fields"]["prompt"])
    assert GenerationJob.objects.count() == before


def test_client_reviewers_see_no_takes_and_legal_sees_but_does_not_act(api, world, tmp_path):
    take = finished_take(world, tmp_path)
    reviewer = api(world.reviewer)
    listing = reviewer.get(f"/api/v1/shots/{world.shot.id}/takes/")
    assert listing.status_code == 403 and "client reviewers see a shot's published versions only" in listing.json()["detail"]
    for url in (f"/api/v1/takes/{take.id}/", f"/api/v1/takes/{take.id}/media/", f"/api/v1/takes/{take.id}/poster/"):
        assert reviewer.get(url).status_code == 404, url
    assert reviewer.post(f"/api/v1/takes/{take.id}/publish/", {}, format="json").status_code == 404
    legal = api(world.legal)
    assert legal.get(f"/api/v1/takes/{take.id}/").status_code == 200
    starred = legal.post(f"/api/v1/takes/{take.id}/star/", {}, format="json")
    assert starred.status_code == 403 and "may not star takes" in starred.json()["detail"]
    assert {a["action"]: a["code"] for a in legal.get(f"/api/v1/takes/{take.id}/").json()["allowed_actions"]}["publish"] == "not_permitted"
    assert Take.objects.get(pk=take.pk).starred is False


def test_foreign_takes_are_404_everywhere(api, world, tmp_path):
    take = finished_take(world, tmp_path)
    foreign = api(world.foreign)
    assert foreign.get(f"/api/v1/shots/{world.shot.id}/takes/").status_code == 404
    for url in (f"/api/v1/takes/{take.id}/", f"/api/v1/takes/{take.id}/media/", f"/api/v1/takes/{take.id}/poster/"):
        assert foreign.get(url).status_code == 404, url
    for verb in ("star", "unstar", "discard", "restore", "publish"):
        assert foreign.post(f"/api/v1/takes/{take.id}/{verb}/", {}, format="json").status_code == 404, verb
    assert foreign.post(f"/api/v1/takes/{take.id}/rerun/", {"mode": "same_seed"}, format="json").status_code == 404
    # And the other way round: our studio does not reach the foreign studio's takes.
    theirs = finished_take(world, tmp_path, user=world.foreign, shot=world.foreign_shot)
    assert api(world.owner).get(f"/api/v1/takes/{theirs.id}/").status_code == 404
    assert api(world.owner).get(f"/api/v1/shots/{world.foreign_shot.id}/takes/").status_code == 404
    assert Version.objects.count() == 0 and Take.objects.get(pk=take.pk).starred is False


def test_the_gallery_costs_the_same_queries_for_one_take_or_four_and_vendors_see_it(api, world, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    finished_take(world, tmp_path, seed=1)
    client = api(world.artist)
    url = f"/api/v1/shots/{world.shot.id}/takes/"
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).json()["results"]) == 1
    for seed in (2, 3, 4):
        finished_take(world, tmp_path, seed=seed)
    with CaptureQueriesContext(connection) as four:
        assert len(client.get(url).json()["results"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries), [q["sql"] for q in four.captured_queries]
    # A vendor added to the project as an artist works on its takes like a studio artist.
    vendor = api(world.vendor)
    assert len(vendor.get(url).json()["results"]) == 4
    take = Take.objects.filter(shot=world.shot).first()
    assert vendor.post(f"/api/v1/takes/{take.id}/star/", {}, format="json").json()["starred"] is True


def test_a_failed_conform_publishes_nothing_says_why_and_can_be_asked_again(api, world, tmp_path):
    from generation.tasks import conform_take

    take = finished_take(world, tmp_path, frames=17)
    client = api(world.artist)
    clip = Path(take.media.path)
    saved = clip.read_bytes()
    clip.write_bytes(b"not a video")  # the media worker finds a clip ffmpeg cannot read
    take = publish(client, take)
    assert take.publish_state == "failed" and take.version_id is None
    assert "ffmpeg could not conform the take" in take.publish_error and "Nothing was published" in take.publish_error
    assert Version.objects.count() == 0 and GenerationJob.objects.get(pk=take.job_id).version_id is None
    assert AuditEvent.objects.filter(action="take.publish_failed", target_id=str(take.id)).count() == 1
    assert not AuditEvent.objects.filter(action="take.published").exists()
    assert StoredEvent.objects.filter(type="take.updated").last().data["publish_state"] == "failed"
    shown = client.get(f"/api/v1/takes/{take.id}/").json()
    assert shown["publish"]["state"] == "failed" and "Nothing was published" in shown["publish"]["error"]
    assert {a["action"]: a["allowed"] for a in shown["allowed_actions"]}["publish"] is True

    clip.write_bytes(saved)
    take = publish(client, take)  # a new attempt
    assert take.publish_state == "published" and take.publish_attempt == 2 and take.publish_error == ""
    assert conform_take(str(take.id), 1)["status"] == "stale"  # the first attempt's message, redelivered late: nothing
    assert conform_take(str(take.id), 2)["status"] == "stale"  # and its own, once published
    assert Version.objects.count() == 1


def test_a_take_being_conformed_cannot_be_published_twice(api, world, tmp_path):
    take = finished_take(world, tmp_path, frames=17)
    client = api(world.artist)
    assert client.post(f"/api/v1/takes/{take.id}/publish/", {}, format="json").status_code == 202
    again = client.post(f"/api/v1/takes/{take.id}/publish/", {}, format="json")
    assert again.status_code == 409 and "being conformed for publishing already" in again.json()["detail"]
    actions = {a["action"]: a for a in client.get(f"/api/v1/takes/{take.id}/").json()["allowed_actions"]}
    assert actions["publish"]["allowed"] is False and actions["publish"]["reason"] == "Being conformed for publishing."
    assert AuditEvent.objects.filter(action="take.publish_requested", target_id=str(take.id)).count() == 1
