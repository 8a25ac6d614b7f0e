"""The shapes world: a documented vocabulary, captions, ground-truth clips and a fixed held-out split.

A clip is 9 frames of 32×32 content (shown at 64×64): one shape (circle, square, triangle) of a
named colour moving left/right/up/down or growing, on a plain background of another named colour.
Every caption has one layout (where the shape starts and ends), so a caption fully defines its clip.

Captions follow one template:
    "a {colour} {shape} moving {left|right|up|down} on a {background} background"
    "a {colour} {shape} growing on a {background} background"

Held out of training: every caption whose (colour, shape, motion) triple is in `HELD_OUT_TRIPLES`,
on any background. Each colour, shape and motion is still seen in training, only not together.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

FRAMES = 9
CONTENT = 32  # content pixels per side; the demo model renders them at 2× (64×64)
SIZE = 64

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "orange": (245, 140, 20),
    "yellow": (240, 225, 40),
    "green": (40, 170, 60),
    "blue": (40, 80, 230),
    "purple": (150, 50, 200),
    "white": (245, 245, 245),
    "black": (20, 20, 20),
}
SHAPES = ("circle", "square", "triangle")
MOTIONS = ("left", "right", "up", "down", "grow")

# (colour, shape, motion) triples never shown in training, on any background.
HELD_OUT_TRIPLES: tuple[tuple[str, str, str], ...] = (
    ("red", "triangle", "up"),
    ("orange", "square", "left"),
    ("yellow", "circle", "down"),
    ("green", "triangle", "grow"),
    ("blue", "square", "right"),
    ("purple", "circle", "left"),
    ("white", "triangle", "right"),
    ("black", "square", "up"),
    ("red", "circle", "grow"),
    ("blue", "triangle", "down"),
)

RADIUS = 7  # half-size of a moving shape, content pixels
GROW_RADII = (3.0, 10.0)
TRAVEL = (9.0, 23.0)  # start and end of a move along its axis


@dataclass(frozen=True)
class Spec:
    colour: str
    shape: str
    motion: str
    background: str

    @property
    def caption(self) -> str:
        action = "growing" if self.motion == "grow" else f"moving {self.motion}"
        return f"{article(self.colour)} {self.colour} {self.shape} {action} on {article(self.background)} {self.background} background"

    @property
    def held_out(self) -> bool:
        return (self.colour, self.shape, self.motion) in HELD_OUT_TRIPLES


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def vocabulary() -> dict[str, list[str]]:
    """What the model knows, for its model card."""
    return {
        "colours": list(COLOURS),
        "shapes": list(SHAPES),
        "motions": ["moving left", "moving right", "moving up", "moving down", "growing"],
        "backgrounds": list(COLOURS),
        "template": ["a/an {colour} {shape} moving {left|right|up|down} on a/an {background} background",
                     "a/an {colour} {shape} growing on a/an {background} background"],
    }


def caption_words() -> list[str]:
    return sorted({"a", "an", "on", "background", "moving", "growing", *COLOURS, *SHAPES, *MOTIONS[:4]})


def all_specs() -> list[Spec]:
    return [Spec(c, s, m, b) for c, s, m, b in itertools.product(COLOURS, SHAPES, MOTIONS, COLOURS) if c != b]


def split() -> tuple[list[Spec], list[Spec]]:
    """(training specs, held-out specs): fixed, from HELD_OUT_TRIPLES."""
    specs = all_specs()
    return [s for s in specs if not s.held_out], [s for s in specs if s.held_out]


def eval_prompts(per_split: int = 10) -> dict[str, list[Spec]]:
    """A fixed sample of seen and held-out specs for the adherence benchmark (same every run)."""
    train, held = split()
    rng = np.random.default_rng(1234)
    seen = [train[i] for i in sorted(rng.choice(len(train), per_split, replace=False))]
    held_pick = []
    for i, (c, s, m) in enumerate(HELD_OUT_TRIPLES[:per_split]):
        backgrounds = [b for b in COLOURS if b != c]
        held_pick.append(Spec(c, s, m, backgrounds[(i * 3) % len(backgrounds)]))
    return {"seen": seen, "held_out": held_pick}


def example_prompts() -> list[str]:
    return [s.caption for s in eval_prompts(6)["held_out"][:3] + eval_prompts(6)["seen"][:3]]


def trajectory(motion: str, frame: int) -> tuple[float, float, float]:
    """(centre x, centre y, half-size) of the shape at `frame`, in content pixels."""
    t = frame / (FRAMES - 1)
    mid = CONTENT / 2
    start, end = TRAVEL
    along = start + (end - start) * t
    if motion == "right":
        return along, mid, RADIUS
    if motion == "left":
        return CONTENT - along, mid, RADIUS
    if motion == "down":
        return mid, along, RADIUS
    if motion == "up":
        return mid, CONTENT - along, RADIUS
    if motion == "grow":
        return mid, mid, GROW_RADII[0] + (GROW_RADII[1] - GROW_RADII[0]) * t
    raise ValueError(f"unknown motion {motion!r}; use one of {', '.join(MOTIONS)}")


def shape_mask(shape: str, cx: float, cy: float, r: float, size: int = CONTENT) -> np.ndarray:
    """Boolean (size, size) mask of a shape centred at (cx, cy) with half-size r (pixel centres)."""
    ys, xs = np.mgrid[0:size, 0:size] + 0.5
    if shape == "circle":
        return (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r
    if shape == "square":
        return (np.abs(xs - cx) <= r * 0.9) & (np.abs(ys - cy) <= r * 0.9)
    if shape == "triangle":  # pointing up, base at the bottom
        top, bottom = cy - r, cy + r
        half_width = r * (ys - top) / (2 * r)
        return (ys >= top) & (ys <= bottom) & (np.abs(xs - cx) <= half_width)
    raise ValueError(f"unknown shape {shape!r}; use one of {', '.join(SHAPES)}")


def render(spec: Spec, size: int = CONTENT) -> tuple[np.ndarray, np.ndarray]:
    """(frames uint8 (F, size, size, 3), object mask bool (F, size, size)) of a spec's clip."""
    scale = size / CONTENT
    frames = np.empty((FRAMES, size, size, 3), np.uint8)
    masks = np.empty((FRAMES, size, size), bool)
    for f in range(FRAMES):
        cx, cy, r = trajectory(spec.motion, f)
        mask = shape_mask(spec.shape, cx * scale, cy * scale, r * scale, size)
        frames[f] = COLOURS[spec.background]
        frames[f][mask] = COLOURS[spec.colour]
        masks[f] = mask
    return frames, masks


def parse(prompt: str) -> Spec | None:
    """The spec a caption names, or None when it is not in the template."""
    words = prompt.lower().replace(",", " ").split()
    try:
        if words[0] in ("a", "an"):
            words = words[1:]
        colour, shape = words[0], words[1]
        if words[2] == "growing":
            motion, rest = "grow", words[3:]
        else:
            motion, rest = words[3], words[4:]
        background = rest[rest.index("on") + 2] if rest[1] in ("a", "an") else rest[1]
    except (IndexError, ValueError):
        return None
    spec = Spec(colour, shape, motion, background)
    known = colour in COLOURS and shape in SHAPES and motion in MOTIONS and background in COLOURS
    return spec if known else None
