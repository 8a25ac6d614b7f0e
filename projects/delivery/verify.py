"""Verify any file: its Content Credentials and, for people who may see it, where in Greenlight it came from.

The file names no project, shot or version: its manifest carries a credential id (a `SignedCopy`).
That id is resolved only when (1) the manifest's signature holds, (2) its certificate chains to the
Greenlight CA and is the one that signed that copy, and (3) the caller may see the copy's project
(`projects.access`). Everyone else learns what the file itself says (valid or not, who signed,
the actions) and nothing about Greenlight's rows.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import IO, Any

from django.core.exceptions import ImproperlyConfigured

from projects.access import access_for
from projects.delivery.copies import CredentialsUnavailable
from projects.delivery.manifest import ASSERTION
from projects.models import SignedCopy
from studio import provenance

TAMPERED_HINT = "The file changed after it was signed (or its manifest was altered): do not trust its content."


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _origin(result: provenance.Verification, *, user, sha256: str) -> dict[str, Any] | None:
    data = result.assertions.get(ASSERTION)
    if not (isinstance(data, dict) and result.signature_valid and result.signer_trusted):
        return None
    copy = (
        SignedCopy.objects.select_related("project__organization", "version__shot")
        .filter(pk=data.get("credential_id") if _is_uuid(data.get("credential_id")) else None,
                certificate_serial=result.signer.get("serial") or "-")
        .first()
    )
    if copy is None or access_for(user=user, project=copy.project) is None:
        return None
    version = copy.version
    return {
        "project": {"id": str(copy.project.pk), "code": copy.project.code, "name": copy.project.name},
        "shot": {"id": str(version.shot.pk), "code": version.shot.code},
        "version": {"id": str(version.pk), "label": version.label, "number": version.number},
        "kind": copy.kind,
        "signed_at": copy.created_at.isoformat(),
        "identical_to_signed_copy": sha256 == copy.sha256,
    }


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except (TypeError, ValueError):
        return False
    return True


def verify_file(*, stream: IO[bytes], name: str, user) -> dict[str, Any]:
    """What the verify page shows for an uploaded file (raises `provenance.UnsupportedFile`)."""
    sha256 = _sha256(stream)
    try:
        result = provenance.verify_stream(stream, name=name)
    except ImproperlyConfigured as exc:
        raise CredentialsUnavailable(f"Cannot verify without the Greenlight CA: {exc}") from exc
    answer = result.as_dict()
    answer["sha256"] = sha256
    greenlight = result.assertions.get(ASSERTION)
    answer["issued_by_greenlight"] = bool(isinstance(greenlight, dict) and result.signer_trusted and result.signature_valid)
    answer["origin"] = _origin(result, user=user, sha256=sha256) if result.has_credentials else None
    if isinstance(greenlight, dict) and answer["origin"] is None:
        # Strip what only Greenlight's own people may read back from the manifest.
        answer["actions"] = [{k: v for k, v in a.items() if k != "parameters"} for a in answer["actions"]]
    if not result.has_credentials:
        answer["summary"] = "No Content Credentials: the file was never signed, or they were stripped (a remux or re-encode does that)."
    elif result.tampered:
        answer["summary"] = TAMPERED_HINT
    elif result.trusted:
        answer["summary"] = f"Valid Content Credentials, signed by {result.signer.get('name') or 'an unnamed signer'} (trusted)."
    else:
        answer["summary"] = f"Valid Content Credentials, but the signer {result.signer.get('name') or ''!s} is not trusted here."
    return answer
