"""`GENERATION_GPU_SLOTS=auto`: the dispatcher releases as many jobs as the live render workers can run.

Workers announce themselves in the real test Redis (generation/gpu_workers.py); the last test starts a
real Celery worker on the `gpu` queue and watches it announce itself and retire when it stops.
"""

from __future__ import annotations

import pytest

from generation import gpu_workers, services
from generation.services.scheduling import gpu_slots
from tests.generation.conftest import submit
from tests.generation.test_scheduling import _finish, _released
from tests.support.waiting import wait_for
from tests.support.worker import WorkerProcess


@pytest.fixture(autouse=True)
def _no_announcements():
    for node in gpu_workers.live():
        gpu_workers.retire(node)
    yield
    for node in gpu_workers.live():
        gpu_workers.retire(node)


def test_auto_slots_follow_the_announced_workers_and_never_fall_below_one(settings):
    settings.GENERATION_GPU_SLOTS = "auto"
    assert gpu_slots() == 1  # no worker yet: one job waits in the queue for the first to come up
    gpu_workers.announce("gpu@pod-a", 1)
    gpu_workers.announce("gpu@pod-b", 2)
    assert gpu_workers.live() == {"gpu@pod-a": 1, "gpu@pod-b": 2}
    assert gpu_slots() == 3
    gpu_workers.retire("gpu@pod-b")
    assert gpu_slots() == 1
    settings.GENERATION_GPU_SLOTS = 5
    assert gpu_slots() == 5  # a number is taken as it is


def test_an_announcement_expires_after_three_heartbeats(settings):
    settings.GENERATION_HEARTBEAT_SECONDS = 5
    gpu_workers.announce("gpu@gone", 1)
    ttl = gpu_workers._redis().ttl(f"{gpu_workers.KEY_PREFIX}gpu@gone")
    assert 10 < ttl <= 15


@pytest.mark.django_db
def test_the_dispatcher_releases_what_the_live_workers_can_take(world, api, settings):
    settings.GENERATION_GPU_SLOTS = "auto"
    ids = [j["id"] for j in submit(api(world.producer), world.shot, count=4)]
    gpu_workers.announce("gpu@pod-a", 1)
    assert services.dispatch() == 1
    gpu_workers.announce("gpu@pod-b", 1)  # KEDA added a pod
    assert services.dispatch() == 1
    assert len(_released(ids)) == 2
    gpu_workers.retire("gpu@pod-b")  # scaled down: the finished job's slot is not refilled
    _finish(_released(ids)[0])
    assert services.dispatch() == 0


@pytest.mark.worker
def test_a_real_render_worker_announces_itself_and_retires_when_it_stops(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        worker = WorkerProcess(queues="gpu", name="announcer").start()
    try:
        wait_for(lambda: any(node.startswith("announcer@") for node in gpu_workers.live()), timeout=60,
                   what="the render worker's announcement in Redis")
        (node,) = [n for n in gpu_workers.live() if n.startswith("announcer@")]
        assert gpu_workers.live()[node] == 1  # -c 1: one render at a time
    finally:
        worker.stop()
    assert not any(n.startswith("announcer@") for n in gpu_workers.live())
