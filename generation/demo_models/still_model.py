"""The shapes still model: a tiny Stable Diffusion text-to-image pipeline that draws its prompt.

The single-frame version of the shapes world (`world.py`): "a red circle on a blue background".
Stock diffusers/transformers classes only, saved with `save_pretrained` and loaded by the workers like
any real checkpoint (`DiffusionPipeline.from_pretrained(folder, local_files_only=True)` →
`StableDiffusionPipeline`):

- tokenizer: `CLIPTokenizer` built in code (byte-level BPE whose merges make every word of the
  vocabulary and the common film words one token; any other text still tokenizes letter by letter);
- text encoder: `CLIPTextModel`, 2 layers, width 64, 16 positions (causal attention with absolute
  positions: "blue" in "a blue circle" and in "a blue background" are different vectors), trained;
- VAE: `AutoencoderTiny` hand-set as an exact decoder — a latent is the 32×32 RGB content with
  z = 3·atanh(v/3) for v in [-1, 1] (the decoder's own tanh clamp inverts it), decoded by nearest 2×
  upsampling (no training);
- UNet: `UNet2DConditionModel` (the Stable Diffusion UNet: convolutions, cross-attention to the
  text), channels (32, 64, 64), one layer per block: convolutions see where they are (through the
  padding), so position and shape are learnt in minutes, unlike a patch-8 transformer;
- scheduler: `UniPCMultistepScheduler` with flow sigmas and `prediction_type="sample"` (the UNet
  predicts the clean latent), the recipe of the video demo model.

The weights are trained once by `python -m generation.demo_models.still_train` (seeded) and committed
in fp16 under `generation/demo_models/weights/shapes-still-demo/`; `install()` copies them into
MODELS_DIR. Nothing is trained at set-up.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from generation.demo_models import committed, still_world, world

MODEL_NAME = "shapes-still-demo"
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights" / MODEL_NAME
MARKER_FILE = committed.MARKER_FILE
TEXT_DIM = 64
MAX_TOKENS = 16
FILM_WORDS = (
    "the of in at with to from over under and wide close medium shot camera slow push pull pan tilt dolly static "
    "night day dusk sunset light dark sky water fire smoke city street forest ocean cinematic"
).split()


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP's reversible byte → printable character map (as `CLIPTokenizer` uses it)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs), strict=True))


def _bpe(word: list[str], ranks: dict[tuple[str, str], int]) -> list[str]:
    """The merges CLIP's tokenizer applies to one word (lowest rank first)."""
    while len(word) > 1:
        pairs = [(ranks.get(p, 1 << 30), i) for i, p in enumerate(zip(word, word[1:], strict=False))]
        rank, i = min(pairs)
        if rank == 1 << 30:
            break
        first, second = word[i], word[i + 1]
        merged, j = [], 0
        while j < len(word):
            if j < len(word) - 1 and word[j] == first and word[j + 1] == second:
                merged.append(first + second)
                j += 2
            else:
                merged.append(word[j])
                j += 1
        word = merged
    return word


def tokenizer_vocabulary() -> tuple[dict[str, int], list[tuple[str, str]]]:
    """(vocab, merges) of a CLIP BPE in which every known word is one token."""
    chars = list(_bytes_to_unicode().values())
    vocab = chars + [c + "</w>" for c in chars]
    merges: list[tuple[str, str]] = []
    ranks: dict[tuple[str, str], int] = {}
    words = list(dict.fromkeys(world.caption_words() + still_world.caption_words() + FILM_WORDS))
    for _ in range(10):  # add merges until every word is one token (later merges only join what earlier ones left)
        pending = False
        for word in words:
            pieces = _bpe(list(word[:-1]) + [word[-1] + "</w>"], ranks)
            while len(pieces) > 1:
                pending = True
                pair = (pieces[0], pieces[1])
                ranks[pair] = len(merges)
                merges.append(pair)
                vocab.append(pair[0] + pair[1])
                pieces = [pair[0] + pair[1], *pieces[2:]]
        if not pending:
            break
    vocab = list(dict.fromkeys(vocab)) + ["<|startoftext|>", "<|endoftext|>"]
    return {token: i for i, token in enumerate(vocab)}, merges


def make_tokenizer():
    from transformers import CLIPTokenizer

    vocab, merges = tokenizer_vocabulary()
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=MAX_TOKENS)


def make_text_encoder(vocab_size: int, seed: int):
    import torch
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(seed)
    config = CLIPTextConfig(
        vocab_size=vocab_size,
        hidden_size=TEXT_DIM,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        max_position_embeddings=MAX_TOKENS,
        bos_token_id=vocab_size - 2,
        eos_token_id=vocab_size - 1,
        pad_token_id=vocab_size - 1,
        projection_dim=TEXT_DIM,
    )
    return CLIPTextModel(config)


def make_vae():
    """Exact decoder: 3 latent channels; out = nearest 2× upsample of tanh(z/3)·3 (see the module docstring)."""
    import torch
    from diffusers import AutoencoderTiny

    torch.manual_seed(0)
    vae = AutoencoderTiny(
        in_channels=3,
        out_channels=3,
        encoder_block_out_channels=(3, 3),
        decoder_block_out_channels=(3, 3),
        num_encoder_blocks=(1, 1),
        num_decoder_blocks=(0, 0),
        latent_channels=3,
        upsampling_scaling_factor=2,
        upsample_fn="nearest",
        act_fn="relu",
        scaling_factor=1.0,
        force_upcast=False,
    )
    first, _relu, _up, middle, last = vae.decoder.layers
    eye = torch.eye(3)
    with torch.no_grad():
        for conv in (first, middle, last):
            conv.weight.zero_()
            conv.weight[:, :, 1, 1] = eye
        first.weight[:, :, 1, 1] *= 0.5  # x in [-1, 1] → [0, 1] (non-negative through the ReLU)
        first.bias.fill_(0.5)
        last.bias.zero_()  # the decoder's own ×2 − 1 brings [0, 1] back to [-1, 1]
    return vae


def encode(rgb):
    """uint8 RGB (…, H, W, 3) → latents (…, 3, H, W) that `make_vae()` decodes back exactly."""
    import torch

    v = torch.as_tensor(rgb).float().movedim(-1, -3) / 127.5 - 1.0
    return 3.0 * torch.atanh((v / 3.0).clamp(-0.999, 0.999))


def make_unet(seed: int):
    import torch
    from diffusers import UNet2DConditionModel

    torch.manual_seed(seed)
    return UNet2DConditionModel(
        sample_size=world.CONTENT,
        in_channels=3,
        out_channels=3,
        block_out_channels=(32, 64, 64),
        layers_per_block=1,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=TEXT_DIM,
        attention_head_dim=8,
        norm_num_groups=8,
    )


def make_scheduler():
    from diffusers import UniPCMultistepScheduler

    return UniPCMultistepScheduler(prediction_type="sample", use_flow_sigmas=True, flow_shift=3.0, steps_offset=1)


def build_pipeline(*, seed: int = 0):
    """The untrained pipeline (training starts from it)."""
    from diffusers import StableDiffusionPipeline

    tokenizer = make_tokenizer()
    pipe = StableDiffusionPipeline(
        vae=make_vae(),
        text_encoder=make_text_encoder(len(tokenizer), seed),
        tokenizer=tokenizer,
        unet=make_unet(seed),
        scheduler=make_scheduler(),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    return committed.ready(pipe)


def folder(models_dir: Path | None = None) -> Path:
    return Path(models_dir or settings.MODELS_DIR) / MODEL_NAME


def is_installed(target: Path) -> bool:
    return committed.is_installed(target, WEIGHTS_DIR)


def install(*, models_dir: Path | None = None, force: bool = False) -> tuple[Path, bool, float]:
    """Copy the committed weights into MODELS_DIR (a no-op when that copy is current). (folder, copied, seconds)."""
    return committed.install(WEIGHTS_DIR, folder(models_dir), trainer="generation.demo_models.still_train", force=force)


def card() -> dict:
    return {
        "vocabulary": still_world.vocabulary(),
        "example_prompts": still_world.example_prompts(),
        "notes": "Trained on procedurally drawn stills; words outside the vocabulary give arbitrary output. "
        "Seeds move and size the shape a little.",
    }


def profile_values() -> dict:
    """Registry values: the Stable Diffusion family's defaults, with one frame, the size and text length pinned."""
    size = world.SIZE
    return {
        "display_name": "Shapes stills — tiny demo (draws its prompt)",
        "description": "A tiny Stable Diffusion text-to-image model trained on a procedural world: a circle, square or "
        "triangle of a named colour on a coloured background, 64×64. "
        "Try: 'a red circle on a blue background'.",
        "family": "stable-diffusion",
        "kind": "t2i",
        "pipeline_class": "StableDiffusionPipeline",
        "dtype": "float32",
        "vae_float32": False,
        "default_frames": 1,
        "min_frames": 1,
        "max_frames": 1,
        "frames_modulus": 1,
        "default_width": size,
        "min_width": size,
        "max_width": size,
        "default_height": size,
        "min_height": size,
        "max_height": size,
        "size_multiple": 16,
        "default_fps_num": 1,
        "default_fps_den": 1,
        "default_steps": 20,
        "min_steps": 1,
        "max_steps": 100,
        "default_guidance": 3.0,
        "min_guidance": 0.0,
        "max_guidance": 20.0,
        "default_negative_prompt": "",
        "max_sequence_length": MAX_TOKENS,
        "card": card(),
    }
