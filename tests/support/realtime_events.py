"""Message types for the tests of the realtime transport (delivery, replay, audiences, pacing), and
real payloads where a test needs a domain type.

The transport never reads a payload, so those tests publish `test.*` types that accept any object.
What the apps really publish is checked against their declarations by every test that runs their
services (validation is on under pytest) and by tests/realtime/test_event_registry.py.
"""

from __future__ import annotations

import uuid

from studio.realtime.events import register

ANY_OBJECT = {"type": "object"}

TEST_EVENT = "test.event"  # a durable project event, to everyone or internal
TEST_JOB_EVENT = "test.job_event"  # another durable type, for tests that tell types apart
TEST_NOTICE = "test.notice"  # a personal notification (/ws/me/)


def register_test_event_types() -> None:
    register(TEST_EVENT, schema=ANY_OBJECT, audiences=("all", "internal"), owner="tests", description="Transport tests.")
    register(TEST_JOB_EVENT, schema=ANY_OBJECT, owner="tests", description="Transport tests.")
    register(TEST_NOTICE, schema=ANY_OBJECT, channel="user", owner="tests", description="Transport tests.")


def shared_playlist_event(playlist) -> dict:
    """`publish` arguments for an event every watcher of the project receives, client reviewers included
    (a client playlist changed). A client reviewer's socket drops the `test.*` types: it passes only the
    events about what was submitted to them, failing closed on types it does not know
    (projects.realtime.streams.ClientEvents; docs/RIGHTS.md, "What a client sees")."""
    return {"type": "playlist.updated", "project_id": playlist.project_id,
            "data": {"id": str(playlist.pk), "name": playlist.name, "change": "updated"}}


def progress(step: int, total: int) -> dict:
    """A `job.progress` payload as the GPU worker sends it."""
    return {"step": step, "total": total, "elapsed": round(step * 0.1, 3), "eta": round((total - step) * 0.1, 3)}


def job_state(job_id, state: str) -> dict:
    """A `job.state_changed` payload as `generation.services.job_event_data` builds it."""
    return {
        "id": str(job_id), "state": state, "shot": str(uuid.uuid4()), "batch": str(uuid.uuid4()), "model": "demo", "seed": 1,
        "attempts": 1, "cancel_requested": False, "progress": {}, "error": "", "timings": {}, "version": None,
        "priority": 0, "released": False,
    }


register_test_event_types()
