"""The demo model: a tiny Wan 2.1 text-to-video pipeline with seeded random weights, built offline.

Every component is constructed in code from a configuration (the tokenizer too: a Unigram
vocabulary handed to `T5Tokenizer(vocab=…)`), so nothing is downloaded. The result is saved with
`save_pretrained` in the standard diffusers folder layout and loads like any real checkpoint:
`DiffusionPipeline.from_pretrained(folder, local_files_only=True)`.

It has the architecture of Wan 2.1 (UMT5 text encoder, Wan 3D transformer, causal 3D VAE, flow
UniPC scheduler), scaled down to a few tens of thousands of parameters: renders are noise, but every
code path — text encoding, denoising steps, progress callbacks, VAE decode, MP4 encode — is real.
"""

from __future__ import annotations

import json
import os
import shutil
import string
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

DEMO_MODEL_NAME = "wan2.1-t2v-tiny"
DEMO_FOLDER_NAME = "wan2.1-t2v-tiny"
MARKER_FILE = "greenlight-demo-model.json"
# Bump when the builder's output changes; an older folder is then rebuilt.
BUILDER_VERSION = 1

TEXT_DIM = 32
FILM_WORDS = (
    "a an the of in at on and with to from over under through into wide close medium shot up camera slow push pull "
    "pan tilt dolly crane tracking handheld aerial static night day dawn dusk sunset sunrise golden hour rain snow fog "
    "city street forest ocean desert mountain river lighthouse car train robot dog cat horse person woman man child "
    "walking running flying dancing standing sitting looking light dark blue red green orange yellow white black sky "
    "water fire smoke neon window door room cinematic film grain anamorphic lens flare portrait landscape"
).split()


@dataclass(frozen=True)
class BuildResult:
    folder: Path
    built: bool
    seconds: float


def demo_folder(models_dir: Path | None = None) -> Path:
    return Path(models_dir or settings.MODELS_DIR) / DEMO_FOLDER_NAME


def is_built(folder: Path) -> bool:
    marker = folder / MARKER_FILE
    if not (folder / "model_index.json").is_file() or not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text()).get("builder_version") == BUILDER_VERSION
    except (OSError, ValueError):
        return False


def make_tokenizer():
    """A UMT5-style Unigram tokenizer built from an in-code vocabulary (no sentencepiece file, no hub).

    T5 layout: <pad>=0, </s>=1, <unk>=2, then pieces. Every printable ASCII character is a piece, so
    any ASCII prompt tokenizes without <unk>; whole film words make the token counts realistic.
    """
    from transformers import T5Tokenizer

    pieces = ["\u2581"] + list(string.ascii_letters + string.digits + string.punctuation)
    pieces += ["\u2581" + c for c in string.ascii_lowercase + string.digits]
    pieces += ["\u2581" + w for w in dict.fromkeys(FILM_WORDS)]
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    vocab += [(piece, -1.0 - 0.01 * i) for i, piece in enumerate(pieces)]
    return T5Tokenizer(vocab=vocab, extra_ids=0)


def build_pipeline(*, seed: int = 0):
    """The tiny Wan 2.1 T2V pipeline, every component seeded (identical weights in every process)."""
    import torch
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanPipeline, WanTransformer3DModel
    from transformers import UMT5Config, UMT5EncoderModel

    tokenizer = make_tokenizer()
    torch.manual_seed(seed)
    text_encoder = UMT5EncoderModel(
        UMT5Config(
            vocab_size=len(tokenizer), d_model=TEXT_DIM, d_kv=8, d_ff=64, num_layers=2, num_heads=4,
            relative_attention_num_buckets=8, relative_attention_max_distance=32, dropout_rate=0.0,
            pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
        )
    )
    torch.manual_seed(seed)
    vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True])
    torch.manual_seed(seed)
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16, out_channels=16,
        text_dim=TEXT_DIM, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
        rope_max_seq_len=1024,  # as in the real checkpoints: any frame count and size the profile allows
    )
    # Real Wan checkpoints ship UniPC with flow prediction and a flow shift (3.0 for 480p).
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    pipe = WanPipeline(tokenizer=tokenizer, text_encoder=text_encoder, vae=vae, transformer=transformer, scheduler=scheduler)
    for component in pipe.components.values():
        if isinstance(component, torch.nn.Module):
            component.eval()
    pipe.set_progress_bar_config(disable=True)
    return pipe


def build_demo_model(*, models_dir: Path | None = None, force: bool = False, seed: int = 0) -> BuildResult:
    """Build and save the tiny pipeline unless an up-to-date copy is already there (then it is instant).

    Written to a temporary folder and renamed into place, so a reader never sees half a model and two
    concurrent builders do not corrupt each other.
    """
    started = time.perf_counter()
    folder = demo_folder(models_dir)
    if not force and is_built(folder):
        return BuildResult(folder=folder, built=False, seconds=time.perf_counter() - started)

    for name in ("HF_HUB_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"):
        os.environ.setdefault(name, "1")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".{folder.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    pipe = build_pipeline(seed=seed)
    pipe.save_pretrained(staging, safe_serialization=True)
    (staging / MARKER_FILE).write_text(
        json.dumps({"builder_version": BUILDER_VERSION, "name": DEMO_MODEL_NAME, "seed": seed,
                    "note": "Tiny Wan 2.1 T2V with random weights, built offline by Greenlight for demos and tests."}, indent=2)
    )
    if folder.exists():
        shutil.rmtree(folder)
    try:
        staging.rename(folder)
    except OSError:
        # Another builder finished first; its copy is identical (same seed, same code).
        shutil.rmtree(staging, ignore_errors=True)
    return BuildResult(folder=folder, built=True, seconds=time.perf_counter() - started)


def demo_profile_values() -> dict:
    """Registry values of the demo model: small limits keep a CPU render under a second."""
    return {
        "display_name": "Wan 2.1 T2V — tiny demo (random weights)",
        "description": "A tiny Wan 2.1 text-to-video pipeline with random weights for demos and tests. Renders are noise; "
                       "the pipeline, progress, cancel, encode and versioning are all real.",
        "family": "wan2.1",
        "kind": "t2v",
        "pipeline_class": "WanPipeline",
        "dtype": "auto",
        "vae_float32": True,
        "default_frames": 17,
        "default_width": 64,
        "default_height": 64,
        "default_fps_num": 16,
        "default_fps_den": 1,
        "default_steps": 4,
        "default_guidance": 5.0,
        "default_negative_prompt": "",
        "max_sequence_length": 32,
        "frames_modulus": 4,
        "min_frames": 5,
        "max_frames": 81,
        "size_multiple": 16,
        "min_width": 32,
        "max_width": 512,
        "min_height": 32,
        "max_height": 512,
        "min_steps": 1,
        "max_steps": 100,
        "min_guidance": 0.0,
        "max_guidance": 20.0,
    }
