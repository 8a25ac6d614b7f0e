"""Tiny random-weight folders in the diffusers layouts of the real text-to-video checkpoints.

Each folder has the real checkpoint's `model_index.json` (the same component names and classes,
tokenizer class included) and component configurations taken from the published `config.json`
files, with only the size keys shrunk (`SIZE_KEYS`): widths, heads, layers, text dimensions. Every
other key — patch sizes, channel counts that carry structure (Wan I2V's 36 input channels, its
image projection), normalisation, rotary vs sin-cos positions, scheduler settings — is the real one.
So `register_model` and the worker meet exactly what a GPU node gets from the hub, in a few
hundred kilobytes.

Real configurations are copied from the diffusers-format repositories on the Hugging Face hub
(`Wan-AI/Wan2.1-T2V-1.3B-Diffusers`, `Wan-AI/Wan2.1-T2V-14B-Diffusers`,
`Wan-AI/Wan2.1-I2V-14B-480P-Diffusers`, `Lightricks/LTX-Video`, `THUDM/CogVideoX-2b`,
`THUDM/CogVideoX-5b`), the values of their `transformer/config.json` that decide the shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from generation.demo_model import make_tokenizer

TEXT_DIM = 32  # the tiny text encoder's width (4096 for umT5-XXL / T5-v1.1-XXL)

# The keys a tiny folder may change from the published configuration: sizes only.
SIZE_KEYS = {
    "num_attention_heads", "attention_head_dim", "ffn_dim", "num_layers", "text_dim", "added_kv_proj_dim", "image_dim",
    "caption_channels", "cross_attention_dim", "text_embed_dim", "time_embed_dim", "max_text_seq_length", "in_channels",
    "out_channels",
}
# …and of those, channel counts must keep their structure (Wan I2V: latent 16 + mask 4 + image latent 16 = 36).

UMT5 = ["transformers", "UMT5EncoderModel"]
T5 = ["transformers", "T5EncoderModel"]

WAN_13B = {
    "added_kv_proj_dim": None, "attention_head_dim": 128, "cross_attn_norm": True, "eps": 1e-06, "ffn_dim": 8960, "freq_dim": 256,
    "image_dim": None, "in_channels": 16, "num_attention_heads": 12, "num_layers": 30, "out_channels": 16, "patch_size": [1, 2, 2],
    "qk_norm": "rms_norm_across_heads", "rope_max_seq_len": 1024, "text_dim": 4096,
}
WAN_14B = {**WAN_13B, "ffn_dim": 13824, "num_attention_heads": 40, "num_layers": 40}
WAN_I2V_14B = {**WAN_14B, "in_channels": 36, "image_dim": 1280, "added_kv_proj_dim": 5120}
LTX_09 = {
    "activation_fn": "gelu-approximate", "attention_bias": True, "attention_head_dim": 64, "attention_out_bias": True,
    "caption_channels": 4096, "cross_attention_dim": 2048, "in_channels": 128, "norm_elementwise_affine": False, "norm_eps": 1e-06,
    "num_attention_heads": 32, "num_layers": 28, "out_channels": 128, "patch_size": 1, "patch_size_t": 1,
    "qk_norm": "rms_norm_across_heads",
}
COG_2B = {
    "activation_fn": "gelu-approximate", "attention_bias": True, "attention_head_dim": 64, "dropout": 0.0, "flip_sin_to_cos": True,
    "freq_shift": 0, "in_channels": 16, "max_text_seq_length": 226, "norm_elementwise_affine": True, "norm_eps": 1e-05,
    "num_attention_heads": 30, "num_layers": 30, "out_channels": 16, "patch_size": 2, "sample_frames": 49, "sample_height": 60,
    "sample_width": 90, "spatial_interpolation_scale": 1.875, "temporal_compression_ratio": 4, "temporal_interpolation_scale": 1.0,
    "text_embed_dim": 4096, "time_embed_dim": 512, "timestep_activation_fn": "silu", "use_rotary_positional_embeddings": False,
}
COG_5B = {**COG_2B, "num_attention_heads": 48, "num_layers": 42, "use_rotary_positional_embeddings": True}

# Shrunk sizes. The 14B shape stays wider, deeper and with more heads than the 1.3B one.
WAN_13B_TINY = {"num_attention_heads": 2, "attention_head_dim": 12, "ffn_dim": 32, "num_layers": 2, "text_dim": TEXT_DIM}
WAN_14B_TINY = {"num_attention_heads": 4, "attention_head_dim": 12, "ffn_dim": 64, "num_layers": 3, "text_dim": TEXT_DIM}
WAN_I2V_TINY = {**WAN_14B_TINY, "image_dim": 16, "added_kv_proj_dim": 48}  # image_dim = the tiny CLIP's width; kv = heads × head dim
LTX_TINY = {"num_attention_heads": 4, "attention_head_dim": 8, "num_layers": 1, "caption_channels": TEXT_DIM, "cross_attention_dim": 32,
            "in_channels": 8, "out_channels": 8}  # = the tiny VAE's latent channels (128 in the real one)
COG_2B_TINY = {"num_attention_heads": 2, "attention_head_dim": 16, "num_layers": 1, "text_embed_dim": TEXT_DIM, "time_embed_dim": 16,
               "max_text_seq_length": 16}
COG_5B_TINY = {**COG_2B_TINY, "num_attention_heads": 3, "num_layers": 2}

COG_SCHEDULER = {"beta_schedule": "scaled_linear", "beta_start": 0.00085, "beta_end": 0.012, "clip_sample": False,
                 "num_train_timesteps": 1000, "prediction_type": "v_prediction", "rescale_betas_zero_snr": True, "set_alpha_to_one": True,
                 "steps_offset": 0, "timestep_spacing": "trailing"}


@dataclass(frozen=True)
class CheckpointFamily:
    key: str  # the test id and the registered name
    checkpoint: str  # the real repository it mirrors
    pipeline_class: str
    components: dict  # model_index.json of the real checkpoint, without _class_name/_diffusers_version
    transformer: dict  # the published transformer config
    tiny: dict  # what the tiny folder changes in it (SIZE_KEYS only)
    family: str
    kind: str
    fps: int
    extra: dict = field(default_factory=dict)

    def transformer_config(self) -> dict:
        return {**self.transformer, **self.tiny}


def _wan_index(i2v: bool = False) -> dict:
    index = {"scheduler": ["diffusers", "UniPCMultistepScheduler"], "text_encoder": UMT5, "tokenizer": ["transformers", "T5TokenizerFast"],
             "transformer": ["diffusers", "WanTransformer3DModel"], "vae": ["diffusers", "AutoencoderKLWan"]}
    if i2v:
        index |= {"image_encoder": ["transformers", "CLIPVisionModel"], "image_processor": ["transformers", "CLIPImageProcessor"]}
    return index


def _t5_index(cls_prefix: str, scheduler: str) -> dict:
    return {"scheduler": ["diffusers", scheduler], "text_encoder": T5, "tokenizer": ["transformers", "T5Tokenizer"],
            "transformer": ["diffusers", f"{cls_prefix}Transformer3DModel" if cls_prefix != "LTX" else "LTXVideoTransformer3DModel"],
            "vae": ["diffusers", "AutoencoderKLLTXVideo" if cls_prefix == "LTX" else "AutoencoderKLCogVideoX"]}


FAMILIES = [
    CheckpointFamily("wan2.1-t2v-1.3b", "Wan-AI/Wan2.1-T2V-1.3B-Diffusers", "WanPipeline", _wan_index(), WAN_13B, WAN_13B_TINY,
                     "wan2.1", "t2v", 16, {"flow_shift": 3.0}),
    CheckpointFamily("wan2.1-t2v-14b", "Wan-AI/Wan2.1-T2V-14B-Diffusers", "WanPipeline", _wan_index(), WAN_14B, WAN_14B_TINY,
                     "wan2.1", "t2v", 16, {"flow_shift": 5.0}),
    CheckpointFamily("wan2.1-i2v-14b-480p", "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers", "WanImageToVideoPipeline", _wan_index(i2v=True),
                     WAN_I2V_14B, WAN_I2V_TINY, "wan2.1", "i2v", 16, {"flow_shift": 3.0}),
    CheckpointFamily("ltx-video", "Lightricks/LTX-Video", "LTXPipeline", _t5_index("LTX", "FlowMatchEulerDiscreteScheduler"), LTX_09,
                     LTX_TINY, "ltx-video", "t2v", 24),
    CheckpointFamily("cogvideox-2b", "THUDM/CogVideoX-2b", "CogVideoXPipeline", _t5_index("CogVideoX", "CogVideoXDDIMScheduler"),
                     COG_2B, COG_2B_TINY, "cogvideox", "t2v", 8, {"scaling_factor": 1.15258426, "snr_shift_scale": 3.0}),
    CheckpointFamily("cogvideox-5b", "THUDM/CogVideoX-5b", "CogVideoXPipeline", _t5_index("CogVideoX", "CogVideoXDPMScheduler"),
                     COG_5B, COG_5B_TINY, "cogvideox", "t2v", 8, {"scaling_factor": 0.7, "snr_shift_scale": 1.0}),
]
BY_KEY = {f.key: f for f in FAMILIES}


def _seeded(factory):
    import torch

    torch.manual_seed(0)
    return factory().eval()


def _text_encoder(kind: str, vocab_size: int):
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    # umT5-XXL / T5-v1.1-XXL: d_model 4096, 24 layers, 64 heads, gated-gelu; shrunk to 2 layers of 32.
    common = dict(vocab_size=vocab_size, d_model=TEXT_DIM, d_kv=8, d_ff=64, num_layers=2, num_heads=4, relative_attention_num_buckets=8,
                  relative_attention_max_distance=32, dropout_rate=0.0, feed_forward_proj="gated-gelu", pad_token_id=0, eos_token_id=1,
                  decoder_start_token_id=0)
    if kind == "umt5":
        return _seeded(lambda: UMT5EncoderModel(UMT5Config(**common)))
    return _seeded(lambda: T5EncoderModel(T5Config(**common)))


def _wan_parts(fam: CheckpointFamily) -> dict:
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanTransformer3DModel

    tokenizer = make_tokenizer()
    parts = {
        "tokenizer": tokenizer, "text_encoder": _text_encoder("umt5", len(tokenizer)),
        # Real VAE: base_dim 96, dim_mult [1, 2, 4, 4], 2 res blocks, temporal downsample [F, T, T] (4× time, 8× space).
        "vae": _seeded(lambda: AutoencoderKLWan(base_dim=4, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=1,
                                                temperal_downsample=[False, True, True])),
        "transformer": _seeded(lambda: WanTransformer3DModel.from_config(fam.transformer_config())),
        "scheduler": UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=fam.extra["flow_shift"],
                                             num_train_timesteps=1000, solver_order=2, sample_max_value=1.0),
    }
    if fam.kind == "i2v":
        from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

        # Real: open-clip ViT-H/14 (hidden 1280, 32 layers, 16 heads, patch 14 at 224 px); shrunk in width and depth only.
        parts["image_encoder"] = _seeded(lambda: CLIPVisionModel(CLIPVisionConfig(
            hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2, patch_size=14, image_size=224,
            projection_dim=16, hidden_act="gelu")))
        parts["image_processor"] = CLIPImageProcessor()  # the real one's settings are the defaults (224 px, CLIP mean/std)
    return parts


def _ltx_parts(fam: CheckpointFamily) -> dict:
    from diffusers import AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXVideoTransformer3DModel

    tokenizer = make_tokenizer()
    # Real VAE: 128 latent channels, blocks (128, 256, 512, 512), patch 4 → 32× space, 8× time. Kept: the compression.
    vae = _seeded(lambda: AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8), decoder_block_out_channels=(8, 8, 8, 8),
        layers_per_block=(1, 1, 1, 1, 1), decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, True, False),
        decoder_spatio_temporal_scaling=(True, True, True, False), decoder_inject_noise=(False,) * 5, upsample_residual=(False,) * 4,
        upsample_factor=(1,) * 4, timestep_conditioning=False, patch_size=4, patch_size_t=1, encoder_causal=True, decoder_causal=False))
    return {
        "tokenizer": tokenizer, "text_encoder": _text_encoder("t5", len(tokenizer)), "vae": vae,
        "transformer": _seeded(lambda: LTXVideoTransformer3DModel.from_config(fam.transformer_config())),
        "scheduler": FlowMatchEulerDiscreteScheduler(base_image_seq_len=1024, base_shift=0.95, max_image_seq_len=4096, max_shift=2.05,
                                                     shift=1.0, shift_terminal=0.1, use_dynamic_shifting=True,
                                                     time_shift_type="exponential"),
    }


def _cog_parts(fam: CheckpointFamily) -> dict:
    from diffusers import AutoencoderKLCogVideoX, CogVideoXDDIMScheduler, CogVideoXDPMScheduler, CogVideoXTransformer3DModel

    tokenizer = make_tokenizer()
    # Real VAE: 16 latent channels, blocks (128, 256, 256, 512), 32 norm groups, 4× time, 8× space. Kept: latents and compression.
    vae = _seeded(lambda: AutoencoderKLCogVideoX(
        in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 4, up_block_types=("CogVideoXUpBlock3D",) * 4,
        block_out_channels=(8, 8, 8, 8), latent_channels=16, layers_per_block=1, norm_num_groups=2, temporal_compression_ratio=4,
        scaling_factor=fam.extra["scaling_factor"], use_quant_conv=False, use_post_quant_conv=False))
    scheduler_cls = CogVideoXDPMScheduler if fam.components["scheduler"][1] == "CogVideoXDPMScheduler" else CogVideoXDDIMScheduler
    return {
        "tokenizer": tokenizer, "text_encoder": _text_encoder("t5", len(tokenizer)), "vae": vae,
        "transformer": _seeded(lambda: CogVideoXTransformer3DModel.from_config(fam.transformer_config())),
        "scheduler": scheduler_cls(**COG_SCHEDULER, snr_shift_scale=fam.extra["snr_shift_scale"]),
    }


def build_family(key: str, models_dir: Path) -> Path:
    """Build (once) the tiny folder of family `key` under `models_dir`; returns the folder."""
    import diffusers

    fam = BY_KEY[key]
    folder = Path(models_dir) / f"tiny-{fam.key}"
    if (folder / "model_index.json").is_file():
        return folder
    parts = {"wan2.1": _wan_parts, "ltx-video": _ltx_parts, "cogvideox": _cog_parts}[fam.family](fam)
    pipe = getattr(diffusers, fam.pipeline_class)(**parts)
    staging = folder.parent / f".{folder.name}.building"
    pipe.save_pretrained(staging, safe_serialization=True)
    # The real checkpoint's model_index.json, exactly: the same components and classes, nothing else (the Wan
    # repos name T5TokenizerFast, an alias of T5Tokenizer in transformers 5, and predate `transformer_2`).
    index = json.loads((staging / "model_index.json").read_text())
    real = {"_class_name": fam.pipeline_class, "_diffusers_version": index["_diffusers_version"], **fam.components}
    (staging / "model_index.json").write_text(json.dumps(real, indent=2, sort_keys=True))
    staging.rename(folder)
    return folder
