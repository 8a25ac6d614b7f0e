"""The demo image-to-video model: a tiny LTX-Video `LTXImageToVideoPipeline` whose clip starts from
its image. Built offline in code by `manage.py build_demo_model`, saved with `save_pretrained` and
loaded like any checkpoint: `DiffusionPipeline.from_pretrained(folder, local_files_only=True)`.

How the first frame is kept: LTX-Video's image-to-video pipeline encodes the image with the VAE and
fixes the first latent frame to that latent for every step (its timestep is 0, the scheduler never
touches it), so the first decoded frame is `decode(encode(image))`. The VAE here is hand-set to be
an exact autoencoder (no training):

- **encoder**: LTX's patchify (4×4 pixels → 48 channels) is the latent. `conv_in` (centre tap)
  writes `+x`, `−x` and a large constant channel `K`; there are no blocks (0 layers, no scaling);
  `norm_out` (an RMS norm over channels) then divides by an almost constant `r` — `K` dominates the
  norm, so `r` varies by less than 1e-6 — and since `silu(u) − silu(−u) = u`, `conv_out` recovers
  `x` exactly up to the known factor `r`. The log-variance channel is −30 (σ ≈ 3e-7).
- **decoder**: the same construction from the 48 latent channels back to 48 patch channels, which
  LTX's unpatchify turns into pixels.

So a 64×64 image round-trips to within float error; the first frame of the clip is the image (then
H.264). The transformer (`LTXVideoTransformer3DModel`, 1 layer) and the T5 text encoder have seeded
random weights: the later frames are not trained motion, they drift from the image into noise.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from generation.demo_models import committed

MODEL_NAME = "ltx-i2v-demo"
FOLDER_NAME = "ltx-i2v-demo"
MARKER_FILE = "greenlight-demo-model.json"
BUILDER_VERSION = 1
PATCH = 4  # pixels per latent side: 64×64 → 16×16 latent tokens
CONSTANT = 1.0e4  # the channel that dominates norm_out's RMS, so the division is a known constant
CONSTANT_CHANNELS = 4


@dataclass(frozen=True)
class BuildResult:
    folder: Path
    built: bool
    seconds: float


def folder(models_dir: Path | None = None) -> Path:
    return Path(models_dir or settings.MODELS_DIR) / FOLDER_NAME


def is_built(path: Path) -> bool:
    marker = path / MARKER_FILE
    if not (path / "model_index.json").is_file() or not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text()).get("builder_version") == BUILDER_VERSION
    except (OSError, ValueError):
        return False


def _set_identity_conv(conv, *, taps: int, width: int, plus: int, minus: int | None, scale: float, bias=None) -> None:
    """Zero `conv` (an LTX causal conv), then put `scale`·(+x) at output channels [plus, plus+width)
    and, when `minus` is given, `scale`·(−x) at [minus, minus+width), from input channels [0, width),
    on the temporal tap `taps` and the spatial centre only."""
    import torch

    weight = conv.conv.weight
    with torch.no_grad():
        weight.zero_()
        conv.conv.bias.zero_()
        for c in range(width):
            weight[plus + c, c, taps, 1, 1] = scale
            if minus is not None:
                weight[minus + c, c, taps, 1, 1] = -scale
        if bias is not None:
            for channel, value in bias.items():
                conv.conv.bias[channel] = value


def _hand_set_vae(vae, *, latent: int) -> None:
    """Make the encoder and decoder exact (see the module docstring)."""
    import torch

    hidden = 2 * latent + CONSTANT_CHANNELS
    constant = {2 * latent + i: CONSTANT for i in range(CONSTANT_CHANNELS)}
    # norm_out divides by r = sqrt((2·Σx² + n·K²) / hidden) ≈ K·sqrt(n / hidden); conv_out multiplies it back.
    r = CONSTANT * (CONSTANT_CHANNELS / hidden) ** 0.5
    causal_tap, centre_tap = 2, 1  # the encoder is causal (current frame = last tap), the decoder is not
    encoder, decoder = vae.encoder, vae.decoder
    _set_identity_conv(encoder.conv_in, taps=causal_tap, width=latent, plus=0, minus=latent, scale=1.0, bias=constant)
    _set_identity_conv(decoder.conv_in, taps=centre_tap, width=latent, plus=0, minus=latent, scale=1.0, bias=constant)
    for conv_out, tap in ((encoder.conv_out, causal_tap), (decoder.conv_out, centre_tap)):
        with torch.no_grad():
            conv_out.conv.weight.zero_()
            conv_out.conv.bias.zero_()
            for c in range(latent):
                conv_out.conv.weight[c, c, tap, 1, 1] = r  # silu(x/r) ...
                conv_out.conv.weight[c, latent + c, tap, 1, 1] = -r  # ... − silu(−x/r) = x/r
    with torch.no_grad():  # the encoder's extra output channel is the log-variance: σ = e^(−15)
        encoder.conv_out.conv.bias[latent] = -30.0


def build_pipeline(*, seed: int = 0):
    """The pipeline, every component seeded (identical weights in every process)."""
    import torch
    from diffusers import AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXImageToVideoPipeline, LTXVideoTransformer3DModel
    from transformers import T5Config, T5EncoderModel

    from generation.demo_model import TEXT_DIM, make_tokenizer

    latent = 3 * PATCH * PATCH
    tokenizer = make_tokenizer()
    torch.manual_seed(seed)
    text_encoder = T5EncoderModel(
        T5Config(
            vocab_size=len(tokenizer),
            d_model=TEXT_DIM,
            d_kv=8,
            d_ff=64,
            num_layers=2,
            num_heads=4,
            relative_attention_num_buckets=8,
            relative_attention_max_distance=32,
            dropout_rate=0.0,
            feed_forward_proj="gated-gelu",
            pad_token_id=0,
            eos_token_id=1,
            decoder_start_token_id=0,
        )
    )
    torch.manual_seed(seed)
    transformer = LTXVideoTransformer3DModel(
        in_channels=latent,
        out_channels=latent,
        patch_size=1,
        patch_size_t=1,
        num_attention_heads=4,
        attention_head_dim=8,
        cross_attention_dim=32,
        num_layers=1,
        caption_channels=TEXT_DIM,
    )
    with torch.no_grad():  # small velocities: the later frames drift from the noise instead of saturating
        transformer.proj_out.weight.mul_(0.1)
        transformer.proj_out.bias.zero_()
    vae = AutoencoderKLLTXVideo(
        in_channels=3,
        out_channels=3,
        latent_channels=latent,
        block_out_channels=(2 * latent + CONSTANT_CHANNELS,),
        decoder_block_out_channels=(2 * latent + CONSTANT_CHANNELS,),
        layers_per_block=(0, 0),
        decoder_layers_per_block=(0, 0),
        spatio_temporal_scaling=(False,),
        decoder_spatio_temporal_scaling=(False,),
        decoder_inject_noise=(False, False),
        upsample_residual=(False,),
        upsample_factor=(1,),
        timestep_conditioning=False,
        patch_size=PATCH,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=False,
    )
    _hand_set_vae(vae, latent=latent)
    vae.use_framewise_encoding = False
    vae.use_framewise_decoding = False
    pipe = LTXImageToVideoPipeline(
        transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(), text_encoder=text_encoder, tokenizer=tokenizer
    )
    return committed.ready(pipe)


def build(*, models_dir: Path | None = None, force: bool = False, seed: int = 0) -> BuildResult:
    """Build and save the pipeline unless an up-to-date copy is there; staged and renamed into place."""
    started = time.perf_counter()
    target = folder(models_dir)
    if not force and is_built(target):
        return BuildResult(folder=target, built=False, seconds=time.perf_counter() - started)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    build_pipeline(seed=seed).save_pretrained(staging, safe_serialization=True)
    (staging / MARKER_FILE).write_text(
        json.dumps(
            {
                "builder_version": BUILDER_VERSION,
                "name": MODEL_NAME,
                "seed": seed,
                "note": "Tiny LTX-Video image-to-video pipeline built offline by Greenlight: an exact hand-set VAE keeps the first frame; "
                "the transformer has random weights.",
            },
            indent=2,
        )
    )
    if target.exists():
        shutil.rmtree(target)
    try:
        staging.rename(target)
    except OSError:  # another builder finished first with identical output
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(folder=target, built=True, seconds=time.perf_counter() - started)


def profile_values() -> dict:
    """Registry overrides on top of the LTX-Video family's values: small, so a CPU render takes seconds."""
    return {
        "display_name": "LTX-Video I2V — tiny demo (starts from the image)",
        "description": "A tiny LTX-Video image-to-video pipeline built offline. The first frame is the init image (an exact "
        "hand-set VAE); later frames come from a random-weight transformer and drift into noise.",
        "dtype": "auto",
        "vae_float32": True,
        "default_frames": 17,
        "min_frames": 9,
        "max_frames": 33,
        "default_width": 64,
        "default_height": 64,
        "size_multiple": 32,
        "min_width": 32,
        "max_width": 128,
        "min_height": 32,
        "max_height": 128,
        "default_fps_num": 8,
        "default_fps_den": 1,
        "default_steps": 4,
        "max_steps": 50,
        "default_guidance": 1.0,
        "default_negative_prompt": "",
        "max_sequence_length": 32,
    }
