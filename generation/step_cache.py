"""Step caching, a per-model option: diffusers' own cache hooks on the denoising transformer.

`ModelProfile.step_cache` is "" (off) or "first_block:<threshold>": diffusers' First Block Cache
(`FirstBlockCacheConfig`). At each step the transformer runs its first block; when that block's
output changed by less than `threshold` (relative L1) since the last full step, the remaining blocks
are skipped and their last residual reused. Higher thresholds skip more steps and cost more quality;
0.05–0.2 are the useful range (docs/GENERATION.md has the measured speed-up and PSNR/SSIM,
`tests/bench/gpu_render.py --step-cache first_block:0.1` measures them). The cache state is reset by
the pipeline at the end of each call, so the same seed, parameters and model give the same frames
every time, with or without it; cached frames differ slightly from uncached ones, which is why the
setting is recorded in each take's lineage.
"""

from __future__ import annotations

KINDS = {"first_block": "diffusers First Block Cache: skip the other blocks while the first block's output barely changes"}


class StepCacheError(ValueError):
    pass


def parse(value: str | None) -> tuple[str, float] | None:
    """("first_block", threshold) from "first_block:0.1"; None for "" (off). StepCacheError says what is wrong."""
    text = (value or "").strip()
    if not text or text == "off":
        return None
    kind, _, threshold = text.partition(":")
    if kind not in KINDS:
        raise StepCacheError(f"unknown step cache '{kind}'; use first_block:<threshold> (e.g. first_block:0.1) or off")
    try:
        number = float(threshold)
    except ValueError:
        raise StepCacheError(f"'{text}' needs a threshold between 0 and 1, e.g. first_block:0.1") from None
    if not 0 < number < 1:
        raise StepCacheError(f"the first_block threshold must be between 0 and 1 (exclusive), not {threshold}; 0.05–0.2 is useful")
    return kind, number


def normalized(value: str | None) -> str:
    """The stored form: "" or "first_block:0.1"."""
    parsed = parse(value)
    return "" if parsed is None else f"{parsed[0]}:{parsed[1]:g}"


def apply(pipe, value: str | None) -> None:
    """Enable the cache on the pipeline's transformer (a no-op when off). Raises StepCacheError when the
    pipeline's denoiser has no diffusers cache hooks (e.g. a UNet)."""
    parsed = parse(value)
    if parsed is None:
        return
    from diffusers import FirstBlockCacheConfig

    transformer = getattr(pipe, "transformer", None)
    if transformer is None or not hasattr(transformer, "enable_cache"):
        raise StepCacheError(
            f"{type(pipe).__name__} has no transformer with diffusers cache hooks; step caching needs one (Wan, LTX-Video, CogVideoX)"
        )
    _kind, threshold = parsed
    try:
        transformer.enable_cache(FirstBlockCacheConfig(threshold=threshold))
    except ValueError as exc:
        raise StepCacheError(f"{type(transformer).__name__} does not take the first_block cache: {exc}") from None
