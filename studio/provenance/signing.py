"""Signing a file with a C2PA manifest, offline (c2pa-python, no timestamp authority, no OCSP).

`sign_file(source=, destination=, manifest=, credentials=, media_type=)` embeds the manifest and
signs it with the organization's certificate. c2pa verifies the result after signing and raises
*after* it has written the bytes, so the output goes to a temporary file that is renamed only on
success (docs/RIGHTS.md; research notes, "Limitations and gotchas").
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import c2pa

from studio.provenance.authority import SigningCredentials, trust_anchors_pem

# What the platform can sign: ISO BMFF video and the stills it sends out. Anything else cannot
# carry embedded Content Credentials with this library (webm, mkv, zip, text).
SIGNABLE_TYPES = {
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".png": "image/png",
}
CREATED = "c2pa.created"
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
COMPOSITE_WITH_TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
DIGITAL_CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
OPENED = "c2pa.opened"
TRANSCODED = "c2pa.transcoded"
EDITED = "c2pa.edited"
PARENT_LABEL = "parent"


class SigningError(Exception):
    """The file could not be signed (unsupported type, or c2pa refused the manifest or certificate)."""


def media_type_for(name: str) -> str | None:
    return SIGNABLE_TYPES.get(Path(name).suffix.lower())


def offline_context(*, for_signing: bool = False) -> c2pa.Context:
    """c2pa settings that never reach the network; the Greenlight CA (and configured roots) trusted."""
    config = {
        "verify": {"ocsp_fetch": False, "remote_manifest_fetch": False, "verify_after_sign": for_signing},
        "builder": {"thumbnail": {"enabled": False}},
        "trust": {"user_anchors": trust_anchors_pem()},
    }
    return c2pa.Context.from_dict(config)


@dataclass(frozen=True)
class Parent:
    """The asset a manifest's `c2pa.opened` action names (relationship `parentOf`): `label` is the
    ingredient id its action lists in `parameters.ingredientIds`."""

    path: Path
    title: str
    media_type: str
    label: str = PARENT_LABEL


def sign_file(
    *, source: Path, destination: Path, manifest: dict, credentials: SigningCredentials, media_type: str, parent: Parent | None = None
) -> int:
    """Write `source` with `manifest` embedded and signed to `destination`; the manifest's size in bytes."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".signing-", suffix=destination.suffix, dir=destination.parent)
    os.close(fd)
    signer = None
    try:
        signer = c2pa.Signer.from_info(
            c2pa.C2paSignerInfo(alg=b"es256", sign_cert=credentials.chain_pem, private_key=credentials.key_pem, ta_url=None)
        )
        with c2pa.Builder(manifest, context=offline_context(for_signing=True)) as builder:
            if parent is not None:
                with open(parent.path, "rb") as ingredient:
                    builder.add_ingredient(
                        {"title": parent.title, "relationship": "parentOf", "label": parent.label}, parent.media_type, ingredient
                    )
            with open(source, "rb") as src, open(tmp, "w+b") as dst:
                manifest_bytes = builder.sign(signer, media_type, src, dst)
        os.replace(tmp, destination)
        return len(manifest_bytes or b"")
    except c2pa.C2paError as exc:
        raise SigningError(str(exc)) from exc
    finally:
        if signer is not None:
            signer.close()
        if os.path.exists(tmp):
            os.remove(tmp)
