"""The Content Credentials core (studio.provenance) on its own: real c2pa, real MP4s, no domain."""

from __future__ import annotations

import io
import subprocess
import uuid

import pytest

from studio import provenance


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    path = tmp_path_factory.mktemp("prov") / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x64:rate=8:duration=1", "-pix_fmt",
                    "yuv420p", "-c:v", "libx264", str(path)], check=True)
    return path


def _manifest() -> dict:
    return {"claim_generator_info": [{"name": "Greenlight", "version": "1.0"}], "title": "clip.mp4", "format": "video/mp4",
            "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
                {"action": provenance.CREATED, "digitalSourceType": provenance.TRAINED_ALGORITHMIC_MEDIA}]}}]}


def _sign(clip, out, name="Elsewhere Films"):
    creds = provenance.credentials_for(organization_id=uuid.uuid4(), organization_name=name)
    provenance.sign_file(source=clip, destination=out, manifest=_manifest(), credentials=creds, media_type="video/mp4")
    return out.read_bytes()


def test_a_file_signed_under_another_ca_is_valid_but_not_trusted(settings, tmp_path, clip):
    settings.PROVENANCE_DIR = str(tmp_path / "other-ca")
    foreign = _sign(clip, tmp_path / "foreign.mp4")
    settings.PROVENANCE_DIR = str(tmp_path / "greenlight-ca")
    result = provenance.verify_stream(io.BytesIO(foreign), name="foreign.mp4")
    assert result.has_credentials and result.state == "valid" and not result.trusted and not result.tampered
    assert result.signature_valid and not result.signer_trusted and result.signer["name"] == "Elsewhere Films"
    assert [f["code"] for f in result.failures] == ["signingCredential.untrusted"]

    # The same file verifies as trusted where that CA is configured as an extra anchor.
    settings.PROVENANCE_TRUST_ANCHORS_FILE = str(tmp_path / "other-ca" / "ca" / "ca.pem")
    assert provenance.verify_stream(io.BytesIO(foreign), name="foreign.mp4").state == "trusted"


def test_signing_writes_nothing_when_it_fails(settings, tmp_path, clip):
    settings.PROVENANCE_DIR = str(tmp_path / "ca")
    creds = provenance.credentials_for(organization_id=uuid.uuid4(), organization_name="Broken")
    bad = _manifest()
    bad["assertions"][0]["data"]["actions"][0].pop("digitalSourceType")  # c2pa.created must name its source type
    out = tmp_path / "out" / "signed.mp4"
    with pytest.raises(provenance.SigningError, match="digitalSourceType"):
        provenance.sign_file(source=clip, destination=out, manifest=bad, credentials=creds, media_type="video/mp4")
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_unsigned_unsupported_and_pre_issued_certificates(settings, tmp_path, clip):
    settings.PROVENANCE_DIR = str(tmp_path / "ca")
    assert provenance.verify_stream(io.BytesIO(clip.read_bytes()), name="clip.mp4").state == "none"
    with pytest.raises(provenance.UnsupportedFile, match="mp4"):
        provenance.verify_stream(io.BytesIO(b"plain text"), name="notes.txt")

    # Certificates issued elsewhere (PROVENANCE_ORG_CERTS_DIR) are used as given.
    org = uuid.uuid4()
    issued = provenance.credentials_for(organization_id=org, organization_name="Given")
    given = tmp_path / "given" / str(org)
    given.mkdir(parents=True)
    (given / "chain.pem").write_bytes(issued.chain_pem)
    (given / "key.pem").write_bytes(issued.key_pem)
    settings.PROVENANCE_ORG_CERTS_DIR = str(tmp_path / "given")
    settings.PROVENANCE_DIR = str(tmp_path / "fresh")
    settings.PROVENANCE_TRUST_ANCHORS_FILE = str(tmp_path / "ca" / "ca" / "ca.pem")
    again = provenance.credentials_for(organization_id=org, organization_name="Given")
    assert again.serial == issued.serial
    out = tmp_path / "given.mp4"
    provenance.sign_file(source=clip, destination=out, manifest=_manifest(), credentials=again, media_type="video/mp4")
    assert provenance.verify_stream(io.BytesIO(out.read_bytes()), name="given.mp4").state == "trusted"
