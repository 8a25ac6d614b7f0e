"""What leaves Greenlight, and the proof it carries (Content Credentials, C2PA). The signing itself is
the core's (`studio.provenance`); this package decides what a manifest says and when a file may go.

| module | what |
|---|---|
| `manifest` | a version's manifest: actions (created / opened, transcoded), model, seed, prompt SHA-256, uses, grants, approvals |
| `copies` | signed copies (cached per version, file and manifest inputs); `download_copy`, the download service (policy check, audit) |
| `package` | delivery packages of an approved playlist or sequence (signed media, OTIO/EDL, consent summary, SHA-256 manifest) |
| `verify` | verify any file; its Greenlight origin only for people who may see it |

Callers import from the package: `from projects import delivery`; `delivery.download_copy(...)`.
"""

from projects.delivery.copies import KINDS, CredentialsUnavailable, Download, SigningFailed, download_copy, signed_copy
from projects.delivery.manifest import ASSERTION, c2pa_manifest, manifest_inputs
from projects.delivery.package import Package, PackageRefused, build_package
from projects.delivery.verify import verify_file

__all__ = [
    "ASSERTION", "KINDS", "CredentialsUnavailable", "Download", "Package", "PackageRefused", "SigningFailed",
    "build_package", "c2pa_manifest", "download_copy", "manifest_inputs", "signed_copy", "verify_file",
]
