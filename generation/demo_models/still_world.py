"""The shapes world as stills: one frame of `world.py`'s vocabulary, for the text-to-image demo model.

A still is 32×32 content (shown at 64×64): one shape (circle, square, triangle) of a named colour on a
plain background of another named colour. Captions follow one template:
    "a {colour} {shape} on a {background} background"

Training draws the shape near the centre with a small seeded offset and size change (so seeds give
different stills of the same prompt). Held out of training: the ten (colour, shape, background)
triples of `eval_prompts()["held_out"]`, built from `world.HELD_OUT_TRIPLES` like the video model's
held-out prompts; each colour, shape and background is still seen in training, only not together.
The adherence of a still is read by `adherence.read` (colour, background, shape; one frame has no motion).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from generation.demo_models import world

RADIUS = 8.0
JITTER = 2.0  # content pixels the centre may move, and the half-size may change, between seeds
ATTRIBUTES = ("colour", "background", "shape")


@dataclass(frozen=True)
class StillSpec:
    colour: str
    shape: str
    background: str

    @property
    def caption(self) -> str:
        return f"{world.article(self.colour)} {self.colour} {self.shape} on {world.article(self.background)} {self.background} background"


def caption_words() -> list[str]:
    return sorted({"a", "an", "on", "background", *world.COLOURS, *world.SHAPES})


def vocabulary() -> dict[str, list[str]]:
    return {
        "colours": list(world.COLOURS),
        "shapes": list(world.SHAPES),
        "backgrounds": list(world.COLOURS),
        "template": ["a/an {colour} {shape} on a/an {background} background"],
    }


def all_specs() -> list[StillSpec]:
    return [StillSpec(c, s, b) for c, s, b in itertools.product(world.COLOURS, world.SHAPES, world.COLOURS) if c != b]


def held_out() -> list[StillSpec]:
    picks = []
    for i, (colour, shape, _motion) in enumerate(world.HELD_OUT_TRIPLES):
        backgrounds = [b for b in world.COLOURS if b != colour]
        picks.append(StillSpec(colour, shape, backgrounds[(i * 3) % len(backgrounds)]))
    return picks


def split() -> tuple[list[StillSpec], list[StillSpec]]:
    held = set(held_out())
    return [s for s in all_specs() if s not in held], held_out()


def eval_prompts(per_split: int = 10) -> dict[str, list[StillSpec]]:
    """A fixed sample of seen and the held-out specs for the adherence benchmark (same every run)."""
    train, held = split()
    rng = np.random.default_rng(1234)
    seen = [train[i] for i in sorted(rng.choice(len(train), per_split, replace=False))]
    return {"seen": seen, "held_out": held[:per_split]}


def example_prompts() -> list[str]:
    picks = eval_prompts(3)
    return [s.caption for s in picks["seen"][:3] + picks["held_out"][:3]]


def render(spec: StillSpec, *, rng: np.random.Generator | None = None, size: int = world.CONTENT) -> tuple[np.ndarray, np.ndarray]:
    """(image uint8 (size, size, 3), object mask bool (size, size)); `rng` jitters place and size."""
    dx, dy, dr = rng.uniform(-JITTER, JITTER, 3) if rng is not None else (0.0, 0.0, 0.0)
    scale = size / world.CONTENT
    centre = world.CONTENT / 2
    mask = world.shape_mask(spec.shape, (centre + dx) * scale, (centre + dy) * scale, (RADIUS + dr) * scale, size)
    image = np.empty((size, size, 3), np.uint8)
    image[:] = world.COLOURS[spec.background]
    image[mask] = world.COLOURS[spec.colour]
    return image, mask


def parse(prompt: str) -> StillSpec | None:
    """The spec a caption names, or None when it is not in the template."""
    words = [w for w in prompt.lower().replace(",", " ").split() if w not in ("a", "an")]
    if len(words) != 5 or words[2] != "on" or words[4] != "background":
        return None
    spec = StillSpec(words[0], words[1], words[3])
    known = spec.colour in world.COLOURS and spec.shape in world.SHAPES and spec.background in world.COLOURS
    return spec if known else None


def score(image: np.ndarray, spec: StillSpec) -> dict[str, bool]:
    """Colour, background and shape read back from one RGB still (H, W, 3) uint8."""
    from generation.demo_models import adherence

    reading = adherence.read(np.asarray(image)[None])
    return {k: v for k, v in reading.score(world.Spec(spec.colour, spec.shape, "grow", spec.background)).items() if k in ATTRIBUTES}


def summarise(results: list[dict[str, bool]]) -> dict[str, float]:
    n = max(1, len(results))
    out = {a: sum(r[a] for r in results) / n for a in ATTRIBUTES}
    out["all"] = sum(all(r.values()) for r in results) / n
    return out
