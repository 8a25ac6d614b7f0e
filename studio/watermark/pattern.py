"""The forensic watermark's signal: a keyed, tiled spread-spectrum pattern in the luma plane.

Layout. The picture is covered by square tiles of `TILE` px (in the marked proxy's pixels); every tile
carries the whole payload. A tile is a grid of `GRID` x `GRID` cells of `CELL` px. A secret key
(HMAC of settings.SECRET_KEY) draws a permutation that gives each cell to one code bit (`CODE_BITS`
code bits, each spread over `GRID**2 // CODE_BITS` cells, the rest carry a known sync bit) and a +-1
chip per cell. The mark adds `strength * chip * bit` (bit = +-1) to the luma of every cell of every
tile, scaled by a local activity mask (flat areas get less, textured ones more), in every frame.

Reading. The suspect picture is high-pass filtered (the residual after a separable 5x5 median, clipped: the
picture content is mostly gone, the cells stay), then folded: all its tiles are summed modulo `TILE`
(and, for a clip, all its frames). A crop only shifts the tiles cyclically, so the fold of a cropped
picture is the fold of the whole one, rolled. One
FFT cross-correlation per code bit gives that bit's soft value at every roll; the roll where the
bits are strongest (sum of |values|, plus the sync bit) is the alignment. A picture scaled by `s` has
tiles of `TILE * s` px: the reader tries a few scales (`SCALES`) by resampling before folding.

Cell size 4 px is mid frequency: it survives H.264 at low bitrates and a half-size scale (2 px cells),
where a per-pixel pattern would be gone.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

TILE = 64
CELL = 4
GRID = TILE // CELL  # 16 x 16 = 256 cells
CODE_BITS = 48  # 32-bit mark id + 16-bit CRC (studio/watermark/payload.py)
CELLS_PER_BIT = (GRID * GRID) // CODE_BITS  # 5; the 16 cells left over carry the sync bit
STRENGTH = 3.0  # luma levels (of 255) at an average activity
SCALES = (1.0, 0.5, 0.75, 2 / 3, 1.5, 1.25)  # tried in this order by the reader
RESIDUAL_CLIP = 3.0


@dataclass(frozen=True)
class Key:
    """What a secret key draws: for each cell, its bit (index, or CODE_BITS for sync) and its chip."""

    owner: np.ndarray  # (GRID, GRID) int: bit index per cell
    chips: np.ndarray  # (GRID, GRID) float: +-1

    @classmethod
    def from_secret(cls, secret: bytes) -> Key:
        seed = int.from_bytes(hmac.new(secret, b"greenlight-forensic-watermark-v1", hashlib.sha256).digest()[:8], "big")
        rng = np.random.default_rng(seed)
        owner = np.full(GRID * GRID, CODE_BITS, dtype=np.int64)
        owner[: CODE_BITS * CELLS_PER_BIT] = np.repeat(np.arange(CODE_BITS), CELLS_PER_BIT)
        owner = rng.permutation(owner).reshape(GRID, GRID)
        chips = rng.choice(np.array([-1.0, 1.0]), size=(GRID, GRID))
        return cls(owner=owner, chips=chips)

    def tile(self, bits: np.ndarray) -> np.ndarray:
        """The (TILE, TILE) +-1 pattern of a code word (bits: CODE_BITS values of 0/1)."""
        signs = np.append(np.where(np.asarray(bits) > 0, 1.0, -1.0), 1.0)  # sync bit is always +1
        cells = self.chips * signs[self.owner]
        return np.kron(cells, np.ones((CELL, CELL)))

    def bit_templates(self) -> np.ndarray:
        """(CODE_BITS + 1, TILE, TILE): per bit, its chips on its own cells, 0 elsewhere."""
        templates = np.zeros((CODE_BITS + 1, GRID, GRID))
        for bit in range(CODE_BITS + 1):
            templates[bit][self.owner == bit] = self.chips[self.owner == bit]
        return np.stack([np.kron(t, np.ones((CELL, CELL))) for t in templates])


def activity_mask(luma: np.ndarray) -> np.ndarray:
    """Where the eye forgives: ~0.5 on flat areas, up to 2 on texture (local std of the luma)."""
    y = luma.astype(np.float32)
    mean = ndimage.uniform_filter(y, 9)
    var = np.maximum(ndimage.uniform_filter(y * y, 9) - mean * mean, 0.0)
    return np.clip(0.5 + np.sqrt(var) / 12.0, 0.5, 2.0)


def embed_luma(luma: np.ndarray, pattern: np.ndarray, *, strength: float = STRENGTH) -> np.ndarray:
    """The marked 8-bit luma plane (same shape): `pattern` (one tile) repeated over the picture."""
    h, w = luma.shape
    reps = (-(-h // TILE), -(-w // TILE))
    tiled = np.tile(pattern, reps)[:h, :w]
    marked = luma.astype(np.float32) + strength * activity_mask(luma) * tiled
    return np.clip(np.rint(marked), 0, 255).astype(np.uint8)


def _highpass(luma: np.ndarray) -> np.ndarray:
    """What a 5x5 median (separable: rows, then columns; ~8x faster than the square one) does not explain,
    clipped to +-3 levels: edges of the picture (large, sparse) weigh no more than the cells. Measured
    better than a Gaussian high-pass or a sign correlator after H.264 at CRF 35 (docs/RIGHTS.md)."""
    y = luma.astype(np.float32)
    background = ndimage.median_filter(ndimage.median_filter(y, size=(1, 5)), size=(5, 1))
    return np.clip(y - background, -RESIDUAL_CLIP, RESIDUAL_CLIP)


def _rescale(luma: np.ndarray, factor: float) -> np.ndarray:
    from PIL import Image

    h, w = luma.shape
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return np.asarray(Image.fromarray(luma.astype(np.float32), mode="F").resize(size, Image.BILINEAR))


def residual(luma: np.ndarray) -> np.ndarray:
    """The high-passed picture the reader folds (computed once per frame, whatever the scales tried)."""
    return _highpass(luma)


def fold_residual(res: np.ndarray, *, scale: float = 1.0) -> np.ndarray:
    """The (TILE, TILE) sum of a residual's tiles, after undoing a scale of `scale` (bilinear resampling of
    the residual: one median per frame instead of one per frame and scale)."""
    if scale != 1.0:
        res = _rescale(res, 1.0 / scale)
    h, w = res.shape
    if h < TILE or w < TILE:
        padded = np.zeros((max(h, TILE), max(w, TILE)), dtype=np.float32)
        padded[:h, :w] = res
        res, h, w = padded, padded.shape[0], padded.shape[1]
    h, w = (h // TILE) * TILE, (w // TILE) * TILE
    return res[:h, :w].reshape(h // TILE, TILE, w // TILE, TILE).sum(axis=(0, 2))


def fold(luma: np.ndarray, *, scale: float = 1.0) -> np.ndarray:
    """The (TILE, TILE) sum of the high-passed picture's tiles, after undoing a scale of `scale`."""
    return fold_residual(residual(luma), scale=scale)


@dataclass(frozen=True)
class Reading:
    soft: np.ndarray  # CODE_BITS soft values (positive: 1)
    score: float  # mean |soft| over the noise level: how clearly the cells are there
    shift: tuple[int, int]


def read_fold(folded: np.ndarray, key: Key, templates: np.ndarray | None = None) -> Reading:
    """Align the folded tile with the key (every cyclic roll at once, by FFT) and read the soft bits."""
    templates = key.bit_templates() if templates is None else templates
    spectrum = np.fft.fft2(folded)
    # corr[b, dy, dx] = sum(folded rolled by (dy, dx) * template b)
    corr = np.real(np.fft.ifft2(spectrum[None] * np.conj(np.fft.fft2(templates, axes=(1, 2))), axes=(1, 2)))
    strength = np.abs(corr[:CODE_BITS]).sum(axis=0) + corr[CODE_BITS] * (CODE_BITS / 16)
    dy, dx = np.unravel_index(int(np.argmax(strength)), strength.shape)
    soft = corr[:CODE_BITS, dy, dx]
    noise = float(np.median(np.abs(corr[:CODE_BITS]))) + 1e-9  # the typical value at a wrong roll
    return Reading(soft=soft, score=float(np.mean(np.abs(soft)) / noise), shift=(int(dy), int(dx)))
