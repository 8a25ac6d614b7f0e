"""Running diffusers pipelines in a worker process: device and dtype, the warm pipeline cache, one render.

Imported lazily by the render task (never at module import of `generation.tasks`), so Celery
processes that never render do not pay for torch.

- CPU: float32, `GENERATION_CPU_THREADS` intra-op threads per worker process (1 on small machines).
- CUDA: bf16 (fp16 where bf16 is not supported) or the profile's dtype, the VAE optionally kept in
  float32, PyTorch SDPA attention (or the profile's diffusers attention backend), optional model or
  sequential CPU offload and VAE tiling from the profile, TF32 matmuls.
- Step caching from the profile (`generation/step_cache.py`), on every device.
- Noise comes from a CPU generator seeded with the job's seed, so a seed means the same starting
  latents on every device.
"""

from __future__ import annotations

import gc
import hashlib
import inspect
import logging
import os
import resource
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

for _name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY", "HF_HUB_DISABLE_PROGRESS_BARS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from django.conf import settings  # noqa: E402

from generation import step_cache  # noqa: E402

log = logging.getLogger(__name__)

_torch_ready = False


def init_torch() -> None:
    """Once per process: thread count on CPU, TF32 on CUDA."""
    global _torch_ready
    if _torch_ready:
        return
    threads = max(1, int(getattr(settings, "GENERATION_CPU_THREADS", 1)))
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set, or parallel work already ran in this process
        pass
    if torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    _torch_ready = True


def select_device() -> torch.device:
    wanted = str(getattr(settings, "GENERATION_DEVICE", "auto") or "auto").lower()
    if wanted == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(wanted)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"GENERATION_DEVICE={wanted} but this worker has no CUDA device; use 'auto' or 'cpu'.")
    return device


def select_dtype(profile_dtype: str, device: torch.device) -> torch.dtype:
    if device.type != "cuda":
        return torch.float32  # CPU kernels for bf16/fp16 video models are slow or missing
    if profile_dtype == "float32":
        return torch.float32
    if profile_dtype == "float16":
        return torch.float16
    if profile_dtype == "bfloat16":
        return torch.bfloat16
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


@dataclass(frozen=True)
class LoadSpec:
    """Everything that decides how a pipeline is loaded; the cache key."""

    folder: str
    folder_stamp: float  # mtime of model_index.json: a rebuilt/re-downloaded folder is a new entry
    device: str
    dtype: str
    vae_float32: bool
    cpu_offload: str
    vae_tiling: bool
    attention_backend: str
    step_cache: str = ""

    @classmethod
    def for_profile(cls, profile, device: torch.device) -> LoadSpec:
        folder = Path(profile.resolved_folder())
        index = folder / "model_index.json"
        if not index.is_file():
            raise FileNotFoundError(
                f"Model '{profile.name}' points at {folder}, which has no model_index.json on this worker. "
                "Copy the checkpoint there (or run `manage.py build_demo_model` for the demo model)."
            )
        dtype = select_dtype(profile.dtype, device)
        return cls(
            folder=str(folder), folder_stamp=index.stat().st_mtime, device=str(device), dtype=str(dtype).removeprefix("torch."),
            vae_float32=bool(profile.vae_float32) and device.type == "cuda",
            cpu_offload=profile.cpu_offload if device.type == "cuda" else "none",
            vae_tiling=bool(profile.vae_tiling), attention_backend=profile.attention_backend or "native",
            step_cache=profile.step_cache or "",
        )


def load_pipeline(spec: LoadSpec):
    """`DiffusionPipeline.from_pretrained(folder, local_files_only=True)`, placed and configured for the device."""
    from diffusers import DiffusionPipeline
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    init_torch()
    diffusers_logging.disable_progress_bar()  # worker logs, not terminal bars
    transformers_logging.disable_progress_bar()
    dtype = getattr(torch, spec.dtype)
    dtype_arg: Any = {"default": dtype, "vae": torch.float32} if spec.vae_float32 and dtype != torch.float32 else dtype
    pipe = DiffusionPipeline.from_pretrained(spec.folder, local_files_only=True, dtype=dtype_arg)
    pipe.set_progress_bar_config(disable=True)
    device = torch.device(spec.device)
    if device.type == "cuda":
        if spec.cpu_offload == "model":
            pipe.enable_model_cpu_offload(device=device)
        elif spec.cpu_offload == "sequential":
            pipe.enable_sequential_cpu_offload(device=device)
        else:
            pipe.to(device)
    if spec.vae_tiling and hasattr(getattr(pipe, "vae", None), "enable_tiling"):
        pipe.vae.enable_tiling()
    if spec.attention_backend and spec.attention_backend != "native":
        for component in pipe.components.values():
            if hasattr(component, "set_attention_backend") and isinstance(component, torch.nn.Module):
                component.set_attention_backend(spec.attention_backend)
    step_cache.apply(pipe, spec.step_cache)
    return pipe


def weights_bytes(spec: LoadSpec) -> int:
    """Approximate memory a pipeline needs once loaded: its weight files, scaled to the load dtype."""
    total = 0
    for path in Path(spec.folder).rglob("*"):
        if path.suffix in {".safetensors", ".bin"} and path.is_file():
            total += path.stat().st_size
    if spec.dtype in {"bfloat16", "float16"}:
        total //= 2  # checkpoints are often stored in float32; an upper bound either way
    return total


def available_memory_bytes(device: str) -> int:
    """Free memory where the weights go: the GPU's free memory, or the machine's available RAM."""
    if device.startswith("cuda") and torch.cuda.is_available():
        free, _total = torch.cuda.mem_get_info(torch.device(device))
        return int(free)
    import psutil

    return int(psutil.virtual_memory().available)


@dataclass
class CacheEntry:
    pipe: Any
    loaded_at: float
    load_seconds: float
    uses: int = 0


@dataclass
class PipelineCache:
    """Warm pipelines of this worker process. The least recently used is evicted beyond `max_items`,
    and before a load that would not fit in the free GPU memory (or RAM) with it still loaded.

    A GPU worker runs one job at a time, so there is no concurrent access; the lock only guards
    against a preload thread and a job racing at start-up.
    """

    max_items: int = 1
    _entries: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, spec: LoadSpec) -> tuple[Any, float, bool]:
        """(pipeline, seconds spent loading now, whether it was already warm)."""
        with self._lock:
            entry = self._entries.get(spec)
            if entry is not None:
                self._entries.move_to_end(spec)
                entry.uses += 1
                return entry.pipe, 0.0, True
            # Make room before loading: at most `max_items` pipelines, and never more than fits. An
            # offloaded pipeline lives in host memory, so it is measured against RAM.
            while len(self._entries) >= max(1, self.max_items):
                self._evict_oldest()
            needed = int(weights_bytes(spec) * 1.2)
            where = spec.device if spec.cpu_offload == "none" else "cpu"
            while self._entries and available_memory_bytes(where) < needed:
                self._evict_oldest()
            started = time.perf_counter()
            pipe = load_pipeline(spec)
            seconds = time.perf_counter() - started
            self._entries[spec] = CacheEntry(pipe=pipe, loaded_at=time.time(), load_seconds=seconds, uses=1)
            log.info("loaded %s on %s (%s) in %.2fs", spec.folder, spec.device, spec.dtype, seconds)
            return pipe, seconds, False

    def _evict_oldest(self) -> None:
        spec, entry = self._entries.popitem(last=False)
        log.info("evicting %s from the pipeline cache", spec.folder)
        del entry
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def clear(self) -> None:
        with self._lock:
            while self._entries:
                self._evict_oldest()

    def keys(self) -> list[LoadSpec]:
        return list(self._entries)


_cache: PipelineCache | None = None


def pipeline_cache() -> PipelineCache:
    global _cache
    if _cache is None:
        _cache = PipelineCache(max_items=max(1, int(getattr(settings, "GENERATION_PIPELINE_CACHE_SIZE", 1))))
    return _cache


@dataclass
class RenderRequest:
    prompt: str
    negative_prompt: str
    seed: int
    frames: int
    width: int
    height: int
    fps: float
    steps: int
    guidance: float
    max_sequence_length: int
    image: Any = None  # PIL image for image-to-video pipelines


@dataclass
class RenderResult:
    frames: np.ndarray  # uint8 (F, H, W, 3)
    denoise_seconds: float
    decode_seconds: float
    peak_memory_mb: float
    device: str


# (step, total, elapsed seconds) -> None; raise from it to stop the render at once.
StepCallback = Callable[[int, int, float], None]


def call_arguments(pipe, request: RenderRequest) -> dict[str, Any]:
    """Keyword arguments for this pipeline's __call__ (families name a few differently)."""
    accepted = set(inspect.signature(pipe.__call__).parameters)
    kwargs: dict[str, Any] = {
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt or None,
        "height": request.height,
        "width": request.width,
        "num_frames": request.frames,
        "num_inference_steps": request.steps,
        "guidance_scale": request.guidance,
        "max_sequence_length": request.max_sequence_length,
        "output_type": "np",
    }
    if "frame_rate" in accepted:  # LTX-Video conditions its rotary embeddings on the frame rate
        kwargs["frame_rate"] = int(round(request.fps))
    if request.image is not None:
        kwargs["image"] = request.image
    return {k: v for k, v in kwargs.items() if k in accepted}


def to_uint8(frames: np.ndarray) -> np.ndarray:
    if frames.dtype != np.uint8:
        frames = (np.clip(frames, 0.0, 1.0) * 255.0).round().astype(np.uint8)
    return np.ascontiguousarray(frames)


def render(pipe, request: RenderRequest, *, on_step: StepCallback | None = None) -> RenderResult:
    """Run one render. `on_step` is called after every denoising step; an exception raised from it
    propagates at once (no further steps, no VAE decode)."""
    init_torch()
    device = pipe._execution_device if hasattr(pipe, "_execution_device") else torch.device("cpu")
    cuda = torch.device(device).type == "cuda"
    if cuda:
        torch.cuda.reset_peak_memory_stats(device)
    generator = torch.Generator(device="cpu").manual_seed(int(request.seed))
    started = time.perf_counter()
    last_step = [started]

    def callback(pipeline, step_index, timestep, callback_kwargs):
        if cuda:
            torch.cuda.synchronize(device)  # so step times and the ETA are real, not queued work
        now = time.perf_counter()
        last_step[0] = now
        if on_step is not None:
            on_step(step_index + 1, int(pipeline.num_timesteps), now - started)
        return callback_kwargs

    with torch.inference_mode():
        output = pipe(**call_arguments(pipe, request), generator=generator, callback_on_step_end=callback)
    if cuda:
        torch.cuda.synchronize(device)
    # Video pipelines return frames (batch, F, H, W, 3); text-to-image ones images (N, H, W, 3): one frame.
    frames = to_uint8(np.asarray(output.frames[0] if hasattr(output, "frames") else output.images[:1]))
    decoded = time.perf_counter()
    if cuda:
        peak = torch.cuda.max_memory_allocated(device) / 2**20
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return RenderResult(
        frames=frames,
        denoise_seconds=last_step[0] - started,
        decode_seconds=decoded - last_step[0],
        peak_memory_mb=round(peak, 1),
        device=str(device),
    )


def _sha256(frame) -> str:
    return hashlib.sha256(np.ascontiguousarray(np.asarray(frame, dtype=np.uint8)).tobytes()).hexdigest()


def render_windows(pipe, request: RenderRequest, lengths: list[int], *,
                   on_step: StepCallback | None = None) -> tuple[RenderResult, list[dict]]:
    """Render `lengths` consecutive windows (generation/windows.py) and join them: window 1 starts from
    `request.image`, each next one from the previous window's last frame (with seed + its index), and
    that shared frame is kept once. Progress counts the steps of all windows. Returns the joined
    result and one record per window for the lineage (empty for a single pass)."""
    if len(lengths) <= 1:
        return render(pipe, request, on_step=on_step), []
    from PIL import Image

    parts, records = [], []
    image, done_seconds, denoise, decode, peak, device = request.image, 0.0, 0.0, 0.0, 0.0, ""
    for index, frames in enumerate(lengths):
        def window_step(step: int, total: int, elapsed: float, index=index, offset=done_seconds) -> None:
            if on_step is not None:
                on_step(index * total + step, total * len(lengths), offset + elapsed)

        seed = int(request.seed) + index
        init_sha = _sha256(image) if image is not None else None
        result = render(pipe, replace(request, frames=frames, image=image, seed=seed), on_step=window_step)
        kept = result.frames if index == 0 else result.frames[1:]
        records.append({
            "index": index + 1, "frames": frames, "kept_frames": int(len(kept)), "seed": seed,
            "starts_at_frame": sum(r["kept_frames"] for r in records),
            "init": "the job's first frame" if index == 0 else f"the last frame of window {index}",
            "init_sha256": init_sha, "last_frame_sha256": _sha256(result.frames[-1]),
            "denoise": round(result.denoise_seconds, 4), "decode": round(result.decode_seconds, 4),
        })
        parts.append(kept)
        denoise, decode = denoise + result.denoise_seconds, decode + result.decode_seconds
        done_seconds += result.denoise_seconds + result.decode_seconds
        peak, device = max(peak, result.peak_memory_mb), result.device
        image = Image.fromarray(result.frames[-1])
    joined = np.ascontiguousarray(np.concatenate(parts, axis=0))
    return RenderResult(frames=joined, denoise_seconds=denoise, decode_seconds=decode, peak_memory_mb=peak, device=device), records
