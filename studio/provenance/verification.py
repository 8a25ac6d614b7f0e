"""Reading and validating the Content Credentials of any file (offline).

`verify_stream(stream, name=)` answers: does the file carry a C2PA manifest, is it valid, is its
signer trusted (the Greenlight CA or a configured root), was it tampered with, who signed, and the
active manifest's actions and assertions (for the domain to look up what it refers to).

States, from c2pa's validation state:
- `none`: no manifest (never signed, or stripped by a remux or re-encode);
- `trusted`: valid and signed by a certificate that chains to a trusted root;
- `valid`: the signature and hashes hold, but the signer is unknown here;
- `invalid`: something does not match (the content was changed after signing, the manifest was
  altered, the certificate expired …): `tampered` is true and `failures` says what.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import IO, Any

import c2pa

from studio.provenance.signing import offline_context

READABLE_TYPES = {
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".png": "image/png", ".webp": "image/webp", ".tif": "image/tiff", ".tiff": "image/tiff", ".gif": "image/gif",
    ".avi": "video/avi", ".wav": "audio/wav", ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".pdf": "application/pdf",
    ".heic": "image/heic", ".avif": "image/avif",
}
UNTRUSTED = "signingCredential.untrusted"


class UnsupportedFile(ValueError):
    """A file type c2pa cannot read."""


@dataclass
class Verification:
    has_credentials: bool
    state: str  # none | trusted | valid | invalid
    tampered: bool = False
    trusted: bool = False
    signer_trusted: bool = False  # the signing certificate chains to a trusted root
    signature_valid: bool = False  # the claim's signature holds (whatever the content hashes say)
    signer: dict[str, Any] = field(default_factory=dict)
    failures: list[dict[str, str]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    assertions: dict[str, Any] = field(default_factory=dict)
    claim_generator: str = ""
    manifest_label: str = ""
    manifests: int = 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("assertions")
        return data


def sniff_media_type(head: bytes, name: str = "") -> str | None:
    """The media type from the first bytes (ISO BMFF, JPEG, PNG), else from the file name."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:12] == b"qt  " else "video/mp4"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return READABLE_TYPES.get(suffix)


def verify_stream(stream: IO[bytes], *, name: str = "") -> Verification:
    head = stream.read(16)
    stream.seek(0)
    media_type = sniff_media_type(head, name)
    if media_type is None:
        known = ", ".join(sorted({k.lstrip(".") for k in READABLE_TYPES}))
        raise UnsupportedFile(f"Cannot read Content Credentials from this file type; send one of: {known}.")
    try:
        with c2pa.Reader(media_type, stream, context=offline_context()) as reader:
            store = json.loads(reader.json())
            state = reader.get_validation_state() or ""
            results = reader.get_validation_results() or {}
    except c2pa.C2paError as exc:
        if "ManifestNotFound" in type(exc).__name__ or "no JUMBF" in str(exc) or "NotFound" in str(exc):
            return Verification(has_credentials=False, state="none")
        if "NotSupported" in type(exc).__name__:
            raise UnsupportedFile(f"Cannot read Content Credentials from a {media_type} file: {exc}") from exc
        return Verification(
            has_credentials=True, state="invalid", tampered=True,
            failures=[{"code": "manifest.unreadable", "explanation": str(exc)[:300]}],
        )
    return _summarize(store, state, results)


def _summarize(store: dict, state: str, results: dict) -> Verification:
    label = store.get("active_manifest") or ""
    active = (store.get("manifests") or {}).get(label) or {}
    active_results = results.get("activeManifest") or {}
    successes = {s.get("code") for s in active_results.get("success") or []}
    failures = [
        {"code": f.get("code", ""), "explanation": f.get("explanation", "")} for f in active_results.get("failure") or []
    ]
    failures += [
        {"code": f.get("code", ""), "explanation": f.get("explanation", "")}
        for f in (store.get("validation_status") or [])
        if f.get("code") and f.get("code") not in {x["code"] for x in failures}
    ]
    real_failures = [f for f in failures if f["code"] != UNTRUSTED]
    lowered = state.lower()
    if lowered == "trusted" and not real_failures:
        summary = "trusted"
    elif lowered in ("valid", "trusted") and not real_failures:
        summary = "valid"
    else:
        summary = "invalid"
    assertions = {a.get("label"): a.get("data") for a in active.get("assertions") or [] if a.get("label")}
    actions = []
    for key in ("c2pa.actions.v2", "c2pa.actions"):
        actions.extend((assertions.get(key) or {}).get("actions") or [])
    info = active.get("signature_info") or {}
    generator = (active.get("claim_generator_info") or [{}])[0]
    return Verification(
        has_credentials=True, state=summary, tampered=summary == "invalid", trusted=summary == "trusted",
        signer_trusted="signingCredential.trusted" in successes, signature_valid="claimSignature.validated" in successes,
        signer={"name": info.get("common_name") or "", "issuer": info.get("issuer") or "",
                "serial": str(info.get("cert_serial_number") or ""), "algorithm": info.get("alg") or "",
                "time": info.get("time") or ""},
        failures=failures, actions=actions, assertions=assertions,
        claim_generator=" ".join(str(generator.get(k) or "") for k in ("name", "version")).strip(),
        manifest_label=label, manifests=len(store.get("manifests") or {}),
    )
