"""Prompt adherence read back from decoded frames: object colour, background colour, shape, motion.

Works on any RGB clip (F, H, W, 3) uint8 of the shapes world, at any size (it is reduced to the
32×32 content grid first). No knowledge of how the clip was made: the background is the colour of
the frame border, the object is every pixel far from it, the shape is the template (circle, square,
triangle) that best fills the object's bounding box, the motion is how its centre and area change.
Validated on ground-truth renders (tests/generation/test_demo_shapes.py: 100%).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from generation.demo_models import world

PALETTE_NAMES = list(world.COLOURS)
PALETTE = np.array([world.COLOURS[n] for n in PALETTE_NAMES], np.float32)
OBJECT_DISTANCE = 80.0  # RGB distance from the background above which a pixel is "object"
ATTRIBUTES = ("colour", "background", "shape", "motion")


@dataclass(frozen=True)
class Reading:
    colour: str | None
    background: str | None
    shape: str | None
    motion: str | None

    def score(self, spec: world.Spec) -> dict[str, bool]:
        return {
            "colour": self.colour == spec.colour,
            "background": self.background == spec.background,
            "shape": self.shape == spec.shape,
            "motion": self.motion == spec.motion,
        }

    def as_dict(self) -> dict:
        return asdict(self)


def nearest_colour(rgb: np.ndarray) -> str:
    return PALETTE_NAMES[int(np.argmin(((PALETTE - rgb) ** 2).sum(axis=1)))]


def to_content(frames: np.ndarray) -> np.ndarray:
    """(F, H, W, 3) → float (F, 32, 32, 3) by block averaging."""
    f, h, w, _ = frames.shape
    if h % world.CONTENT or w % world.CONTENT:
        raise ValueError(f"frames must be a multiple of {world.CONTENT} pixels per side, got {w}×{h}")
    bh, bw = h // world.CONTENT, w // world.CONTENT
    x = frames.astype(np.float32).reshape(f, world.CONTENT, bh, world.CONTENT, bw, 3)
    return x.mean(axis=(2, 4))


def read_shape(mask: np.ndarray) -> tuple[str | None, float]:
    """Best template for one frame's mask: (shape, IoU)."""
    ys, xs = np.nonzero(mask)
    if len(xs) < 6:
        return None, 0.0
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    r = max(x1 - x0, y1 - y0) / 2
    best, best_iou = None, -1.0
    for shape in world.SHAPES:
        # Templates are drawn at the size that fills the same bounding box.
        scale = 1 / 0.9 if shape == "square" else 1.0
        template = world.shape_mask(shape, cx, cy, r * scale - 0.25, size=mask.shape[0])
        iou = (template & mask).sum() / max(1, (template | mask).sum())
        if iou > best_iou:
            best, best_iou = shape, float(iou)
    return best, best_iou


def read_motion(masks: np.ndarray) -> str | None:
    areas = masks.sum(axis=(1, 2)).astype(float)
    present = np.nonzero(areas >= 3)[0]
    if len(present) < 2:
        return None
    first, last = present[0], present[-1]
    ys, xs = np.mgrid[0:masks.shape[1], 0:masks.shape[2]]

    def centre(i):
        return (xs[masks[i]].mean(), ys[masks[i]].mean())

    (x0, y0), (x1, y1) = centre(first), centre(last)
    dx, dy = x1 - x0, y1 - y0
    if areas[last] > 1.8 * areas[first] and max(abs(dx), abs(dy)) < 4:
        return "grow"
    if max(abs(dx), abs(dy)) < 3:
        return None
    if abs(dx) >= abs(dy):
        return "right" if dx > 0 else "left"
    return "down" if dy > 0 else "up"


def read(frames: np.ndarray) -> Reading:
    """Read colour, background, shape and motion from a clip (F, H, W, 3) uint8."""
    content = to_content(np.asarray(frames))
    border = np.concatenate([content[:, 0], content[:, -1], content[:, :, 0], content[:, :, -1]], axis=1).reshape(-1, 3)
    bg_rgb = np.median(border, axis=0)
    background = nearest_colour(bg_rgb)
    distance = np.sqrt(((content - bg_rgb) ** 2).sum(axis=-1))
    masks = distance > OBJECT_DISTANCE
    colour = nearest_colour(np.median(content[masks], axis=0)) if masks.any() else None
    votes: dict[str, float] = {}
    for mask in masks:
        shape, iou = read_shape(mask)
        if shape is not None:
            votes[shape] = votes.get(shape, 0.0) + iou
    shape = max(votes, key=votes.get) if votes else None
    return Reading(colour=colour, background=background, shape=shape, motion=read_motion(masks))


def summarise(results: list[dict[str, bool]]) -> dict[str, float]:
    """Fraction right per attribute, and of clips with all four right."""
    n = max(1, len(results))
    out = {a: sum(r[a] for r in results) / n for a in ATTRIBUTES}
    out["all"] = sum(all(r.values()) for r in results) / n
    return out
