"""Uploading a video as a new version: it is probed first, and bad files get a 4xx that says why."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Version
from studio.tenancy.models import Role
from tests.projects.conftest import make_user, show_to_client


def _upload(api, user, shot, path, name=None, **extra):
    with open(path, "rb") as fh:
        return api(user).post(
            f"/api/v1/shots/{shot.id}/versions/",
            {"file": SimpleUploadedFile(name or path.name, fh.read(), content_type="video/mp4"), **extra},
            format="multipart",
        )


def test_artist_uploads_a_video_as_the_next_version(studio, api, clips, media_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _upload(api, studio.artist, studio.shot, clips["good"], note="first pass")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["label"] == "v001"
    assert body["frame_count"] == 48
    assert body["fps"] == "24/1"
    assert (body["width"], body["height"]) == (320, 180)
    assert body["first_frame"] == 1001 and body["last_frame"] == 1048
    assert body["processing_status"] == "processing"
    assert body["media"]["original"].endswith("/media/original/")
    assert body["media"]["proxy"] is None
    version = Version.objects.get(pk=body["id"])
    assert version.original.read() == clips["good"].read_bytes()  # kept untouched
    assert str(version.project_id) in version.original.name and str(version.id) in version.original.name
    studio.shot.refresh_from_db()
    assert studio.shot.current_version_id == version.id
    assert studio.shot.status == "review"
    # version.created and shot.updated are published, the media task and the likeness scan are queued, all after commit
    assert len(callbacks) == 4
    assert sum("send_media" in cb.__code__.co_names for cb in callbacks) == 2  # the media task and the scan, sent on commit


def test_a_text_file_renamed_mp4_is_refused(studio, api, clips, media_root):
    response = _upload(api, studio.artist, studio.shot, clips["text"])
    assert response.status_code == 400
    body = response.json()
    assert "not a video" in body["fields"]["file"][0]
    assert str(clips["text"].parent) not in body["detail"]  # no server paths in messages
    assert not Version.objects.exists()


def test_a_truncated_mp4_is_refused(studio, api, clips, media_root):
    response = _upload(api, studio.artist, studio.shot, clips["truncated"])
    assert response.status_code == 400
    assert "truncated" in response.json()["fields"]["file"][0]
    assert not Version.objects.exists()


def test_an_mp4_cut_before_its_index_is_refused_as_incomplete(studio, api, clips, media_root):
    response = _upload(api, studio.artist, studio.shot, clips["cut_before_index"])
    assert response.status_code == 400
    assert "incomplete" in response.json()["fields"]["file"][0]


@pytest.mark.parametrize("kind,words", [("image", "still image"), ("audio", "no video stream")])
def test_images_and_audio_are_not_videos(studio, api, clips, media_root, kind, words):
    response = _upload(api, studio.artist, studio.shot, clips[kind])
    assert response.status_code == 400
    assert words in response.json()["fields"]["file"][0]


def test_an_oversized_upload_is_refused_with_413(studio, api, clips, media_root, settings):
    settings.MAX_UPLOAD_BYTES = 10_000
    response = _upload(api, studio.artist, studio.shot, clips["good"])
    assert response.status_code == 413
    assert "limit is 10,000 bytes" in response.json()["detail"]
    assert not Version.objects.exists()


def test_an_upload_declaring_a_huge_body_is_refused_before_it_is_read(studio, api, media_root, settings):
    settings.MAX_UPLOAD_BYTES = 1_000_000
    response = api(studio.artist).generic(
        "POST",
        f"/api/v1/shots/{studio.shot.id}/versions/",
        b"x" * 10,
        content_type="multipart/form-data; boundary=zzz",
        CONTENT_LENGTH="50000000",
    )
    assert response.status_code == 413


def test_a_video_longer_than_the_limit_is_refused(studio, api, clips, media_root, settings):
    settings.MAX_UPLOAD_SECONDS = 1
    response = _upload(api, studio.artist, studio.shot, clips["good"])
    assert response.status_code == 400
    assert "the limit is 1 s" in response.json()["fields"]["file"][0]


def test_missing_or_empty_file_is_explained(studio, api, media_root, tmp_path):
    response = api(studio.artist).post(f"/api/v1/shots/{studio.shot.id}/versions/", {"note": "x"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["fields"]["file"][0].startswith("Choose a video to upload")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    response = _upload(api, studio.artist, studio.shot, empty)
    assert response.status_code == 400
    assert response.json()["fields"]["file"][0] == "The file is empty (0 bytes); choose a video with content to upload."
    not_a_file = api(studio.artist).post(f"/api/v1/shots/{studio.shot.id}/versions/", {"file": "clip.mp4"}, format="multipart")
    assert not_a_file.status_code == 400
    assert "choose a video to upload" in not_a_file.json()["fields"]["file"][0]


def test_client_reviewers_and_legal_cannot_upload(studio, api, clips, media_root):
    shown = Version.objects.create(project=studio.project, shot=studio.shot, number=1, source="upload", processing_status="ready")
    show_to_client(studio.producer, shown)  # the client sees the shot (a client sees only what was submitted to them)
    for user in (studio.client, studio.legal):
        response = _upload(api, user, studio.shot, clips["good"])
        assert response.status_code == 403
        assert "add versions" in response.json()["detail"]
    assert list(Version.objects.all()) == [shown]


def test_uploading_to_another_studios_shot_is_404(studio, rival, api, clips, media_root):
    response = _upload(api, rival.producer, studio.shot, clips["good"])
    assert response.status_code == 404
    assert not Version.objects.exists()


def test_a_dangerous_file_name_is_made_safe(studio, api, clips, media_root):
    response = _upload(api, studio.artist, studio.shot, clips["good"], name="../../etc/pass wd.mp4")
    assert response.status_code == 201
    version = Version.objects.get(pk=response.json()["id"])
    assert ".." not in version.original.name
    assert version.original_name == "pass_wd.mp4"


def test_version_note_is_edited_by_its_author_or_supervisors(studio, api, clips, media_root):
    body = _upload(api, studio.artist, studio.shot, clips["good"]).json()
    url = f"/api/v1/versions/{body['id']}/"
    assert api(studio.artist).patch(url, {"note": "tweaked the sky"}, format="json").json()["note"] == "tweaked the sky"
    other_artist = make_user(org=studio.org, role=Role.ARTIST)
    assert api(other_artist).patch(url, {"note": "mine now"}, format="json").status_code == 403
    assert api(studio.client).patch(url, {"note": "client"}, format="json").status_code == 404  # not submitted to them
    Version.objects.filter(pk=body["id"]).update(processing_status="ready")
    show_to_client(studio.producer, Version.objects.get(pk=body["id"]))
    assert api(studio.client).patch(url, {"note": "client"}, format="json").status_code == 403
    assert api(studio.supervisor).patch(url, {"note": "approved for dailies"}, format="json").status_code == 200
    assert api(studio.client).get(url).json()["note"] == "approved for dailies"
