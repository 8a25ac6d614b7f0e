"""A storyboard's animatic as an OpenTimelineIO timeline: one video track, one clip per panel, each
pointing at its range of the animatic's MP4, with the panel's number, notes and linked shot in
`metadata.greenlight`. Written with the cut export's writer (`otio_cut.write_cut`)."""

from __future__ import annotations

import opentimelineio as otio

from projects.interchange.otio_cut import write_cut
from projects.models import Animatic


def animatic_timeline(animatic: Animatic, *, media_url: str, shots: dict) -> otio.schema.Timeline:
    """`shots`: panel id -> shot code of the panels linked to a shot."""
    board = animatic.storyboard
    sequence, project = board.sequence, board.project
    rate = animatic.fps_num / animatic.fps_den
    timeline = otio.schema.Timeline(name=f"{project.code} {sequence.code} animatic")
    timeline.metadata["greenlight"] = {
        "project": str(project.id), "sequence": sequence.code, "storyboard": str(board.id), "animatic": str(animatic.id),
        "fps": f"{animatic.fps_num}/{animatic.fps_den}", "key": animatic.key,
    }
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    total = animatic.frame_count or sum(item["frames"] for item in animatic.plan)
    for item in animatic.plan:
        clip = otio.schema.Clip(
            name=f"{sequence.code} panel {item['number']}",
            source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(item["start"], rate), otio.opentime.RationalTime(item["frames"], rate)
            ),
        )
        clip.media_reference = otio.schema.ExternalReference(
            target_url=media_url,
            available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(total, rate)),
        )
        clip.metadata["greenlight"] = {
            "panel": item["panel"], "number": item["number"], "frames": item["frames"], "prompt": item["prompt"],
            "camera_notes": item["camera"], "action_notes": item["action"], "shot": shots.get(item["panel"]),
        }
        track.append(clip)
    return timeline


def write_animatic(animatic: Animatic, *, media_url: str, shots: dict) -> str:
    return write_cut(animatic_timeline(animatic, media_url=media_url, shots=shots), "otio")
