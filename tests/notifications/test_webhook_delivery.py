"""Real deliveries: a local HTTP server receives them from a real Celery worker, verifies the
signature as a receiver would, answers 500 once and sees the retry; every attempt is logged with
its response code; a redelivery sends the same event again."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notifications import signing
from notifications.models import WebhookDelivery
from tests.support.worker import WorkerProcess

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = "webhooks-test"


class Receiver:
    """An HTTP server on 127.0.0.1 that records each request and answers from a script of codes."""

    def __init__(self, codes: list[int]):
        self.codes = list(codes)
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"headers": dict(self.headers), "body": body, "at": time.time()})
                code = receiver.codes.pop(0) if receiver.codes else 200
                self.send_response(code)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if code < 300 else b"boom")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/greenlight"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 60) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.requests) >= count, f"got {len(self.requests)} of {count} deliveries"
        return self.requests

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def webhook_worker(django_db_setup, django_db_blocker):
    """A real worker on its own queue, retrying after 1 s, 2 s (instead of 30 s, 60 s …), three attempts at most."""
    with django_db_blocker.unblock():
        worker = WorkerProcess(
            queues=QUEUE, name="webhookworker",
            env={
                "WEBHOOK_QUEUE": QUEUE, "WEBHOOK_RETRY_BASE_SECONDS": "1", "WEBHOOK_MAX_ATTEMPTS": "3",
                "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
            },
        ).start()
    yield worker
    worker.stop()


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(codes):
        made.append(Receiver(codes))
        return made[-1]

    yield make
    for r in made:
        r.close()


def wait_state(delivery_id, state: str, timeout: float = 30) -> WebhookDelivery:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        if delivery.state == state:
            return delivery
        time.sleep(0.1)
    raise AssertionError(f"delivery {delivery_id} is {delivery.state}, not {state}; last error {delivery.last_error!r}")


def test_a_signed_delivery_is_retried_after_a_500_and_can_be_redelivered(studio, version, api, settings, webhook_worker, receiver):
    settings.WEBHOOK_QUEUE = QUEUE
    server = receiver([500])
    created = api(studio.owner).post(
        "/api/v1/webhooks/", {"organization": str(studio.org.pk), "url": server.url, "event_types": ["comment.created"]}, format="json",
    ).json()
    secret = created["secret"]

    note = api(studio.supervisor).post(f"/api/v1/versions/{version.id}/comments/", {"frame": 1010, "body": "Sky"}, format="json")
    assert note.status_code == 201
    first, second = server.wait_for(2)
    for request in (first, second):
        header = request["headers"][signing.SIGNATURE_HEADER]
        assert signing.verify(secret=secret, body=request["body"], header=header), header
        assert not signing.verify(secret="whsec_wrong", body=request["body"], header=header)
        assert not signing.verify(secret=secret, body=request["body"] + b" ", header=header)
        assert request["headers"]["X-Greenlight-Event"] == "comment.created"
    assert first["body"] == second["body"]  # the same event, signed again
    event = json.loads(second["body"])
    assert event["type"] == "comment.created" and event["data"]["id"] == note.json()["id"] and event["data"]["body"] == "Sky"
    assert event["project"] == str(studio.project.pk) and event["organization"] == str(studio.org.pk)

    delivery_id = first["headers"]["X-Greenlight-Delivery"]
    assert second["headers"]["X-Greenlight-Delivery"] == delivery_id
    delivery = wait_state(delivery_id, "succeeded")
    detail = api(studio.owner).get(f"/api/v1/webhook-deliveries/{delivery_id}/").json()
    assert [(a["number"], a["status_code"]) for a in detail["attempt_log"]] == [(1, 500), (2, 200)]
    assert detail["state"] == "succeeded" and detail["attempts"] == 2 and delivery.delivered_at is not None
    listed = api(studio.owner).get(f"/api/v1/webhooks/{created['id']}/deliveries/").json()["results"]
    assert [d["id"] for d in listed] == [delivery_id]

    again = api(studio.owner).post(f"/api/v1/webhook-deliveries/{delivery_id}/redeliver/")
    assert again.status_code == 202, again.json()
    third = server.wait_for(3)[2]
    assert third["body"] == first["body"]
    assert signing.verify(secret=secret, body=third["body"], header=third["headers"][signing.SIGNATURE_HEADER])
    assert third["headers"]["X-Greenlight-Delivery"] == again.json()["id"]
    assert wait_state(again.json()["id"], "succeeded").redelivery_of_id is not None


def test_a_receiver_that_keeps_failing_is_given_up_on_after_the_last_attempt(studio, api, settings, webhook_worker, receiver):
    settings.WEBHOOK_QUEUE = QUEUE
    server = receiver([503] * 10)
    created = api(studio.owner).post(
        "/api/v1/webhooks/", {"organization": str(studio.org.pk), "url": server.url, "event_types": ["comment.created"]}, format="json",
    ).json()
    ping = api(studio.owner).post(f"/api/v1/webhooks/{created['id']}/ping/").json()
    delivery = wait_state(ping["id"], "failed")
    assert delivery.attempts == 3 and delivery.last_status_code == 503 and delivery.last_error == "HTTP 503"
    assert [(a.number, a.status_code, a.response_excerpt) for a in delivery.attempt_log.all()] == [
        (1, 503, "boom"), (2, 503, "boom"), (3, 503, "boom")]
    assert len(server.requests) == 3 and json.loads(server.requests[0]["body"])["type"] == "webhook.ping"


def test_backoff_doubles_up_to_the_ceiling(settings):
    from notifications.services.deliveries import backoff_seconds

    settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_RETRY_MAX_SECONDS = 30, 3600
    assert [backoff_seconds(n) for n in (1, 2, 3, 4, 7, 8, 20)] == [30, 60, 120, 240, 1920, 3600, 3600]
