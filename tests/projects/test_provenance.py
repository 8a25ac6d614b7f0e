"""Content Credentials on everything that leaves: signed downloads, verify, delivery packages.

Real files (MP4s made with ffmpeg), the real c2pa library, the real CA made under DATA_DIR.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from types import SimpleNamespace

import opentimelineio as otio
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile

from projects import delivery, services
from projects.models import SignedCopy, Version
from rights import services as rights_services
from rights.models import LikenessUse
from studio import provenance
from studio.audit.models import AuditEvent
from studio.tenancy.models import Organization, Role
from tests.projects.conftest import add_version, make_org, make_shot, make_user
from tests.projects.test_consent import decide, generated_version, grant, verify_audit


@pytest.fixture
def rights(studio, media_root):
    """An agency representing Ava Reyes; the project needs the producer's approval only (as in test_consent)."""
    crescent = make_org("p-crescent", kind=Organization.Kind.AGENCY)
    agent = make_user("agent@p-crescent.test", org=crescent, role=Role.AGENT)
    ava = rights_services.create_talent(actor=agent, agency=crescent, name="Ava Reyes")
    studio.project.required_lanes = ["producer"]
    studio.project.save()
    return SimpleNamespace(crescent=crescent, agent=agent, ava=ava)


PROMPT = "Ava Reyes on the harbour wall at dusk"
MODEL = {"id": "5f0c5b8e-0000-4000-8000-000000000001", "name": "wan-tiny-demo", "family": "wan", "version": "2.1-demo",
         "pipeline_class": "WanPipeline"}


def _generated(studio, r, clip, *, shot=None) -> Version:
    version = generated_version(studio, r, clip, shot=shot, prompt=PROMPT)
    lineage = {**version.lineage, "seed": 424242, "model": MODEL, "negative_prompt": "blurry"}
    Version.objects.filter(pk=version.pk).update(lineage=lineage)
    version.refresh_from_db()
    return version


def _approved(api, studio, r, clip, *, shot=None) -> Version:
    version = _generated(studio, r, clip, shot=shot)
    response = decide(api, studio.producer, version, "producer", "approved", "Final")
    assert response.status_code == 201, response.json()
    version.refresh_from_db()
    return version


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _verify(data: bytes, name: str = "clip.mp4") -> provenance.Verification:
    return provenance.verify_stream(io.BytesIO(data), name=name)


def _post_verify(client, data: bytes, name: str = "clip.mp4"):
    return client.post("/api/v1/provenance/verify/", {"file": SimpleUploadedFile(name, data)}, format="multipart")


def _tamper(data: bytes) -> bytes:
    flipped = bytearray(data)
    at = flipped.find(b"mdat") + 64
    flipped[at] ^= 0xFF
    return bytes(flipped)


# ---------------------------------------------------------------- signed downloads


def test_a_generated_versions_download_is_signed_with_its_origin_consent_and_approvals(studio, rights, clips, api):
    grant_row = grant(studio, rights, per_use=False)
    version = _approved(api, studio, rights, clips["good"])

    response = api(studio.producer).get(f"/api/v1/versions/{version.id}/download/")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].startswith("attachment;")
    signed = _body(response)
    result = _verify(signed)
    assert result.has_credentials and result.state == "trusted" and not result.tampered
    assert result.signer["name"] == studio.org.name and result.signer["issuer"] == studio.org.name

    created = result.actions[0]
    assert created["action"] == "c2pa.created"
    assert created["digitalSourceType"] == provenance.TRAINED_ALGORITHMIC_MEDIA
    assert created["softwareAgent"] == {"name": "wan-tiny-demo", "version": "2.1-demo"}
    assert created["parameters"]["seed"] == 424242
    ours = result.assertions[delivery.ASSERTION]
    use = LikenessUse.objects.get()
    assert ours["prompt_sha256"] == hashlib.sha256(PROMPT.encode()).hexdigest() and PROMPT not in json.dumps(ours)
    assert ours["model"]["name"] == "wan-tiny-demo" and ours["model"]["version"] == "2.1-demo" and ours["seed"] == 424242
    assert ours["consent_grant_ids"] == [str(grant_row.pk)]
    assert [u["id"] for u in ours["likeness_uses"]] == [str(use.pk)]
    assert [(a["lane"], a["decision"]) for a in ours["approvals"]] == [("producer", "approved")]
    assert ours["organization"] == {"id": str(studio.org.pk), "name": studio.org.name}
    assert result.assertions["cawg.training-mining"]["entries"]["cawg.ai_training"]["use"] == "notAllowed"
    # The file names no project, shot or version: only the credential id, resolved by Greenlight.
    copy = SignedCopy.objects.get()
    assert ours["credential_id"] == str(copy.pk) and str(version.pk) not in json.dumps(ours)
    assert hashlib.sha256(signed).hexdigest() == copy.sha256

    # A second download does not sign again; both are audited.
    again = api(studio.producer).get(f"/api/v1/versions/{version.id}/download/")
    assert _body(again) == signed and SignedCopy.objects.count() == 1
    events = AuditEvent.objects.filter(chain=str(studio.org.pk), action="version.downloaded").order_by("seq")
    assert [(e.data["kind"], e.data["cached"], e.data["signed_copy"]) for e in events] == [
        ("original", False, str(copy.pk)), ("original", True, str(copy.pk))]
    assert events[0].actor_id == studio.producer.pk
    assert verify_audit().startswith("OK:")


def test_an_uploaded_version_is_opened_not_created_and_its_conformed_copy_is_transcoded(studio, clips, api, media_root):
    version = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    original = api(studio.artist).get(f"/api/v1/versions/{version.id}/media/original/")
    assert original.status_code == 200, original.content[:300]
    result = _verify(_body(original))
    assert result.state == "trusted"
    assert [a["action"] for a in result.actions] == ["c2pa.opened"]

    proxy = api(studio.artist).get(f"/api/v1/versions/{version.id}/media/proxy/", {"download": "1"})
    assert proxy.status_code == 200 and proxy["Content-Disposition"].startswith("attachment;")
    conformed = _verify(_body(proxy))
    assert conformed.state == "trusted"
    assert [a["action"] for a in conformed.actions] == ["c2pa.opened", "c2pa.transcoded"]
    assert conformed.actions[1]["parameters"]["fps"] == "24/1"
    # Review playback (no download) streams the plain proxy, unsigned and unaudited.
    streamed = api(studio.artist).get(f"/api/v1/versions/{version.id}/media/proxy/")
    assert not _verify(_body(streamed)).has_credentials
    kinds = list(AuditEvent.objects.filter(action="version.downloaded").values_list("data__kind", flat=True))
    assert sorted(kinds) == ["original", "proxy"]


def test_an_original_that_cannot_carry_credentials_is_refused_with_the_way_out(studio, clips, api, media_root, tmp_path):
    import subprocess

    webm = tmp_path / "plate.webm"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=24:duration=1", "-c:v",
                    "libvpx", str(webm)], check=True)
    version = add_version(studio.shot, webm, user=studio.artist, process=True)
    refused = api(studio.artist).get(f"/api/v1/versions/{version.id}/download/")
    assert refused.status_code == 409 and "kind=proxy" in refused.json()["detail"]
    assert api(studio.artist).get(f"/api/v1/versions/{version.id}/download/", {"kind": "proxy"}).status_code == 200
    bad = api(studio.artist).get(f"/api/v1/versions/{version.id}/download/", {"kind": "poster"})
    assert bad.status_code == 400 and "kind" in bad.json()["fields"]


def test_without_a_configured_ca_nothing_leaves_unsigned(studio, clips, api, media_root, settings, tmp_path):
    settings.PROVENANCE_DIR = str(tmp_path / "empty")
    settings.PROVENANCE_CREATE_CA = False  # production: the CA must come from settings
    version = add_version(studio.shot, clips["good"], user=studio.artist)
    response = api(studio.artist).get(f"/api/v1/versions/{version.id}/download/")
    assert response.status_code == 503 and response.json()["error"] == "content_credentials_unavailable"
    assert "PROVENANCE_CA_CERT_FILE" in response.json()["detail"]
    assert not SignedCopy.objects.exists() and not AuditEvent.objects.filter(action="version.downloaded").exists()


def test_downloads_of_another_studios_versions_are_404(studio, rival, clips, api, media_root):
    version = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    for url in (f"/api/v1/versions/{version.id}/download/", f"/api/v1/versions/{version.id}/media/original/"):
        assert api(rival.producer).get(url).status_code == 404
    assert not SignedCopy.objects.exists() and not AuditEvent.objects.filter(action="version.downloaded").exists()


# ---------------------------------------------------------------- verify


def test_verify_shows_the_origin_to_insiders_only_and_catches_tampering(studio, rival, clips, api, media_root):
    version = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    signed = _body(api(studio.artist).get(f"/api/v1/versions/{version.id}/download/"))

    mine = _post_verify(api(studio.producer), signed)
    assert mine.status_code == 200, mine.json()
    body = mine.json()
    assert body["state"] == "trusted" and body["issued_by_greenlight"] and not body["tampered"]
    assert body["signer"]["name"] == studio.org.name
    assert body["origin"]["project"]["code"] == studio.project.code and body["origin"]["shot"]["code"] == studio.shot.code
    assert body["origin"]["version"]["id"] == str(version.pk) and body["origin"]["identical_to_signed_copy"]

    foreign = _post_verify(api(rival.producer), signed).json()
    assert foreign["state"] == "trusted" and foreign["signer"]["name"] == studio.org.name and foreign["origin"] is None
    text = json.dumps(foreign)
    for secret in (str(version.pk), str(studio.project.pk), str(studio.shot.pk), studio.shot.code, str(SignedCopy.objects.get().pk)):
        assert secret not in text

    tampered = _post_verify(api(studio.producer), _tamper(signed)).json()
    assert tampered["has_credentials"] and tampered["state"] == "invalid" and tampered["tampered"]
    assert any("mismatch" in f["code"] for f in tampered["failures"]), tampered["failures"]

    unsigned = _post_verify(api(studio.producer), clips["good"].read_bytes()).json()
    assert unsigned["has_credentials"] is False and unsigned["state"] == "none" and unsigned["origin"] is None


def test_verify_explains_bad_input(studio, clips, api):
    missing = api(studio.producer).post("/api/v1/provenance/verify/", {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()["fields"]
    text = _post_verify(api(studio.producer), b"just some notes\n", name="notes.txt")
    assert text.status_code == 400 and "mp4" in text.json()["detail"]
    assert api().post("/api/v1/provenance/verify/", {}, format="multipart").status_code in (401, 403)


# ---------------------------------------------------------------- delivery packages


def _playlist(studio, versions):
    return services.create_playlist(actor=studio.producer, project=studio.project, name="Final cut", versions=[v.pk for v in versions])


def test_a_delivery_package_holds_signed_media_the_cut_consent_and_hashes(studio, rights, clips, api):
    grant_row = grant(studio, rights, per_use=False)
    second = make_shot(studio.project, f"{studio.project.code}_010_0020", frame_in=1049, sequence=studio.sequence)
    first_v, second_v = _approved(api, studio, rights, clips["good"]), _approved(api, studio, rights, clips["good"], shot=second)
    playlist = _playlist(studio, [first_v, second_v])

    response = api(studio.producer).post(f"/api/v1/playlists/{playlist.id}/delivery-package/")
    assert response.status_code == 200, response.content[:800]
    data = _body(response)
    assert response["X-Package-SHA256"] == hashlib.sha256(data).hexdigest()
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = set(zf.namelist())
    media = sorted(n for n in names if n.startswith("media/"))
    assert media == [f"media/{studio.shot.code}_v001.mp4", f"media/{second.code}_v001.mp4"]
    assert {"cut.otio", "cut.edl", "consent.json", "manifest.json", "SHA256SUMS"} <= names
    for name in media:
        assert _verify(zf.read(name)).state == "trusted"

    manifest = json.loads(zf.read("manifest.json"))
    for entry in manifest["files"]:
        assert hashlib.sha256(zf.read(entry["path"])).hexdigest() == entry["sha256"]
    sums = zf.read("SHA256SUMS").decode().splitlines()
    assert f"{hashlib.sha256(zf.read('manifest.json')).hexdigest()}  manifest.json" in sums

    timeline = otio.adapters.read_from_string(zf.read("cut.otio").decode(), "otio_json")
    clips_ = list(timeline.find_clips())
    assert [c.name for c in clips_] == [studio.shot.code, second.code]
    assert [c.media_reference.target_url for c in clips_] == media
    assert clips_[1].source_range.start_time.to_frames() == 1049
    edl = zf.read("cut.edl").decode()
    assert "".join(ch for ch in studio.shot.code if ch.isalnum())[-8:] in edl and "FROM CLIP NAME" in edl.upper()

    consent = json.loads(zf.read("consent.json"))["shots"]
    assert [s["shot"] for s in consent] == [studio.shot.code, second.code]
    performer = consent[0]["performers"][0]
    assert performer["talent"] == "Ava Reyes" and performer["consent_grant_id"] == str(grant_row.pk)
    assert performer["use_type"] == "digital_replica" and performer["agency_decision"] == "approved"

    event = AuditEvent.objects.get(chain=str(studio.org.pk), action="delivery.packaged")
    assert event.data["sha256"] == hashlib.sha256(data).hexdigest() and len(event.data["members"]) == 2
    assert event.actor_id == studio.producer.pk
    # The media were signed once: the package reuses the same signed copies as downloads would.
    assert SignedCopy.objects.count() == 2


def test_a_package_is_refused_per_shot_while_a_shot_is_unapproved_or_quarantined(studio, rights, clips, api):
    grant_row = grant(studio, rights, per_use=False)
    approved = _approved(api, studio, rights, clips["good"])
    second = make_shot(studio.project, f"{studio.project.code}_010_0020", frame_in=1049, sequence=studio.sequence)
    pending = _generated(studio, rights, clips["good"], shot=second)
    rights_services.suspend_grant(actor=rights.agent, grant=grant_row, reason="Strike")  # quarantines both

    playlist = _playlist(studio, [approved, pending])
    refused = api(studio.producer).post(f"/api/v1/playlists/{playlist.id}/delivery-package/")
    assert refused.status_code == 409, refused.content[:500]
    body = refused.json()
    assert body["error"] == "package_refused"
    by_shot = {s["shot"]: [r["code"] for r in s["reasons"]] for s in body["shots"]}
    assert "quarantined" in by_shot[studio.shot.code] and "quarantined" in by_shot[second.code]
    assert "not_approved" in by_shot[second.code]
    assert any("Strike" in r["message"] for s in body["shots"] for r in s["reasons"])
    assert not SignedCopy.objects.exists()

    by_sequence = api(studio.producer).post(f"/api/v1/sequences/{studio.sequence.id}/delivery-package/")
    assert by_sequence.status_code == 409
    seq_shots = {s["shot"]: s for s in by_sequence.json()["shots"]}
    # Quarantine took the first shot's approval back: the sequence has no approved version left.
    assert all(s["version"] is None and s["reasons"][0]["code"] == "not_approved" for s in seq_shots.values())
    assert AuditEvent.objects.filter(chain=str(studio.org.pk), action="delivery.refused").count() == 2


def test_packages_of_another_studio_are_404_and_reviewers_may_not_make_them(studio, rival, rights, clips, api):
    grant(studio, rights, per_use=False)
    version = _approved(api, studio, rights, clips["good"])
    playlist = _playlist(studio, [version])
    for url in (f"/api/v1/playlists/{playlist.id}/delivery-package/", f"/api/v1/sequences/{studio.sequence.id}/delivery-package/"):
        assert api(rival.producer).post(url).status_code == 404
        assert api(studio.artist).post(url).status_code == 403
    assert not AuditEvent.objects.filter(action__in=["delivery.packaged", "delivery.refused"]).exists()


# ---------------------------------------------------------------- the CA and certificates


def test_the_ca_is_made_outside_the_repository_and_each_org_gets_a_cached_certificate(settings, tmp_path, studio, rival):
    settings.PROVENANCE_DIR = str(tmp_path / "prov")
    path, created = provenance.ensure_ca()
    assert created and path.is_file() and not str(path).startswith(str(Path(settings.BASE_DIR) / "studio"))
    assert provenance.ensure_ca() == (path, False)
    mine = provenance.credentials_for(organization_id=studio.org.pk, organization_name=studio.org.name)
    again = provenance.credentials_for(organization_id=studio.org.pk, organization_name=studio.org.name)
    theirs = provenance.credentials_for(organization_id=rival.org.pk, organization_name=rival.org.name)
    assert mine.serial == again.serial != theirs.serial
    assert provenance.organization_id_of(mine.certificate) == str(studio.org.pk)
    assert (tmp_path / "prov" / "orgs" / str(studio.org.pk) / "key.pem").stat().st_mode & 0o077 == 0

    settings.PROVENANCE_CA_CERT_FILE = str(tmp_path / "missing" / "ca.pem")
    settings.PROVENANCE_CA_KEY_FILE = str(tmp_path / "missing" / "ca.key")
    with pytest.raises(ImproperlyConfigured, match="PROVENANCE_CA_CERT_FILE"):
        provenance.ensure_ca()


def test_simultaneous_first_downloads_sign_once(transactional_db, clips, media_root):
    import threading

    from django.db import connection

    from tests.projects.conftest import Studio

    studio = Studio("race")
    version = add_version(studio.shot, clips["good"], user=studio.artist)
    workers = 4
    barrier = threading.Barrier(workers)
    copies, errors = [], []

    def download():
        try:
            barrier.wait(timeout=30)
            copies.append(delivery.download_copy(version=Version.objects.select_related("shot", "project__organization").get(
                pk=version.pk), kind="original", actor=studio.artist).copy.pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=download) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(set(copies)) == 1 and SignedCopy.objects.count() == 1
    cached = sorted(AuditEvent.objects.filter(action="version.downloaded").values_list("data__cached", flat=True))
    assert cached == [False] + [True] * (workers - 1)
