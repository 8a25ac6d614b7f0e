"""Windowed rendering: a clip longer than the model renders in one pass, made of consecutive windows.

Only image-to-video models can do it: window 1 starts from the job's first frame (its init image or
likeness reference), and each next window starts from the previous window's last frame. That frame
is then the next window's first frame as well, so it is dropped once when the windows are joined.

With a frame rule of m·k+1 the joined length is m·K+1 again (each window is m·kᵢ+1 frames and
Σ(m·kᵢ+1) − (n−1) = m·Σkᵢ + 1), so any valid count up to `longest(profile)` splits into n =
⌈K ÷ k_max⌉ windows of nearly equal length (none longer than the model's max frames).

A text-to-video model cannot continue from an image: its takes are at most `max_frames` long and
publishing holds the last frame (or trims) to fit the shot's cut, and says so.

Pure functions (no torch), used by the submit validation, the render task and the conform summary.
"""

from __future__ import annotations

import math

from django.conf import settings

DEFAULT_MAX_WINDOWS = 8


def max_windows() -> int:
    return max(1, int(getattr(settings, "GENERATION_MAX_WINDOWS", DEFAULT_MAX_WINDOWS)))


def can_continue(profile) -> bool:
    """Whether the model takes an image, so a window can continue from the previous one's last frame."""
    return profile.kind == "i2v"


def longest(profile) -> int:
    """The longest valid frame count a job of this model may ask for (windows included)."""
    if not can_continue(profile):
        return profile.max_frames
    modulus = max(1, profile.frames_modulus)
    per_window = (profile.max_frames - 1) // modulus
    return per_window * max_windows() * modulus + 1 if per_window > 0 else profile.max_frames


def plan(frames: int, *, modulus: int, max_frames: int) -> list[int]:
    """Window lengths for `frames` (one window when it fits in one pass). Raises ValueError when the
    count does not follow the m·k+1 rule or the model cannot render even two frames a pass."""
    modulus = max(1, modulus)
    if frames <= max_frames:
        return [frames]
    if (frames - 1) % modulus:
        raise ValueError(f"{frames} frames does not follow the {modulus}k+1 rule")
    units, per_window = (frames - 1) // modulus, (max_frames - 1) // modulus
    if per_window < 1:
        raise ValueError(f"a model that renders at most {max_frames} frames cannot render windows")
    count = math.ceil(units / per_window)
    base, extra = divmod(units, count)
    return [(base + (1 if i < extra else 0)) * modulus + 1 for i in range(count)]


def joined_length(windows: list[int]) -> int:
    return windows[0] + sum(w - 1 for w in windows[1:]) if windows else 0


def for_job(job) -> list[int]:
    profile = job.model
    return plan(job.frames, modulus=profile.frames_modulus, max_frames=profile.max_frames)
