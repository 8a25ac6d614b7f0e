"""Benchmark (issue 11): step caching (`ModelProfile.step_cache`, generation/step_cache.py) on a
trained model — speed-up and what it costs in quality.

    OMP_NUM_THREADS=1 .venv/bin/python tests/bench/bench_step_cache.py [--seeds 2] [--thresholds 0.05,0.1,0.2,0.3]

A cache only pays when consecutive steps change little, which a random-weight model never does (the
Wan-shaped random-weight render of `gpu_render.py --step-cache` on CPU skipped no step: identical
frames, no speed-up), so this runs the trained shapes demo model (CogVideoX transformer, committed
weights, loaded through the worker's own loader with the profile option set the way the worker sets
it): every held-out prompt × seed, uncached and at each First Block Cache threshold, alternating per
clip. It prints the transformer's denoising time and the whole pipeline call (ratio uncached/cached),
PSNR and SSIM of the cached frames against the uncached frames of the same seed, and the adherence
(colour, background, shape, motion read from the frames, generation/demo_models/adherence.py) with
and without the cache. At this model's size most of a render is not the transformer (text encoder,
VAE decode), so the whole-call speed-up understates what a 30-block, 832×480 model gains; the
denoising speed-up is the comparable figure. Real-size GPU figures: tests/bench/gpu_render.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
for _name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def load_pipelines(settings_: list[str]):
    """One pipeline per setting (the worker keeps one per profile), loaded by the worker's own loader."""
    from generation import runner, services, step_cache
    from generation.demo_models import shapes
    from generation.models import ModelProfile

    folder, _copied, _ = shapes.install()
    values = services.profile_values_for_folder(folder, **shapes.profile_values())
    pipes = {}
    for cache in settings_:
        profile = ModelProfile(name=shapes.MODEL_NAME, folder=str(folder), **{**values, "step_cache": step_cache.normalized(cache)})
        pipes[cache] = runner.load_pipeline(runner.LoadSpec.for_profile(profile, runner.select_device()))
    return pipes, values["default_steps"], values["default_guidance"]


def timed_render(pipe, caption: str, seed: int, steps: int, guidance: float):
    """(uint8 frames, seconds of the pipeline call, seconds inside the transformer's forward calls)."""
    from generation.demo_models.train import render_clip

    inside, started = [0.0], [0.0]

    def before(_module, _args, _kwargs):
        started[0] = time.perf_counter()

    def after(_module, _args, _kwargs, _out):
        inside[0] += time.perf_counter() - started[0]

    hooks = [pipe.transformer.register_forward_pre_hook(before, with_kwargs=True),
             pipe.transformer.register_forward_hook(after, with_kwargs=True)]
    try:
        t0 = time.perf_counter()
        frames = render_clip(pipe, caption, seed=seed, steps=steps, guidance=guidance)
        return frames, time.perf_counter() - t0, inside[0]
    finally:
        for hook in hooks:
            hook.remove()


def measure(pipes: dict, specs, seeds: int, steps: int, guidance: float) -> dict:
    """Every spec × seed, uncached first then each setting (alternating per clip)."""
    import numpy as np
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    from generation.demo_models import adherence

    rows = {cache: {"call": [], "denoise": [], "psnr": [], "ssim": [], "scores": [], "identical": 0} for cache in pipes}
    for spec in specs:
        for seed in range(seeds):
            reference = None
            for cache, pipe in pipes.items():
                frames, call, denoise = timed_render(pipe, spec.caption, seed, steps, guidance)
                row = rows[cache]
                row["call"].append(call)
                row["denoise"].append(denoise)
                row["scores"].append(adherence.read(frames).score(spec))
                if cache == "":
                    reference = frames
                elif np.array_equal(frames, reference):
                    row["identical"] += 1
                else:
                    row["psnr"].append(peak_signal_noise_ratio(reference, frames, data_range=255))
                    row["ssim"].append(float(np.mean([structural_similarity(a, b, channel_axis=-1, data_range=255)
                                                      for a, b in zip(reference, frames, strict=True)])))
    return rows


def summarise(rows: dict) -> dict:
    """Print the table; return the figures by setting."""
    from generation.demo_models import adherence

    base, report = rows[""], {}
    print(f"  {'setting':<22} {'denoise':>8} {'speed-up':>8} {'call':>7} {'speed-up':>8} {'PSNR':>7} {'SSIM':>7}"
          f"  {'colour':>6} {'bg':>4} {'shape':>5} {'motion':>6}")
    for cache, row in rows.items():
        summary = adherence.summarise(row["scores"])
        d, c = sum(row["denoise"]), sum(row["call"])
        psnr = f"{median(row['psnr']):.1f}" if row["psnr"] else "—"
        ssim = f"{median(row['ssim']):.4f}" if row["ssim"] else "—"
        print(f"  {cache or 'uncached':<22} {d / len(row['denoise']):7.3f}s {sum(base['denoise']) / d:7.2f}x {c / len(row['call']):6.3f}s"
              f" {sum(base['call']) / c:7.2f}x {psnr:>7} {ssim:>7}  {summary['colour']:6.0%} {summary['background']:4.0%}"
              f" {summary['shape']:5.0%} {summary['motion']:6.0%}" + (f"  ({row['identical']} identical)" if row["identical"] else ""))
        report[cache or "uncached"] = {
            "denoise_seconds_mean": d / len(row["denoise"]), "denoise_speedup": sum(base["denoise"]) / d,
            "call_speedup": sum(base["call"]) / c, "psnr_db_median": median(row["psnr"]) if row["psnr"] else None,
            "ssim_median": median(row["ssim"]) if row["ssim"] else None, "identical_clips": row["identical"],
            "adherence": {k: round(v, 3) for k, v in summary.items()},
        }
    return report


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--thresholds", default="0.05,0.1,0.2,0.3")
    args = parser.parse_args()

    import django

    django.setup()
    import torch

    from generation.demo_models import shapes, world

    pipes, steps, guidance = load_pipelines(["", *(f"first_block:{t}" for t in args.thresholds.split(","))])
    specs = world.eval_prompts()["held_out"]
    print(f"model {shapes.MODEL_NAME}: {type(pipes[''].transformer).__name__}, {steps} steps, guidance {guidance:g}; "
          f"{len(specs)} held-out prompts x {args.seeds} seeds; torch threads {torch.get_num_threads()}; {platform.machine()}, "
          f"{os.cpu_count()} cpus; {time.strftime('%Y-%m-%d %H:%M')}")
    report = summarise(measure(pipes, specs, args.seeds, steps, guidance))
    out = ROOT / "var" / "bench" / "step_cache.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "seeds": args.seeds, "steps": steps, **report}, indent=2) + "\n")
    print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
