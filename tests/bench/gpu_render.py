"""A real-model-shaped render benchmark: Wan2.1-T2V-1.3B's configuration with random weights.

The arithmetic of a diffusion transformer does not depend on what its weights are, so a pipeline
built from the published Wan2.1-T2V-1.3B configuration (30 blocks, 1536 wide, 12 heads, FFN 8960,
UMT5-XXL text encoder, the Wan 2.1 VAE) with seeded random weights costs what the real checkpoint
costs. It is built offline, saved with `save_pretrained` (cached under MODELS_DIR), then rendered

  bare    — `DiffusionPipeline.from_pretrained(folder, local_files_only=True)` + `pipe(...)` + MP4 encode
  worker  — the same render as a generation job on a real Celery worker (API service, broker,
            warm pipeline cache, progress, encode, take), after one warm-up job

and reports seconds per clip, peak memory and the worker-vs-bare ratio.

On CUDA (default when a GPU is present): 832x480, 81 frames, 50 steps, bf16 (VAE in fp32), the
full UMT5-XXL encoder. On CPU (automatic without a GPU, or --device cpu) it runs at a reduced size
so CI keeps it working: 2 of the 30 transformer blocks (each at full width), a 1-layer text encoder
of the full 4096 width, 64x64, 5 frames, 2 steps, fp32. Every reduction is printed with the result.

    .venv/bin/python tests/bench/gpu_render.py                 # auto: full size on CUDA, reduced on CPU
    .venv/bin/python tests/bench/gpu_render.py --no-worker     # bare diffusers only (no database/broker needed)
    .venv/bin/python tests/bench/gpu_render.py --device cuda --steps 20 --runs 3
    .venv/bin/python tests/bench/gpu_render.py --step-cache first_block:0.05 --step-cache first_block:0.1   # + step caching
    .venv/bin/python tests/bench/gpu_render.py --folder $MODELS_DIR/Wan2.1-T2V-1.3B-Diffusers --step-cache first_block:0.1

With --step-cache each setting is also rendered, bare and through the worker (a profile with that
`step_cache`), and reported as speed-up against bare diffusers uncached and PSNR/SSIM of its frames
against the uncached frames of the same seed. Random weights change a lot at every step, so the cache
skips nothing on them (identical frames): judge step caching with --folder pointing at a real checkpoint.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
for _name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import torch  # noqa: E402
from django.conf import settings  # noqa: E402

from generation import step_cache  # noqa: E402

PROMPT = "a lighthouse on a cliff at dusk, waves breaking below, slow aerial push-in, cinematic"
SEED = 2024

# Wan2.1-T2V-1.3B-Diffusers transformer/config.json.
WAN21_1_3B = dict(
    patch_size=(1, 2, 2), num_attention_heads=12, attention_head_dim=128, in_channels=16, out_channels=16, text_dim=4096, freq_dim=256,
    ffn_dim=8960, num_layers=30, cross_attn_norm=True, qk_norm="rms_norm_across_heads", eps=1e-6, image_dim=None, added_kv_proj_dim=None,
    rope_max_seq_len=1024,
)
# google/umt5-xxl (the Wan text encoder).
UMT5_XXL = dict(
    vocab_size=256384, d_model=4096, d_kv=64, d_ff=10240, num_layers=24, num_heads=64, relative_attention_num_buckets=32,
    relative_attention_max_distance=128, dropout_rate=0.0, layer_norm_epsilon=1e-6, feed_forward_proj="gated-gelu",
    tie_word_embeddings=False, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
)


@dataclass(frozen=True)
class Config:
    device: str
    width: int
    height: int
    frames: int
    steps: int
    layers: int
    text_encoder: str  # "full" (UMT5-XXL) or "small" (1 layer, full width)
    dtype: str
    max_sequence_length: int

    @property
    def folder_name(self) -> str:
        return f"bench-wan2.1-1.3b-shaped-l{self.layers}-te{self.text_encoder}-{self.dtype}"

    @property
    def reductions(self) -> list[str]:
        notes = []
        if self.layers != WAN21_1_3B["num_layers"]:
            notes.append(f"{self.layers} of 30 transformer blocks")
        if self.text_encoder != "full":
            notes.append("1-layer text encoder (UMT5-XXL has 24)")
        if (self.width, self.height, self.frames) != (832, 480, 81):
            notes.append(f"{self.width}x{self.height}x{self.frames} instead of 832x480x81")
        if self.steps != 50:
            notes.append(f"{self.steps} steps instead of 50")
        return notes


def build_pipeline(config: Config):
    """Wan2.1-T2V-1.3B-shaped WanPipeline with seeded random weights, built on the target device."""
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanPipeline, WanTransformer3DModel
    from transformers import UMT5Config, UMT5EncoderModel

    from generation.demo_model import make_tokenizer

    device = torch.device(config.device)
    dtype = getattr(torch, config.dtype)
    tokenizer = make_tokenizer()
    text_config = dict(UMT5_XXL)
    if config.text_encoder != "full":
        text_config.update(vocab_size=len(tokenizer), num_layers=1, d_ff=1024, num_heads=8)
    with device:
        torch.manual_seed(0)
        text_encoder = UMT5EncoderModel(UMT5Config(**text_config)).to(dtype).eval()
        torch.manual_seed(0)
        # Saved in float32 like the published checkpoint; from_pretrained(dtype=…) casts it and keeps
        # the modules Wan needs in float32 (rope, norms, time embedding).
        transformer = WanTransformer3DModel(**{**WAN21_1_3B, "num_layers": config.layers}).eval()
        torch.manual_seed(0)
        vae = AutoencoderKLWan().eval()  # the Wan 2.1 VAE configuration is the class default; kept in float32
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    pipe = WanPipeline(tokenizer=tokenizer, text_encoder=text_encoder, vae=vae, transformer=transformer, scheduler=scheduler)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def ensure_folder(config: Config) -> Path:
    folder = Path(settings.MODELS_DIR) / config.folder_name
    marker = folder / "greenlight-bench.json"
    if marker.is_file() and json.loads(marker.read_text()).get("config") == asdict(config) | {"device": "any"}:
        return folder
    started = time.perf_counter()
    pipe = build_pipeline(config)
    params = sum(p.numel() for c in pipe.components.values() if isinstance(c, torch.nn.Module) for p in c.parameters())
    pipe.save_pretrained(folder, safe_serialization=True)
    marker.write_text(json.dumps({"config": asdict(config) | {"device": "any"}, "parameters": params}))
    print(f"built and saved {folder.name}: {params / 1e9:.2f} B parameters in {time.perf_counter() - started:.1f}s")
    del pipe
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return folder


def peak_memory_mb(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare(config: Config, folder: Path, runs: int, *, cache: str = "") -> tuple[list[dict], np.ndarray]:
    """Bare diffusers renders (with `cache`, the profile option `step_cache` applied the way the worker
    applies it). Returns the runs' figures and the last run's uint8 frames."""
    import tempfile
    from fractions import Fraction

    from diffusers import DiffusionPipeline
    from diffusers.utils import logging as diffusers_logging

    from generation.encoding import encode_mp4
    from generation.runner import to_uint8

    diffusers_logging.disable_progress_bar()
    device = torch.device(config.device)
    torch.set_num_threads(int(settings.GENERATION_CPU_THREADS))
    dtype = getattr(torch, config.dtype)
    started = time.perf_counter()
    dtype_arg = {"default": dtype, "vae": torch.float32} if dtype != torch.float32 else dtype
    pipe = DiffusionPipeline.from_pretrained(folder, local_files_only=True, dtype=dtype_arg).to(device)
    pipe.set_progress_bar_config(disable=True)
    step_cache.apply(pipe, cache)
    label = f"bare + {cache}" if cache else "bare"
    print(f"{label}: loaded in {time.perf_counter() - started:.1f}s")
    kwargs = dict(prompt=PROMPT, negative_prompt=None, width=config.width, height=config.height, num_frames=config.frames,
                  guidance_scale=5.0, max_sequence_length=config.max_sequence_length, output_type="np")
    results = []
    with tempfile.TemporaryDirectory() as tmp, torch.inference_mode():
        # Warm-up, as the worker's warm-up job: CUDA context, kernels, allocator (a short render).
        pipe(**kwargs, num_inference_steps=2, generator=torch.Generator("cpu").manual_seed(SEED))
        if device.type == "cuda":
            torch.cuda.synchronize(device)
            torch.cuda.reset_peak_memory_stats(device)
        for i in range(runs):
            last = [0.0]

            def stamp(pipeline, step, timestep, kw, last=last):
                if device.type == "cuda":
                    torch.cuda.synchronize(device)
                last[0] = time.perf_counter()
                return kw

            started = time.perf_counter()
            out = pipe(**kwargs, num_inference_steps=config.steps, generator=torch.Generator("cpu").manual_seed(SEED),
                       callback_on_step_end=stamp)
            frames = to_uint8(out.frames[0])
            decoded = time.perf_counter()
            encode_mp4(frames, Path(tmp) / f"bare-{i}.mp4", fps=Fraction(16))
            done = time.perf_counter()
            results.append({"denoise": last[0] - started, "decode": decoded - last[0], "encode": done - decoded, "total": done - started,
                            "peak_memory_mb": peak_memory_mb(device)})
            print(f"{label} run {i + 1}: {done - started:.2f}s (denoise {last[0] - started:.2f}, decode {decoded - last[0]:.2f}, "
                  f"encode {done - decoded:.2f})")
    del pipe
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return results, frames


def quality(reference, frames) -> dict:
    """PSNR (dB) and SSIM of `frames` against `reference` (uint8 RGB clips of the same seed), over all frames."""
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    if np.array_equal(reference, frames):  # the cache skipped no step (e.g. random weights: every step changes a lot)
        return {"psnr_db": None, "ssim": 1.0, "identical": True}
    psnr = peak_signal_noise_ratio(reference, frames, data_range=255)
    ssim = float(np.mean([structural_similarity(a, b, channel_axis=-1, data_range=255) for a, b in zip(reference, frames, strict=True)]))
    return {"psnr_db": float(psnr), "ssim": ssim, "identical": False}


def through_worker(config: Config, folder: Path, runs: int, *, cache: str = "") -> list[dict]:
    from fractions import Fraction

    from generation import services
    from generation.models import GenerationJob
    from tests.bench.bench_generation import bench_database, make_world, start_worker
    from tests.generation.listener import GroupListener

    queue = "gpu-bench-render"
    settings.GENERATION_QUEUE = queue
    results = []
    with bench_database("gpu_render"):
        size_floor = min(config.width, config.height, 256)
        values = services.profile_values_for_folder(
            folder, default_width=config.width, default_height=config.height, default_frames=config.frames, default_steps=config.steps,
            min_frames=min(5, config.frames), min_width=size_floor, min_height=size_floor, max_sequence_length=config.max_sequence_length,
            dtype=config.dtype, default_negative_prompt="", step_cache=cache,
        )
        name = "bench-wan2.1-1.3b-shaped" + ("-cached" if cache else "")
        profile, _ = services.register_model_profile(name=name, folder=folder, values=values, make_default=True)
        user, project, shot = make_world("render")
        worker = start_worker("bench-render", queue, GENERATION_DEVICE=config.device)
        listener = GroupListener(project.id)
        try:
            for i in range(runs + 1):
                started = time.perf_counter()
                (job,) = services.submit_generation(actor=user, shot=shot, prompt=PROMPT, negative_prompt="", seed=SEED, model=profile,
                                                    fps=Fraction(16))
                while True:
                    event, finished = listener.next_event(timeout=3600)
                    if event["type"] == "job.state_changed" and event.get("job") == str(job.id) and event["data"]["state"] in (
                            "succeeded", "failed", "cancelled"):
                        break
                job = GenerationJob.objects.get(pk=job.id)
                if job.state != "succeeded":
                    raise RuntimeError(f"worker render {job.state}: {job.error}")
                row = {"e2e": finished - started, **job.timings}
                label = ("warm-up (cold worker)" if i == 0 else f"run {i}") + (f", {cache}" if cache else "")
                print(f"worker {label}: {row['e2e']:.2f}s (load {row['load']:.2f}, denoise {row['denoise']:.2f}, "
                      f"decode {row['decode']:.2f}, encode {row['encode']:.2f}, queue wait {row['queue_wait'] * 1000:.0f} ms)")
                if i:
                    results.append(row)
        finally:
            worker.stop()
            listener.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description="Wan2.1-T2V-1.3B-shaped render: seconds per clip, peak memory, worker vs bare.")
    parser.add_argument("--device", default="auto", help="auto (cuda when available), cuda, cuda:N or cpu")
    parser.add_argument("--width", type=int)
    parser.add_argument("--height", type=int)
    parser.add_argument("--frames", type=int)
    parser.add_argument("--steps", type=int)
    parser.add_argument("--layers", type=int, help="transformer blocks (30 = the real model)")
    parser.add_argument("--text-encoder", choices=["full", "small"])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--no-worker", action="store_true", help="bare diffusers only")
    parser.add_argument("--folder", type=Path,
                        help="render this diffusers folder (e.g. the real Wan2.1-T2V-1.3B-Diffusers checkpoint) instead of the "
                             "random-weight one; step caching can only be judged with trained weights")
    parser.add_argument("--step-cache", action="append", default=[],
                        help="also render with this step cache (e.g. first_block:0.1; repeat for several) and report the speed-up "
                             "against bare diffusers and PSNR/SSIM against the uncached frames (same seed)")
    args = parser.parse_args()
    try:
        caches = [step_cache.normalized(value) for value in args.step_cache]
    except step_cache.StepCacheError as exc:
        parser.error(f"--step-cache: {exc}")

    device = "cuda" if args.device == "auto" and torch.cuda.is_available() else ("cpu" if args.device == "auto" else args.device)
    cuda = device.startswith("cuda")
    config = Config(
        device=device,
        width=args.width or (832 if cuda else 64), height=args.height or (480 if cuda else 64), frames=args.frames or (81 if cuda else 5),
        steps=args.steps or (50 if cuda else 2), layers=args.layers or (30 if cuda else 2),
        text_encoder=args.text_encoder or ("full" if cuda else "small"),
        dtype=("bfloat16" if torch.cuda.is_bf16_supported() else "float16") if cuda else "float32",
        max_sequence_length=512 if cuda else 64,
    )
    where = torch.cuda.get_device_name(device) if cuda else f"CPU ({os.cpu_count()} cores, {settings.GENERATION_CPU_THREADS} torch thread)"
    print(f"device: {where}; torch {torch.__version__}")
    print(f"config: {config.width}x{config.height}, {config.frames} frames, {config.steps} steps, {config.layers} blocks, "
          f"text encoder {config.text_encoder}, {config.dtype}")
    if config.reductions:
        print("REDUCED (not the full Wan2.1-T2V-1.3B render): " + "; ".join(config.reductions))

    folder = args.folder.expanduser().resolve() if args.folder else ensure_folder(config)
    if args.folder:
        print(f"folder: {folder} (given; the configuration's layer and text-encoder choices do not apply)")
    bare_runs, reference = bare(config, folder, args.runs)
    worker_runs = [] if args.no_worker else through_worker(config, folder, args.runs)
    cached = {}
    for cache in caches:
        runs, frames = bare(config, folder, args.runs, cache=cache)
        cached[cache] = {"bare": runs, **quality(reference, frames),
                         "worker": [] if args.no_worker else through_worker(config, folder, args.runs, cache=cache)}

    bare_clip = median([r["total"] for r in bare_runs])
    print("\n== result ==")
    print(f"bare diffusers: {bare_clip:.2f} s/clip, peak {'GPU' if cuda else 'process RSS'} memory "
          f"{max(r['peak_memory_mb'] for r in bare_runs):,.0f} MB")
    if worker_runs:
        worker_clip = median([r["e2e"] for r in worker_runs])
        print(f"through the worker: {worker_clip:.2f} s/clip (submit → take), peak {'GPU' if cuda else 'worker RSS'} memory "
              f"{max(r.get('peak_memory_mb', 0) for r in worker_runs):,.0f} MB")
        print(f"worker / bare: {worker_clip / bare_clip:.3f}x")
    for cache, row in cached.items():
        clip = median([r["total"] for r in row["bare"]])
        same = ("frames identical to the uncached ones: the cache skipped no step (random weights change a lot every step; "
                "measure with real weights)") if row["identical"] else (
                f"PSNR {row['psnr_db']:.1f} dB, SSIM {row['ssim']:.4f} against the uncached frames (same seed)")
        line = f"step cache {cache}: bare {clip:.2f} s/clip, {bare_clip / clip:.2f}x faster than bare diffusers uncached; {same}"
        if row["worker"]:
            worker_clip = median([r["e2e"] for r in row["worker"]])
            line += f"; through the worker {worker_clip:.2f} s/clip, {bare_clip / worker_clip:.2f}x faster than bare diffusers uncached"
        print(line)
    out = Path(settings.DATA_DIR) / "bench" / "gpu_render.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"config": asdict(config), "device": where, "bare": bare_runs, "worker": worker_runs, "step_cache": cached},
                              indent=1))
    print(f"raw figures: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
