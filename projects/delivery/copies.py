"""Signed copies: every version file that leaves Greenlight carries Content Credentials.

`download_copy(version=, kind=, actor=)` is the one service for a version's download (the original,
or the conformed H.264 copy): it asks the consent policy (purpose `deliver`), signs the file with
the studio's certificate — or finds the copy signed before for the same file and the same manifest
inputs, so a second download does not sign again — and audits `version.downloaded`.
"""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from rest_framework.exceptions import APIException, NotFound

from projects import services
from projects.delivery.manifest import c2pa_manifest, inputs_digest, manifest_inputs
from projects.lanes import VersionHeld
from projects.likeness_scan import held_refusal
from projects.models import SignedCopy, Version, version_media_dir
from studio import provenance, storage
from studio.audit import services as audit
from studio.exceptions import Conflict

KINDS = tuple(SignedCopy.Kind.values)


class SigningFailed(APIException):
    status_code = 500
    default_code = "signing_failed"


class CredentialsUnavailable(APIException):
    """No CA or certificate is configured (production without PROVENANCE_* settings): nothing leaves unsigned."""

    status_code = 503
    default_code = "content_credentials_unavailable"


@dataclass(frozen=True)
class Download:
    copy: SignedCopy
    name: str  # the signed copy's name in the media storage
    cached: bool


def _source(version: Version, kind: str) -> tuple[str, str, str]:
    """(stored name, media type, download file name) of the file to sign; 404/409 when there is none."""
    stored = getattr(version, kind)
    if not stored:
        if kind == SignedCopy.Kind.ORIGINAL:
            raise NotFound("This version has no original file.")
        raise NotFound(f"The conformed copy is not available: the version's media is {version.processing_status}.")
    path = PurePosixPath(stored.name)
    media_type = provenance.media_type_for(path.name)
    if media_type is None:
        raise Conflict(
            f"This version's original is a {path.suffix or 'typeless'} file, which cannot carry Content Credentials; "
            "download the conformed MP4 instead (kind=proxy)."
        )
    if kind == SignedCopy.Kind.ORIGINAL:
        stem = Path(version.original_name or path.name).stem
        name = f"{stem}{path.suffix.lower()}"
    else:
        name = f"{version.shot.code}_{version.label}{path.suffix.lower()}"
    return stored.name, media_type, name


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def signed_copy(*, version: Version, kind: str, actor=None) -> tuple[SignedCopy, bool]:
    """The signed copy of `version`'s `kind` file, made now unless cached: (copy, was it cached).
    Call inside a transaction; no policy check or audit here (the callers do both)."""
    if kind not in KINDS:
        raise ValueError(kind)
    source, media_type, filename = _source(version, kind)
    try:
        size, mtime = storage.stat(source)
    except FileNotFoundError:
        raise NotFound(f"The {kind} file is missing from storage.") from None
    inputs = manifest_inputs(version=version, kind=kind)
    key = inputs_digest(inputs, source_identity=f"{kind}:{source}:{size}:{int(mtime * 1e9)}")
    list(Version.objects.select_for_update(no_key=True)
        .filter(pk=version.pk).values_list("pk", flat=True))  # one signer per version at a time
    cached = SignedCopy.objects.filter(version=version, kind=kind, source_key=key).first()
    if cached is not None and cached.file and storage.exists(cached.file.name):
        return cached, True
    if cached is not None:
        cached.delete()  # its file is gone: sign again
    return _sign(version=version, kind=kind, key=key, inputs=inputs, source=source, media_type=media_type,
                 filename=filename, actor=actor), False


def _signed_file(*, version: Version, source: Path, source_name: str, manifest: dict, credentials, media_type: str, tmp: Path) -> Path:
    """Sign the local file `source` into `tmp`; the upload is the parent ingredient of an uploaded version."""
    signed = tmp / f"signed{source.suffix.lower()}"
    with ExitStack() as stack:
        parent = None
        if version.source != Version.Source.GENERATION:
            # The upload is the parent ingredient; when c2pa cannot read its format (webm, mkv), the copy
            # being signed stands in for it under the upload's name.
            original_name = version.original.name if version.original else ""
            readable = provenance.media_type_for(PurePosixPath(original_name).name) if original_name else None
            same = original_name == source_name or not readable  # signing the upload itself: no second copy
            original = source if same else stack.enter_context(storage.local_copy(original_name))
            parent = provenance.Parent(path=original, title=version.original_name or PurePosixPath(original_name).name or source.name,
                                       media_type=readable or media_type)
        try:
            provenance.sign_file(source=source, destination=signed, manifest=manifest, credentials=credentials,
                                 media_type=media_type, parent=parent)
        except provenance.SigningError as exc:
            raise SigningFailed(f"Could not sign the file with Content Credentials: {exc}") from exc
    return signed


def _sign(*, version: Version, kind: str, key: str, inputs: dict, source: str, media_type: str, filename: str, actor) -> SignedCopy:
    organization = version.project.organization
    try:
        credentials = provenance.credentials_for(organization_id=organization.pk, organization_name=organization.name)
    except ImproperlyConfigured as exc:
        raise CredentialsUnavailable(f"Files cannot leave Greenlight unsigned, and no signing certificate is configured: {exc}") from exc
    copy_id = uuid.uuid4()
    manifest = c2pa_manifest(inputs=inputs, credential_id=str(copy_id), title=filename, media_type=media_type)
    suffix = PurePosixPath(source).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="gl-sign-", dir=storage.scratch_dir()) as tmp, storage.local_copy(source) as local:
        signed = _signed_file(version=version, source=local, source_name=source, manifest=manifest, credentials=credentials,
                              media_type=media_type, tmp=Path(tmp))
        digest, size = _sha256_file(signed), signed.stat().st_size
        name = storage.save_file(signed, f"{version_media_dir(version)}/signed/{copy_id}{suffix}")
    try:
        with transaction.atomic():
            return SignedCopy.objects.create(
                id=copy_id, organization=organization, project=version.project, version=version, kind=kind, source_key=key,
                file=name, filename=filename, media_type=media_type, sha256=digest, size=size,
                certificate_serial=str(credentials.serial), manifest=manifest["assertions"][-1]["data"],
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        default_storage.delete(name)
        return SignedCopy.objects.get(version=version, kind=kind, source_key=key)


def download_copy(*, version: Version, kind: str, actor) -> Download:
    """A version's file as it leaves Greenlight: consent checked, signed (or cached), audited."""
    if kind not in KINDS:
        raise NotFound(f"Unknown file kind {kind!r}: use one of {', '.join(KINDS)}.")
    services.check_delivery(version=version, actor=actor)
    if refusal := held_refusal(version):  # what the `download` allowed action says
        raise VersionHeld(refusal)
    with transaction.atomic():
        copy, cached = signed_copy(version=version, kind=kind, actor=actor)
        audit.record(
            organization=version.project.organization, actor=actor, action="version.downloaded", target=version,
            data={"kind": kind, "signed_copy": str(copy.pk), "sha256": copy.sha256, "cached": cached,
                  "shot": version.shot.code, "version": version.label},
        )
    return Download(copy=copy, name=copy.file.name, cached=cached)


def sign_share_copy(*, version: Version, source: Path, destination: Path, share_copy: str) -> None:
    """Sign a share link viewer's watermarked copy (`source`, a local MP4 made from the version's
    conformed proxy) into `destination`: what leaves through a link carries the version's Content
    Credentials too, with the watermark as one more action and the copy's id (not the viewer's
    name) in Greenlight's assertion."""
    organization = version.project.organization
    try:
        credentials = provenance.credentials_for(organization_id=organization.pk, organization_name=organization.name)
    except ImproperlyConfigured as exc:
        raise CredentialsUnavailable(f"Files cannot leave Greenlight unsigned, and no signing certificate is configured: {exc}") from exc
    inputs = {**manifest_inputs(version=version, kind=SignedCopy.Kind.PROXY), "share_copy": share_copy}
    title = f"{version.shot.code}_{version.label}.mp4"
    manifest = c2pa_manifest(inputs=inputs, credential_id=share_copy, title=title, media_type="video/mp4")
    parent = None
    if version.source != Version.Source.GENERATION:
        parent = provenance.Parent(path=source, title=title, media_type="video/mp4")
    try:
        provenance.sign_file(source=source, destination=destination, manifest=manifest, credentials=credentials,
                             media_type="video/mp4", parent=parent)
    except provenance.SigningError as exc:
        raise SigningFailed(f"Could not sign the file with Content Credentials: {exc}") from exc
