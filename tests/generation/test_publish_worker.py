"""Publishing on the real media worker: the request answers 202 at once; a Celery worker consuming
`media` conforms the take (ffmpeg), makes the version, and the transcode pipeline makes its proxy."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from generation import encoding
from generation.models import Take
from projects.models import Version
from studio.realtime.models import Event as StoredEvent
from tests.generation.test_takes import cut, finished_take
from tests.support.waiting import wait_for


def test_the_media_worker_conforms_the_take_and_completes_the_version(transactional_db, live_worker, api, world, tmp_path):
    cut(world.shot, 36)
    take = finished_take(world, tmp_path)
    response = api(world.artist).post(f"/api/v1/takes/{take.id}/publish/", {"method": "retime"}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["publish"]["state"] == "conforming" and response.json()["version"] is None

    take = wait_for(lambda: Take.objects.filter(pk=take.pk).exclude(publish_state="conforming").first(), timeout=120,
                    what="the media worker to conform the take")
    assert take.publish_state == "published", take.publish_error
    version = Version.objects.get(pk=take.version_id)
    info = encoding.probe(Path(version.original.path))
    assert (info["fps"], info["frames"]) == (Fraction(24), 36)  # the project's rate, the shot's cut
    assert version.created_by == world.artist and version.lineage["take"] == str(take.id)
    created = StoredEvent.objects.filter(type="version.created").last()
    assert created is not None and created.data["id"] == str(version.id)
    updated = StoredEvent.objects.filter(type="take.updated").last()
    assert updated.data["version"] == str(version.id) and updated.data["publish_state"] == "published"
    # The transcode pipeline completes the version like any other: its review proxy.
    version = wait_for(lambda: Version.objects.filter(pk=version.pk).exclude(processing_status="processing").first(), timeout=180,
                       what="the version's review proxy")
    assert version.processing_status == "ready", version.failure_reason
