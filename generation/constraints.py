"""Validating generation parameters against a model's constraints, naming the nearest valid value.

Pure functions (no database, no torch) so they are cheap to call from the API and easy to test.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

from generation import windows
from generation.models import ModelProfile

MAX_PROMPT_CHARS = 2000  # per prompt; umT5 sees at most 512 tokens, which is about this many characters
MAX_BATCH = 8  # `count`: seeds rendered from one request
MAX_CAST = 20
SEED_MAX = 2**53 - 1  # the largest integer a JavaScript client can hold exactly
MIN_FPS = Fraction(1)
MAX_FPS = Fraction(120)
# Decimal rates people type, and the exact rationals they mean.
NTSC_RATES = {
    "23.976": Fraction(24000, 1001), "23.98": Fraction(24000, 1001), "29.97": Fraction(30000, 1001),
    "47.952": Fraction(48000, 1001), "59.94": Fraction(60000, 1001), "119.88": Fraction(120000, 1001),
}


_RATIONAL = re.compile(r"([0-9]{1,6})(?:\s*/\s*([0-9]{1,6}))?")


def _shown(value: str) -> str:
    """The user's input, short enough to repeat in a message."""
    return value if len(value) <= 20 else value[:20] + "…"


def _parse_fps_text(value: str, hint: str) -> Fraction:
    """ASCII digits only ('٢٤' and '²' are refused in words, not by int()); at most 6 digits a side."""
    text = value.strip()
    if text in NTSC_RATES:
        return NTSC_RATES[text]
    match = _RATIONAL.fullmatch(text)
    if match is None:
        raise ValueError(f"fps '{_shown(value)}' is not a frame rate: use the digits 0-9 only. {hint}")
    num, den = int(match.group(1)), int(match.group(2) or 1)
    if den == 0:
        raise ValueError(f"fps '{_shown(value)}' divides by zero. {hint}")
    return Fraction(num, den)


_SEED_TEXT_HINT = f"Send a whole number from 0 to {SEED_MAX}, or leave the seed out for a random one (recorded on the take)."


def parse_seed(value) -> int | None:
    """A seed as sent: an int, or a string of digits (form data); None/"" mean random. Raises ValueError
    with a fix-it message for anything else ("abc", 1.5, true, [1]). The range is checked separately
    (`submit._check_seed`), so an out-of-range integer gets the nearest valid value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"seed must be a whole number, not {str(value).lower()}. {_SEED_TEXT_HINT}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        raise ValueError(f"seed must be a whole number, not {value:g}. {_SEED_TEXT_HINT}")
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if digits.isascii() and digits.isdigit() and len(digits) <= 20:
            return int(text)
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise ValueError(f"seed '{shown}' is not a whole number. {_SEED_TEXT_HINT}")
    raise ValueError(f"seed must be a whole number, not a {type(value).__name__}. {_SEED_TEXT_HINT}")


def parse_fps(value) -> Fraction:
    """24, "24", "24000/1001", 23.976 → an exact rational. Raises ValueError with a fix-it message."""
    hint = 'Send an integer (24), a rational string ("24000/1001") or a standard NTSC decimal (23.976, 29.97, 59.94).'
    if isinstance(value, bool) or value is None:
        raise ValueError(f"fps must be a frame rate. {hint}")
    if isinstance(value, int):
        fps = Fraction(value)
    elif isinstance(value, float):
        text = f"{value:g}"
        if text in NTSC_RATES:
            fps = NTSC_RATES[text]
        elif value.is_integer():
            fps = Fraction(int(value))
        else:
            raise ValueError(f"fps {value} is not an exact frame rate. {hint}")
    elif isinstance(value, str):
        fps = _parse_fps_text(value, hint)
    else:
        raise ValueError(f"fps must be a number or a string. {hint}")
    if fps < MIN_FPS or fps > MAX_FPS:
        raise ValueError(f"fps {float(fps):g} is out of range: use {MIN_FPS} to {MAX_FPS} frames per second.")
    if fps.denominator > 1001 or fps.numerator > 120_000:
        raise ValueError(f"fps '{_shown(str(value))}' is too precise to be a real frame rate. {hint}")
    return fps


def valid_neighbours(value: int, *, modulus: int, remainder: int, low: int, high: int) -> list[int]:
    """The valid value(s) nearest to `value` among {v : v ≡ remainder (mod modulus), low ≤ v ≤ high}.

    Two values when `value` is exactly between two valid ones; empty when no value is valid at all.
    """
    first = low + (remainder - low) % modulus
    last = high - (high - remainder) % modulus
    if first > last:
        return []
    if value <= first:
        return [first]
    if value >= last:
        return [last]
    below = value - (value - remainder) % modulus
    above = below if below == value else below + modulus
    if below == above:
        return [value]
    if value - below < above - value:
        return [below]
    if value - below > above - value:
        return [above]
    return [below, above]


def _nearest_text(values: list) -> str:
    if not values:
        return "No value is valid for this model; ask an administrator to check its constraints."
    if len(values) == 1:
        return f"The nearest valid value is {values[0]}."
    return f"The nearest valid values are {values[0]} and {values[1]}."


def check_range(name: str, value, low, high, *, unit: str = "") -> str | None:
    if low <= value <= high:
        return None
    nearest = low if value < low else high
    return f"{name} {value:g}{unit} is out of range: use {low:g} to {high:g}. {_nearest_text([nearest])}"


@dataclass(frozen=True)
class Parameters:
    frames: int
    width: int
    height: int
    fps: Fraction
    steps: int
    guidance: float
    negative_prompt: str


def check_prompt(field: str, text: str, *, required: bool) -> str | None:
    if required and not text.strip():
        return f"The {field.replace('_', ' ')} is empty. Describe the shot, for example 'a lighthouse at dusk, slow push-in'."
    if len(text) > MAX_PROMPT_CHARS:
        over = len(text) - MAX_PROMPT_CHARS
        return (
            f"The {field.replace('_', ' ')} is {len(text)} characters long; the limit is {MAX_PROMPT_CHARS}. "
            f"Shorten it by {over} character{'s' if over != 1 else ''}."
        )
    return None


def _check_frames(profile: ModelProfile, frames: int, model: str) -> str | None:
    """The frame rule; above the model's one-pass maximum an image-to-video model renders windows
    (generation/windows.py), a text-to-video model cannot, and the message says what publishing does."""
    longest = windows.longest(profile)
    valid = valid_neighbours(frames, modulus=profile.frames_modulus, remainder=1 % profile.frames_modulus,
                             low=profile.min_frames, high=longest)
    if valid == [frames]:
        return None
    rule = f"{profile.frames_rule} " if profile.frames_modulus > 1 else ""
    message = (f"{frames} frames is not valid for {model}: the frame count must be {rule}between "
               f"{profile.min_frames} and {longest}. {_nearest_text(valid)}")
    if longest > profile.max_frames:
        message += (f" Above {profile.max_frames} frames it renders consecutive windows, each continuing from the previous "
                    f"window's last frame (at most {windows.max_windows()} windows).")
    elif frames > profile.max_frames:
        message += (f" {profile.name} renders at most {profile.max_frames} frames in one pass and, being text-to-video only, "
                    "cannot continue a window from the previous window's last frame: render a shorter take, and publishing "
                    "holds its last frame to fill a longer cut (or use an image-to-video model, which renders longer shots in windows).")
    return message


def resolve_parameters(
    *,
    profile: ModelProfile,
    frames: int | None,
    width: int | None,
    height: int | None,
    fps: Fraction | None,
    steps: int | None,
    guidance: float | None,
    negative_prompt: str | None,
) -> tuple[Parameters, dict[str, list[str]]]:
    """Fill defaults from `profile` and check every value; returns the parameters and all errors at once."""
    errors: dict[str, list[str]] = {}
    model = f"{profile.name} ({profile.get_family_display()})"

    frames = profile.default_frames if frames is None else frames
    if message := _check_frames(profile, frames, model):
        errors["frames"] = [message]

    for name, value, low, high, default in (
        ("width", width, profile.min_width, profile.max_width, profile.default_width),
        ("height", height, profile.min_height, profile.max_height, profile.default_height),
    ):
        value = default if value is None else value
        valid = valid_neighbours(value, modulus=profile.size_multiple, remainder=0, low=low, high=high)
        if valid != [value]:
            errors[name] = [
                f"{name} {value} is not valid for {model}: it must be a multiple of {profile.size_multiple} "
                f"between {low} and {high} pixels. {_nearest_text(valid)}"
            ]
        if name == "width":
            width = value
        else:
            height = value

    steps = profile.default_steps if steps is None else steps
    if message := check_range("steps", steps, profile.min_steps, profile.max_steps):
        errors["steps"] = [message]

    guidance = profile.default_guidance if guidance is None else guidance
    if not math.isfinite(guidance):
        errors["guidance"] = [f"guidance must be a finite number between {profile.min_guidance:g} and {profile.max_guidance:g}."]
    elif message := check_range("guidance", guidance, profile.min_guidance, profile.max_guidance):
        errors["guidance"] = [message]

    fps = profile.default_fps if fps is None else fps

    negative_prompt = profile.default_negative_prompt if negative_prompt is None else negative_prompt
    if message := check_prompt("negative_prompt", negative_prompt, required=False):
        errors["negative_prompt"] = [message]

    params = Parameters(frames=frames, width=width, height=height, fps=fps, steps=steps, guidance=float(guidance),
                        negative_prompt=negative_prompt)
    return params, errors
