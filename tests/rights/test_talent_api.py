"""/api/v1/talent/ and /api/v1/talent/{id}/assets/: only the representing agency edits; studios read
the talent they hold grants for; reference images are private."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from rights import names, policy, services
from rights.models import LikenessAsset, Talent
from studio.audit.models import AuditEvent
from tests.rights.conftest import active_grant, new_job_id, request, results


def png_bytes(size=(64, 48), color=(200, 120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(client, talent, data: bytes | None = None, name="face.png", **extra):
    payload = {"file": SimpleUploadedFile(name, data if data is not None else png_bytes(), content_type="image/png"), **extra}
    return client.post(f"/api/v1/talent/{talent.pk}/assets/", payload, format="multipart")


# ---------------------------------------------------------------- talent

def test_agency_registers_and_edits_its_talent(world, api):
    client = api(world.agent)
    r = client.post("/api/v1/talent/", {"name": "Mira Okonkwo", "aliases": ["Mira O.", "  ", "mira okonkwo"]}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["agency"]["name"] == "Crescent Talent" and body["can_edit"] is True
    assert body["aliases"] == ["Mira O."]  # blank and duplicate-of-name aliases dropped
    talent = Talent.objects.get(pk=body["id"])
    assert set(names.talent_keys("Mira Okonkwo", ["Mira O."])) == set(talent.name_keys.values_list("key", flat=True))

    r = client.patch(f"/api/v1/talent/{talent.pk}/", {"aliases": ["Mira O.", "The Okonkwo"]}, format="json")
    assert r.status_code == 200 and r.json()["aliases"] == ["Mira O.", "The Okonkwo"]
    talent.refresh_from_db()
    stored = set(talent.name_keys.values_list("key", flat=True))
    assert stored == set(names.talent_keys("Mira Okonkwo", ["Mira O.", "The Okonkwo"])) and names.name_keys("The Okonkwo") <= stored
    events = AuditEvent.objects.filter(chain=str(world.crescent.pk), target_id=str(talent.pk)).values_list("action", flat=True)
    assert list(events) == ["talent.created", "talent.updated"]


def test_agency_lists_only_its_own_talent(world, api):
    names = {t["name"] for t in results(api(world.agent).get("/api/v1/talent/"))}
    assert names == {"Ava Reyes", "Leo Park"}
    assert {t["name"] for t in results(api(world.meridian_agent).get("/api/v1/talent/"))} == {"Nova Sterling"}
    assert api(world.meridian_agent).get(f"/api/v1/talent/{world.ava.pk}/").status_code == 404


def test_studio_sees_only_talent_it_holds_grants_for_read_only(world, api):
    client = api(world.nl_producer)
    assert results(client.get("/api/v1/talent/")) == []
    assert client.get(f"/api/v1/talent/{world.ava.pk}/").status_code == 404
    active_grant(world)
    request(world, project="OT")  # a second grant: the talent is still listed once
    listed = results(client.get("/api/v1/talent/"))
    assert [t["name"] for t in listed] == ["Ava Reyes"]
    assert listed[0]["can_edit"] is False
    before = world.ava.aliases
    r = client.patch(f"/api/v1/talent/{world.ava.pk}/", {"aliases": ["Hijacked"]}, format="json")
    assert r.status_code == 403 and "Only Crescent Talent" in r.json()["detail"]
    assert client.delete(f"/api/v1/talent/{world.ava.pk}/").status_code == 403
    world.ava.refresh_from_db()
    assert world.ava.aliases == before
    # A studio that cannot see the talent gets 404 for writes too.
    assert api(world.hb_producer).patch(f"/api/v1/talent/{world.ava.pk}/", {"name": "X Y Z"}, format="json").status_code == 404


def test_studio_users_cannot_register_talent(world, api):
    r = api(world.nl_producer).post("/api/v1/talent/", {"name": "Someone New"}, format="json")
    assert r.status_code == 403
    r = api(world.nl_producer).post("/api/v1/talent/", {"name": "Someone New", "agency": str(world.crescent.pk)}, format="json")
    assert r.status_code == 404
    assert not Talent.objects.filter(name="Someone New").exists()


def test_another_agencys_id_is_404(world, api):
    r = api(world.agent).post("/api/v1/talent/", {"name": "Someone New", "agency": str(world.meridian.pk)}, format="json")
    assert r.status_code == 404


def test_search(world, api):
    client = api(world.agent)
    assert [t["name"] for t in results(client.get("/api/v1/talent/?q=rey"))] == ["Ava Reyes"]
    assert [t["name"] for t in results(client.get("/api/v1/talent/?q=whitlock"))] == ["Ava Reyes"]
    assert client.get("/api/v1/talent/?agency=nope").status_code == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "Al"}, "name"),
        ({"name": "Leo Park"}, "name"),  # duplicate in the agency
        ({"name": "New Person", "aliases": ["Jo"]}, "aliases"),
        ({"name": "New Person", "aliases": "New P"}, "aliases"),
        ({"name": "New Person", "aliases": [f"Alias Number {i}" for i in range(21)]}, "aliases"),
        ({"name": "New Person", "life_status": "undead"}, "life_status"),
        ({"name": "New Person", "date_of_death": "2020-01-01"}, "date_of_death"),
        ({"name": "New Person", "life_status": "deceased"}, "estate_name"),
        ({"name": "New Person", "life_status": "deceased", "estate_name": "Estate", "date_of_death": "2999-01-01"}, "date_of_death"),
    ],
)
def test_bad_talent_input_is_400(world, api, body, field):
    before = (Talent.objects.count(), AuditEvent.objects.count())
    r = api(world.agent).post("/api/v1/talent/", body, format="json")
    assert r.status_code == 400, r.json()
    assert field in r.json()["fields"], r.json()
    assert (Talent.objects.count(), AuditEvent.objects.count()) == before


def test_patch_with_nothing_is_400(world, api):
    assert api(world.agent).patch(f"/api/v1/talent/{world.ava.pk}/", {}, format="json").status_code == 400


def test_death_invalidates_uses_of_grants_that_do_not_survive_it(world, api):
    grant = active_grant(world, requires_per_use_approval=True)
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava])
    job = new_job_id()
    [use] = services.record_likeness_uses(decision=decision, job_id=job, shot=world.shot)
    r = api(world.agent).patch(
        f"/api/v1/talent/{world.ava.pk}/", {"life_status": "deceased", "date_of_death": "2026-01-02", "estate_name": "Reyes Estate"},
        format="json",
    )
    assert r.status_code == 200, r.json()
    use.refresh_from_db()
    assert use.state == "invalidated" and use.invalidated_cause == "deceased"
    grant.refresh_from_db()
    assert grant.state == "active"  # the record stays; the policy no longer lets it cover
    assert policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava]).reasons[0].code == (
        policy.DECEASED_WITHOUT_ESTATE_GRANT
    )


def test_delete_only_without_consent_history(world, api):
    client = api(world.agent)
    fresh = services.create_talent(actor=world.agent, agency=world.crescent, name="Temp Person")
    assert client.delete(f"/api/v1/talent/{fresh.pk}/").status_code == 204
    assert not Talent.objects.filter(pk=fresh.pk).exists()
    request(world)
    r = client.delete(f"/api/v1/talent/{world.ava.pk}/")
    assert r.status_code == 409 and "revoke the grants" in r.json()["detail"]


# ---------------------------------------------------------------- likeness assets

def test_agency_uploads_lists_reads_and_deletes_reference_images(world, api, settings):
    client = api(world.agent)
    data = png_bytes()
    r = upload(client, world.ava, data, kind="face", description="Front, neutral light")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["width"], body["height"], body["content_type"]) == (64, 48, "image/png")
    asset = LikenessAsset.objects.get(pk=body["id"])
    # Private, unguessable storage path under MEDIA_ROOT; never the uploaded name.
    assert asset.file.name.startswith(f"rights/talent/{world.ava.pk}/")
    assert "face.png" not in asset.file.name and len(asset.storage_token) >= 32
    assert asset.file.path.startswith(str(settings.MEDIA_ROOT))

    assert [a["id"] for a in results(client.get(f"/api/v1/talent/{world.ava.pk}/assets/"))] == [str(asset.pk)]
    r = client.get(f"/api/v1/talent/{world.ava.pk}/assets/{asset.pk}/content/")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert b"".join(r.streaming_content) == data
    assert "no-store" in r["Cache-Control"]

    path = asset.file.path
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.delete(f"/api/v1/talent/{world.ava.pk}/assets/{asset.pk}/").status_code == 204
    assert not LikenessAsset.objects.filter(pk=asset.pk).exists()
    import os

    assert not os.path.exists(path)
    actions = set(AuditEvent.objects.filter(chain=str(world.crescent.pk), target_id=str(asset.pk)).values_list("action", flat=True))
    assert actions == {"likeness_asset.uploaded", "likeness_asset.deleted"}


def test_studio_sees_asset_metadata_only_with_an_active_grant_and_never_the_image(world, api):
    asset = services.upload_asset(actor=world.agent, talent=world.ava, file=SimpleUploadedFile("a.png", png_bytes()))
    client = api(world.nl_producer)
    grant = request(world)  # pending: the talent is visible, its assets are not
    assert results(client.get(f"/api/v1/talent/{world.ava.pk}/assets/")) == []
    services.grant_consent(
        actor=world.agent, grant=grant, document_sha256="b" * 64, signed_at=grant.created_at, signed_by="Ava", signer_capacity="self"
    )
    assert [a["id"] for a in results(client.get(f"/api/v1/talent/{world.ava.pk}/assets/"))] == [str(asset.pk)]
    r = client.get(f"/api/v1/talent/{world.ava.pk}/assets/{asset.pk}/content/")
    assert r.status_code == 403
    assert upload(client, world.ava).status_code == 403
    assert client.delete(f"/api/v1/talent/{world.ava.pk}/assets/{asset.pk}/").status_code == 403
    services.suspend_grant(actor=world.agent, grant=grant, reason="hold")
    assert results(client.get(f"/api/v1/talent/{world.ava.pk}/assets/")) == []


def test_render_reads_an_asset_only_under_a_covering_grant(world):
    from rights import selectors

    asset = services.upload_asset(actor=world.agent, talent=world.ava, file=SimpleUploadedFile("a.png", png_bytes()))
    with pytest.raises(policy.PolicyDenied):
        selectors.asset_for_render(asset_id=asset.pk, studio=world.northlight, project=world.mr)
    active_grant(world)
    assert selectors.asset_for_render(asset_id=asset.pk, studio=world.northlight, project=world.mr).pk == asset.pk
    with pytest.raises(policy.PolicyDenied):
        selectors.asset_for_render(asset_id=asset.pk, studio=world.northlight, project=world.ot)


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b"", "empty.png", "empty"),
        (b"GIF89a not really", "x.gif", "not a readable image"),
        (b"%PDF-1.4 hello", "x.pdf", "not a readable image"),
        (png_bytes(size=(8, 8)), "tiny.png", "16"),
    ],
)
def test_bad_uploads_are_400_and_store_nothing(world, api, data, name, fragment):
    r = upload(api(world.agent), world.ava, data, name=name)
    assert r.status_code == 400, r.json()
    assert fragment in r.json()["detail"]
    assert LikenessAsset.objects.count() == 0


def test_gif_is_refused(world, api):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buffer, format="GIF")
    r = upload(api(world.agent), world.ava, buffer.getvalue(), name="x.gif")
    assert r.status_code == 400 and "GIF" in r.json()["detail"]


def test_upload_without_file_is_400(world, api):
    r = api(world.agent).post(f"/api/v1/talent/{world.ava.pk}/assets/", {"kind": "face"}, format="multipart")
    assert r.status_code == 400 and "file" in r.json()["fields"]

