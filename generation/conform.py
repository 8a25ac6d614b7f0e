"""Conforming a take to its shot with ffmpeg: the project's frame rate, the shot's cut length and the
project's aspect ratio. Pure media work (no database); `generation.services.publishing` drives it (on the media queue).

A model renders at its own rate and length (the demo model: 16 fps, 17–81 frames, 64×64; Wan 2.1:
16 fps, 81 frames, 832×480). A shot is cut at the project's rate (24, 24000/1001 …) for a number of
frames. Publishing a take therefore:

1. **retimes** it to the project's rational rate, keeping its duration: `retime` uses ffmpeg's
   `fps` filter (each output frame is the nearest source frame: frames are repeated or dropped,
   nothing is invented), `interpolate` uses `minterpolate` (motion-compensated, `mi_mode=mci`:
   new in-between frames; slower, and can smear fast motion). The method is recorded;
2. fits the **cut length** when the shot has one (`frame_in`…`frame_out`): a longer clip is
   *trimmed* (its first N frames are kept), a shorter one *holds its last frame* until the cut ends.
   What was done, and how many frames, is recorded and said in the summary, with why a take is
   short: a text-to-video model cannot continue windows, so its takes stop at its one-pass maximum;
   an image-to-video model renders longer shots in windows (generation/windows.py) when asked.
3. fits the **project's aspect ratio** without distorting: scaled to fit and padded with black
   (letterbox or pillarbox), at the take's own height (never upscaled to the project's size); the
   review proxy is made from this file by the media worker like any version's.

The output is H.264 yuv420p at exactly the project's rate, with exactly the planned frame count
(checked with ffprobe after encoding).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import ffmpeg

from generation import encoding

METHODS = {
    "retime": "ffmpeg fps filter (nearest frame: frames repeated or dropped)",
    "interpolate": "ffmpeg minterpolate (motion-compensated interpolation, mi_mode=mci)",
}
DEFAULT_METHOD = "retime"
CONFORM_TIMEOUT_S = 600


class ConformError(RuntimeError):
    pass


def fps_text(fps: Fraction) -> str:
    """24 → "24", 24000/1001 → "23.976", 25/2 → "12.5"."""
    if fps.denominator == 1:
        return str(fps.numerator)
    return f"{float(fps):.3f}".rstrip("0").rstrip(".")


def _even(value: float) -> int:
    return max(2, int(round(value / 2.0)) * 2)


@dataclass(frozen=True)
class ConformPlan:
    method: str
    native_fps: Fraction
    native_frames: int
    native_size: tuple[int, int]
    target_fps: Fraction
    retimed_frames: int  # the take's length at the target rate, before fitting the cut
    target_frames: int
    cut_frames: int | None  # the shot's cut length, when it has one
    size: tuple[int, int]
    aspect: tuple[int, int]  # the project's width:height
    hold_reason: str = ""  # why the take is shorter than the cut (said when its last frame is held)

    @property
    def length_action(self) -> str:
        if self.cut_frames is None:
            return "kept"
        if self.retimed_frames > self.target_frames:
            return "trimmed"
        if self.retimed_frames < self.target_frames:
            return "held"
        return "exact"

    @property
    def frame_action(self) -> str:
        if self.size == self.native_size:
            return "none"
        native_ratio = Fraction(*self.native_size)
        return "pillarbox" if native_ratio < Fraction(*self.aspect) else "letterbox"

    def length_note(self) -> str:
        retimed, target = self.retimed_frames, self.target_frames
        if self.length_action == "kept":
            return f"the shot has no cut length (frame in/out), so the take keeps its {target} frames"
        if self.length_action == "trimmed":
            return f"trimmed to the shot's {target}-frame cut ({retimed - target} frames of {retimed} dropped at the end)"
        if self.length_action == "held":
            why = f" ({self.hold_reason})" if self.hold_reason else ""
            return f"held its last frame for {target - retimed} frames to fill the shot's {target}-frame cut{why}"
        return f"exactly the shot's {target}-frame cut"

    def summary(self) -> str:
        native_w, native_h = self.native_size
        text = (f"native {fps_text(self.native_fps)} fps, {self.native_frames} frames → conformed {fps_text(self.target_fps)} fps, "
                f"{self.target_frames} frames")
        details = [f"{self.method} ({'nearest frame' if self.method == 'retime' else 'motion-interpolated'})", self.length_note()]
        if self.frame_action != "none":
            details.append(f"{self.frame_action}ed {native_w}×{native_h} to {self.size[0]}×{self.size[1]} for the project's "
                           f"{self.aspect[0]}:{self.aspect[1]} frame")
        return f"{text} ({'; '.join(details)})"

    def as_record(self) -> dict:
        """What the version's lineage stores under `conform` (and the version API shows)."""
        return {
            "summary": self.summary(), "method": self.method, "method_detail": METHODS[self.method],
            "native": {"fps": f"{self.native_fps.numerator}/{self.native_fps.denominator}", "frames": self.native_frames,
                       "width": self.native_size[0], "height": self.native_size[1]},
            "conformed": {"fps": f"{self.target_fps.numerator}/{self.target_fps.denominator}", "frames": self.target_frames,
                          "width": self.size[0], "height": self.size[1]},
            "retimed_frames": self.retimed_frames, "cut_frames": self.cut_frames, "length": self.length_action,
            "length_note": self.length_note(), "frame": self.frame_action, "aspect": f"{self.aspect[0]}:{self.aspect[1]}",
        }


def plan(*, method: str, native_fps: Fraction, native_frames: int, native_size: tuple[int, int], target_fps: Fraction,
         cut_frames: int | None, aspect: tuple[int, int], hold_reason: str = "") -> ConformPlan:
    """Decide the output: rate, frame count and size. Raises ValueError for an unknown method."""
    if method not in METHODS:
        raise ValueError(f"Unknown conform method '{method}'. Use one of: {', '.join(METHODS)}.")
    retimed = max(1, int(round(Fraction(native_frames) * target_fps / native_fps)))
    target = cut_frames if cut_frames else retimed
    width, height = native_size
    aspect_ratio = Fraction(aspect[0], aspect[1])
    aspect = (aspect_ratio.numerator, aspect_ratio.denominator)  # 1920:1080 → 16:9
    if Fraction(width, height) == aspect_ratio:
        size = (width, height)
    elif Fraction(width, height) < aspect_ratio:  # too narrow: pillarbox at the take's height
        size = (_even(height * aspect_ratio), _even(height))
    else:  # too wide: letterbox at the take's width
        size = (_even(width), _even(width / aspect_ratio))
    return ConformPlan(method=method, native_fps=native_fps, native_frames=native_frames, native_size=native_size,
                       target_fps=target_fps, retimed_frames=retimed, target_frames=target, cut_frames=cut_frames, size=size,
                       aspect=aspect, hold_reason=hold_reason)


def conform(src: Path, dst: Path, conform_plan: ConformPlan) -> dict:
    """Write the conformed clip to `dst`; returns what ffprobe reads back from it (fps, frames, size).

    Raises ConformError when ffmpeg fails, or when the result is not exactly the planned rate and length."""
    p = conform_plan
    rate = f"{p.target_fps.numerator}/{p.target_fps.denominator}"
    stream = ffmpeg.input(str(src))
    if p.method == "interpolate":
        stream = stream.filter("minterpolate", fps=rate, mi_mode="mci")
    else:
        stream = stream.filter("fps", fps=rate)
    # Hold the last frame past the end, then cut at exactly the target: a held tail when the cut is
    # longer, and a whole-frame guarantee when a filter ends a frame or two early (minterpolate stops
    # at the last source frame; the fps filter rounds the final timestamp).
    hold = max(0, p.target_frames - p.retimed_frames) + max(4, int(p.target_fps / p.native_fps) + 2)
    stream = stream.filter("tpad", stop_mode="clone", stop=hold)
    width, height = p.size
    stream = (stream.filter("scale", width, height, force_original_aspect_ratio="decrease")
              .filter("pad", width, height, "(ow-iw)/2", "(oh-ih)/2", color="black").filter("setsar", 1))
    stream = stream.output(
        str(dst), vcodec="libx264", pix_fmt="yuv420p", crf=17, preset="medium", movflags="+faststart", r=rate,
        **{"profile:v": "high", "frames:v": p.target_frames},
    ).overwrite_output().global_args("-hide_banner", "-nostdin", "-loglevel", "error")
    try:
        stream.run(cmd=encoding.ffmpeg_binary(), capture_stdout=True, capture_stderr=True)
    except ffmpeg.Error as exc:
        detail = (exc.stderr or b"").decode(errors="replace").strip()[-2000:]
        raise ConformError(f"ffmpeg could not conform the take: {detail or exc}") from exc
    try:
        info = encoding.probe(dst)
    except (subprocess.SubprocessError, KeyError, IndexError, ValueError) as exc:
        raise ConformError(f"ffprobe could not read the conformed clip: {exc}") from exc
    if info["fps"] != p.target_fps or info["frames"] != p.target_frames or (info["width"], info["height"]) != p.size:
        raise ConformError(
            f"The conformed clip came out at {info['fps']} fps, {info['frames']} frames, {info['width']}x{info['height']}; "
            f"planned {p.target_fps} fps, {p.target_frames} frames, {p.size[0]}x{p.size[1]}."
        )
    return info
