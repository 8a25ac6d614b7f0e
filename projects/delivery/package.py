"""Delivery packages: an approved cut (a playlist, or a sequence) as one zip that proves itself.

    <CODE>_<cut>_delivery.zip
      media/<SHOT>_<vNNN>.mp4     each shot's version, signed with Content Credentials (the original
                                  when it can carry them, else the conformed H.264 copy)
      cut.otio, cut.edl           the cut, clips pointing at media/ (frames at the project's rate)
      consent.json                per shot: performers, consent grant ids, use types, agency decisions
      manifest.json, SHA256SUMS   SHA-256 and size of every other member (`sha256sum -c SHA256SUMS`)

Refused (409, `package_refused`, with the reasons per shot) while any shot of the cut has no
approved version, or its version is quarantined, not approved, or refused by the consent policy
(purpose `deliver`); nothing is signed or written then. Both outcomes are audited.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import opentimelineio as otio
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from projects import access as perms
from projects import selectors
from projects.consent import project_ref, version_ref
from projects.delivery.copies import signed_copy
from projects.interchange import otio_cut
from projects.models import Playlist, Project, Sequence, Shot, SignedCopy, Version
from rights import selectors as rights_selectors
from rights.policy import check_versions
from studio import provenance, storage
from studio.audit import services as audit
from studio.exceptions import Conflict


class PackageRefused(Conflict):
    default_code = "package_refused"

    def __init__(self, detail: str, shots: list[dict]):
        super().__init__(detail=detail, code="package_refused")
        self.extra = {"shots": shots}


@dataclass
class Member:
    shot: Shot
    version: Version | None
    reasons: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Package:
    path: Path
    filename: str
    sha256: str
    id: uuid.UUID


def _members_of_playlist(playlist: Playlist) -> list[Member]:
    versions = [item.version for item in playlist.items.select_related("version__shot").order_by("order")]
    return [Member(shot=v.shot, version=v) for v in versions]


def _members_of_sequence(sequence: Sequence) -> list[Member]:
    approved = selectors.latest_approved_versions(project=sequence.project)
    shots = selectors.cut_shots(project=sequence.project).filter(sequence=sequence)
    return [Member(shot=shot, version=approved.get(shot.id)) for shot in shots]


def _check(project: Project, members: list[Member], actor) -> None:
    """Fill each member's reasons; consent is asked once for the whole cut."""
    versions = [m.version for m in members if m.version is not None]
    decisions = check_versions(project=project_ref(project), versions=[version_ref(v) for v in versions], purpose="deliver", actor=actor)
    for m in members:
        if m.version is None:
            m.reasons.append({"code": "not_approved", "message": f"{m.shot.code} has no approved version."})
            continue
        label = f"{m.shot.code} {m.version.label}"
        if m.version.is_quarantined:
            m.reasons.append({"code": "quarantined", "message": f"{label} is held: {m.version.quarantine_reason or 'quarantined.'}"})
        if m.version.approval_status != Version.ApprovalStatus.APPROVED:
            m.reasons.append({"code": "not_approved", "message": f"{label} is not approved ({m.version.get_approval_status_display()})."})
        decision = decisions.get(m.version.pk)
        if decision is not None and not decision.permits:
            m.reasons += [{"code": r.code, "message": r.message} for r in (*decision.reasons, *decision.reviews)]


def _refusal(members: list[Member]) -> list[dict]:
    return [
        {"shot": m.shot.code, "shot_id": str(m.shot.pk), "version": m.version.label if m.version else None,
         "version_id": str(m.version.pk) if m.version else None, "reasons": m.reasons}
        for m in members if m.reasons
    ]


def _timeline(project: Project, name: str, members: list[Member], files: dict) -> otio.schema.Timeline:
    rate = float(project.fps)
    timeline = otio.schema.Timeline(name=name)
    timeline.metadata["greenlight"] = {"project": project.code, "fps": f"{project.fps_num}/{project.fps_den}"}
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for m in members:
        v = m.version
        start, duration = (m.shot.frame_in, m.shot.frame_out - m.shot.frame_in + 1) if m.shot.duration_frames else (
            v.first_frame, v.frame_count or 1)
        clip = otio.schema.Clip(name=m.shot.code, source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(duration, rate)))
        available = otio.opentime.TimeRange(otio.opentime.RationalTime(v.first_frame, rate),
                                            otio.opentime.RationalTime(v.frame_count or duration, rate))
        clip.media_reference = otio.schema.ExternalReference(target_url=files[v.pk], available_range=available)
        clip.metadata["greenlight"] = {"shot": m.shot.code, "version": v.label}
        clip.metadata["cmx_3600"] = {"reel": "".join(ch for ch in m.shot.code if ch.isalnum())[-8:] or "AX"}
        track.append(clip)
    return timeline


def _consent_summary(members: list[Member]) -> list[dict]:
    shots = []
    for m in members:
        uses = rights_selectors.uses_for_version(version=version_ref(m.version))
        shots.append({
            "shot": m.shot.code, "version": m.version.label,
            "performers": [
                {"talent": u.talent.name, "talent_id": str(u.talent_id), "agency": u.talent.organization.name,
                 "consent_grant_id": str(u.grant_id), "use_type": u.use_type, "via": u.via,
                 "agency_decision": u.state, "decided_at": u.decided_at.isoformat() if u.decided_at else None,
                 "decision_note": u.decision_note, "likeness_use_id": str(u.pk)}
                for u in uses
            ],
        })
    return shots


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _signed_members(members: list[Member], actor) -> list[SignedCopy]:
    """Each member's signed copy, in the members' order; signed in version-id order, so two packages
    sharing versions lock them in the same order."""
    copies: dict = {}
    for m in sorted(members, key=lambda m: str(m.version.pk)):
        if m.version.pk in copies:
            continue
        original = m.version.original
        kind = SignedCopy.Kind.ORIGINAL if original and provenance.media_type_for(original.name) else SignedCopy.Kind.PROXY
        copies[m.version.pk] = signed_copy(version=m.version, kind=kind, actor=actor)[0]
    return [copies[m.version.pk] for m in members]


def _write_zip(path: Path, *, media: list[tuple[str, SignedCopy]], texts: dict[str, bytes], header: dict) -> None:
    entries = [{"path": arc, "sha256": c.sha256, "size": c.size, "content_credentials": True, "signed_copy": str(c.pk)}
               for arc, c in media]
    entries += [{"path": arc, "sha256": _sha256(data), "size": len(data), "content_credentials": False} for arc, data in texts.items()]
    manifest = json.dumps({**header, "files": entries}, indent=2).encode()
    sums = "".join(f"{e['sha256']}  {e['path']}\n" for e in entries) + f"{_sha256(manifest)}  manifest.json\n"
    with zipfile.ZipFile(path, "w") as zf:
        for arc, copy in media:
            with storage.local_copy(copy.file.name) as local:  # the file itself locally, a scratch copy from a bucket
                zf.write(local, arc, compress_type=zipfile.ZIP_STORED)
        for arc, data in {**texts, "manifest.json": manifest, "SHA256SUMS": sums.encode()}.items():
            zf.writestr(arc, data, compress_type=zipfile.ZIP_DEFLATED)


def build_package(*, actor, playlist: Playlist | None = None, sequence: Sequence | None = None) -> Package:
    """The delivery package of an approved playlist or sequence (see the module docstring)."""
    target = playlist or sequence
    project = Project.objects.select_related("organization").get(pk=target.project_id)
    perms.require_project_role(user=actor, project=project, roles=perms.DELIVER, action="make delivery packages")
    members = _members_of_playlist(playlist) if playlist is not None else _members_of_sequence(sequence)
    what = f"playlist '{playlist.name}'" if playlist is not None else f"sequence {sequence.code}"
    if not members:
        raise PackageRefused(f"The {what} has no shots to deliver; add approved versions first.", [])
    _check(project, members, actor)
    refused = _refusal(members)
    target_data = {"playlist" if playlist is not None else "sequence": str(target.pk)}
    if refused:
        audit.record(organization=project.organization, actor=actor, action="delivery.refused", target=target,
                     data={**target_data, "shots": refused})
        raise PackageRefused(f"The {what} cannot be delivered yet: {len(refused)} shot(s) are not cleared; see 'shots'.", refused)
    package_id = uuid.uuid4()
    with transaction.atomic():
        copies = _signed_members(members, actor)
        media = [(f"media/{m.shot.code}_{m.version.label}{Path(c.file.name).suffix}", c) for m, c in zip(members, copies, strict=True)]
        files = {m.version.pk: arc for m, (arc, _c) in zip(members, media, strict=True)}
        cut_name = f"{project.code} {playlist.name if playlist is not None else sequence.code}"
        timeline = _timeline(project, cut_name, members, files)
        texts = {
            "cut.otio": otio_cut.write_cut(timeline, "otio").encode(),
            "cut.edl": otio_cut.write_cut(timeline, "edl").encode(),
            "consent.json": json.dumps({"shots": _consent_summary(members)}, indent=2).encode(),
        }
        header = {"package": str(package_id), "created_at": timezone.now().isoformat(), "organization": project.organization.name,
                  "project": project.code, "cut": cut_name, "signer_chain": "Greenlight Content Credentials Root CA"}
        scratch = Path(settings.DATA_DIR) / "tmp"
        scratch.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(prefix="gl-package-", suffix=".zip", dir=scratch, delete=False)
        handle.close()
        path = Path(handle.name)
        _write_zip(path, media=media, texts=texts, header=header)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        audit.record(organization=project.organization, actor=actor, action="delivery.packaged", target=target,
                     data={**target_data, "package": str(package_id), "sha256": digest,
                           "members": [{"path": arc, "sha256": c.sha256, "signed_copy": str(c.pk)} for arc, c in media]})
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in cut_name)
    return Package(path=path, filename=f"{safe}_delivery.zip", sha256=digest, id=package_id)
