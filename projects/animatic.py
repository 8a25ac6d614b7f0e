"""The animatic of a storyboard, built with ffmpeg on the `media` queue: each panel held for its
duration at the project's rational frame rate, its number, duration and notes burnt in with
`drawtext` (text read from files, `expansion=none`, so notes are never parsed as filter syntax); a
panel without a still becomes a slate card with its prompt.

Each panel is encoded as one segment (H.264, yuv420p, no B-frames, exactly `frames` frames, a
track timescale in which one frame is a whole number of ticks), then the segments are joined
with the concat demuxer without re-encoding, so the clip's frame count is the sum of the panels'
durations. Pure media work: the rows and the task live in `projects/services/animatics.py`.
"""

from __future__ import annotations

import subprocess
import textwrap
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from projects.media import FFMPEG, WATERMARK_FONT, MediaError, _first_error_line

ANIMATIC_WIDTH = 960
SEGMENT_TIMEOUT_S = 300
BACKGROUND = "0x1b1d22"
WRAP = 64
MAX_LINES = 6


@dataclass(frozen=True)
class PanelSegment:
    number: int
    frames: int
    still: Path | None  # a local image, or None for a slate card
    caption: str  # burnt in at the bottom: number, duration, notes
    slate: str  # the slate card's text (the prompt) when there is no still


def frame_size(width: int, height: int) -> tuple[int, int]:
    """The animatic's size: the project's aspect at most ANIMATIC_WIDTH wide, even sides."""
    out_w = min(ANIMATIC_WIDTH, width)
    out_h = round(out_w * height / width)
    return max(16, out_w - out_w % 2), max(16, out_h - out_h % 2)


def timecode(frames: int, fps: Fraction) -> str:
    """HH:MM:SS:FF of a duration at a rate (non-drop; nominal rate for 23.976 and the like)."""
    nominal = round(fps)
    seconds, ff = divmod(frames, nominal)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}:{ff:02d}"


def wrap(text: str, *, width: int = WRAP, lines: int = MAX_LINES) -> str:
    out: list[str] = []
    for paragraph in (text or "").splitlines() or [""]:
        out.extend(textwrap.wrap(paragraph, width=width) or [""])
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return "\n".join(out).replace("\r", "")


def caption_for(*, number: int, frames: int, fps: Fraction, camera: str, action: str) -> str:
    lines = [f"PANEL {number}   {frames} f   {timecode(frames, fps)}"]
    if camera.strip():
        lines.append(wrap(f"CAM: {camera}", lines=2))
    if action.strip():
        lines.append(wrap(f"ACTION: {action}", lines=2))
    return "\n".join(lines)


def _timescale(fps: Fraction) -> int:
    scale = fps.numerator
    while scale < 10_000:
        scale += fps.numerator
    return scale


def _drawtext(text_file: Path, **extra) -> str:
    options = {"textfile": str(text_file), "expansion": "none", "fontcolor": "white", **extra}
    if Path(WATERMARK_FONT).is_file():
        options["fontfile"] = WATERMARK_FONT
    return "drawtext=" + ":".join(f"{k}={_escape(str(v))}" for k, v in options.items())


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'").replace(",", "\\,")


def _segment(panel: PanelSegment, dst: Path, *, fps: Fraction, size: tuple[int, int], workdir: Path) -> None:
    width, height = size
    rate = f"{fps.numerator}/{fps.denominator}"
    caption = workdir / f"caption-{panel.number}.txt"
    caption.write_text(panel.caption, encoding="utf-8")
    filters = []
    if panel.still is not None:
        inputs = ["-loop", "1", "-framerate", rate, "-i", str(panel.still)]
        filters.append(
            f"scale={width}:{height}:force_original_aspect_ratio=decrease,pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color={BACKGROUND}"
        )
    else:
        inputs = ["-f", "lavfi", "-i", f"color=c={BACKGROUND}:s={width}x{height}:r={rate}"]
        slate = workdir / f"slate-{panel.number}.txt"
        slate.write_text(wrap(panel.slate or "(no prompt)", width=48, lines=8), encoding="utf-8")
        filters.append(_drawtext(slate, fontsize=f"{max(14, height // 22)}", x="(w-text_w)/2", y="(h-text_h)/2-h/10",
                                 line_spacing="6"))
    filters += [
        "format=yuv420p", "setsar=1",
        _drawtext(caption, fontsize=f"{max(12, height // 30)}", box="1", boxcolor="black@0.6", boxborderw="8",
                  x="w/40", y="h-text_h-h/24", line_spacing="4"),
    ]
    cmd = [
        FFMPEG, "-nostdin", "-hide_banner", "-v", "error", "-y", *inputs, "-vf", ",".join(filters),
        "-frames:v", str(panel.frames), "-r", rate, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
        "-pix_fmt", "yuv420p", "-bf", "0", "-g", "24", "-video_track_timescale", str(_timescale(fps)),
        "-an", "-map_metadata", "-1", str(dst),
    ]
    result = subprocess.run(cmd, capture_output=True, timeout=SEGMENT_TIMEOUT_S, check=False)
    if result.returncode != 0:
        raise MediaError(f"ffmpeg could not draw panel {panel.number}: {_first_error_line(result.stderr)}", code="processing_failed")


def build_animatic(panels: list[PanelSegment], dst: Path, *, fps: Fraction, size: tuple[int, int], workdir: Path) -> None:
    """Encode every panel and join them into `dst` (MP4, +faststart)."""
    if not panels:
        raise MediaError("The storyboard has no panels; add a panel before playing the animatic.", code="empty_board")
    listing = workdir / "segments.txt"
    entries = []
    for panel in panels:
        segment = workdir / f"panel-{panel.number:04d}.mp4"
        _segment(panel, segment, fps=fps, size=size, workdir=workdir)
        entries.append(f"file '{segment.name}'")
    listing.write_text("\n".join(entries) + "\n", encoding="utf-8")
    cmd = [
        FFMPEG, "-nostdin", "-hide_banner", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
        "-c", "copy", "-movflags", "+faststart", "-video_track_timescale", str(_timescale(fps)), str(dst),
    ]
    result = subprocess.run(cmd, capture_output=True, timeout=SEGMENT_TIMEOUT_S, check=False, cwd=workdir)
    if result.returncode != 0:
        raise MediaError(f"ffmpeg could not join the panels: {_first_error_line(result.stderr)}", code="processing_failed")
