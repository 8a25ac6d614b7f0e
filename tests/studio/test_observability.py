"""Liveness and readiness, the request id, structured logs and who may read /metrics.

In-process (Django's test client against the real PostgreSQL and Redis). The end-to-end run with a
real web process and a real render worker is tests/generation/test_observability.py.
"""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
import redis as redis_lib
from django.conf import settings as django_settings
from django.db import transaction
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from studio import logs, metrics
from studio.realtime.publish import publish
from tests.studio.test_health_and_errors import _run_django, free_port, private_redis  # noqa: F401  (fixture)
from tests.support.realtime_events import TEST_EVENT


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of a Prometheus text exposition."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def scrape(client: APIClient | None = None, **extra) -> dict:
    response = (client or APIClient()).get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return samples(response.content.decode())


# ---------------------------------------------------------------- liveness and readiness

def test_livez_answers_without_touching_anything_and_for_any_host(db):
    response = APIClient().get("/livez", HTTP_HOST="10.42.0.17:8000")  # a probe reaches the pod by its address
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_every_dependency_and_healthz_answers_the_same(db):
    for path in ("/readyz", "/healthz"):
        response = APIClient().get(path, HTTP_HOST="10.42.0.17:8000")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "ok" and set(body["checks"]) == {"database", "redis", "broker"}
        assert all(check["ok"] and check["ms"] >= 0 for check in body["checks"].values())


def test_an_unknown_host_is_still_refused_everywhere_else(db):
    assert APIClient().get("/api/v1/me/", HTTP_HOST="10.42.0.17:8000").status_code == 400


def test_redis_down_makes_readyz_503_while_livez_stays_200(db, settings, private_redis):  # noqa: F811
    port, proc = private_redis
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    assert APIClient().get("/readyz").status_code == 200
    proc.terminate()
    proc.wait(timeout=10)
    ready = APIClient().get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable" and ready.json()["checks"]["redis"]["ok"] is False
    assert APIClient().get("/livez").status_code == 200


# ---------------------------------------------------------------- request id

def test_a_well_formed_request_id_is_kept_and_returned(db):
    response = APIClient().get("/api/v1/me/", HTTP_X_REQUEST_ID="client-7f3a:retry.2")
    assert response.status_code == 401
    assert response["X-Request-ID"] == "client-7f3a:retry.2"


@pytest.mark.parametrize("offered", ["", "x" * 129, "has space", "semi;colon", "new\nline", "ünï"])
def test_a_malformed_or_oversized_request_id_is_replaced(db, offered):
    response = APIClient().get("/livez", HTTP_X_REQUEST_ID=offered)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"]), response["X-Request-ID"]


def test_every_answer_carries_a_request_id_even_a_503():
    port = free_port()  # nothing listens here: PostgreSQL as seen when the server is stopped
    code = """
from django.test import Client
r = Client().get('/api/v1/me/', HTTP_AUTHORIZATION='Token glt_whatever', HTTP_X_REQUEST_ID='rid-db-down')
print(r.status_code, r['X-Request-ID'])
"""
    result = _run_django(code, DATABASE_URL=f"postgres://greenlight:greenlight@127.0.0.1:{port}/greenlight", DB_CONNECT_TIMEOUT="1")
    assert result.stdout.strip().splitlines()[-1] == "503 rid-db-down", result.stderr[-2000:]


def _formatted(formatter: logging.Formatter, emit) -> list[str]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(logs.ContextFilter())
    logger = logging.getLogger("greenlight.test.observability")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue().splitlines()


def test_json_logs_carry_the_bound_request_id_extras_and_exceptions():
    def emit(logger):
        token = logs.bind_request_id("rid-json-1")
        try:
            logger.info("rendered %s", "MR_010_0040", extra={"job": "j-1", "frames": 17})
            try:
                raise ValueError("bad frame range")
            except ValueError:
                logger.exception("failed")
        finally:
            logs.reset_request_id(token)
        logger.warning("outside")

    first, second, third = (json.loads(line) for line in _formatted(logs.JsonFormatter(), emit))
    assert first["message"] == "rendered MR_010_0040" and first["level"] == "INFO"
    assert first["request_id"] == "rid-json-1" and first["job"] == "j-1" and first["frames"] == 17
    assert first["logger"] == "greenlight.test.observability" and first["time"].endswith("Z")
    assert second["request_id"] == "rid-json-1" and "ValueError: bad frame range" in second["exception"]
    assert "request_id" not in third


def test_text_logs_show_the_request_id_or_a_dash():
    def emit(logger):
        token = logs.bind_request_id("rid-text-1")
        logger.info("inside")
        logs.reset_request_id(token)
        logger.info("outside")

    inside, outside = _formatted(logs.TextFormatter(), emit)
    assert inside.endswith("greenlight.test.observability [rid-text-1] inside")
    assert outside.endswith("greenlight.test.observability [-] outside")


def test_a_bad_log_format_or_metrics_range_stops_the_start():
    bad_format = _run_django("print('started')", LOG_FORMAT="xml")
    assert bad_format.returncode != 0 and "LOG_FORMAT='xml' is not a log format" in bad_format.stderr
    bad_range = _run_django("print('started')", METRICS_ALLOWED_CIDRS="10.0.0.0/8,10.300.0.0/16")
    assert bad_range.returncode != 0 and "'10.300.0.0/16' is not an address range" in bad_range.stderr


def test_a_task_sent_while_a_request_id_is_bound_carries_it():
    headers: dict = {}
    token = logs.bind_request_id("rid-task-1")
    try:
        logs.add_task_headers(headers)
        metrics.stamp_task_headers(headers)
    finally:
        logs.reset_request_id(token)
    assert headers[logs.TASK_HEADER] == "rid-task-1" and isinstance(headers[metrics.SENT_AT_HEADER], float)
    unbound: dict = {}
    logs.add_task_headers(unbound)
    assert logs.TASK_HEADER not in unbound


@pytest.mark.django_db
def test_live_events_published_during_a_request_carry_its_id_in_meta(demo):
    project = demo["projects"]["moonrise"]
    token = logs.bind_request_id("rid-event-1")
    try:
        with transaction.atomic():
            envelope = publish(type=TEST_EVENT, project_id=project.pk, data={"status": "in_progress"})
    finally:
        logs.reset_request_id(token)
    assert envelope["meta"] == {"request_id": "rid-event-1"}
    with transaction.atomic():
        plain = publish(type=TEST_EVENT, project_id=project.pk, data={"status": "review"})
    assert "meta" not in plain  # nothing bound: the envelope is exactly {id, type, project, at, data}


# ---------------------------------------------------------------- who may read /metrics

def test_metrics_answer_loopback_by_default_and_refuse_other_addresses_with_json(db):
    assert ("greenlight_metrics_source_up", (("source", "celery_queues"),)) in scrape()
    refused = APIClient().get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 404 and refused.json()["error"] == "not_found"
    assert b"greenlight_" not in refused.content


def test_metrics_address_ranges_come_from_the_setting(db, settings):
    settings.METRICS_ALLOWED_CIDRS = ("10.20.0.0/16",)
    assert APIClient().get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert APIClient().get("/metrics", REMOTE_ADDR="10.21.3.4").status_code == 404
    assert APIClient().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_metrics_token_lets_any_address_in_and_a_wrong_one_is_forbidden(db, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert APIClient().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", **outside).status_code == 200
    wrong = APIClient().get("/metrics", HTTP_AUTHORIZATION="Bearer guess", **outside)
    assert wrong.status_code == 403 and wrong.json()["error"] == "forbidden" and "METRICS_TOKEN" in wrong.json()["detail"]
    settings.METRICS_TOKEN = ""
    unset = APIClient().get("/metrics", HTTP_AUTHORIZATION="Bearer ", **outside)
    assert unset.status_code == 403  # no token configured: no bearer can match


def test_a_request_through_a_proxy_needs_the_token_whatever_its_address(db, settings):
    assert APIClient().get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 404
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    through_proxy = APIClient().get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.7", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert through_proxy.status_code == 200


# ---------------------------------------------------------------- scrape-time series

@pytest.fixture
def broker():
    client = redis_lib.Redis.from_url(django_settings.CELERY_BROKER_URL)
    yield client
    client.delete("metrics-test-q", "metrics-test-q\x06\x166")
    client.close()


def test_queue_depth_is_read_from_the_broker_at_scrape_time_with_priority_lists(db, settings, broker):
    settings.METRICS_QUEUES = ["metrics-test-q"]
    broker.delete("metrics-test-q", "metrics-test-q\x06\x166")
    assert scrape()[("greenlight_queue_depth", (("queue", "metrics-test-q"),))] == 0
    broker.lpush("metrics-test-q", "a", "b", "c")
    broker.lpush("metrics-test-q\x06\x166", "d")  # kombu's list for priority 6
    assert scrape()[("greenlight_queue_depth", (("queue", "metrics-test-q"),))] == 4


def test_the_reported_queues_default_to_every_routed_queue(settings):
    settings.METRICS_QUEUES = []
    settings.GENERATION_QUEUE = "gpu"
    assert metrics.queue_names() == ["default", "gpu", "media"]


def test_a_failing_source_is_reported_and_does_not_fail_the_scrape(db):
    def broken():
        raise ConnectionError("the source is down")

    metrics.register_source("zz_broken_for_test", broken)
    try:
        scraped = scrape()
    finally:
        metrics._sources.pop("zz_broken_for_test")
    assert scraped[("greenlight_metrics_source_up", (("source", "zz_broken_for_test"),))] == 0
    assert scraped[("greenlight_metrics_source_up", (("source", "celery_queues"),))] == 1


def test_requests_and_database_queries_are_counted(db, demo):
    before = scrape()
    APIClient().get("/api/v1/me/")
    client = APIClient()
    client.force_authenticate(demo["users"]["producer@northlight.test"])
    assert client.get("/api/v1/projects/").status_code == 200
    after = scrape()
    key = ("django_http_requests_total_by_method_total", (("method", "GET"),))
    assert after[key] >= before.get(key, 0) + 2
    executed = ("django_db_execute_total", (("alias", "default"), ("vendor", "postgresql")))
    assert after[executed] > before.get(executed, 0)
