"""Fixtures of the fault suite: supervised render and media workers on queues of their own, the
beat-like reaper loop, and the generation tests' world (a studio, its people, a shot, the tiny model).

`make test` runs the bounded subset (`tests/chaos/test_*.py` at the default scale); `make chaos`
runs every scenario (also `chaos_*.py`) with `CHAOS_SCALE=full`. See docs/OPERATIONS.md, "Fault suite".
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.chaos.harness import Beat, Supervisor, celery_ready
from tests.generation.conftest import demo_model_folder, profile, world  # noqa: F401 - fixtures reused
from tests.support.worker import WorkerProcess

GPU_QUEUE = "gpu-chaos"
MEDIA_QUEUE = "media-chaos"
LOGS = Path(settings.DATA_DIR) / "logs"


def worker_command(*, queues: str, node: str) -> list[str]:
    return [str(Path(os.sys.executable)), "-m", "celery", "-A", "studio", "worker", "-Q", queues, "-c", "1", "-n", node,
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"]


def worker_env(*, queue: str, **extra) -> dict:
    env = WorkerProcess(queues=queue, name="chaos").env()
    env.update({
        "GENERATION_QUEUE": GPU_QUEUE,
        "MEDIA_QUEUE": MEDIA_QUEUE,
        "GENERATION_HEARTBEAT_SECONDS": "1",
        "GENERATION_STALE_AFTER_SECONDS": "3",
        **{k: str(v) for k, v in extra.items()},
    })
    return env


def supervised_worker(*, name: str, queues: str, **extra) -> Supervisor:
    node = f"{name}@{os.uname().nodename}"
    return Supervisor(name, worker_command(queues=queues, node=node), env=worker_env(queue=queues, **extra),
                      log_path=LOGS / f"chaos-{name}.log", ready=celery_ready(node))


@pytest.fixture(scope="session")
def chaos_gpu(django_db_setup, django_db_blocker, demo_model_folder):  # noqa: F811
    with django_db_blocker.unblock():
        worker = supervised_worker(name="chaos-gpu", queues=GPU_QUEUE).start()
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def chaos_media(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        worker = supervised_worker(name="chaos-media", queues=MEDIA_QUEUE).start()
    yield worker
    worker.stop()


@pytest.fixture
def queues(settings):
    """Renders and media processing sent from this process go to the chaos workers' queues only."""
    settings.GENERATION_QUEUE = GPU_QUEUE
    settings.MEDIA_QUEUE = MEDIA_QUEUE


@pytest.fixture
def beat(transactional_db):
    loop = Beat(interval=1.0, stale_after=3.0)
    loop.start()
    yield loop
    loop.stop()
    assert not loop.errors, loop.errors
