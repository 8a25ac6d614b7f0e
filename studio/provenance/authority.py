"""The Greenlight certificate authority and the organizations' signing certificates.

Layout (outside the repository; `PROVENANCE_DIR`, by default `DATA_DIR/provenance`):

    ca/ca.pem, ca/ca.key          the Greenlight root CA (made by `manage.py provenance_ca` or on first use)
    orgs/<organization id>/       one EC P-256 key and a certificate chain (leaf, CA) per organization,
        key.pem, chain.pem        issued from the CA on demand and cached; reissued 30 days before expiry
                                  or when the organization's name changed

Production takes its keys from settings instead (docs/OPERATIONS.md, "Content Credentials"):
`PROVENANCE_CA_CERT_FILE` + `PROVENANCE_CA_KEY_FILE` (a CA, possibly an intermediate of the company
PKI, that issues the organizations' certificates), and/or `PROVENANCE_ORG_CERTS_DIR` holding
`<organization id>/chain.pem` and `key.pem` issued elsewhere (then no CA key is needed here).
`PROVENANCE_TRUST_ANCHORS_FILE` adds PEM roots the verifier trusts beside the CA.

Leaf certificates follow the C2PA certificate profile that c2pa-rs enforces at signing: not
self-signed, `CA:FALSE`, key usage `digitalSignature`, extended key usage `emailProtection` plus
the C2PA claim-signing OID (accepted by default trust settings), validity one year.
No key is ever written inside the repository.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

C2PA_CLAIM_SIGNING = ObjectIdentifier("1.3.6.1.4.1.62558.2.1")
CA_NAME = "Greenlight Content Credentials Root CA"
CA_DAYS = 3650
LEAF_DAYS = 365
RENEW_BEFORE = dt.timedelta(days=30)
_ORG_ID = re.compile(r"^[0-9a-fA-F-]{8,64}$")


@dataclass(frozen=True)
class SigningCredentials:
    """What c2pa needs to sign for one organization: the PEM chain (leaf first) and the PKCS#8 key."""

    organization_id: str
    organization_name: str
    chain_pem: bytes
    key_pem: bytes
    serial: int

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificates(self.chain_pem)[0]


def provenance_dir() -> Path:
    return Path(getattr(settings, "PROVENANCE_DIR", None) or Path(settings.DATA_DIR) / "provenance")


def _ca_paths() -> tuple[Path, Path]:
    cert = getattr(settings, "PROVENANCE_CA_CERT_FILE", "") or ""
    key = getattr(settings, "PROVENANCE_CA_KEY_FILE", "") or ""
    if cert or key:
        return Path(cert), Path(key)
    return provenance_dir() / "ca" / "ca.pem", provenance_dir() / "ca" / "ca.key"


def _configured_ca() -> bool:
    return bool(getattr(settings, "PROVENANCE_CA_CERT_FILE", "") or getattr(settings, "PROVENANCE_CA_KEY_FILE", ""))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextmanager
def _locked(path: Path):
    """An exclusive file lock, so two processes never issue the same CA or certificate at once."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False,
    )


def ensure_ca() -> tuple[Path, bool]:
    """The CA certificate's path, and whether it was created now. Made when missing, unless the CA
    comes from settings (then a missing file is a configuration error)."""
    cert_path, key_path = _ca_paths()
    if cert_path.is_file():
        return cert_path, False
    if _configured_ca() or not getattr(settings, "PROVENANCE_CREATE_CA", True):
        raise ImproperlyConfigured(
            f"The Content Credentials CA certificate {cert_path} does not exist: set PROVENANCE_CA_CERT_FILE and "
            "PROVENANCE_CA_KEY_FILE to the CA's files, or run `manage.py provenance_ca` (docs/OPERATIONS.md)."
        )
    with _locked(cert_path.parent / ".lock"):
        if cert_path.is_file():
            return cert_path, False
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Greenlight"),
        ])
        now = _now()
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(sign=False, ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        _write_private(key_path, _key_pem(key))
        _write_private(cert_path, _pem(cert))
        return cert_path, True


def ca_certificate_pem() -> bytes:
    return ensure_ca()[0].read_bytes()


def trust_anchors_pem() -> str:
    """Every root the verifier trusts: the Greenlight CA plus `PROVENANCE_TRUST_ANCHORS_FILE`."""
    anchors = [ca_certificate_pem().decode()]
    extra = getattr(settings, "PROVENANCE_TRUST_ANCHORS_FILE", "") or ""
    if extra:
        anchors.append(Path(extra).read_text())
    return "\n".join(a.strip() for a in anchors) + "\n"


def _org_dir(organization_id: str) -> Path:
    if not _ORG_ID.match(organization_id):
        raise ValueError(f"not an organization id: {organization_id!r}")
    return provenance_dir() / "orgs" / organization_id


def _preissued(organization_id: str, name: str) -> SigningCredentials | None:
    root = getattr(settings, "PROVENANCE_ORG_CERTS_DIR", "") or ""
    if not root:
        return None
    folder = Path(root) / organization_id
    if not (folder / "chain.pem").is_file():
        return None
    chain, key = (folder / "chain.pem").read_bytes(), (folder / "key.pem").read_bytes()
    serial = x509.load_pem_x509_certificates(chain)[0].serial_number
    return SigningCredentials(organization_id, name, chain, key, serial)


def _usable(chain: bytes, name: str) -> bool:
    leaf = x509.load_pem_x509_certificates(chain)[0]
    cn = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return leaf.not_valid_after_utc - RENEW_BEFORE > _now() and bool(cn) and cn[0].value == _subject_name(name)


def _subject_name(name: str) -> str:
    return (name.strip() or "Greenlight organization")[:64]


def credentials_for(*, organization_id, organization_name: str) -> SigningCredentials:
    """The organization's signing key and chain: pre-issued from settings, else cached, else issued
    now from the CA (and cached)."""
    org = str(organization_id)
    given = _preissued(org, organization_name)
    if given is not None:
        return given
    folder = _org_dir(org)
    chain_path, key_path = folder / "chain.pem", folder / "key.pem"
    if chain_path.is_file() and key_path.is_file() and _usable(chain_path.read_bytes(), organization_name):
        chain = chain_path.read_bytes()
    else:
        with _locked(folder / ".lock"):
            if not (chain_path.is_file() and key_path.is_file() and _usable(chain_path.read_bytes(), organization_name)):
                _issue(org, organization_name, chain_path, key_path)
        chain = chain_path.read_bytes()
    serial = x509.load_pem_x509_certificates(chain)[0].serial_number
    return SigningCredentials(org, organization_name, chain, key_path.read_bytes(), serial)


def _issue(org: str, name: str, chain_path: Path, key_path: Path) -> None:
    ca_path, ca_key_path = _ca_paths()
    ensure_ca()
    ca_cert = x509.load_pem_x509_certificate(ca_path.read_bytes())
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, _subject_name(name)),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _subject_name(name)),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"greenlight-org-{org}"),
    ])
    now = _now()
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + dt.timedelta(days=LEAF_DAYS), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True, ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, C2PA_CLAIM_SIGNING]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(key_path, _key_pem(key))
    _write_private(chain_path, _pem(cert) + _pem(ca_cert))


def organization_id_of(cert: x509.Certificate) -> str | None:
    """The Greenlight organization id a leaf issued here names (its OU), else None."""
    for attr in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME):
        value = str(attr.value)
        if value.startswith("greenlight-org-"):
            return value.removeprefix("greenlight-org-")
    return None
