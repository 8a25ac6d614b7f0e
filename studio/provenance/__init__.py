"""Content Credentials (C2PA): the platform's signing and verifying mechanics. Core: no domain imports.

| module | what |
|---|---|
| `authority` | the Greenlight CA (made at set-up, outside the repository) and each organization's certificate, |
| | issued on demand and cached; production keys from settings |
| `signing` | embed and sign a manifest into a file (offline: no timestamp authority, no OCSP) |
| `verification` | read and validate any file's manifest: none / trusted / valid / invalid (tampered) |

What goes *into* a manifest is the domain's business (`projects/delivery/`); this package signs and
reads whatever it is given. docs/RIGHTS.md ("Content Credentials") says what is signed and how to
verify; docs/OPERATIONS.md how the CA and certificates are run.
"""

from studio.provenance.authority import (
    SigningCredentials,
    ca_certificate_pem,
    credentials_for,
    ensure_ca,
    organization_id_of,
    trust_anchors_pem,
)
from studio.provenance.signing import (
    COMPOSITE_WITH_TRAINED,
    CREATED,
    DIGITAL_CAPTURE,
    EDITED,
    OPENED,
    PARENT_LABEL,
    SIGNABLE_TYPES,
    TRAINED_ALGORITHMIC_MEDIA,
    TRANSCODED,
    Parent,
    SigningError,
    media_type_for,
    sign_file,
)
from studio.provenance.verification import UnsupportedFile, Verification, verify_stream

__all__ = [
    "COMPOSITE_WITH_TRAINED", "CREATED", "DIGITAL_CAPTURE", "OPENED", "PARENT_LABEL", "SIGNABLE_TYPES",
    "TRAINED_ALGORITHMIC_MEDIA", "TRANSCODED", "EDITED", "Parent", "SigningCredentials", "SigningError", "UnsupportedFile",
    "Verification", "ca_certificate_pem", "credentials_for", "ensure_ca", "media_type_for", "organization_id_of",
    "sign_file", "trust_anchors_pem", "verify_stream",
]
