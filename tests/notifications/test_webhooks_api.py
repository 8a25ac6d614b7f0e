"""Webhook endpoints over the API: owners and admins register them (secret shown once), bad URLs and
event types are refused with the reason, another organization's endpoints and deliveries are 404."""

from __future__ import annotations

import pytest

from notifications.models import WebhookDelivery, WebhookEndpoint
from studio.audit.models import AuditEvent

URL = "http://127.0.0.1:9/hook"


def register(api, user, org, **extra):
    payload = {"organization": str(org.pk), "url": URL, "event_types": ["approval.decided"], **extra}
    return api(user).post("/api/v1/webhooks/", payload, format="json")


def test_an_owner_registers_a_webhook_and_sees_the_secret_once(studio, api):
    response = register(api, studio.owner, studio.org, description="Pipeline bridge")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["secret_hint"] == body["secret"][-4:]
    listed = api(studio.owner).get("/api/v1/webhooks/").json()["results"]
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0]
    assert "secret" not in api(studio.owner).get(f"/api/v1/webhooks/{body['id']}/").json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["secret"] not in endpoint.secret_encrypted
    rotated = api(studio.owner).post(f"/api/v1/webhooks/{body['id']}/rotate-secret/").json()
    assert rotated["secret"] != body["secret"]
    assert list(AuditEvent.objects.filter(action__startswith="webhook.").values_list("action", flat=True).order_by("seq")) == [
        "webhook.created", "webhook.secret_rotated"]
    assert "whsec_" not in str(list(AuditEvent.objects.values_list("data", flat=True)))
    types = api(studio.producer).get("/api/v1/webhook-event-types/").json()["event_types"]
    assert {"approval.decided", "comment.created", "job.state_changed", "webhook.ping"} <= set(types)
    assert "notification.created" not in types and "job.progress" not in types


@pytest.mark.parametrize("extra,field,words", [
    ({"url": "ftp://example.com/hook"}, "url", "Only http and https"),
    ({"url": "file:///etc/passwd"}, "url", "Only http and https"),
    ({"url": "javascript:alert(1)"}, "url", "Only http and https"),
    ({"url": "https://user:pw@example.com/"}, "url", "credentials"),
    ({"url": ""}, "url", ""),
    ({"event_types": []}, "event_types", "non-empty list"),
    ({"event_types": ["comment.gossip"]}, "event_types", "Not a webhook event type: comment.gossip"),
    ({"event_types": ["notification.created"]}, "event_types", "Not a webhook event type"),
    ({"organization": "nope"}, "organization", ""),
])
def test_bad_webhooks_are_refused_with_the_reason(studio, api, extra, field, words):
    response = register(api, studio.owner, studio.org, **extra)
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"] and words in str(response.json()["fields"][field])
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hook", "http://localhost:8000/hook", "http://10.0.0.5/hook", "http://192.168.1.1/", "http://169.254.169.254/latest",
    "http://[::1]/hook", "http://[::ffff:10.0.0.1]/", "http://0.0.0.0/",
])
def test_production_refuses_private_addresses(studio, api, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = register(api, studio.owner, studio.org, url=url)
    assert response.status_code == 400, response.json()
    assert "public hosts only" in response.json()["fields"]["url"][0]


def test_only_owners_and_admins_manage_webhooks(studio, rival, api):
    assert register(api, studio.producer, studio.org).status_code == 403
    assert "owner" in register(api, studio.producer, studio.org).json()["detail"]
    assert register(api, studio.client, studio.org).status_code == 400  # no membership of that organization
    assert register(api, rival.owner, studio.org).status_code == 400
    assert not WebhookEndpoint.objects.exists()


def test_another_organizations_webhooks_and_deliveries_are_404(studio, rival, api):
    endpoint_id = register(api, studio.owner, studio.org).json()["id"]
    ping = api(studio.owner).post(f"/api/v1/webhooks/{endpoint_id}/ping/")
    assert ping.status_code == 202, ping.json()
    delivery_id = ping.json()["id"]
    for outsider in (rival.owner, studio.producer, studio.client):
        client = api(outsider)
        assert client.get("/api/v1/webhooks/").json()["results"] == []
        assert client.get(f"/api/v1/webhooks/{endpoint_id}/").status_code == 404
        assert client.patch(f"/api/v1/webhooks/{endpoint_id}/", {"active": False}, format="json").status_code == 404
        assert client.delete(f"/api/v1/webhooks/{endpoint_id}/").status_code == 404
        assert client.post(f"/api/v1/webhooks/{endpoint_id}/rotate-secret/").status_code == 404
        assert client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries/").status_code == 404
        assert client.get(f"/api/v1/webhook-deliveries/{delivery_id}/").status_code == 404
        assert client.post(f"/api/v1/webhook-deliveries/{delivery_id}/redeliver/").status_code == 404
    assert WebhookEndpoint.objects.get().active is True and WebhookDelivery.objects.count() == 1


def test_changing_a_webhook_validates_like_creating_it(studio, api):
    endpoint_id = register(api, studio.owner, studio.org).json()["id"]
    owner = api(studio.owner)
    bad = owner.patch(f"/api/v1/webhooks/{endpoint_id}/", {"url": "gopher://x", "active": False}, format="json")
    assert bad.status_code == 400 and WebhookEndpoint.objects.get().active is True
    assert owner.patch(f"/api/v1/webhooks/{endpoint_id}/", {"secret": "mine"}, format="json").status_code == 400
    off = owner.patch(f"/api/v1/webhooks/{endpoint_id}/", {"active": False, "event_types": ["comment.created"]}, format="json")
    assert off.status_code == 200 and off.json()["active"] is False and off.json()["event_types"] == ["comment.created"]
    assert owner.post(f"/api/v1/webhooks/{endpoint_id}/ping/").status_code == 409
    assert owner.delete(f"/api/v1/webhooks/{endpoint_id}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_a_project_event_is_queued_for_the_endpoints_that_chose_it(studio, rival, version, api):
    mine = register(api, studio.owner, studio.org, event_types=["comment.created"]).json()
    register(api, studio.owner, studio.org, event_types=["approval.decided"])
    register(api, rival.owner, rival.org, event_types=["comment.created"])
    api(studio.supervisor).post(f"/api/v1/versions/{version.id}/comments/", {"frame": 1001, "body": "Hello"}, format="json")
    [delivery] = WebhookDelivery.objects.all()
    assert str(delivery.endpoint_id) == mine["id"] and delivery.event_type == "comment.created"
    payload = delivery.payload
    assert payload["organization"] == str(studio.org.pk) and payload["project"] == str(studio.project.pk)
    assert payload["data"]["body"] == "Hello" and payload["type"] == "comment.created" and payload["event_id"] >= 1
