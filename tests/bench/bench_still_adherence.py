"""Prompt adherence of the shapes still model (text-to-image), read automatically from its stills.

The committed model is installed into MODELS_DIR (as `build_demo_model` does), described by the
registry values `register_model` would store, and loaded by the worker's own loader
(`generation.runner.load_pipeline`: `DiffusionPipeline.from_pretrained(folder, local_files_only=True)`
→ `StableDiffusionPipeline`). It draws the fixed seen and held-out prompts
(`generation.demo_models.still_world.eval_prompts`: the held-out ones are colour/shape/background
triples never shown in training) at the model's defaults (64×64, 20 steps, guidance 3) with `--seeds`
seeds each, through the worker's own render call (`generation.runner.render`), and reads object
colour, background colour and shape back with `generation.demo_models.adherence` (one frame: no
motion). The same metric on ground-truth stills of the same prompts is printed first (it must be 100%).

    .venv/bin/python tests/bench/bench_still_adherence.py [--seeds 3]
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

ATTRIBUTES = ("colour", "background", "shape", "all")


def row(name: str, summary: dict) -> str:
    return f"  {name:<22} " + "  ".join(f"{summary[a] * 100:5.1f}%" for a in ATTRIBUTES)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from generation import runner, services
    from generation.demo_models import still_model, still_world, world
    from generation.models import ModelProfile

    folder, copied, _ = still_model.install()
    values = services.profile_values_for_folder(folder, **still_model.profile_values())
    profile = ModelProfile(name=still_model.MODEL_NAME, folder=str(folder), **values)  # not saved: no database needed
    started = time.perf_counter()
    pipe = runner.load_pipeline(runner.LoadSpec.for_profile(profile, runner.select_device()))
    load_seconds = time.perf_counter() - started
    print(
        f"model {still_model.MODEL_NAME} ({'installed' if copied else 'already installed'} at {folder}); loaded as "
        f"{type(pipe).__name__} in {load_seconds:.2f}s; torch threads {runner.torch.get_num_threads()}; {platform.machine()}, "
        f"{os.cpu_count()} cpus; {profile.default_width}x{profile.default_height}, {profile.default_steps} steps, "
        f"guidance {profile.default_guidance:g}, seeds 0..{args.seeds - 1}"
    )
    print(f"  {'':<22} {'colour':>6}  {'bg':>6}  {'shape':>6}  {'all 3':>6}")
    report, times = {}, []
    for split, specs in still_world.eval_prompts().items():
        truth = [still_world.score(still_world.render(s, size=world.SIZE)[0], s) for s in specs]
        print(row(f"{split} ground truth", still_world.summarise(truth)))
        scores = []
        for spec in specs:
            for seed in range(args.seeds):
                request = runner.RenderRequest(
                    prompt=spec.caption,
                    negative_prompt="",
                    seed=seed,
                    frames=1,
                    width=profile.default_width,
                    height=profile.default_height,
                    fps=1.0,
                    steps=profile.default_steps,
                    guidance=profile.default_guidance,
                    max_sequence_length=profile.max_sequence_length,
                )
                t0 = time.perf_counter()
                result = runner.render(pipe, request)
                times.append(time.perf_counter() - t0)
                scores.append(still_world.score(result.frames[0], spec))
        summary = still_world.summarise(scores)
        report[split] = {"prompts": len(specs), "stills": len(scores), **{k: round(v, 3) for k, v in summary.items()}}
        print(row(f"{split} model ({len(scores)})", summary))
    times.sort()
    print(f"render (pipeline call, {profile.default_steps} steps + decode): median {times[len(times) // 2]:.2f}s over {len(times)} stills")
    print(
        json.dumps(
            {
                "bench": "still_adherence",
                "seeds": args.seeds,
                "load_s": round(load_seconds, 3),
                "median_render_s": round(times[len(times) // 2], 3),
                **report,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
