"""Consent end to end on a real Celery worker process: API → policy → broker → worker (diffusers,
ffmpeg) → version → agency review → approvals; and a grant revoked while a render runs.

The worker is started the way tests/generation starts its render workers (its own render queue,
here also a media queue of its own so versions get their review proxy). Renders are slowed
deterministically with many denoising steps at 256x256, and the tests act on observed progress
(`wait_step`), never after a sleep.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from projects.models import Version
from rights.models import LikenessUse
from studio.audit.models import AuditEvent
from tests.generation.conftest import (  # noqa: F401  (fixtures: the demo model and its profile)
    demo_model_folder,
    profile,
    publish_job,
    start_worker,
    takes_of,
    versions_of,
    wait_for,
    wait_state,
    wait_step,
)
from tests.generation.listener import GroupListener
from tests.rights.conftest import active_grant

pytestmark = pytest.mark.worker

QUEUE = "gpu-test-rights"
MEDIA_QUEUE = "media-test-rights"
TERMINAL = {"succeeded", "failed", "cancelled"}
SLOW = {"frames": 33, "width": 256, "height": 256}  # ~0.1 s per step on one CPU thread


@pytest.fixture(scope="module")
def rights_worker(django_db_setup, django_db_blocker, demo_model_folder):  # noqa: F811
    worker = start_worker(django_db_blocker, name="rights-gpu", queue=f"{QUEUE},{MEDIA_QUEUE}", MEDIA_QUEUE=MEDIA_QUEUE)
    yield worker
    worker.stop()


@pytest.fixture(autouse=True)
def _render_queue(settings):
    settings.GENERATION_QUEUE = QUEUE
    settings.MEDIA_QUEUE = MEDIA_QUEUE  # publishing's conform and the versions' media: this module's worker
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the demo accounts' passwords


def submit(client, shot, **body):
    response = client.post(f"/api/v1/shots/{shot.id}/generations/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["jobs"]


def ready(version_id) -> Version:
    return wait_for(lambda: Version.objects.filter(pk=version_id, processing_status="ready").first(), timeout=90,
                    what=f"version {version_id}'s review media")


def decide(client, version, lane, decision, note=""):
    return client.post(f"/api/v1/versions/{version.id}/approvals/", {"lane": lane, "decision": decision, "note": note}, format="json")


def test_revocation_while_a_render_runs_cancels_the_job_and_no_version_using_the_grant_can_be_approved(
    transactional_db, world, profile, rights_worker, api,  # noqa: F811
):
    grant = active_grant(world, requires_per_use_approval=True)
    artist, producer, agency = api(world.nl_artist), api(world.nl_producer), api(world.agent)

    # An earlier render under the grant has finished and its take was published: the version awaits the agency's review.
    (earlier,) = submit(artist, world.shot, prompt="Ava Reyes on the harbour wall", cast=[str(world.ava.pk)], steps=2)
    earlier = wait_state(earlier["id"], TERMINAL)
    assert earlier.state == "succeeded", earlier.error
    earlier_version = ready(publish_job(artist, earlier.pk).pk)
    assert LikenessUse.objects.get(job_id=earlier.pk).version_id == earlier_version.pk

    listener = GroupListener(world.mr.id)
    try:
        (job,) = submit(artist, world.shot, prompt="Ava Reyes walks the pier at night", cast=[str(world.ava.pk)], steps=100, **SLOW)
        running = wait_step(job["id"], 1)
        assert running.worker.startswith("rights-gpu@")
        r = agency.post(f"/api/v1/consents/{grant.pk}/revoke/", {"reason": "Ava withdrew consent"}, format="json")
        assert r.status_code == 200, r.content
        done = wait_state(job["id"], TERMINAL)
        wanted = {("consent.changed", "invalidated"), ("consent.changed", "revoked"), ("version.updated", "quarantined"),
                  ("job.state_changed", "cancelled")}
        kinds: set = set()
        while not wanted <= kinds:
            event, _ = listener.next_event(timeout=30)
            if event.get("job") in (None, job["id"]):
                kinds.add((event["type"], event["data"].get("change") or event["data"].get("state")))
    finally:
        listener.close()

    # The running job stopped at a step boundary, long before its last step, and produced no version.
    assert done.state == "cancelled", done.error
    assert running.progress["step"] <= done.progress["step"] < 100
    assert done.version_id is None and versions_of(job["id"]) == [] and takes_of(job["id"]) == []
    assert "revoked" in done.error and "Ava withdrew consent" in done.error
    assert Version.objects.filter(shot=world.shot).count() == 1  # only the earlier one
    # (The studio was told live on the project channel: the loop above waited for each of those events,
    # and times out otherwise.)

    # Every use of the grant is invalidated; the earlier version is quarantined and says why.
    assert set(LikenessUse.objects.filter(grant=grant).values_list("state", flat=True)) == {"invalidated"}
    earlier_version.refresh_from_db()
    assert earlier_version.quarantined_at is not None and "Ava withdrew consent" in earlier_version.quarantine_reason

    # No version that used the grant can be approved: not by the producer, not by the agency.
    used = Version.objects.filter(likeness_uses__grant=grant).distinct()
    assert list(used) == [earlier_version]
    for version in used:
        refused = decide(producer, version, "producer", "approved")
        assert refused.status_code == 403 and refused.json()["reasons"][0]["code"] == "quarantined"
        assert "Ava withdrew consent" in refused.json()["reasons"][0]["message"]
        by_agency = decide(agency, version, "agency", "approved")
        assert by_agency.status_code == 403 and by_agency.json()["reasons"][0]["code"] == "quarantined"
        assert producer.get(f"/api/v1/versions/{version.id}/media/original/").status_code == 403
        assert Version.objects.get(pk=version.pk).approval_status == "pending"

    # Everything is in the verified audit chains.
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().startswith("OK:")
    studio_chain = AuditEvent.objects.filter(chain=str(world.northlight.pk))
    assert studio_chain.filter(action="consent.revoked").count() == 1
    assert studio_chain.filter(action="generation.cancel_requested", target_id=job["id"], actor_label="consent revoked").exists()
    assert studio_chain.filter(action="generation.cancelled", target_id=job["id"]).exists()
    assert studio_chain.filter(action="version.quarantined", target_id=str(earlier_version.pk)).exists()
    assert studio_chain.filter(action="consent.denied", data__purpose="approve").exists()
    assert AuditEvent.objects.filter(chain=str(world.crescent.pk), action="likeness_use.invalidated").exists()


def test_demo_an_artist_casts_ava_on_a_moonrise_shot_and_the_agent_reviews_the_use(
    transactional_db, profile, demo, rights_worker, api, settings,  # noqa: F811
):
    from projects.models import Shot
    from studio.tenancy.models import User

    assert demo["grants"]["Ava Reyes / MR"].state == "active"
    ava, leo = demo["talent"]["Ava Reyes"], demo["talent"]["Leo Park"]
    users = {u.email: u for u in User.objects.filter(email__in=[
        "artist@northlight.test", "producer@northlight.test", "client@northlight.test", "agent@crescent.test"])}
    artist, agent = api(users["artist@northlight.test"]), api(users["agent@crescent.test"])
    shot = Shot.objects.get(project__code="MR", code="MR_010_0060")

    # Leo Park has no grant: refused with the reason; Ava Reyes is covered (her agency reviews each use).
    refused = artist.post(f"/api/v1/shots/{shot.id}/generations/", {"prompt": "Mara looks back", "cast": [str(leo.pk)]}, format="json")
    assert refused.status_code == 403 and refused.json()["reasons"][0]["talent"] == "Leo Park"
    (job,) = submit(artist, shot, prompt="Mara (Ava Reyes) looks back at the lander, helmet reflection", cast=[str(ava.pk)], steps=2)
    done = wait_state(job["id"], TERMINAL)
    assert done.state == "succeeded", done.error
    version = ready(publish_job(artist, done.pk).pk)  # the take the artist picks becomes the version under review

    # The agent sees the use awaiting review: studio, project, shot, prompt, the version — and its proxy.
    pending = agent.get("/api/v1/likeness-uses/?state=pending_review").json()["results"]
    assert len(pending) == 1
    use = pending[0]
    assert (use["studio"]["name"], use["project"]["name"], use["shot_code"]) == ("Northlight Pictures", "Moonrise", "MR_010_0060")
    assert use["prompt"].startswith("Mara (Ava Reyes)") and use["version"]["id"] == str(version.id)
    # The agency streams its own watermarked copy, made on the media queue (202 until it is ready).
    def marked_proxy():
        response = agent.get(f"/api/v1/likeness-uses/{use['id']}/proxy/")
        assert response.status_code in (200, 202), response.status_code
        return response if response.status_code == 200 else None

    proxy = wait_for(marked_proxy, timeout=180, interval=0.5, what="the agency's watermarked copy")
    assert proxy["Content-Type"] == "video/mp4" and b"".join(proxy.streaming_content) != version.proxy.read()

    producer, client = api(users["producer@northlight.test"]), api(users["client@northlight.test"])
    assert decide(producer, version, "producer", "approved").status_code == 403  # the agency first
    assert decide(agent, version, "agency", "approved", "Approved for the harbour pickups").status_code == 201
    assert decide(producer, version, "producer", "approved").status_code == 201
    # The client decides what was submitted to them (docs/RIGHTS.md, "What a client sees").
    submitted = producer.post(f"/api/v1/projects/{version.project_id}/submissions/", {"versions": [str(version.pk)]}, format="json")
    assert submitted.status_code == 201, submitted.content
    final = decide(client, version, "client", "approved")
    assert final.status_code == 201 and final.json()["status"] == "approved"
    lanes = {lane["lane"]: lane["state"] for lane in final.json()["lanes"]}
    assert lanes == {"producer": "approved", "client": "approved", "agency": "approved"}
    assert agent.get("/api/v1/likeness-uses/?state=approved").json()["count"] == 1
