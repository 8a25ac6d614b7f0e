"""The render worker is SIGKILLed mid-render, again and again, and a supervisor restarts it.

Four ways to die, in turn:
- `pool`: the pool process running the render (Celery's main process survives and, with acks_late +
  reject_on_worker_lost, delivers the task again; the next attempt takes the job over at once);
- `node`: the whole worker (main process and pool, like a lost machine): the message stays
  unacknowledged in the broker, the supervisor starts a fresh worker, and the reaper re-queues the
  job once its heartbeat is stale;
- `store`: the whole worker, at the worst moment: the take's MP4 and poster are already in the media
  storage and the transaction that would reference them is open (held at the audit chain's lock by this test). The
  transaction never commits, so the files are orphans, and the media sweeper must remove them;
- `store-pool`: the same moment, but only the pool process dies (Celery delivers the task again).

Every job ends with exactly one result (its take) or failed with a reason, none stays running,
and after the sweep every file under the studio's takes folder is referenced by a row.
`make test` kills twice (`pool`, `store-pool`: no worker restart, to stay short); `make chaos` 20 times,
every way in turn, every fourth job until it gives up.
"""

from __future__ import annotations

import itertools
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from generation.models import GenerationJob, Take
from projects.models import Version
from studio.media_sweep import sweep_orphaned_media
from tests.chaos.harness import report, scale, wait_until
from tests.generation.conftest import submit

pytestmark = [pytest.mark.worker, pytest.mark.timeout(1800)]

RENDER = {"frames": 33, "width": 256, "height": 256, "steps": 24}


def kill_plan(total: int) -> list[list[str]]:
    if total <= 2:
        return [["pool"], ["store-pool"]][:total]
    modes = itertools.cycle(["pool", "node", "store", "pool", "node", "store-pool"])
    plan, kills = [], 0
    while kills < total:
        n = min(3 if len(plan) % 4 == 3 else 1, total - kills)
        plan.append([next(modes) for _ in range(n)])
        kills += n
    return plan


def job_row(job_id) -> GenerationJob:
    return GenerationJob.objects.get(pk=job_id)


def wait_attempt(job_id, attempt: int, step: int, timeout: float = 180) -> GenerationJob:
    def running():
        job = job_row(job_id)
        if job.is_terminal:
            raise AssertionError(f"job {job_id} ended {job.state} before attempt {attempt}: {job.error}")
        if job.state == "running" and job.attempts == attempt and (job.progress or {}).get("step", 0) >= step:
            return job
        return None

    return wait_until(running, timeout=timeout, interval=0.02, what=f"job {job_id} attempt {attempt} at step {step}")


def db_dsn() -> str:
    s = connection.settings_dict
    return f"host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} dbname={s['NAME']} user={s['USER']} password={s['PASSWORD']}"


def hold_audit_lock(organization_id) -> psycopg.Connection:
    """Take the organization's audit-chain lock in another session: the render's storing transaction
    stops at it, after its file is stored and before anything commits."""
    conn = psycopg.connect(db_dsn(), autocommit=True)
    conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [f"audit:{organization_id}"])
    return conn


def advisory_waiters() -> int:
    with psycopg.connect(db_dsn(), autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND wait_event = 'advisory'").fetchone()[0]


def files_under(folder: str) -> set[str]:
    root = Path(settings.MEDIA_ROOT) / folder
    return {str(p.relative_to(settings.MEDIA_ROOT)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def referenced(project_id) -> set[str]:
    names = set()
    for v in Version.objects.filter(project_id=project_id):
        names.update(f.name for f in (v.original, v.proxy, v.poster, v.sprite) if f)
    for t in Take.objects.filter(project_id=project_id):
        names.update(f.name for f in (t.media, t.poster) if f)
    return names


def kill_once(mode: str, job_id, attempt: int, kill_step: int, gpu, world, stored=lambda: True) -> float:
    """Kill the render of `job_id`'s attempt `attempt` the `mode` way; returns when it was killed.

    `store` modes wait until the render's files are stored (`stored()`) and a session waits at the audit
    lock: another process's audit write (the beat, the media worker) can wait there too."""
    if mode.startswith("store"):
        lock = hold_audit_lock(world.northlight.id)
        try:
            job = wait_attempt(job_id, attempt, 1)
            wait_until(lambda: stored() and advisory_waiters(), timeout=180, interval=0.02, what="the render to wait at its store")
            killed = time.monotonic()
            if mode == "store-pool":
                gpu.kill_child(job.worker_pid)
                return killed
            starts = gpu.kill()
        finally:
            lock.close()  # the dead transaction continues, fails to reach its client and rolls back
        gpu.wait_ready(starts=starts + 1)
        return killed
    job = wait_attempt(job_id, attempt, kill_step)
    killed = time.monotonic()
    if mode == "pool":
        assert job.worker_pid in gpu.child_pids(), (job.worker_pid, gpu.child_pids())
        gpu.kill_child(job.worker_pid)
        return killed
    starts = gpu.kill()
    gpu.wait_ready(starts=starts + 1)
    return killed


def test_render_worker_killed_repeatedly_every_job_ends_with_one_result_or_a_reason(
    transactional_db, world, api, chaos_gpu, chaos_media, queues, beat, settings
):
    settings.GENERATION_MAX_ATTEMPTS = 3
    plan = kill_plan(scale(2, 20))
    client = api(world.artist)
    folder = f"generation/{world.northlight.id}/takes"
    outcomes, recoveries, jobs = [], [], []
    step_choices = itertools.cycle([1, 5, 12, 3, 9, 7])
    orphans_made = 0
    for modes in plan:
        (job,) = submit(client, world.shot, prompt="a lighthouse at dusk, slow push-in", **RENDER)
        jobs.append(job["id"])
        for attempt, mode in enumerate(modes, start=1):
            before = files_under(folder) - referenced(world.project.id)
            killed = kill_once(mode, job["id"], attempt, next(step_choices), chaos_gpu, world,
                               stored=lambda b=before: len(files_under(folder) - referenced(world.project.id) - b) >= 2)
            if mode.startswith("store"):
                made = files_under(folder) - referenced(world.project.id) - before
                assert len(made) == 2, made  # the take's MP4 and poster, stored and never referenced
                orphans_made += len(made)
            if attempt < len(modes) or len(modes) == 1:
                # the next attempt starts by itself: redelivery (pool) or the reaper (node, store)
                wait_attempt(job["id"], attempt + 1, 0)
                recoveries.append((mode, round(time.monotonic() - killed, 2)))
        done = wait_until(lambda j=job["id"]: job_row(j) if job_row(j).is_terminal else None, timeout=300, what=f"job {job['id']} to end")
        outcomes.append((len(modes), done.state, done.attempts))

    # Every job ended: one take, or failed with a reason; nothing queued or running.
    finished = list(GenerationJob.objects.filter(pk__in=jobs))
    assert not [j.pk for j in finished if j.state in ("queued", "running")]
    for job in finished:
        takes = list(Take.objects.filter(job_id=job.pk))
        if job.state == "succeeded":
            assert len(takes) == 1, (job.pk, takes)
        else:
            assert job.state == "failed" and job.error and takes == [], (job.pk, job.state, job.error)
    assert all(state == "succeeded" for n, state, _ in outcomes if n == 1), outcomes
    assert all(state == "failed" for n, state, _ in outcomes if n == 3), outcomes

    # The media queue finished every version; then the sweeper removes exactly the orphans.
    wait_until(lambda: not Version.objects.filter(project=world.project, processing_status="processing").exists(), timeout=300,
               what="the versions' media to be processed")
    orphans = files_under(folder) - referenced(world.project.id)
    assert len(orphans) == orphans_made, orphans
    swept = sweep_orphaned_media(grace=timedelta(0), folders=(folder,))
    assert swept.removed == orphans_made and not swept.errors
    assert files_under(folder) == referenced(world.project.id)
    for version in Version.objects.filter(project=world.project):
        assert Path(version.original.path).exists() and version.processing_status == "ready"

    by_mode = {m: [r for mm, r in recoveries if mm == m] for m in ("pool", "node", "store", "store-pool")}
    report(
        "render worker killed", kills=sum(len(m) for m in plan), jobs=len(plan), restarts=chaos_gpu.starts - 1,
        succeeded=sum(1 for o in outcomes if o[1] == "succeeded"), failed_with_reason=sum(1 for o in outcomes if o[1] == "failed"),
        orphans_made=orphans_made, orphans_swept=swept.removed, reaper=beat.counts,
        recovery_seconds_max={m: max(v) for m, v in by_mode.items() if v},
    )
