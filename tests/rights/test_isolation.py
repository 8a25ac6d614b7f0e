"""Cross-tenant: every rights endpoint answers 404 for a row the caller's organizations do not reach,
lists are empty, nothing is written; anonymous callers get 401."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rights import policy, services
from rights.models import ConsentGrant, LikenessAsset, LikenessUse, Talent
from studio.audit.models import AuditEvent
from tests.rights.conftest import active_grant, make_version, new_job_id, request
from tests.rights.test_talent_api import png_bytes


@pytest.fixture
def rows(world):
    grant = active_grant(world, requires_per_use_approval=True)
    pending = request(world, project="OT")
    asset = services.upload_asset(actor=world.agent, talent=world.ava, file=SimpleUploadedFile("a.png", png_bytes()))
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava])
    job = new_job_id()
    [use] = services.record_likeness_uses(decision=decision, job_id=job, shot=world.shot)
    services.attach_version(job_id=job, version=make_version(world))
    return {"ava": world.ava.pk, "grant": grant.pk, "pending": pending.pk, "asset": asset.pk, "use": use.pk}


ENDPOINTS = [
    ("get", "/api/v1/talent/{ava}/", None),
    ("patch", "/api/v1/talent/{ava}/", {"name": "Renamed Person"}),
    ("delete", "/api/v1/talent/{ava}/", None),
    ("get", "/api/v1/talent/{ava}/ledger/", None),
    ("get", "/api/v1/talent/{ava}/ledger/?format=csv", None),
    ("get", "/api/v1/talent/{ava}/assets/", None),
    ("post", "/api/v1/talent/{ava}/assets/", "upload"),
    ("get", "/api/v1/talent/{ava}/assets/{asset}/", None),
    ("get", "/api/v1/talent/{ava}/assets/{asset}/content/", None),
    ("delete", "/api/v1/talent/{ava}/assets/{asset}/", None),
    ("get", "/api/v1/consents/{grant}/", None),
    ("post", "/api/v1/consents/{pending}/grant/", {"document_sha256": "a" * 64, "signed_at": "2026-01-01T00:00:00Z",
                                                   "signed_by": "X", "signer_capacity": "self"}),
    ("post", "/api/v1/consents/{grant}/suspend/", {"reason": "x"}),
    ("post", "/api/v1/consents/{grant}/resume/", {}),
    ("post", "/api/v1/consents/{grant}/revoke/", {"reason": "x"}),
    ("get", "/api/v1/likeness-uses/{use}/", None),
    ("post", "/api/v1/likeness-uses/{use}/decide/", {"decision": "approve"}),
    ("get", "/api/v1/likeness-uses/{use}/proxy/", None),
]


def _snapshot():
    return (
        list(Talent.objects.order_by("pk").values_list("pk", "name", "aliases")),
        list(ConsentGrant.objects.order_by("pk").values_list("pk", "state")),
        list(LikenessUse.objects.order_by("pk").values_list("pk", "state")),
        LikenessAsset.objects.count(),
        AuditEvent.objects.count(),
    )


def _call(client, method, url, body):
    if body == "upload":
        return client.post(url, {"file": SimpleUploadedFile("x.png", png_bytes(), content_type="image/png")}, format="multipart")
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format="json")


@pytest.mark.parametrize("who", ["hb_producer", "meridian_agent", "nl_reviewer"])
@pytest.mark.parametrize(("method", "template", "body"), ENDPOINTS, ids=[f"{m} {t}" for m, t, _ in ENDPOINTS])
def test_foreign_rows_are_404_and_untouched(world, rows, api, who, method, template, body):
    before = _snapshot()
    response = _call(api(getattr(world, who)), method, template.format(**rows), body)
    assert response.status_code == 404, (who, method, template, response.status_code)
    assert _snapshot() == before


@pytest.mark.parametrize("who", ["hb_producer", "meridian_agent", "nl_reviewer"])
def test_foreign_lists_are_empty(world, rows, api, who):
    client = api(getattr(world, who))
    for url in ("/api/v1/talent/", "/api/v1/consents/", "/api/v1/likeness-uses/"):
        response = client.get(url)
        assert response.status_code == 200
        names = {item.get("name") or item.get("talent", {}).get("name") for item in response.json()["results"]}
        assert "Ava Reyes" not in names, (who, url)


@pytest.mark.parametrize(("method", "template", "body"), ENDPOINTS[:1] + ENDPOINTS[10:11] + ENDPOINTS[15:16])
def test_anonymous_is_401(world, rows, api, method, template, body):
    response = _call(api(), method, template.format(**rows), body)
    assert response.status_code == 401
    assert api().get("/api/v1/talent/").status_code == 401


def test_a_non_uuid_id_is_404_not_500(world, api):
    client = api(world.agent)
    for url in ("/api/v1/talent/abc/", "/api/v1/consents/abc/", "/api/v1/likeness-uses/abc/", "/api/v1/talent/abc/ledger/"):
        assert client.get(url).status_code == 404, url
