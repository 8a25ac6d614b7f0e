"""Conditional reads (projects/api/views/_conditional.py): ETag and 304 on the lists and details a
browser polls or revisits; validators change with every change shown and differ between callers."""

from __future__ import annotations

import pytest

from projects import services
from projects.models import Version
from tests.projects.conftest import make_user, show_to_client


@pytest.fixture
def version(studio):
    version = services.create_version(shot=studio.shot, source=Version.Source.UPLOAD, created_by=studio.artist, frame_count=48, fps=(24, 1))
    Version.objects.filter(pk=version.pk).update(processing_status="ready")
    show_to_client(studio.producer, version)  # the client reads it too (a client sees only what was submitted to them)
    return version


def urls(studio, version) -> dict[str, str]:
    return {
        "shot list": f"/api/v1/projects/{studio.project.id}/shots/?page_size=all",
        "sequences": f"/api/v1/projects/{studio.project.id}/sequences/",
        "sequence": f"/api/v1/projects/{studio.project.id}/sequences/{studio.sequence.id}/",
        "shot": f"/api/v1/shots/{studio.shot.id}/",
        "versions of a shot": f"/api/v1/shots/{studio.shot.id}/versions/",
        "version": f"/api/v1/versions/{version.id}/",
        "notes of a version": f"/api/v1/versions/{version.id}/comments/",
    }


def revisit(client, url):
    first = client.get(url)
    assert first.status_code == 200, (url, first.content)
    etag = first["ETag"]
    assert etag.startswith('W/"') and "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    return etag, again


def test_unchanged_reads_answer_304(studio, version, api):
    client = api(studio.producer)
    for name, url in urls(studio, version).items():
        etag, again = revisit(client, url)
        assert again.status_code == 304, name
        assert again.content == b"" and again["ETag"] == etag, name
        # a list of validators, or the strong form of the same one, matches too
        assert client.get(url, HTTP_IF_NONE_MATCH=f'"other", {etag.removeprefix("W/")}').status_code == 304, name
        assert client.get(url, HTTP_IF_NONE_MATCH='W/"something-else"').status_code == 200, name


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda s, v: services.update_shot(actor=s.supervisor, shot=s.shot, status="in_progress"), id="status"),
        pytest.param(lambda s, v: services.create_comment(actor=s.artist, version=v, body="darker", frame=1001), id="comment"),
        pytest.param(lambda s, v: services.create_version(shot=s.shot, source=Version.Source.UPLOAD, created_by=s.artist), id="version"),
        pytest.param(lambda s, v: services.create_sequence(actor=s.producer, project=s.project, code="AL_020"), id="sequence"),
    ],
)
def test_a_change_through_a_service_answers_200_with_a_new_etag(studio, version, api, change):
    client = api(studio.producer)
    before = {name: revisit(client, url)[0] for name, url in urls(studio, version).items()}
    change(studio, version)
    for name, url in urls(studio, version).items():
        response = client.get(url, HTTP_IF_NONE_MATCH=before[name])
        assert response.status_code == 200, name
        assert response["ETag"] != before[name], name


def test_callers_never_share_a_validator(studio, version, api):
    """A client reviewer sees less than the producer (no assignees, no internal notes); two studio people
    of different roles may be offered different actions: none of them shares the other's ETag."""
    services.create_comment(actor=studio.artist, version=version, body="internal", frame=1001, internal=True)
    for name, url in urls(studio, version).items():
        tags = {}
        for who in ("producer", "supervisor", "client"):
            response = api(getattr(studio, who)).get(url)
            assert response.status_code == 200, (name, who)
            tags[who] = response["ETag"]
        assert len(set(tags.values())) == 3, name
        # the producer's validator does not earn the client a 304
        assert api(studio.client).get(url, HTTP_IF_NONE_MATCH=tags["producer"]).status_code == 200, name


def test_a_role_change_changes_the_validator(studio, version, api):
    url = urls(studio, version)["shot list"]
    etag, _ = revisit(api(studio.artist), url)
    membership = studio.artist.memberships.get(organization=studio.org)
    membership.role = "supervisor"
    membership.save()
    assert api(studio.artist).get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_other_tenants_get_404_even_with_a_validator(studio, rival, version, api):
    producer = api(studio.producer)
    outsider = make_user("stranger@nowhere.test")
    for name, url in urls(studio, version).items():
        etag = producer.get(url)["ETag"]
        for stranger in (rival.producer, outsider):
            response = api(stranger).get(url, HTTP_IF_NONE_MATCH=etag)
            assert response.status_code == 404, (name, stranger.email)
            assert "ETag" not in response, name
