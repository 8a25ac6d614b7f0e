import pytest

from studio.tasks import ping


@pytest.mark.worker
def test_a_real_worker_consumes_the_default_queue(transactional_db, live_worker):
    result = ping.apply_async(queue="default")
    assert result.get(timeout=30) == "pong"
