"""Editorial cuts through OpenTimelineIO: import .otio / CMX 3600 .edl, export the approved cut.

Import: the file is read in a child process with CPU, memory and nesting limits (`cut_reader`), never
in the web process. Every clip of the timeline's video tracks, in record order, is a shot. Its code is the
clip name (or `metadata.greenlight.shot`, which our exports carry); its sequence is
`metadata.greenlight.sequence` or the code up to its last '_' (`MR_010_0040` -> `MR_010`). Frames
come from the clip's source range (`frames=source`, the default, as editorial hands them over),
or each shot starts at the project's start frame with the cut's duration (`frames=start`).

Export: one video track with a clip per shot (omitted shots left out) in shot-list order, pointing at
the latest approved version's review proxy (a MissingReference when none is approved yet), with
the version's comments as markers (red open, green resolved).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
from django.conf import settings
from rest_framework.exceptions import ValidationError

from projects.access import ProjectAccess
from projects.client_view import client_cut
from projects.consent import project_ref, version_ref
from projects.interchange import MAX_IMPORT_BYTES, cut_reader
from projects.models import Project
from projects.selectors import cut_shots, export_comments, latest_approved_versions
from projects.services import ShotSpec
from rights.policy import check_versions

log = logging.getLogger(__name__)

FORMATS = {"otio": "otio_json", "edl": "cmx_3600"}
CONTENT_TYPES = {"otio": "application/vnd.opentimelineio+json", "edl": "text/plain; charset=utf-8"}
FRAME_MODES = ("source", "start")


def format_for(filename: str, explicit: str | None = None) -> str:
    if explicit:
        if explicit not in FORMATS:
            raise ValidationError({"format": [f"Unknown cut format {explicit!r}; use one of: {', '.join(FORMATS)}."]})
        return explicit
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in FORMATS:
        raise ValidationError(
            {"file": [f"Cannot tell the cut format from {filename!r}; upload a .otio or .edl file, or pass format=otio|edl."]}
        )
    return extension


def read_cut(
    data: bytes, *, filename: str, project: Project, fmt: str | None = None, frames: str = "source"
) -> tuple[list[ShotSpec], dict]:
    """Parse a cut into shot specs. Returns (specs, notes) where notes lists repeated/skipped clips."""
    fmt = format_for(filename, fmt)
    if frames not in FRAME_MODES:
        raise ValidationError({"frames": [f"Use one of: {', '.join(FRAME_MODES)}."]})
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError({"file": [f"The cut is larger than {MAX_IMPORT_BYTES // 2**20} MiB."]})
    rate = float(project.fps)
    placed = _read_clips(data, fmt=fmt, rate=rate)
    specs: list[ShotSpec] = []
    notes: dict = {"repeated": [], "skipped": []}
    seen: set[str] = set()
    for event, clip in enumerate(placed, start=1):
        meta = clip["greenlight"]
        code = str(meta.get("shot") or clip["name"] or "").strip()
        where = f"Event {event:03d} ({code or 'unnamed clip'})"
        if not code:
            notes["skipped"].append(f"Event {event:03d}: the clip has no name to use as a shot code.")
            continue
        if code in seen:
            notes["repeated"].append(code)
            continue
        seen.add(code)
        spec = _spec_for(clip, code=code, meta=meta, where=where, order=len(specs), project=project, fmt=fmt, rate=rate, frames=frames)
        if spec is None:
            notes["skipped"].append(f"{where}: zero-length clip.")
            continue
        specs.append(spec)
    if not specs:
        raise ValidationError({"file": ["No clip in the cut could be used as a shot.", *notes["skipped"][:10]]})
    return specs, notes


def _read_clips(data: bytes, *, fmt: str, rate: float) -> list[dict]:
    """The clips of the uploaded cut's video tracks, in record order, read by `cut_reader` in a child
    process with CPU, memory and nesting limits (CUT_READER_* settings); 400 saying what is wrong."""
    limits = [str(settings.CUT_READER_MAX_DEPTH), str(settings.CUT_READER_CPU_SECONDS), str(settings.CUT_READER_MEMORY_BYTES)]
    command = [sys.executable, "-I", str(Path(cut_reader.__file__)), fmt, repr(rate), *limits]
    too_big = "The cut is too large or too complex to read; export a plain timeline of tracks and clips."
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=settings.CUT_READER_CPU_SECONDS + 20, check=False)
    except subprocess.TimeoutExpired:
        raise ValidationError({"file": [too_big]}) from None
    try:
        result = json.loads(done.stdout) if done.returncode == 0 else {"error": too_big}
    except ValueError:
        result = {"error": too_big}
    if done.returncode != 0:
        log.warning("cut reader exited with %s: %s", done.returncode, done.stderr[-500:].decode("utf-8", "replace"))
    if "error" in result:
        raise ValidationError({"file": [result["error"]]})
    if not result["clips"]:
        raise ValidationError({"file": ["The cut has no clips on a video track."]})
    return result["clips"]


def _spec_for(
    clip: dict, *, code: str, meta: dict, where: str, order: int, project: Project, fmt: str, rate: float, frames: str
) -> ShotSpec | None:
    """The shot one clip describes (None for a zero-length clip); 400 when an .otio cut's rate is not the project's."""
    clip_rate = clip["clip_rate"]
    if fmt == "otio" and abs(clip_rate - rate) > 0.01:
        raise ValidationError(
            {
                "file": [
                    f"{where}: the cut runs at {clip_rate:g} fps but the project is at "
                    f"{Fraction(project.fps_num, project.fps_den)} fps; "
                    "conform the cut or change the project's frame rate first."
                ]
            }
        )
    start, duration = clip["start"], clip["duration"]
    if duration <= 0:
        return None
    if frames == "start":
        start = project.start_frame
    sequence = meta.get("sequence") or (code.rsplit("_", 1)[0] if "_" in code else None)
    values = {"order": order, "frame_in": start, "frame_out": start + duration - 1}
    if sequence:
        values["sequence"] = sequence
    return ShotSpec(code=code, values=values, line=where)


def _reel(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum())[-8:] or "AX"


def build_timeline(*, project: Project, access: ProjectAccess, media_url, actor=None) -> tuple[otio.schema.Timeline, list[str]]:
    """The project's cut. `media_url(version)` gives the absolute URL of a version's proxy.

    Every approved version goes through the consent policy (`purpose="export"`): one it refuses
    (quarantined, a lapsed grant, an unconsented talent named in its prompt …) is withheld — its
    clip keeps the shot's timing but carries no media and says why in `metadata.greenlight.withheld`;
    the denial is audited.
    """
    rate = float(project.fps)
    timeline = otio.schema.Timeline(name=f"{project.code} {project.name}")
    timeline.metadata["greenlight"] = {"project": str(project.id), "code": project.code, "fps": f"{project.fps_num}/{project.fps_den}"}
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    shots = list(cut_shots(project=project))
    approved = latest_approved_versions(project=project)
    if access.is_client:  # what a client sees: only shots and versions submitted to them
        shots, approved = client_cut(shots, approved)
    consent = check_versions(
        project=project_ref(project), versions=[version_ref(v) for v in approved.values()], purpose="export", actor=actor
    )
    withheld = {shot_id: (version, consent[version.pk]) for shot_id, version in approved.items() if not consent[version.pk].permits}
    for shot_id in withheld:
        del approved[shot_id]
    comments = export_comments(versions=list(approved.values()), access=access)
    skipped = []
    for shot in shots:
        version = approved.get(shot.id)
        if shot.frame_in is not None and shot.frame_out is not None:
            start, duration = shot.frame_in, shot.frame_out - shot.frame_in + 1
        elif version is not None and version.frame_count:
            start, duration = version.first_frame, version.frame_count
        else:
            skipped.append(shot.code)
            continue
        clip = otio.schema.Clip(
            name=shot.code,
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(duration, rate)),
        )
        meta = {
            "shot": shot.code,
            "shot_id": str(shot.id),
            "sequence": shot.sequence.code if shot.sequence else None,
            "status": shot.status,
            "version": None,
            "version_id": None,
        }
        if shot.id in withheld:
            refused, decision = withheld[shot.id]
            meta["withheld"] = {
                "version": refused.label,
                "version_id": str(refused.id),
                "reason": decision.summary(),
                "reasons": [r.as_dict() for r in decision.reasons] + [r.as_dict() for r in decision.reviews],
            }
        if version is not None:
            meta.update({"version": version.label, "version_id": str(version.id)})
            _attach_version(clip, version, comments=comments.get(version.id, []), start=start, rate=rate, media_url=media_url)
        clip.metadata["greenlight"] = meta
        clip.metadata["cmx_3600"] = {"reel": _reel(shot.code)}
        track.append(clip)
    timeline.metadata["greenlight"]["skipped_shots"] = skipped
    codes = {shot.id: shot.code for shot in shots}
    timeline.metadata["greenlight"]["withheld_versions"] = [
        {"shot": codes.get(shot_id, ""), "version": refused.label, "version_id": str(refused.id), "reason": decision.summary()}
        for shot_id, (refused, decision) in withheld.items()
    ]
    return timeline, skipped


def _attach_version(clip: otio.schema.Clip, version, *, comments: list, start: int, rate: float, media_url) -> None:
    """Point the clip at the version's review proxy and mark its comments (red open, green resolved)."""
    if version.proxy and version.frame_count:
        clip.media_reference = otio.schema.ExternalReference(
            target_url=media_url(version),
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(version.first_frame, rate), otio.opentime.RationalTime(version.frame_count, rate)
            ),
        )
    for comment in comments:
        frame = comment.frame - version.first_frame + start
        length = (comment.frame_end or comment.frame) - comment.frame + 1
        author = comment.author.name if comment.author else "unknown"
        clip.markers.append(
            otio.schema.Marker(
                name=f"{author}: {comment.body[:120]}".replace("\n", " "),
                marked_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(frame, rate), otio.opentime.RationalTime(length, rate)
                ),
                color=otio.schema.MarkerColor.GREEN if comment.resolved else otio.schema.MarkerColor.RED,
                metadata={
                    "greenlight": {
                        "comment_id": str(comment.id),
                        "frame": comment.frame,
                        "frame_end": comment.frame_end,
                        "author": author,
                        "body": comment.body,
                        "resolved": comment.resolved,
                        "internal": comment.internal,
                    }
                },
            )
        )


def write_cut(timeline: otio.schema.Timeline, fmt: str) -> str:
    if fmt == "edl":
        return otio.adapters.write_to_string(timeline, adapter_name="cmx_3600", style="avid")
    return otio.adapters.write_to_string(timeline, adapter_name="otio_json")
