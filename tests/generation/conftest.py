"""Fixtures for the generation tests: the tiny demo model (built once per session with the same
builder `manage.py build_demo_model` uses), a studio with people in every role, and real Celery
workers consuming their own render queue against the test database and Redis.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from generation import demo_model, services
from generation.models import GenerationJob, Take
from projects.models import Version
from tests.support.waiting import wait_for
from tests.support.worker import WorkerProcess
from tests.support.world import ALL_ROLES, build_world, give_consent, request_consent

QUEUE = "gpu-test-generation"
QUEUE_NOBODY = "gpu-test-generation-nobody"


@pytest.fixture(scope="session")
def demo_model_folder() -> Path:
    return demo_model.build_demo_model().folder


@pytest.fixture(scope="session")
def shapes_model_folder() -> Path:
    """The trained shapes demo model, copied from its committed weights (as `build_demo_model` does)."""
    from generation.demo_models import shapes

    return shapes.install()[0]


@pytest.fixture
def profile(db, demo_model_folder):
    return services.ensure_demo_profile()


@pytest.fixture
def world(db, profile):
    """Northlight (our studio) with every role, a client reviewer and a vendor artist on Moonrise, a
    second artist, the Crescent agency, and a foreign studio (tests/support/world.py)."""
    w = build_world(tag="g", roles=(*ALL_ROLES, "artist2", "reviewer"), vendor=True)
    w.profile = profile
    return w.alias(agency="crescent", foreign="rival", project="mr", other_project="ot", foreign_project="hl",
                   other_shot="ot_shot", foreign_shot="hl_shot")


INTENDED_USE = (
    "Digital replica of the talent as Mara Quinn in the harbour night exteriors of Moonrise, sequence 010 pickups "
    "only, matching the recorded performance; no new dialogue."
)


def consent(w, *, name: str = "Ava Reyes", aliases=(), requires_per_use_approval: bool = False, project=None,
            use_types=("digital_replica",)):
    """A talent of the world's agency with an active grant for Northlight (the Moonrise project by
    default), made through the rights services like real use. Returns (talent, grant)."""
    from rights import services as rights_services

    talent = rights_services.create_talent(actor=w.agent, agency=w.agency, name=name, aliases=list(aliases))
    grant = request_consent(requester=w.producer, talent=talent, studio=w.northlight, project=project or w.project,
                            use_types=use_types, intended_use=INTENDED_USE, requires_per_use_approval=requires_per_use_approval)
    grant = give_consent(agent=w.agent, grant=grant, signed_by=name, document="signed rider")
    return talent, grant


@pytest.fixture(autouse=True)
def _generation_queue(request, settings):
    """Renders submitted by a test that runs with the session's `gpu_worker` go to that worker's queue;
    those of any other test go to a queue no worker consumes. A test that renders through the services
    itself (finished_take) under `transactional_db` sends its job at once: had it gone to QUEUE, the
    session worker left running by an earlier test would take the job first (CI: "duplicate delivery
    ignored", test_publish_worker). Tests that start workers of their own set a queue of their own."""
    settings.GENERATION_QUEUE = QUEUE if "gpu_worker" in request.fixturenames else QUEUE_NOBODY


def start_worker(django_db_blocker, *, name: str, queue: str, **env) -> WorkerProcess:
    log_dir = Path(settings.DATA_DIR) / "logs"
    worker_env = {
        "GENERATION_QUEUE": queue,
        # These tests check that every step's progress is published; lift the realtime coalescing limit.
        "REALTIME_PROGRESS_MAX_PER_SECOND": "100000",
        "GENERATION_HEARTBEAT_SECONDS": "1",
        **{k: str(v) for k, v in env.items()},
    }
    with django_db_blocker.unblock():
        return WorkerProcess(queues=queue, name=name, env=worker_env, log_path=log_dir / f"worker-{name}.log").start()


@pytest.fixture(scope="session")
def gpu_worker(django_db_setup, django_db_blocker, demo_model_folder):
    """One warm render worker for the session (prefork, one process, like a GPU node)."""
    worker = start_worker(django_db_blocker, name="gen-gpu", queue=QUEUE)
    yield worker
    worker.stop()


def wait_state(job_id, states, *, timeout: float = 90) -> GenerationJob:
    states = {states} if isinstance(states, str) else set(states)
    try:
        return wait_for(lambda: GenerationJob.objects.filter(pk=job_id, state__in=states).first(), timeout=timeout,
                        what=f"job {job_id} to reach {sorted(states)}")
    except AssertionError as exc:
        job = GenerationJob.objects.filter(pk=job_id).values("state", "attempts", "worker", "progress", "error", "dispatched_at").first()
        others = list(GenerationJob.objects.exclude(pk=job_id).exclude(state__in=["succeeded", "failed", "cancelled"])
                      .values_list("state", "dispatched_at", "organization__slug"))
        raise AssertionError(f"{exc}; the job is {job}; unfinished jobs besides it (the GPU slots): {others}; "
                             f"GENERATION_QUEUE={settings.GENERATION_QUEUE} GENERATION_GPU_SLOTS={settings.GENERATION_GPU_SLOTS}") from None


def wait_step(job_id, at_least: int = 1, *, timeout: float = 60) -> GenerationJob:
    def reached():
        job = GenerationJob.objects.filter(pk=job_id).first()
        return job if job and job.state == "running" and (job.progress or {}).get("step", 0) >= at_least else None

    return wait_for(reached, timeout=timeout, interval=0.01, what=f"job {job_id} to pass step {at_least}")


def submit(api_client, shot, **body):
    body.setdefault("prompt", "a lighthouse at dusk, slow push-in")
    response = api_client.post(f"/api/v1/shots/{shot.id}/generations/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["jobs"]


def versions_of(job_id) -> list[Version]:
    return list(Version.objects.filter(lineage__job=str(job_id)))


def takes_of(job_id) -> list[Take]:
    return list(Take.objects.filter(job_id=job_id))


def read_take(take: Take) -> np.ndarray:
    from generation.encoding import decode_rgb

    return decode_rgb(Path(take.media.path), width=take.native_width, height=take.native_height)


def publish_take(api_client, take_id, **body) -> dict:
    """Publish a take through the API (what the gallery's Publish button does: 202), run the media
    worker's task body here (a media worker that got the message too finds it done), and return what
    the take became: {"take", "version", "conform"}."""
    from generation.tasks import conform_take

    response = api_client.post(f"/api/v1/takes/{take_id}/publish/", body, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["publish"]["state"] == "conforming"
    conform_take(str(take_id), response.json()["publish"]["attempt"])
    take = wait_for(lambda: Take.objects.filter(pk=take_id).exclude(publish_state="conforming").first(), timeout=60,
                    what=f"take {take_id} to be conformed")
    assert take.version_id, take.publish_error
    body = api_client.get(f"/api/v1/takes/{take_id}/").json()
    version = take.version
    return {"take": body, "version": {"id": str(version.pk), "number": version.number, "label": version.label},
            "conform": version.lineage["conform"]}


def publish_job(api_client, job_id) -> Version:
    """Publish the take of a finished job; the version it became."""
    body = publish_take(api_client, Take.objects.get(job_id=job_id).id)
    return Version.objects.get(pk=body["version"]["id"])


def dump(obj) -> str:
    return json.dumps(obj, indent=1, default=str)
