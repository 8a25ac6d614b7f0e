"""Train the shapes demo model: `python -m generation.demo_models.train [--steps N] [--out FOLDER]`.

Seeded and deterministic on one machine and thread count (torch CPU kernels, one thread by default
because the development machine is shared). Writes a diffusers folder (fp16 safetensors) with a
marker holding the recipe, its hash, the loss curve and the adherence measured on the fixed seen and
held-out prompts. The committed weights under `generation/demo_models/weights/` come from

    OMP_NUM_THREADS=1 .venv/bin/python -m generation.demo_models.train --out generation/demo_models/weights/shapes-t2v-demo

Recipe (x-prediction with flow sigmas): x_t = (1 − σ)·x0 + σ·ε, σ = shift(u), u ~ U(0, 1), shift 3,
50% of samples at σ = 1 (pure noise, where sampling starts); the transformer predicts x0; the
loss is the mean squared error with object pixels and a ring of `object_halo` pixels around them
weighted ×`object_weight`; 10% of captions are
dropped (empty prompt) so classifier-free guidance works; AdamW with warm-up and cosine decay.

Three choices get the text through to where the shape is drawn (docs/GENERATION.md, "Training"):
- `input_scale`: the patch embedding starts ×0.1, so at σ = 1 a video token is mostly its position
  and the text it reads is not buried under the embedded noise (the clean-frame prediction from pure
  noise is a function of the text alone);
- `qk_gain`: the query/key LayerNorm gains start at 2 (attention logits ×4), so attention from a
  position to a word varies from the start;
- `radius_step`: moving shapes have a half-size set by their direction (`training_clip`), which
  breaks the mirror symmetry of left/right/up/down that otherwise stalls learning on one central blob;
- `shape_step`: the same for circle and square (`training_clip`): at one half-size they cover almost
  the same area (the world draws a square's side at 0.9 × its half-size), so the shape word had
  almost no position-free effect to learn from and both were drawn as one blob; circles are drawn a
  step smaller and squares a step larger;
- `object_halo`: the object weight also covers 2 pixels around the object; weighting the object alone
  made a pixel the model was unsure of cheaper to paint as object than as background, so edges bled
  outwards and squares were read as circles.
The transformer is 192 wide (`heads` 6 × 32): at 128 wide, squares stayed soft blobs.
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
    steps: int = 2800
    batch: int = 16
    lr: float = 2.5e-3
    warmup: int = 50
    seed: int = 0
    patch: int = 8
    heads: int = 6  # attention heads of 32 dims: the transformer's width is 32 × heads
    pure_noise: float = 0.5
    caption_dropout: float = 0.1
    object_weight: float = 3.0
    object_halo: int = 2  # the object weight also covers this many pixels around the object
    flow_shift: float = 3.0
    input_scale: float = 0.1
    qk_gain: float = 2.0
    radius_step: float = 1.0
    shape_step: float = 1.0

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


RADIUS_OFFSETS = {"left": -1.0, "right": 0.0, "up": 1.0, "down": 2.0}
SHAPE_OFFSETS = {"circle": -1.0, "square": 1.0, "triangle": 0.0}


def training_clip(spec, radius_step: float = 0.0, shape_step: float = 0.0):
    """The world's clip of a spec, with the shape's half-size set by its direction (`radius_step`, moving
    shapes) and by its shape (`shape_step`, every motion) when they are not 0.

    Moving left, right, up and down are mirror images of each other: summed over the frame, no direction
    changes how much of the frame is object, so nothing pulls the model away from one central blob that
    averages them. A size per direction gives each direction word a first, position-free effect to learn
    from. Circle and square are the same case: at one half-size they cover almost the same area, so a
    size per shape (circle smaller, square larger; growing too) does the same for the shape words. The
    adherence metric does not read size (it fits each template to the object's bounding box).
    """
    import numpy as np

    from generation.demo_models import world

    frames, masks = world.render(spec)
    by_motion = radius_step * RADIUS_OFFSETS.get(spec.motion, 0.0)
    by_shape = shape_step * SHAPE_OFFSETS[spec.shape]
    if not by_motion and not by_shape:
        return frames, masks
    for f in range(world.FRAMES):
        cx, cy, radius = world.trajectory(spec.motion, f)
        masks[f] = world.shape_mask(spec.shape, cx, cy, radius + by_motion + by_shape)
        frames[f] = world.COLOURS[spec.background]
        frames[f][masks[f]] = world.COLOURS[spec.colour]
    return np.asarray(frames), masks


def dilate(masks, pixels: int):
    """Boolean masks (..., H, W) grown by `pixels` in every direction (a square neighbourhood)."""
    import numpy as np

    grown = masks.copy()
    for _ in range(pixels):
        padded = np.pad(grown, [(0, 0)] * (grown.ndim - 2) + [(1, 1), (1, 1)])
        h, w = grown.shape[-2:]
        grown = np.logical_or.reduce([padded[..., 1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
    return grown


def dataset(tokenizer, specs, radius_step: float = 0.0, shape_step: float = 0.0, halo: int = 0):
    """Latents (N, F, 3, 32, 32) in [-1, 1], object masks grown by `halo` pixels for the loss weight
    (N, F, 1, 32, 32), token ids (N, 16), empty ids (16,)."""
    import numpy as np
    import torch

    from generation.demo_models import shapes

    clips, masks = zip(*(training_clip(s, radius_step, shape_step) for s in specs), strict=True)
    latents = torch.from_numpy(np.stack(clips)).float().permute(0, 1, 4, 2, 3) / 127.5 - 1.0
    weights = torch.from_numpy(dilate(np.stack(masks), halo)).float()[:, :, None]

    def ids(texts):
        return tokenizer(
            texts, padding="max_length", max_length=shapes.MAX_TOKENS, truncation=True, add_special_tokens=True, return_tensors="pt"
        ).input_ids

    return latents, weights, ids([s.caption for s in specs]), ids([""])[0]


def sample_batch(recipe: Recipe, data, generator):
    import torch

    latents, weights, ids, empty = data
    index = torch.randint(0, len(latents), (recipe.batch,), generator=generator)
    x0, w, tokens = latents[index], 1.0 + (recipe.object_weight - 1.0) * weights[index], ids[index].clone()
    drop = torch.rand(recipe.batch, generator=generator) < recipe.caption_dropout
    tokens[drop] = empty
    noise = torch.randn(x0.shape, generator=generator)
    u = torch.rand(recipe.batch, generator=generator)
    sigma = recipe.flow_shift * u / (1 + (recipe.flow_shift - 1) * u)
    sigma = torch.where(torch.rand(recipe.batch, generator=generator) < recipe.pure_noise, torch.ones_like(sigma), sigma)
    s = sigma[:, None, None, None, None]
    return (1 - s) * x0 + s * noise, x0, w, tokens, sigma * 1000.0


def loss_of(pipe, batch):
    xt, x0, w, tokens, timesteps = batch
    embeds = pipe.text_encoder(tokens)[0]
    pred = pipe.transformer(hidden_states=xt, encoder_hidden_states=embeds, timestep=timesteps, return_dict=False)[0]
    return (w * (pred - x0) ** 2).mean()


def train(recipe: Recipe, *, log=print, log_every: int = 100):
    """Train from the seeded, untrained pipeline. Returns (pipeline, {step: loss}, fixed-batch loss before, after)."""
    import torch

    from generation.demo_models import shapes, world

    torch.manual_seed(recipe.seed)
    pipe = shapes.build_pipeline(seed=recipe.seed, patch=recipe.patch, heads=recipe.heads)
    with torch.no_grad():
        pipe.transformer.patch_embed.proj.weight.mul_(recipe.input_scale)
        for block in pipe.transformer.transformer_blocks:
            block.attn1.norm_q.weight.fill_(recipe.qk_gain)
            block.attn1.norm_k.weight.fill_(recipe.qk_gain)
    train_specs, _ = world.split()
    data = dataset(pipe.tokenizer, train_specs, recipe.radius_step, recipe.shape_step, recipe.object_halo)
    generator = torch.Generator().manual_seed(recipe.seed)
    probe = sample_batch(recipe, data, torch.Generator().manual_seed(recipe.seed + 1))
    params = list(pipe.transformer.parameters()) + list(pipe.text_encoder.parameters())
    optimiser = torch.optim.AdamW(params, lr=recipe.lr, weight_decay=0.01)

    def factor(step):
        if step < recipe.warmup:
            return (step + 1) / recipe.warmup
        return 0.5 * (1 + math.cos(math.pi * (step - recipe.warmup) / max(1, recipe.steps - recipe.warmup)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, factor)
    with torch.no_grad():
        before = float(loss_of(pipe, probe))
    pipe.transformer.train()
    pipe.text_encoder.train()
    curve, running, started = {}, 0.0, time.perf_counter()
    for step in range(recipe.steps):
        loss = loss_of(pipe, sample_batch(recipe, data, generator))
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
    pipe.transformer.eval()
    pipe.text_encoder.eval()
    with torch.no_grad():
        after = float(loss_of(pipe, probe))
    return pipe, curve, before, after


def render_clip(pipe, prompt: str, *, seed: int = 0, steps: int = 20, guidance: float = 3.0):
    import numpy as np
    import torch

    from generation.demo_models import shapes, world

    generator = torch.Generator().manual_seed(seed)
    with torch.inference_mode():
        frames = pipe(
            prompt=prompt,
            height=world.SIZE,
            width=world.SIZE,
            num_frames=world.FRAMES,
            num_inference_steps=steps,
            guidance_scale=guidance,
            max_sequence_length=shapes.MAX_TOKENS,
            output_type="np",
            generator=generator,
        ).frames[0]
    return (np.clip(frames, 0, 1) * 255).round().astype(np.uint8)


def evaluate(pipe, *, seed: int = 0, steps: int = 20, guidance: float = 3.0) -> dict:
    """Adherence on the fixed seen and held-out prompts: per attribute and all four right, per split."""
    from generation.demo_models import adherence, world

    out = {}
    for name, specs in world.eval_prompts().items():
        scores = [adherence.read(render_clip(pipe, s.caption, seed=seed, steps=steps, guidance=guidance)).score(s) for s in specs]
        out[name] = {k: round(v, 3) for k, v in adherence.summarise(scores).items()} | {"prompts": len(specs)}
    return out


def save(pipe, out: Path, recipe: Recipe, meta: dict) -> None:
    """fp16 safetensors and the marker (recipe, its hash, the figures): `committed.save_fp16`."""
    from generation.demo_models import committed, shapes

    committed.save_fp16(pipe, out, {"name": shapes.MODEL_NAME, "recipe": recipe.digest(), "recipe_values": asdict(recipe), **meta})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=Recipe.steps)
    parser.add_argument("--batch", type=int, default=Recipe.batch)
    parser.add_argument("--seed", type=int, default=Recipe.seed)
    parser.add_argument("--pure-noise", type=float, default=Recipe.pure_noise)
    parser.add_argument("--object-weight", type=float, default=Recipe.object_weight)
    parser.add_argument("--out", type=Path, default=Path("var/demo-models/shapes-t2v-demo"))
    parser.add_argument("--no-eval", action="store_true")
    args = parser.parse_args(argv)

    import django
    import torch

    django.setup()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    recipe = Recipe(steps=args.steps, batch=args.batch, seed=args.seed, pure_noise=args.pure_noise, object_weight=args.object_weight)
    started = time.perf_counter()
    pipe, curve, before, after = train(recipe)
    seconds = round(time.perf_counter() - started, 1)
    print(f"trained {recipe.steps} steps in {seconds}s; fixed-batch loss {before:.4f} -> {after:.4f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)  # raw weights first: a broken save still keeps the training
    torch.save(
        {"transformer": pipe.transformer.state_dict(), "text_encoder": pipe.text_encoder.state_dict()},
        args.out.parent / f"{args.out.name}.pt",
    )
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
