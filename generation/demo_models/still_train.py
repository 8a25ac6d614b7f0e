"""Train the shapes still model: `python -m generation.demo_models.still_train [--steps N] [--out FOLDER]`.

Seeded and deterministic on one machine and thread count (one thread by default: the development
machine is shared). Writes a diffusers folder (fp16 safetensors) with a marker holding the recipe, its
hash, the loss curve and the adherence on the fixed seen and held-out prompts. The committed weights
under `generation/demo_models/weights/shapes-still-demo/` come from

    OMP_NUM_THREADS=1 .venv/bin/python -m generation.demo_models.still_train --out generation/demo_models/weights/shapes-still-demo

Recipe (the video demo model's, on one frame): x_t = (1 − σ)·x0 + σ·ε, σ = shift(u), u ~ U(0, 1),
shift 3, `pure_noise` of samples at σ = 1; the UNet predicts x0; mean squared error with object pixels
weighted ×`object_weight`; 10% of captions dropped (empty prompt) for classifier-free guidance; each
sample a freshly jittered drawing of its caption; AdamW with warm-up and cosine decay.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")


@dataclass(frozen=True)
class Recipe:
    steps: int = 1000
    batch: int = 16
    lr: float = 2e-3
    warmup: int = 50
    seed: int = 0
    pure_noise: float = 0.3
    caption_dropout: float = 0.1
    object_weight: float = 3.0
    flow_shift: float = 3.0

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


def token_ids(tokenizer, texts):
    from generation.demo_models import still_model

    return tokenizer(texts, padding="max_length", max_length=still_model.MAX_TOKENS, truncation=True, return_tensors="pt").input_ids


def sample_batch(recipe: Recipe, specs, ids, empty, rng, generator):
    """(noisy latents, clean latents, loss weights, token ids, timesteps) of one freshly drawn batch."""
    import numpy as np
    import torch

    from generation.demo_models import still_model, still_world

    index = rng.integers(0, len(specs), recipe.batch)
    drawn = [still_world.render(specs[i], rng=rng) for i in index]
    x0 = still_model.encode(np.stack([image for image, _ in drawn]))
    w = 1.0 + (recipe.object_weight - 1.0) * torch.from_numpy(np.stack([mask for _, mask in drawn])).float()[:, None]
    tokens = ids[torch.from_numpy(index)].clone()
    tokens[torch.rand(recipe.batch, generator=generator) < recipe.caption_dropout] = empty
    noise = torch.randn(x0.shape, generator=generator)
    u = torch.rand(recipe.batch, generator=generator)
    sigma = recipe.flow_shift * u / (1 + (recipe.flow_shift - 1) * u)
    sigma = torch.where(torch.rand(recipe.batch, generator=generator) < recipe.pure_noise, torch.ones_like(sigma), sigma)
    s = sigma[:, None, None, None]
    return (1 - s) * x0 + s * noise, x0, w, tokens, sigma * 1000.0


def loss_of(pipe, batch):
    xt, x0, w, tokens, timesteps = batch
    embeds = pipe.text_encoder(tokens)[0]
    pred = pipe.unet(xt, timesteps, encoder_hidden_states=embeds, return_dict=False)[0]
    return (w * (pred - x0) ** 2).mean()


def train(recipe: Recipe, *, log=print, log_every: int = 100):
    """Train from the seeded, untrained pipeline. Returns (pipeline, {step: loss}, fixed-batch loss before, after)."""
    import numpy as np
    import torch

    from generation.demo_models import still_model, still_world

    torch.manual_seed(recipe.seed)
    pipe = still_model.build_pipeline(seed=recipe.seed)
    specs, _ = still_world.split()
    ids, empty = token_ids(pipe.tokenizer, [s.caption for s in specs]), token_ids(pipe.tokenizer, [""])[0]
    rng, generator = np.random.default_rng(recipe.seed), torch.Generator().manual_seed(recipe.seed)
    probe = sample_batch(recipe, specs, ids, empty, np.random.default_rng(recipe.seed + 1), torch.Generator().manual_seed(recipe.seed + 1))
    params = list(pipe.unet.parameters()) + list(pipe.text_encoder.parameters())
    optimiser = torch.optim.AdamW(params, lr=recipe.lr, weight_decay=0.01)

    def factor(step):
        if step < recipe.warmup:
            return (step + 1) / recipe.warmup
        return 0.5 * (1 + math.cos(math.pi * (step - recipe.warmup) / max(1, recipe.steps - recipe.warmup)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, factor)
    with torch.no_grad():
        before = float(loss_of(pipe, probe))
    pipe.unet.train()
    pipe.text_encoder.train()
    curve, running, started = {}, 0.0, time.perf_counter()
    for step in range(recipe.steps):
        loss = loss_of(pipe, sample_batch(recipe, specs, ids, empty, rng, generator))
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimiser.step()
        scheduler.step()
        running += loss.item()
        if (step + 1) % log_every == 0 or step + 1 == recipe.steps:
            n = (step % log_every) + 1
            curve[step + 1] = round(running / n, 5)
            log(f"step {step + 1}/{recipe.steps} loss {running / n:.4f} ({time.perf_counter() - started:.0f}s)")
            running = 0.0
    pipe.unet.eval()
    pipe.text_encoder.eval()
    with torch.no_grad():
        after = float(loss_of(pipe, probe))
    return pipe, curve, before, after


def render_still(pipe, prompt: str, *, seed: int = 0, steps: int = 20, guidance: float = 3.0):
    import numpy as np
    import torch

    from generation.demo_models import world

    generator = torch.Generator().manual_seed(seed)
    with torch.inference_mode():
        image = pipe(
            prompt=prompt,
            height=world.SIZE,
            width=world.SIZE,
            num_inference_steps=steps,
            guidance_scale=guidance,
            output_type="np",
            generator=generator,
        ).images[0]
    return (np.clip(image, 0, 1) * 255).round().astype(np.uint8)


def evaluate(pipe, *, seeds=(0, 1), steps: int = 20, guidance: float = 3.0) -> dict:
    """Adherence on the fixed seen and held-out prompts (each drawn with every seed in `seeds`)."""
    from generation.demo_models import still_world

    out = {}
    for name, specs in still_world.eval_prompts().items():
        scores = [
            still_world.score(render_still(pipe, s.caption, seed=seed, steps=steps, guidance=guidance), s) for s in specs for seed in seeds
        ]
        out[name] = {k: round(v, 3) for k, v in still_world.summarise(scores).items()} | {"stills": len(scores)}
    return out


def save(pipe, out: Path, recipe: Recipe, meta: dict) -> None:
    """fp16 safetensors and the marker (recipe, its hash, the figures): `committed.save_fp16`."""
    from generation.demo_models import committed, still_model

    committed.save_fp16(pipe, out, {"name": still_model.MODEL_NAME, "recipe": recipe.digest(), "recipe_values": asdict(recipe), **meta})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=Recipe.steps)
    parser.add_argument("--batch", type=int, default=Recipe.batch)
    parser.add_argument("--seed", type=int, default=Recipe.seed)
    parser.add_argument("--out", type=Path, default=Path("var/demo-models/shapes-still-demo"))
    parser.add_argument("--no-eval", action="store_true")
    args = parser.parse_args(argv)

    import django
    import torch

    django.setup()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    recipe = Recipe(steps=args.steps, batch=args.batch, seed=args.seed)
    started = time.perf_counter()
    pipe, curve, before, after = train(recipe)
    seconds = round(time.perf_counter() - started, 1)
    print(f"trained {recipe.steps} steps in {seconds}s; fixed-batch loss {before:.4f} -> {after:.4f}")
    meta = {
        "train_seconds": seconds,
        "threads": torch.get_num_threads(),
        "loss_before": round(before, 5),
        "loss_after": round(after, 5),
        "loss_curve": curve,
        "date": time.strftime("%Y-%m-%d"),
    }
    save(pipe, args.out, recipe, meta)
    if not args.no_eval:
        from diffusers import DiffusionPipeline

        loaded = DiffusionPipeline.from_pretrained(args.out, local_files_only=True, dtype=torch.float32)
        loaded.set_progress_bar_config(disable=True)
        meta["adherence"] = evaluate(loaded)
        print(json.dumps(meta["adherence"], indent=1))
        save(pipe, args.out, recipe, meta)
    print(f"saved to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
