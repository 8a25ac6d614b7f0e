"""The shapes demo model: a tiny CogVideoX text-to-video pipeline that draws its prompt.

Stock diffusers/transformers classes only, saved with `save_pretrained` and loaded by the workers
like any real checkpoint (`DiffusionPipeline.from_pretrained(folder, local_files_only=True)` →
`CogVideoXPipeline`):

- tokenizer: `T5Tokenizer` built in code (whole words for the shapes vocabulary and common film
  words, every ASCII character as a fallback piece);
- text encoder: `T5EncoderModel`, 2 layers, d_model 64, initialised so each token starts as "own
  word + next word" (so "blue" in "blue background" differs from "blue" in "blue circle"), then
  trained;
- VAE: `AutoencoderKLCogVideoX` hand-set as an exact decoder — latents are the 32×32 RGB content in
  [-1, 1], decoded by nearest 2× upsampling (no training);
- transformer: `CogVideoXTransformer3DModel`, 4 layers, dim 192 (6 heads of 32; `train.Recipe.heads`),
  patch 8 (a 4×4 token grid per frame; patch 4 measured 8× slower per step on this machine),
  absolute 3-D sin-cos positions;
- scheduler: `UniPCMultistepScheduler` with flow sigmas and `prediction_type="sample"` (the
  transformer predicts the clean latent).

The weights are trained once by `python -m generation.demo_models.train` (seeded, deterministic on
one machine and thread count) and committed in fp16 under `generation/demo_models/weights/`.
`install()` copies them into MODELS_DIR; nothing is trained at set-up.
"""

from __future__ import annotations

import string
from pathlib import Path

from django.conf import settings

from generation.demo_models import committed, world

MODEL_NAME = "shapes-t2v-demo"
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights" / MODEL_NAME
MARKER_FILE = committed.MARKER_FILE
TEXT_DIM = 64
MAX_TOKENS = 16  # the transformer's max_text_seq_length: pipelines must be called with exactly this
FILM_WORDS = (
    "the of in at with to from over under and wide close medium shot camera slow push pull pan tilt dolly static "
    "night day dusk sunset light dark sky water fire smoke city street forest ocean cinematic"
).split()


def make_tokenizer():
    from transformers import T5Tokenizer

    words = list(dict.fromkeys(world.caption_words() + FILM_WORDS))
    pieces = ["\u2581"] + list(string.ascii_letters + string.digits + string.punctuation)
    pieces += ["\u2581" + c for c in string.ascii_lowercase + string.digits]
    pieces += ["\u2581" + w for w in words]
    pieces = list(dict.fromkeys(pieces))
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    vocab += [(piece, -1.0 - 0.01 * i) for i, piece in enumerate(pieces)]
    return T5Tokenizer(vocab=vocab, extra_ids=0)


def make_text_encoder(vocab_size: int, seed: int):
    """T5 encoder whose first layer starts as "own word + next word" (attention on position +1)."""
    import torch
    from transformers import T5Config, T5EncoderModel
    from transformers.models.t5.modeling_t5 import T5Attention

    torch.manual_seed(seed)
    config = T5Config(vocab_size=vocab_size, d_model=TEXT_DIM, d_kv=16, d_ff=128, num_layers=2, num_heads=4,
                      relative_attention_num_buckets=8, relative_attention_max_distance=32, dropout_rate=0.0,
                      feed_forward_proj="relu", pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)
    model = T5EncoderModel(config)
    with torch.no_grad():
        first, second = model.encoder.block
        attn = first.layer[0].SelfAttention
        attn.q.weight.normal_(0, 0.02)
        attn.k.weight.normal_(0, 0.02)
        attn.v.weight.copy_(torch.eye(TEXT_DIM))
        attn.o.weight.copy_(torch.eye(TEXT_DIM))
        bucket = int(T5Attention._relative_position_bucket(torch.tensor(1), bidirectional=True, num_buckets=8, max_distance=32))
        attn.relative_attention_bias.weight.zero_()
        attn.relative_attention_bias.weight[bucket] = 8.0
        first.layer[1].DenseReluDense.wo.weight.zero_()
        second.layer[0].SelfAttention.o.weight.zero_()
        second.layer[1].DenseReluDense.wo.weight.zero_()
    return model


def make_vae():
    """Exact decoder: 3 latent channels = RGB in [-1, 1]; out = nearest 2× upsample of the latent.

    Every decoder weight is zero except the last spatial norm's `conv_b` (z → [z, -z]) and
    `conv_out` (silu(z) - silu(-z) = z), so the decoder's output is the latent itself, upsampled.
    """
    import torch
    from diffusers import AutoencoderKLCogVideoX

    torch.manual_seed(0)
    vae = AutoencoderKLCogVideoX(
        in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 2,
        up_block_types=("CogVideoXUpBlock3D",) * 2, block_out_channels=(6, 6), latent_channels=3, layers_per_block=1,
        norm_num_groups=2, temporal_compression_ratio=1, sample_height=64, sample_width=64, scaling_factor=1.0,
    )
    with torch.no_grad():
        for p in vae.decoder.parameters():
            p.zero_()
        eye = torch.eye(3)
        vae.decoder.norm_out.conv_b.conv.weight.copy_(torch.cat([eye, -eye])[:, :, None, None, None])
        out = vae.decoder.conv_out.conv.weight  # (3, 6, 3, 3, 3); causal in time: index 2 is "now"
        out[:, :3, 2, 1, 1] = eye
        out[:, 3:, 2, 1, 1] = -eye
    return vae


def make_transformer(seed: int, patch: int = 8, heads: int = 6):
    import torch
    from diffusers import CogVideoXTransformer3DModel

    torch.manual_seed(seed)
    return CogVideoXTransformer3DModel(
        num_attention_heads=heads, attention_head_dim=32, in_channels=3, out_channels=3, time_embed_dim=128,
        text_embed_dim=TEXT_DIM, num_layers=4, sample_width=world.CONTENT, sample_height=world.CONTENT,
        sample_frames=world.FRAMES, patch_size=patch, temporal_compression_ratio=1, max_text_seq_length=MAX_TOKENS,
        spatial_interpolation_scale=0.25, temporal_interpolation_scale=1.0,
    )


def make_scheduler():
    from diffusers import UniPCMultistepScheduler

    return UniPCMultistepScheduler(prediction_type="sample", use_flow_sigmas=True, flow_shift=3.0)


def build_pipeline(*, seed: int = 0, patch: int = 8, heads: int = 6):
    """The untrained pipeline (training starts from it)."""
    from diffusers import CogVideoXPipeline

    tokenizer = make_tokenizer()
    pipe = CogVideoXPipeline(tokenizer=tokenizer, text_encoder=make_text_encoder(len(tokenizer), seed), vae=make_vae(),
                             transformer=make_transformer(seed, patch, heads), scheduler=make_scheduler())
    return committed.ready(pipe)


def folder(models_dir: Path | None = None) -> Path:
    return Path(models_dir or settings.MODELS_DIR) / MODEL_NAME


def is_installed(target: Path) -> bool:
    return committed.is_installed(target, WEIGHTS_DIR)


def install(*, models_dir: Path | None = None, force: bool = False) -> tuple[Path, bool, float]:
    """Copy the committed weights into MODELS_DIR (a no-op when that copy is current). (folder, copied, seconds)."""
    return committed.install(WEIGHTS_DIR, folder(models_dir), trainer="generation.demo_models.train", force=force)


def card() -> dict:
    return {
        "vocabulary": world.vocabulary(),
        "example_prompts": world.example_prompts(),
        "notes": "Trained on procedurally generated clips; words outside the vocabulary give arbitrary output. "
                 "Each prompt has one layout, so seeds vary the clip only slightly; a moving shape is drawn "
                 "smallest moving left and largest moving down, circles a little smaller and squares a little larger "
                 "(sizes were set by direction and shape in training).",
    }


def profile_values() -> dict:
    """Registry values: the CogVideoX family's defaults, with the frames, size and text length pinned."""
    return {
        "display_name": "Shapes T2V — tiny demo (draws its prompt)",
        "description": "A tiny CogVideoX text-to-video model trained on a procedural world: a circle, square or triangle "
                       "of a named colour moving left, right, up or down, or growing, on a coloured background. "
                       "9 frames at 64×64. Try: 'a red circle moving left on a blue background'.",
        "family": "cogvideox", "kind": "t2v", "pipeline_class": "CogVideoXPipeline", "dtype": "float32", "vae_float32": True,
        "default_frames": world.FRAMES, "min_frames": world.FRAMES, "max_frames": world.FRAMES, "frames_modulus": 8,
        "default_width": world.SIZE, "min_width": world.SIZE, "max_width": world.SIZE,
        "default_height": world.SIZE, "min_height": world.SIZE, "max_height": world.SIZE, "size_multiple": 16,
        "default_fps_num": 8, "default_fps_den": 1, "default_steps": 20, "min_steps": 1, "max_steps": 100,
        "default_guidance": 3.0, "min_guidance": 0.0, "max_guidance": 20.0, "default_negative_prompt": "",
        "max_sequence_length": MAX_TOKENS, "card": card(),
    }
