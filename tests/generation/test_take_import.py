"""Importing a render made in another tool (ComfyUI, a vendor) as a take of a shot.

The upload is probed like a version upload (size, container, complete, duration), gets a poster
and a lineage (tool, original file name, SHA-256, who uploaded it), and is scanned for protected
faces like a rendered take: on the real media worker, a clip that shows an enrolled performer's
face (skimage's astronaut, a real photograph) is held, refused at publish with the performer
named, and released by the agency's grant; the version it is published as is an upload.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from generation.models import Take
from projects import media
from projects.models import Version
from rights import services as rights_services
from rights.models import LikenessUse
from studio.audit.models import AuditEvent
from tests.generation.conftest import publish_take
from tests.support import faces as real_faces
from tests.support.waiting import wait_for
from tests.support.world import build_world, give_consent, request_consent


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """A 36-frame, 24 fps H.264 clip without a face (what a workstation render might be)."""
    return media.make_test_clip(tmp_path_factory.mktemp("import") / "comfy_00042.mp4", frames=36, fps="24/1", size="320x176")


def send(api, user, shot, path: Path | None, *, name=None, content: bytes | None = None, **fields):
    body = {"source": "ComfyUI", **fields}
    if path is not None or content is not None:
        data = content if content is not None else path.read_bytes()
        body["file"] = SimpleUploadedFile(name or path.name, data, content_type="video/mp4")
    return api(user).post(f"/api/v1/shots/{shot.id}/takes/import/", body, format="multipart")


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.mark.django_db
def test_an_artist_imports_a_render_as_a_take(api, clip, media_root, django_capture_on_commit_callbacks):
    w = build_world(tag="ti", roles=("producer", "artist"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = send(api, w.artist, w.shot, clip, prompt="the lander at dawn", seed="42", notes="v3 of the workstation graph")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "import" and body["job"] is None and body["model"] is None and body["batch_id"] is None
    assert body["seed"] == 42 and body["prompt"] == "the lander at dawn"
    assert body["native"] == {"fps": "24/1", "frames": 36, "width": 320, "height": 176}
    assert body["imported"]["tool"] == "ComfyUI" and body["imported"]["filename"] == "comfy_00042.mp4"
    assert body["imported"]["sha256"] == hashlib.sha256(clip.read_bytes()).hexdigest()
    assert body["imported"]["uploaded_by"]["name"] == "Alex Artist" and body["imported"]["notes"] == "v3 of the workstation graph"
    assert body["likeness_scan"]["state"] == "pending" and body["consent_state"] == "none"
    actions = {a["action"]: a for a in body["allowed_actions"]}
    assert actions["rerun"]["allowed"] is False and "Imported from ComfyUI" in actions["rerun"]["reason"]
    assert actions["star"]["allowed"] is True
    # The scan is queued after commit (with the take.created event).
    assert sum("send_media" in cb.__code__.co_names for cb in callbacks) == 1

    take = Take.objects.get(pk=body["id"])
    assert take.media.read() == clip.read_bytes() and take.lineage["source"] == "import"
    assert Image.open(take.poster).size[0] > 0
    assert AuditEvent.objects.filter(action="take.imported", target_id=str(take.pk)).exists()
    media_response = api(w.producer).get(body["media_url"], HTTP_RANGE="bytes=0-99")
    assert media_response.status_code == 206 and media_response["Content-Type"] == "video/mp4"
    assert api(w.producer).get(body["poster_url"]).status_code == 200
    gallery = api(w.producer).get(f"/api/v1/shots/{w.shot.id}/takes/").json()["results"]
    assert [t["id"] for t in gallery] == [body["id"]]
    rerun = api(w.artist).post(f"/api/v1/takes/{take.id}/rerun/", {"mode": "same_seed"}, format="json")
    assert rerun.status_code == 409 and "imported from ComfyUI" in rerun.json()["detail"]

    # No seed given: the take is told apart by its tool.
    again = send(api, w.artist, w.shot, clip, source="  Runway  ")
    assert again.status_code == 201 and again.json()["seed"] is None and again.json()["imported"]["tool"] == "Runway"


@pytest.mark.django_db
def test_bad_imports_are_refused_and_nothing_is_stored(api, clip, media_root, settings, tmp_path):
    w = build_world(tag="tb", roles=("artist",))
    text = send(api, w.artist, w.shot, None, name="render.mp4", content=b"this is not a video, just words\n" * 20)
    assert text.status_code == 400 and "not a video" in text.json()["fields"]["file"][0]
    empty = send(api, w.artist, w.shot, None, name="render.mp4", content=b"")
    assert empty.status_code == 400 and "empty" in empty.json()["fields"]["file"][0]
    missing = send(api, w.artist, w.shot, None)
    assert missing.status_code == 400 and "Choose a video" in missing.json()["fields"]["file"][0]
    no_tool = send(api, w.artist, w.shot, clip, source="   ")
    assert no_tool.status_code == 400 and "which tool" in no_tool.json()["fields"]["source"][0]
    bad_seed = send(api, w.artist, w.shot, clip, seed="-3")
    assert bad_seed.status_code == 400 and "seed" in bad_seed.json()["fields"]
    still = real_faces.save_png(real_faces.astronaut(), tmp_path / "still.png")
    image = send(api, w.artist, w.shot, still)
    assert image.status_code == 400 and "still image" in image.json()["fields"]["file"][0]
    truncated = tmp_path / "cut.mp4"
    truncated.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])
    cut = send(api, w.artist, w.shot, truncated)
    assert cut.status_code == 400, cut.content

    settings.MAX_TAKE_IMPORT_SECONDS = 1
    too_long = send(api, w.artist, w.shot, clip)  # 1.5 s
    assert too_long.status_code == 400 and "the limit is 1 s" in too_long.json()["fields"]["file"][0]
    settings.MAX_TAKE_IMPORT_SECONDS = 300
    settings.MAX_UPLOAD_BYTES = 1_000
    too_big = send(api, w.artist, w.shot, clip)
    assert too_big.status_code == 413 and "limit" in too_big.json()["detail"]
    assert not Take.objects.exists() and stored_files(media_root) == []


@pytest.mark.django_db
def test_a_failure_after_the_file_is_stored_leaves_nothing_behind(api, clip, media_root, monkeypatch):
    w = build_world(tag="tf", roles=("artist",))
    from generation.services import take_import

    def broken(**kwargs):
        raise RuntimeError("the audit chain is unavailable")

    monkeypatch.setattr(take_import.audit, "record", broken)  # fails after the media and poster were written
    with pytest.raises(RuntimeError):
        send(api, w.artist, w.shot, clip)
    assert not Take.objects.exists() and stored_files(media_root) == []


@pytest.mark.django_db
def test_who_may_import_takes(api, clip, media_root):
    w = build_world(tag="tw", roles=("producer", "artist", "reviewer", "legal"))
    assert send(api, w.rival, w.shot, clip).status_code == 404  # another studio: no such shot
    assert send(api, w.artist, w.hl_shot, clip).status_code == 404  # a shot of another studio
    assert api(w.artist).post("/api/v1/shots/00000000-0000-0000-0000-000000000000/takes/import/",
                              {"source": "ComfyUI"}, format="multipart").status_code == 404
    assert send(api, w.reviewer, w.shot, clip).status_code in (403, 404)  # client reviewers see no takes
    refused = send(api, w.legal, w.shot, clip)
    assert refused.status_code == 403 and "import takes" in refused.json()["detail"]
    assert send(api, w.agent, w.shot, clip).status_code == 404  # the agency is not in the studio
    assert not Take.objects.exists()
    assert send(api, w.producer, w.shot, clip).status_code == 201


def _enrol_face(w) -> None:
    photo = io.BytesIO()
    Image.fromarray(real_faces.astronaut()).save(photo, format="PNG")
    asset = rights_services.upload_asset(actor=w.agent, talent=w.ava, file=SimpleUploadedFile("ref.png", photo.getvalue()))
    assert asset.face_descriptor is not None


def _scanned(take_id, states) -> Take:
    def done():
        take = Take.objects.get(pk=take_id)
        return take if take.scan_state in states else None

    return wait_for(done, timeout=180, what=f"the likeness scan of take {take_id} to reach {states}")


@pytest.mark.slow
def test_the_media_worker_holds_an_imported_take_with_a_protected_face(transactional_db, live_worker, api, tmp_path):
    w = build_world(tag="th", roles=("producer", "artist"), talent=True, client_on_project=False)
    _enrol_face(w)
    face = real_faces.face_clip(tmp_path / "comfy_face.mp4", real_faces.astronaut(), seconds=2)
    response = send(api, w.artist, w.shot, face, prompt="a portrait in the airlock")
    assert response.status_code == 201, response.content
    take = _scanned(response.json()["id"], {"held", "clear", "matched", "failed"})
    assert take.scan_state == "held" and take.scan_talent == [w.ava.pk], take.scan_result

    row = api(w.producer).get(f"/api/v1/takes/{take.id}/").json()
    actions = {a["action"]: a for a in row["allowed_actions"]}
    assert "Ava Reyes" in row["likeness_scan"]["held_reason"]
    assert actions["publish"]["code"] == "blocked" and "Ava Reyes" in actions["publish"]["reason"]
    assert actions["request_consent"]["allowed"] is True
    refused = api(w.artist).post(f"/api/v1/takes/{take.id}/publish/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["error"] == "likeness_held" and "Ava Reyes" in refused.json()["detail"]
    assert refused.json()["request_consent"]["talent"][0]["talent_id"] == str(w.ava.pk)
    assert api(w.rival).get(f"/api/v1/takes/{take.id}/").status_code == 404

    grant = request_consent(requester=w.producer, talent=w.ava, studio=w.northlight, project=w.mr)
    _scanned(take.id, {"held", "clear", "matched", "failed"})  # the request's re-scan: still held
    give_consent(agent=w.agent, grant=grant)
    take = _scanned(take.id, {"matched", "clear", "failed"})
    assert take.scan_state == "matched"
    use = LikenessUse.objects.get(job_id=take.pk, talent=w.ava)  # an imported take's uses are keyed by the take
    assert use.via == "scan" and use.grant_id == grant.pk
    published = publish_take(api(w.artist), take.id)  # 202, then the media worker's conform (tests/generation/conftest.py)
    version = Version.objects.get(pk=published["version"]["id"])
    assert version.source == "upload" and version.lineage["source"] == "import" and version.lineage["tool"] == "ComfyUI"
    assert version.scan_state == "matched"  # inherited from the take
    use.refresh_from_db()
    assert use.version_id == version.pk
