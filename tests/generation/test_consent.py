"""Consent in the generation engine: the policy check at submit (cast and names in the prompts),
the likeness uses recorded with the jobs, the re-check when the render really starts, a talent's
reference image read through the policy, and jobs cancelled when a grant stops covering them.

The render task body runs in this process where a render is needed (as in test_image_to_video);
the worker-process path is tested end to end in tests/rights/test_end_to_end.py.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import redis as redis_lib
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from generation import services
from generation.models import GenerationJob, Take
from generation.tasks import render_generation
from projects.models import Version
from rights import services as rights_services
from rights.models import ConsentGrant, LikenessUse
from studio.audit.models import AuditEvent
from studio.realtime.models import Event
from tests.generation.conftest import consent

IN_PROCESS_QUEUE = "gpu-test-consent-in-process"


@pytest.fixture(autouse=True)
def _no_worker_takes_these_jobs(settings):
    """These tests render in-process (`render_generation(job_id)`): their jobs are sent to a queue no
    worker consumes, so a session worker started by another module never takes a job first."""
    settings.GENERATION_QUEUE = IN_PROCESS_QUEUE
    yield
    broker = redis_lib.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        broker.delete(IN_PROCESS_QUEUE)
    finally:
        broker.close()


def post(api, user, shot, body, fmt="json"):
    return api(user).post(f"/api/v1/shots/{shot.id}/generations/", body, format=fmt)


def chain(org) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(chain=str(org.pk)).order_by("seq"))


@pytest.fixture
def leo(world):
    """A registered talent of the agency with no grant at all."""
    return rights_services.create_talent(actor=world.agent, agency=world.agency, name="Leo Park", aliases=["Park Ji-ho"])


# ----------------------------------------------------------------------------- submit
@pytest.mark.django_db
def test_an_unconsented_cast_member_is_refused_with_reasons_nothing_is_written_and_the_denial_is_audited(api, world, leo):
    ava, _ = consent(world)
    response = post(api, world.artist, world.shot, {"prompt": "two figures on the pier", "cast": [str(ava.pk), str(leo.pk)], "count": 2})
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["error"] == "consent_denied" and body["outcome"] == "deny" and body["purpose"] == "generation"
    assert "Leo Park" in body["detail"]
    assert [(r["code"], r["talent"], r["via"], r["agency"]) for r in body["reasons"]] == [
        ("no_grant_for_studio", "Leo Park", "cast", "Crescent Talent")
    ]
    assert GenerationJob.objects.count() == 0 and LikenessUse.objects.count() == 0
    # Audited in the studio's chain (who, what, why) and in the agency's (its client was involved).
    studio_denial = [e for e in chain(world.northlight) if e.action == "consent.denied"]
    agency_denial = [e for e in chain(world.agency) if e.action == "consent.denied"]
    assert len(studio_denial) == len(agency_denial) == 1
    assert studio_denial[0].actor_id == world.artist.pk and studio_denial[0].data["purpose"] == "generation"
    assert [r["talent"] for r in agency_denial[0].data["reasons"]] == ["Leo Park"]
    assert agency_denial[0].data["studio"]["name"] == "Northlight Pictures"
    assert not AuditEvent.objects.filter(action="generation.submitted").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "close-up of LEO   PARK walking on the pier"},
        {"prompt": "a man on the pier, in the style of park ji-ho"},
        {"prompt": "a man on the pier", "negative_prompt": "Léo-Park, blurry"},
        {"prompt": "a man on the pier like L.e.o P.a.r.k"},
    ],
    ids=["spacing-and-case", "alias", "negative-prompt-accent", "punctuated"],
)
def test_a_talent_named_in_the_prompt_without_consent_is_refused(api, world, leo, body):
    response = post(api, world.artist, world.shot, body)
    assert response.status_code == 403, response.content
    reasons = response.json()["reasons"]
    assert [(r["talent"], r["via"], r["code"]) for r in reasons] == [("Leo Park", "prompt", "no_grant_for_studio")]
    assert reasons[0]["matched"]
    assert GenerationJob.objects.count() == 0
    assert AuditEvent.objects.filter(chain=str(world.agency.pk), action="consent.denied").count() == 1


@pytest.mark.django_db
def test_ordinary_words_that_contain_a_name_are_not_a_false_alarm(api, world, leo):
    response = post(api, world.artist, world.shot, {"prompt": "a leopard in the park at dusk, parking lot lights"})
    assert response.status_code == 201, response.content
    assert LikenessUse.objects.count() == 0


def test_a_denied_submission_sends_no_task_and_an_allowed_one_does(transactional_db, api, world, leo, settings):
    """What reaches the broker: nothing for a refused submission (the queue stays empty after commit)."""
    settings.GENERATION_QUEUE = queue = "gpu-test-consent-nothing-queued"
    broker = redis_lib.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(queue)
    try:
        assert post(api, world.artist, world.shot, {"prompt": "Leo Park at the window", "count": 3}).status_code == 403
        assert broker.llen(queue) == 0 and GenerationJob.objects.count() == 0
        assert post(api, world.artist, world.shot, {"prompt": "an empty window", "count": 2}).status_code == 201
        assert broker.llen(queue) == 2
    finally:
        broker.delete(queue)
        broker.close()


@pytest.mark.django_db
def test_a_covered_cast_is_recorded_as_likeness_uses_awaiting_the_agencys_review(api, world):
    ava, grant = consent(world, requires_per_use_approval=True)
    response = post(api, world.artist, world.shot, {"prompt": "Ava Reyes on the harbour wall", "cast": [str(ava.pk)], "count": 2})
    assert response.status_code == 201, response.content
    jobs = response.json()["jobs"]
    assert all(j["parameters"]["use_type"] == "digital_replica" for j in jobs)
    uses = list(LikenessUse.objects.order_by("created_at"))
    assert sorted(str(u.job_id) for u in uses) == sorted(j["id"] for j in jobs)
    assert {(u.grant_id, u.state, u.via, u.shot_id) for u in uses} == {(grant.pk, "pending_review", "cast", world.shot.pk)}
    submitted = AuditEvent.objects.filter(action="generation.submitted").first()
    assert submitted.data["consent"] == "needs_agency_review" and submitted.data["cast"] == [str(ava.pk)]
    # The agency sees the uses awaiting its review.
    listed = api(world.agent).get("/api/v1/likeness-uses/?state=pending_review").json()["results"]
    assert {u["job_id"] for u in listed} == {j["id"] for j in jobs}


@pytest.mark.django_db
def test_the_use_type_is_checked_against_the_grant(api, world):
    ava, _ = consent(world)  # digital_replica only
    response = post(api, world.artist, world.shot, {"prompt": "x", "cast": [str(ava.pk)], "use_type": "digital_alteration"})
    assert response.status_code == 403
    assert response.json()["reasons"][0]["code"] == "use_type_not_granted"
    response = post(api, world.artist, world.shot, {"prompt": "x", "cast": [str(ava.pk)], "use_type": "hologram"})
    assert response.status_code == 400 and "use_type" in response.json()["fields"]
    assert GenerationJob.objects.count() == 0


@pytest.mark.django_db
def test_a_grant_for_another_project_does_not_cover_this_one(api, world):
    ava, _ = consent(world, project=world.other_project)
    response = post(api, world.artist, world.shot, {"prompt": "x", "cast": [str(ava.pk)]})
    assert response.status_code == 403 and response.json()["reasons"][0]["code"] == "wrong_project"
    assert post(api, world.artist, world.other_shot, {"prompt": "x", "cast": [str(ava.pk)]}).status_code == 201


# ----------------------------------------------------------------------------- render time
@pytest.mark.django_db
def test_the_render_rechecks_consent_when_it_starts_and_fails_without_a_version(api, world):
    ava, grant = consent(world)
    (job,) = post(api, world.artist, world.shot, {"prompt": "Ava Reyes at dawn", "cast": [str(ava.pk)], "steps": 1}).json()["jobs"]
    # The term ends while the job waits in the queue (beat has not recorded the expiry yet).
    ConsentGrant.objects.filter(pk=grant.pk).update(valid_from=timezone.now() - dt.timedelta(days=2),
                                                    valid_until=timezone.now() - dt.timedelta(seconds=1))
    assert render_generation(job["id"]) == "denied"
    done = GenerationJob.objects.get(pk=job["id"])
    assert done.state == "failed" and done.attempts == 1 and done.version_id is None
    assert "checked when it started" in done.error and "expired" in done.error
    assert not Version.objects.exists() and not Take.objects.exists()
    denial = AuditEvent.objects.filter(chain=str(world.northlight.pk), action="consent.denied").get()
    assert denial.data["purpose"] == "render" and denial.actor_label.startswith("render worker")
    assert AuditEvent.objects.filter(chain=str(world.agency.pk), action="consent.denied").exists()


def test_a_covered_render_is_a_take_and_publishing_it_links_the_version_to_the_likeness_uses(transactional_db, api, world):
    ava, _ = consent(world, requires_per_use_approval=True)
    (job,) = post(api, world.artist, world.shot, {"prompt": "Ava Reyes at dawn", "cast": [str(ava.pk)], "steps": 1}).json()["jobs"]
    assert render_generation(job["id"]) == "succeeded"
    take = Take.objects.get(job_id=job["id"])
    use = LikenessUse.objects.get()
    assert use.version_id is None and use.state == "pending_review"  # a take is not a version: nothing to review yet
    row = api(world.artist).get(f"/api/v1/takes/{take.id}/").json()
    assert row["consent_state"] == "pending_review" and row["consent"]["cast"] == [str(ava.pk)]
    version = services.publish_take(actor=world.artist, take=take)
    use.refresh_from_db()
    assert use.version_id == version.pk and use.state == "pending_review"
    assert version.lineage["cast"] == [str(ava.pk)] and version.lineage["use_type"] == "digital_replica"


# ----------------------------------------------------------------------------- stops covering
@pytest.mark.django_db
def test_revoking_cancels_queued_jobs_at_once_shows_why_and_notifies(api, world):
    ava, grant = consent(world)
    jobs = post(api, world.artist, world.shot, {"prompt": "Ava Reyes", "cast": [str(ava.pk)], "count": 2}).json()["jobs"]
    (other,) = post(api, world.artist, world.shot, {"prompt": "an empty pier"}).json()["jobs"]
    response = api(world.agent).post(f"/api/v1/consents/{grant.pk}/revoke/", {"reason": "Ava withdrew consent"}, format="json")
    assert response.status_code == 200, response.content
    for job in jobs:
        body = api(world.artist).get(f"/api/v1/generations/{job['id']}/").json()
        assert body["state"] == "cancelled" and body["cancel_requested"] is True
        assert "revoked" in body["error"] and "Ava withdrew consent" in body["error"]
    assert GenerationJob.objects.get(pk=other["id"]).state == "queued"  # jobs without the talent are untouched
    cancelled = AuditEvent.objects.filter(chain=str(world.northlight.pk), action="generation.cancelled")
    assert sorted(e.target_id for e in cancelled) == sorted(j["id"] for j in jobs)
    assert {e.actor_label for e in cancelled} == {"consent revoked"}
    states = [e.data["state"] for e in Event.objects.filter(stream_id=world.project.pk, type="job.state_changed").order_by("seq")]
    assert states.count("cancelled") == 2
    # A queued job the consent change cancelled never renders.
    assert render_generation(jobs[0]["id"]) == "skipped"


@pytest.mark.django_db
def test_suspending_requests_cancel_of_a_running_job(api, world):
    ava, grant = consent(world)
    (job,) = post(api, world.artist, world.shot, {"prompt": "x", "cast": [str(ava.pk)]}).json()["jobs"]
    running = services.start_attempt(job_id=job["id"], worker=services.WorkerIdentity.current("gen-test@here"))
    assert running.state == "running"
    rights_services.suspend_grant(actor=world.agent, grant=grant, reason="Strike")
    job_now = GenerationJob.objects.get(pk=job["id"])
    assert job_now.state == "running" and job_now.cancel_requested  # stops at its next step
    assert services.record_progress(job_id=job["id"], attempt=1, step=1, total=4, elapsed=0.1) is True
    assert AuditEvent.objects.filter(action="generation.cancel_requested", target_id=job["id"], actor_label="consent suspended").exists()


# ----------------------------------------------------------------------------- reference images (image-to-video)
def png_bytes(color=(200, 80, 20), size=(64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def i2v_profile(transactional_db, demo_model_folder):
    from pathlib import Path

    from tests.generation.tiny_i2v import build_tiny_ltx_i2v

    folder = build_tiny_ltx_i2v(Path(settings.MODELS_DIR) / "ltx-i2v-tiny-test")
    values = services.profile_values_for_folder(
        folder, default_width=64, default_height=64, default_frames=9, default_steps=2, min_width=32, min_height=32, min_frames=9,
        max_frames=33, max_sequence_length=32, default_negative_prompt="",
    )
    return services.register_model_profile(name="ltx-i2v-tiny", folder=folder, values=values)[0]


def test_a_talent_reference_image_conditions_an_image_to_video_render_through_the_policy(transactional_db, api, world, i2v_profile, leo):
    ava, grant = consent(world)
    asset = rights_services.upload_asset(actor=world.agent, talent=ava, file=SimpleUploadedFile("ava.png", png_bytes()))
    leo_asset = rights_services.upload_asset(actor=world.agent, talent=leo, file=SimpleUploadedFile("leo.png", png_bytes()))

    # Refusals: a text-to-video model, an asset the studio holds no grant for, an init image as well.
    r = post(api, world.artist, world.shot, {"prompt": "x", "likeness_asset": str(asset.pk)})
    assert r.status_code == 400 and "text-to-video" in r.json()["fields"]["likeness_asset"][0]
    r = post(api, world.artist, world.shot, {"prompt": "x", "model": "ltx-i2v-tiny", "likeness_asset": str(leo_asset.pk)})
    assert r.status_code == 400 and "No likeness asset with this id" in r.json()["fields"]["likeness_asset"][0]
    r = post(api, world.foreign, world.foreign_shot, {"prompt": "x", "model": "ltx-i2v-tiny", "likeness_asset": str(asset.pk)})
    assert r.status_code == 400 and "No likeness asset with this id" in r.json()["fields"]["likeness_asset"][0]
    assert GenerationJob.objects.count() == 0

    r = post(api, world.artist, world.shot, {"prompt": "she turns to the sea", "model": "ltx-i2v-tiny", "likeness_asset": str(asset.pk),
                                             "count": 2, "seed": 3})
    assert r.status_code == 201, r.content
    first, second = r.json()["jobs"]
    assert first["cast"] == [str(ava.pk)] and first["parameters"]["likeness_asset"] == str(asset.pk)
    assert first["has_init_image"] is False
    assert render_generation(first["id"]) == "succeeded"
    take = Take.objects.get(job_id=first["id"])
    assert take.lineage["likeness_asset"] == str(asset.pk) and take.lineage["model"]["kind"] == "i2v"

    # Suspended before the second render starts: it is cancelled, and the image is never read for it.
    rights_services.suspend_grant(actor=world.agent, grant=grant, reason="Dispute hold")
    assert GenerationJob.objects.get(pk=second["id"]).state == "cancelled"
    # Even a job that slipped through (here: re-queued by hand) cannot render while the grant is suspended.
    GenerationJob.objects.filter(pk=second["id"]).update(state="queued", cancel_requested=False, finished_at=None)
    assert render_generation(second["id"]) == "denied"
    assert "suspended" in GenerationJob.objects.get(pk=second["id"]).error


# ----------------------------------------------------------------------------- expiry (beat)
def test_beat_expires_lapsed_grants_cancelling_their_jobs_and_quarantining_their_versions(transactional_db, api, world, settings):
    from rights.tasks import expire_lapsed_grants
    from studio.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["rights-expire-lapsed-grants"]
    assert entry["task"] == "rights.tasks.expire_lapsed_grants" and entry["schedule"] <= 600
    assert "rights.tasks.expire_lapsed_grants" in app.tasks

    ava, grant = consent(world)
    (rendered,) = post(api, world.artist, world.shot, {"prompt": "Ava Reyes", "cast": [str(ava.pk)], "steps": 1}).json()["jobs"]
    assert render_generation(rendered["id"]) == "succeeded"
    version = services.publish_take(actor=world.artist, take=Take.objects.get(job_id=rendered["id"]))
    (unpublished,) = post(api, world.artist, world.shot, {"prompt": "Ava Reyes", "cast": [str(ava.pk)], "steps": 1}).json()["jobs"]
    assert render_generation(unpublished["id"]) == "succeeded"
    (waiting,) = post(api, world.artist, world.shot, {"prompt": "Ava Reyes", "cast": [str(ava.pk)]}).json()["jobs"]
    assert expire_lapsed_grants() == 0  # nothing has lapsed yet

    ConsentGrant.objects.filter(pk=grant.pk).update(valid_until=timezone.now() - dt.timedelta(minutes=1))
    assert expire_lapsed_grants() == 1
    assert ConsentGrant.objects.get(pk=grant.pk).state == "expired"
    job = GenerationJob.objects.get(pk=waiting["id"])
    assert job.state == "cancelled" and "expired" in job.error
    version.refresh_from_db()
    assert version.quarantined_at is not None and "expired" in version.quarantine_reason
    assert AuditEvent.objects.filter(chain=str(world.northlight.pk), action="version.quarantined", actor_label="consent expired").exists()
    # A take the grant stopped covering cannot become a version.
    stale = Take.objects.get(job_id=unpublished["id"])
    refused = api(world.artist).post(f"/api/v1/takes/{stale.id}/publish/", {}, format="json")
    assert refused.status_code == 409 and "Consent stopped covering this take" in refused.json()["detail"]
    assert api(world.artist).get(f"/api/v1/takes/{stale.id}/").json()["consent_state"] == "invalidated"
    assert expire_lapsed_grants() == 0  # recorded once
