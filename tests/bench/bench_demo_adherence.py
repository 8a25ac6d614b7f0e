"""Prompt adherence of the shapes demo model, read automatically from decoded frames.

The committed model is installed into MODELS_DIR (as `build_demo_model` does), described by the
registry values `register_model` would store, and loaded by the worker's own loader
(`generation.runner.load_pipeline`: `DiffusionPipeline.from_pretrained(folder, local_files_only=True)`).
It renders the fixed seen and held-out prompts (`generation.demo_models.world.eval_prompts`: the
held-out ones are colour/shape/motion triples never shown in training) at the model's defaults
(9 frames, 64×64, 20 steps, guidance 3) with `--seeds` seeds each, and reads object colour,
background colour, shape and motion back with `generation.demo_models.adherence`. The same metric
on the ground-truth clips of the same prompts is printed first (it must be 100%).

Target (issue 11): ≥ 80% on each attribute on held-out prompts.

    .venv/bin/python tests/bench/bench_demo_adherence.py [--seeds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
for _name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def row(name: str, summary: dict) -> str:
    cells = "  ".join(f"{summary[a] * 100:5.1f}%" for a in ("colour", "background", "shape", "motion", "all"))
    return f"  {name:<22} {cells}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from generation import runner, services
    from generation.demo_models import adherence, shapes, world
    from generation.demo_models.train import render_clip
    from generation.models import ModelProfile

    folder, copied, _ = shapes.install()
    values = services.profile_values_for_folder(folder, **shapes.profile_values())
    profile = ModelProfile(name=shapes.MODEL_NAME, folder=str(folder), **values)  # not saved: no database needed
    started = time.perf_counter()
    pipe = runner.load_pipeline(runner.LoadSpec.for_profile(profile, runner.select_device()))
    load_seconds = time.perf_counter() - started
    print(f"model {shapes.MODEL_NAME} ({'installed' if copied else 'already installed'} at {folder}); loaded as "
          f"{type(pipe).__name__} in {load_seconds:.2f}s; torch threads {runner.torch.get_num_threads()}; {platform.machine()}, "
          f"{os.cpu_count()} cpus; {profile.default_frames} frames {profile.default_width}x{profile.default_height}, "
          f"{profile.default_steps} steps, guidance {profile.default_guidance:g}, seeds 0..{args.seeds - 1}")
    print(f"  {'':<22} {'colour':>6}  {'bg':>6}  {'shape':>6}  {'motion':>6}  {'all 4':>6}")
    report, render_times = {}, []
    for split, specs in world.eval_prompts().items():
        truth = [adherence.read(world.render(s, size=world.SIZE)[0]).score(s) for s in specs]
        print(row(f"{split} ground truth", adherence.summarise(truth)))
        scores = []
        for spec in specs:
            for seed in range(args.seeds):
                t0 = time.perf_counter()
                frames = render_clip(pipe, spec.caption, seed=seed, steps=profile.default_steps, guidance=profile.default_guidance)
                render_times.append(time.perf_counter() - t0)
                scores.append(adherence.read(frames).score(spec))
        summary = adherence.summarise(scores)
        report[split] = {"prompts": len(specs), "renders": len(scores), **{k: round(v, 3) for k, v in summary.items()}}
        print(row(f"{split} model ({len(scores)})", summary))
    render_times.sort()
    median = render_times[len(render_times) // 2]
    print(f"render (pipeline call, 20 steps + decode): median {median:.2f}s over {len(render_times)} clips")
    held = report["held_out"]
    met = all(held[a] >= 0.8 for a in adherence.ATTRIBUTES)
    print(f"held-out target ≥80% on each attribute: {'met' if met else 'NOT met'}")
    out = ROOT / "var" / "bench" / "demo_adherence.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "seeds": args.seeds, "load_seconds": round(load_seconds, 3),
                               "render_median_seconds": round(median, 3), **report}, indent=2) + "\n")
    print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
