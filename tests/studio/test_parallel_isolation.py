"""The fast loop's two xdist processes never share Redis, channel groups or the media folder."""

from __future__ import annotations

from pathlib import Path

from tests.support.parallel import isolate, worker_redis_url


def test_each_worker_gets_the_next_redis_databases_after_the_base_one():
    assert worker_redis_url("redis://127.0.0.1:6379/9", 0) == "redis://127.0.0.1:6379/10"
    assert worker_redis_url("redis://127.0.0.1:6379/9", 1) == "redis://127.0.0.1:6379/11"
    assert worker_redis_url("redis://:pw@cache:6380", 0) == "redis://:pw@cache:6380/1"


def test_isolate_rewrites_what_lives_outside_postgresql_and_keeps_the_shared_builds(tmp_path):
    env = {
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/9",
        "CHANNELS_PREFIX": "gl-test",
        "DATA_DIR": str(tmp_path),
    }
    isolate(env, "gw1")
    assert env["REDIS_URL"] == "redis://127.0.0.1:6379/11"
    assert "CELERY_BROKER_URL" not in env  # follows REDIS_URL in the settings
    assert env["CHANNELS_PREFIX"] == "gl-test-gw1"
    assert Path(env["DATA_DIR"]) == tmp_path / "gw1"
    assert Path(env["MODELS_DIR"]) == tmp_path / "models"
    assert Path(env["PROVENANCE_DIR"]) == tmp_path / "provenance"
