"""Tiny random-weight folders in the diffusers layout of real text-to-image checkpoints (stills).

`stable-diffusion-2-1-base`: the real checkpoint's `model_index.json` (the same components and
classes: `CLIPTokenizer`, `CLIPTextModel`, `UNet2DConditionModel`, `AutoencoderKL`, `PNDMScheduler`,
a `CLIPImageProcessor` feature extractor, no safety checker) and the published `unet/config.json`
and `vae/config.json` (from `stabilityai/stable-diffusion-2-1-base`) with only the size keys shrunk
(`SIZE_KEYS`): channel widths, head sizes, text width, layers. The block types (3 cross-attention
down blocks and a plain one, linear projections in the transformers, 4 latent channels, the 8×
VAE), the scheduler and the scaling factor are the real ones. So `register_model` and the worker meet
the layout a GPU node gets from the hub, in a few hundred kilobytes.
"""

from __future__ import annotations

import json
from pathlib import Path

SIZE_KEYS = {"block_out_channels", "attention_head_dim", "cross_attention_dim", "layers_per_block", "norm_num_groups", "sample_size"}

SD21_BASE_COMPONENTS = {
    "feature_extractor": ["transformers", "CLIPImageProcessor"],
    "requires_safety_checker": False,
    "safety_checker": [None, None],
    "scheduler": ["diffusers", "PNDMScheduler"],
    "text_encoder": ["transformers", "CLIPTextModel"],
    "tokenizer": ["transformers", "CLIPTokenizer"],
    "unet": ["diffusers", "UNet2DConditionModel"],
    "vae": ["diffusers", "AutoencoderKL"],
}
SD21_BASE_UNET = {
    "act_fn": "silu",
    "attention_head_dim": [5, 10, 20, 20],
    "block_out_channels": [320, 640, 1280, 1280],
    "center_input_sample": False,
    "cross_attention_dim": 1024,
    "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
    "downsample_padding": 1,
    "dual_cross_attention": False,
    "flip_sin_to_cos": True,
    "freq_shift": 0,
    "in_channels": 4,
    "layers_per_block": 2,
    "mid_block_scale_factor": 1,
    "norm_eps": 1e-05,
    "norm_num_groups": 32,
    "out_channels": 4,
    "sample_size": 64,
    "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
    "use_linear_projection": True,
}
SD21_BASE_VAE = {
    "act_fn": "silu",
    "block_out_channels": [128, 256, 512, 512],
    "down_block_types": ["DownEncoderBlock2D"] * 4,
    "in_channels": 3,
    "latent_channels": 4,
    "layers_per_block": 2,
    "norm_num_groups": 32,
    "out_channels": 3,
    "sample_size": 768,
    "up_block_types": ["UpDecoderBlock2D"] * 4,
    "scaling_factor": 0.18215,
}
SD21_BASE_SCHEDULER = {
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "clip_sample": False,
    "num_train_timesteps": 1000,
    "prediction_type": "epsilon",
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "trained_betas": None,
}
TEXT_DIM = 32
TINY_UNET = {
    "attention_head_dim": [2, 4, 4, 4],
    "block_out_channels": [8, 16, 16, 16],
    "cross_attention_dim": TEXT_DIM,
    "layers_per_block": 1,
    "norm_num_groups": 4,
    "sample_size": 8,
}
TINY_VAE = {"block_out_channels": [4, 4, 8, 8], "layers_per_block": 1, "norm_num_groups": 4, "sample_size": 64}


def build_sd21_base(models_dir: Path) -> Path:
    """Build (once) the tiny Stable Diffusion 2.1-base folder under `models_dir`; returns the folder."""
    import torch
    from diffusers import AutoencoderKL, PNDMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPImageProcessor, CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    from generation.demo_models.still_model import tokenizer_vocabulary

    folder = Path(models_dir) / "tiny-stable-diffusion-2-1-base"
    if (folder / "model_index.json").is_file():
        return folder
    torch.manual_seed(0)
    vocab, merges = tokenizer_vocabulary()
    tokenizer = CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=77)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(vocab),
            hidden_size=TEXT_DIM,
            intermediate_size=64,
            num_hidden_layers=1,
            num_attention_heads=2,
            max_position_embeddings=77,
            hidden_act="gelu",
            projection_dim=TEXT_DIM,
            bos_token_id=len(vocab) - 2,
            eos_token_id=len(vocab) - 1,
            pad_token_id=len(vocab) - 1,
        )
    )
    pipe = StableDiffusionPipeline(
        vae=AutoencoderKL(**{**SD21_BASE_VAE, **TINY_VAE}),
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=UNet2DConditionModel(**{**SD21_BASE_UNET, **TINY_UNET}),
        scheduler=PNDMScheduler.from_config(SD21_BASE_SCHEDULER),
        safety_checker=None,
        feature_extractor=CLIPImageProcessor(),
        requires_safety_checker=False,
    )
    staging = folder.parent / f".{folder.name}.building"
    pipe.save_pretrained(staging, safe_serialization=True)
    index = json.loads((staging / "model_index.json").read_text())
    real = {"_class_name": "StableDiffusionPipeline", "_diffusers_version": index["_diffusers_version"], **SD21_BASE_COMPONENTS}
    (staging / "model_index.json").write_text(json.dumps(real, indent=2, sort_keys=True))
    staging.rename(folder)
    return folder
