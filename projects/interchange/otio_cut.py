"""Editorial cuts through OpenTimelineIO: import .otio / CMX 3600 .edl, export the approved cut.

Import: every clip of the timeline's video tracks, in record order, is a shot. Its code is the
clip name (or `metadata.greenlight.shot`, which our exports carry); its sequence is
`metadata.greenlight.sequence` or the code up to its last '_' (`MR_010_0040` -> `MR_010`). Frames
come from the clip's source range (`frames=source`, the default, as editorial hands them over),
or each shot starts at the project's start frame with the cut's duration (`frames=start`).

Export: one video track with a clip per shot (omitted shots left out) in shot-list order, pointing at
the latest approved version's review proxy (a MissingReference when none is approved yet), with
the version's comments as markers (red open, green resolved).
"""

from __future__ import annotations

from fractions import Fraction

import opentimelineio as otio
from rest_framework.exceptions import ValidationError

from projects.access import ProjectAccess
from projects.consent import project_ref, version_ref
from projects.interchange import MAX_IMPORT_BYTES
from projects.models import Project
from projects.selectors import cut_shots, export_comments, latest_approved_versions
from projects.services import ShotSpec
from rights.policy import check_versions

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


def _frames(value: otio.opentime.RationalTime, rate: float) -> int:
    return int(round(value.rescaled_to(rate).value))


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
    placed = _placed_clips(_read_timeline(data, fmt=fmt, rate=rate), rate=rate)
    specs: list[ShotSpec] = []
    notes: dict = {"repeated": [], "skipped": []}
    seen: set[str] = set()
    for event, (_, _, clip) in enumerate(placed, start=1):
        meta = clip.metadata.get("greenlight", {}) if isinstance(clip.metadata.get("greenlight"), dict) else {}
        code = str(meta.get("shot") or clip.name or "").strip()
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


def _read_timeline(data: bytes, *, fmt: str, rate: float) -> otio.schema.Timeline:
    """The uploaded bytes as one OTIO timeline; 400 naming what is wrong with the file otherwise."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if fmt != "edl":
            raise ValidationError({"file": ["The .otio file is not UTF-8 JSON."]})
        text = data.decode("latin-1")
    if not text.strip():
        raise ValidationError({"file": ["The cut file is empty."]})
    try:
        if fmt == "edl":
            result = otio.adapters.read_from_string(text, adapter_name=FORMATS[fmt], rate=rate)
        else:
            result = otio.adapters.read_from_string(text, adapter_name=FORMATS[fmt])
    except Exception as exc:  # noqa: BLE001 - adapters raise many kinds of errors on bad input
        reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        raise ValidationError({"file": [f"Could not read the {fmt.upper()} cut: {reason}"]})
    if not isinstance(result, otio.schema.Timeline):
        raise ValidationError({"file": [f"The file holds a {type(result).__name__}, not a timeline; export a single timeline."]})
    return result


def _placed_clips(timeline: otio.schema.Timeline, *, rate: float) -> list[tuple[float, int, otio.schema.Clip]]:
    """Every clip of the video tracks as (record start in seconds, track index, clip), in record order."""
    placed = []
    for track_index, track in enumerate(timeline.video_tracks()):
        for clip in track.find_clips(shallow_search=True):
            try:
                record_start = clip.range_in_parent().start_time
            except Exception:  # noqa: BLE001 - clips nested in stacks have no simple parent range
                record_start = otio.opentime.RationalTime(0, rate)
            placed.append((record_start.to_seconds(), track_index, clip))
    placed.sort(key=lambda item: (item[0], item[1]))
    if not placed:
        raise ValidationError({"file": ["The cut has no clips on a video track."]})
    return placed


def _spec_for(
    clip: otio.schema.Clip, *, code: str, meta: dict, where: str, order: int, project: Project, fmt: str, rate: float, frames: str
) -> ShotSpec | None:
    """The shot one clip describes (None for a zero-length clip); 400 when an .otio cut's rate is not the project's."""
    source = clip.source_range or clip.trimmed_range()
    clip_rate = source.start_time.rate
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
    start, duration = _frames(source.start_time, rate), _frames(source.duration, rate)
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
