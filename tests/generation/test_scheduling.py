"""Fair GPU scheduling without a worker: the dispatcher's order and limits, priority, quotas, the
ledger, queue estimates, and the tenancy of every new endpoint (tests/generation/test_fair_share.py
runs the same dispatcher against a real Celery worker).

`dispatch()` is called directly: in these tests the submit transaction never commits, so the
dispatch it asks for after commit does not run and nothing reaches the broker."""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from generation import services
from generation.models import GenerationJob, GpuAllowance, GpuUsage
from tests.generation.conftest import submit

pytestmark = pytest.mark.django_db


def _jobs(api, user, shot, n: int, **body) -> list[str]:
    ids: list[str] = []
    while len(ids) < n:
        ids += [j["id"] for j in submit(api(user), shot, count=min(8, n - len(ids)), **body)]
    return ids


def _released(ids) -> list[str]:
    return [str(pk) for pk in GenerationJob.objects.filter(pk__in=ids, dispatched_at__isnull=False).values_list("pk", flat=True)]


def _finish(job_id, *, seconds: float = 2.0) -> GenerationJob:
    """What a worker does to a job, without the render: run it, then succeed (the ledger row and all)."""
    job = GenerationJob.objects.get(pk=job_id)
    now = timezone.now()
    job.state, job.attempts, job.started_at = GenerationJob.State.RUNNING, 1, now - timedelta(seconds=seconds)
    job.save()
    job.state, job.finished_at, job.timings = GenerationJob.State.SUCCEEDED, now, {"total": seconds}
    job.save()
    services.record_usage(job)
    return job


def test_a_second_studio_is_released_before_the_first_studios_backlog(world, api, settings):
    settings.GENERATION_GPU_SLOTS = 1
    a_jobs = _jobs(api, world.producer, world.shot, 30)
    assert services.dispatch() == 1
    first = _released(a_jobs)
    assert first == [a_jobs[0]]  # the studio's own order: oldest first
    b_job = _jobs(api, world.rival, world.hl_shot, 1)[0]
    assert services.dispatch() == 0  # the one slot is taken: nothing jumps in
    _finish(first[0])
    assert services.dispatch() == 1
    assert _released([b_job]) == [b_job]  # Harbor had never been served: its job goes before Northlight's 29
    _finish(b_job)
    assert services.dispatch() == 1
    assert len(_released(a_jobs)) == 2


def test_the_concurrency_limit_of_a_studio_holds_and_the_slots_are_shared(world, api, settings):
    settings.GENERATION_GPU_SLOTS = 4
    GpuAllowance.objects.create(organization=world.northlight, max_concurrent=2)
    GpuAllowance.objects.create(organization=world.harbor, max_concurrent=2)
    a_jobs = _jobs(api, world.producer, world.shot, 6)
    b_jobs = _jobs(api, world.rival, world.hl_shot, 3)
    assert services.dispatch() == 4
    assert len(_released(a_jobs)) == 2 and len(_released(b_jobs)) == 2
    assert services.dispatch() == 0
    _finish(_released(a_jobs)[0])
    assert services.dispatch() == 1
    assert len(_released(a_jobs)) == 3  # Harbor is at its limit; Northlight's freed slot goes to its next job


def test_priority_moves_a_waiting_job_within_its_studio(world, api, settings):
    settings.GENERATION_GPU_SLOTS = 1
    ids = _jobs(api, world.producer, world.shot, 3)
    assert api(world.artist).post(f"/api/v1/generations/{ids[2]}/priority/", {"priority": 5}, format="json").status_code == 403
    bad = api(world.producer).post(f"/api/v1/generations/{ids[2]}/priority/", {"priority": 11}, format="json")
    assert bad.status_code == 400 and "0 (normal) to 10" in bad.json()["detail"]
    raised = api(world.producer).post(f"/api/v1/generations/{ids[2]}/priority/", {"priority": 5}, format="json")
    assert raised.status_code == 200 and raised.json()["priority"] == 5
    services.dispatch()
    assert _released(ids) == [ids[2]]
    late = api(world.producer).post(f"/api/v1/generations/{ids[2]}/priority/", {"priority": 9}, format="json")
    assert late.status_code == 409 and "already sent to a GPU" in late.json()["detail"]


def test_a_submit_beyond_the_monthly_quota_is_refused_with_the_quota_the_use_and_the_reset(world, api):
    assert api(world.producer).patch(f"/api/v1/organizations/{world.northlight.id}/gpu-allowance/",
                                     {"monthly_gpu_seconds": 3}, format="json").status_code == 403  # owners only
    response = api(world.owner).patch(f"/api/v1/organizations/{world.northlight.id}/gpu-allowance/",
                                      {"monthly_gpu_seconds": 3, "max_concurrent": 2}, format="json")
    assert response.status_code == 200 and response.json()["monthly_gpu_seconds"] == 3
    _finish(_jobs(api, world.producer, world.shot, 1)[0], seconds=4.0)
    shown = api(world.producer).get(f"/api/v1/organizations/{world.northlight.id}/gpu-allowance/").json()
    assert shown["used_gpu_seconds"] == 4.0 and shown["max_concurrent"] == 2  # producers see what they render against
    refused = api(world.producer).post(f"/api/v1/shots/{world.shot.id}/generations/", {"prompt": "one more"}, format="json")
    body = refused.json()
    assert refused.status_code == 429 and body["error"] == "gpu_quota_exceeded"
    assert body["quota_seconds"] == 3 and body["used_seconds"] == 4.0 and body["resets_at"] == shown["resets_at"]
    assert "3 GPU seconds" in body["detail"] and "resets at" in body["detail"]
    assert GenerationJob.objects.filter(prompt="one more").count() == 0
    assert submit(api(world.rival), world.hl_shot)  # another studio's quota is its own
    bad = api(world.owner).patch(f"/api/v1/organizations/{world.northlight.id}/gpu-allowance/", {"max_concurrent": 0}, format="json")
    assert bad.status_code == 400 and "max_concurrent" in bad.json()["fields"]


def test_the_usage_ledger_sums_gpu_seconds_per_project_user_and_model_and_exports_csv(world, api):
    for seconds in (2.0, 3.5):
        _finish(_jobs(api, world.producer, world.shot, 1)[0], seconds=seconds)
    _finish(_jobs(api, world.artist, world.ot_shot, 1)[0], seconds=1.0)
    _finish(_jobs(api, world.rival, world.hl_shot, 1)[0], seconds=50.0)  # Harbor's: never in Northlight's ledger
    url = f"/api/v1/organizations/{world.northlight.id}/gpu-usage/"
    assert api(world.producer).get(url).status_code == 403
    ledger = api(world.owner).get(url).json()
    assert ledger["total_gpu_seconds"] == 6.5
    assert {(r["project"]["code"], r["user"]["email"], r["renders"], r["gpu_seconds"]) for r in ledger["rows"]} == {
        ("MR", world.producer.email, 2, 5.5), ("OT", world.artist.email, 1, 1.0)}
    exported = api(world.owner).get(url, {"format": "csv"})
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert sorted((r["project_code"], r["renders"], r["gpu_seconds"]) for r in rows) == [("MR", "2", "5.500"), ("OT", "1", "1.000")]
    assert api(world.owner).get(url, {"month": "2026-13"}).status_code == 400
    assert api(world.owner).get(url, {"month": "9999-12"}).status_code == 400
    assert api(world.owner).get(url, {"month": "2001-01"}).json()["rows"] == []


def test_waiting_jobs_show_their_position_and_eta(world, api, settings):
    settings.GENERATION_GPU_SLOTS = 1
    settings.GENERATION_DEFAULT_RENDER_SECONDS = 10
    a_jobs = _jobs(api, world.producer, world.shot, 3)
    services.dispatch()
    b_job = _jobs(api, world.rival, world.hl_shot, 1)[0]
    released = api(world.producer).get(f"/api/v1/generations/{a_jobs[0]}/").json()["queue"]
    assert released == {"released": True, "position": None, "eta_seconds": None}
    listed = {j["id"]: j["queue"] for j in api(world.producer).get("/api/v1/generations/", {"state": "queued"}).json()["results"]}
    # Harbor has not been served yet: its one job is next, then Northlight's second and third.
    assert (listed[a_jobs[1]]["position"], listed[a_jobs[2]]["position"]) == (2, 3)
    assert listed[a_jobs[2]]["eta_seconds"] == 30
    assert api(world.rival).get(f"/api/v1/generations/{b_job}/").json()["queue"]["position"] == 1


def test_every_new_endpoint_is_404_across_tenants(world, api):
    job = _jobs(api, world.producer, world.shot, 1)[0]
    org = world.northlight.id
    for user in (world.rival, world.agent):
        client = api(user)
        assert client.get(f"/api/v1/organizations/{org}/gpu-allowance/").status_code == 404
        assert client.patch(f"/api/v1/organizations/{org}/gpu-allowance/", {"max_concurrent": 9}, format="json").status_code == 404
        assert client.get(f"/api/v1/organizations/{org}/gpu-usage/").status_code == 404
        assert client.get(f"/api/v1/organizations/{org}/gpu-usage/", {"format": "csv"}).status_code == 404
        assert client.post(f"/api/v1/generations/{job}/priority/", {"priority": 3}, format="json").status_code == 404
    # A client reviewer of the project sees no jobs: 404 for the priority too.
    assert api(world.reviewer).post(f"/api/v1/generations/{job}/priority/", {"priority": 3}, format="json").status_code == 404
    assert not GpuAllowance.objects.filter(organization=world.northlight, max_concurrent=9).exists()
    assert GenerationJob.objects.get(pk=job).priority == 0


def test_two_dispatchers_never_release_the_same_job(transactional_db, world, api, settings):
    settings.GENERATION_GPU_SLOTS = 6
    settings.GENERATION_DEFAULT_ORG_CONCURRENCY = 6
    settings.GENERATION_QUEUE = "gpu-test-scheduling-two-dispatchers"
    ids = _jobs(api, world.producer, world.shot, 8)  # committed: the submit's own dispatch releases 6
    GenerationJob.objects.filter(pk__in=ids).update(dispatched_at=None)
    counts: list[int] = []

    def run():
        try:
            counts.append(services.dispatch())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 6 and len(_released(ids)) == 6
    from redis import Redis

    Redis.from_url(settings.CELERY_BROKER_URL).delete(settings.GENERATION_QUEUE)
    assert GpuUsage.objects.count() == 0


def test_the_safety_tick_sends_again_a_release_that_never_started(world, api, settings):
    settings.GENERATION_GPU_SLOTS = 1
    (job_id,) = _jobs(api, world.producer, world.shot, 1)
    services.dispatch()
    assert services.resend_stale_releases(older_than_seconds=60) == 0  # just released: left alone
    GenerationJob.objects.filter(pk=job_id).update(dispatched_at=timezone.now() - timedelta(hours=1))
    assert services.resend_stale_releases(older_than_seconds=60) == 1
    assert GenerationJob.objects.get(pk=job_id).dispatched_at > timezone.now() - timedelta(minutes=1)
    assert services.dispatch() == 0  # still one slot, still taken by that job


def test_a_refused_csv_export_answers_json(world, api):
    response = api(world.producer).get(f"/api/v1/organizations/{world.northlight.id}/gpu-usage/", {"format": "csv"})
    assert response.status_code == 403 and response["Content-Type"].startswith("application/json")
    assert "admin, owner" in response.json()["detail"]
