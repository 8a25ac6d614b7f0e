"""Pipeline families the generation engine knows: how to recognise a checkpoint folder, and the
defaults and constraints a new `ModelProfile` of that family starts from.

Pure data and functions (no torch import), so the API, the registry and the management commands can
use them without loading diffusers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path


class UnsupportedModelFolder(ValueError):
    """The folder is not a diffusers pipeline folder of a family Greenlight can run."""


@dataclass(frozen=True)
class FamilySpec:
    family: str  # ModelProfile.Family value
    label: str
    frames_modulus: int  # valid frame counts are modulus*k + 1
    min_frames: int
    max_frames: int
    default_frames: int
    size_multiple: int
    min_size: int
    max_size: int
    default_width: int
    default_height: int
    fps_num: int
    fps_den: int
    default_steps: int
    max_steps: int
    default_guidance: float
    max_guidance: float
    max_sequence_length: int
    vae_float32: bool = False
    default_negative_prompt: str = ""
    extra: dict = field(default_factory=dict)


WAN_NEGATIVE = (
    "bright tones, overexposed, static, blurred details, subtitles, worst quality, low quality, JPEG compression "
    "residue, ugly, incomplete, extra fingers, poorly drawn hands, poorly drawn faces, deformed, disfigured"
)

# Published defaults of each family (diffusers model cards). A registered profile can override all of them.
FAMILIES: dict[str, FamilySpec] = {
    "wan2.1": FamilySpec(
        family="wan2.1", label="Wan 2.1", frames_modulus=4, min_frames=5, max_frames=81, default_frames=81,
        size_multiple=16, min_size=256, max_size=1280, default_width=832, default_height=480, fps_num=16, fps_den=1,
        default_steps=50, max_steps=100, default_guidance=5.0, max_guidance=20.0, max_sequence_length=512,
        vae_float32=True, default_negative_prompt=WAN_NEGATIVE,
    ),
    "wan2.2": FamilySpec(
        family="wan2.2", label="Wan 2.2", frames_modulus=4, min_frames=5, max_frames=121, default_frames=81,
        size_multiple=16, min_size=256, max_size=1280, default_width=1280, default_height=720, fps_num=16, fps_den=1,
        default_steps=40, max_steps=100, default_guidance=4.0, max_guidance=20.0, max_sequence_length=512,
        vae_float32=True, default_negative_prompt=WAN_NEGATIVE,
    ),
    "ltx-video": FamilySpec(
        family="ltx-video", label="LTX-Video", frames_modulus=8, min_frames=9, max_frames=257, default_frames=121,
        size_multiple=32, min_size=256, max_size=1280, default_width=768, default_height=512, fps_num=24, fps_den=1,
        default_steps=50, max_steps=100, default_guidance=3.0, max_guidance=20.0, max_sequence_length=128,
        default_negative_prompt="worst quality, inconsistent motion, blurry, jittery, distorted",
    ),
    "cogvideox": FamilySpec(
        family="cogvideox", label="CogVideoX", frames_modulus=8, min_frames=9, max_frames=49, default_frames=49,
        size_multiple=16, min_size=256, max_size=1360, default_width=720, default_height=480, fps_num=8, fps_den=1,
        default_steps=50, max_steps=100, default_guidance=6.0, max_guidance=20.0, max_sequence_length=226,
    ),
    # Text-to-image (stills): one frame; `frames_modulus` 1 so the only valid frame count is 1.
    "stable-diffusion": FamilySpec(
        family="stable-diffusion", label="Stable Diffusion", frames_modulus=1, min_frames=1, max_frames=1, default_frames=1,
        size_multiple=8, min_size=256, max_size=1024, default_width=512, default_height=512, fps_num=1, fps_den=1,
        default_steps=50, max_steps=150, default_guidance=7.5, max_guidance=20.0, max_sequence_length=77,
    ),
    "pixart-sigma": FamilySpec(
        family="pixart-sigma", label="PixArt-Σ", frames_modulus=1, min_frames=1, max_frames=1, default_frames=1,
        size_multiple=16, min_size=256, max_size=2048, default_width=1024, default_height=1024, fps_num=1, fps_den=1,
        default_steps=20, max_steps=100, default_guidance=4.5, max_guidance=20.0, max_sequence_length=300,
    ),
}

# diffusers pipeline class (model_index.json `_class_name`) -> (family, kind). Wan 2.1 vs 2.2 is told
# apart by the folder's configuration (see `detect`).
PIPELINE_CLASSES: dict[str, tuple[str, str]] = {
    "WanPipeline": ("wan2.1", "t2v"),
    "WanImageToVideoPipeline": ("wan2.1", "i2v"),
    "LTXPipeline": ("ltx-video", "t2v"),
    "LTXImageToVideoPipeline": ("ltx-video", "i2v"),
    "LTXConditionPipeline": ("ltx-video", "i2v"),
    "CogVideoXPipeline": ("cogvideox", "t2v"),
    "CogVideoXImageToVideoPipeline": ("cogvideox", "i2v"),
    "StableDiffusionPipeline": ("stable-diffusion", "t2i"),
    "PixArtSigmaPipeline": ("pixart-sigma", "t2i"),
}


@dataclass(frozen=True)
class Detected:
    pipeline_class: str
    family: str
    kind: str
    notes: tuple[str, ...] = ()


def read_model_index(folder: Path) -> dict:
    index = Path(folder) / "model_index.json"
    if not Path(folder).is_dir():
        raise UnsupportedModelFolder(f"{folder} is not a folder. Pass the folder that holds model_index.json.")
    if not index.is_file():
        raise UnsupportedModelFolder(
            f"{folder} has no model_index.json, so it is not a diffusers pipeline folder. "
            "Pass the top folder of a diffusers checkpoint (the one with model_index.json, transformer/, vae/ …)."
        )
    try:
        return json.loads(index.read_text())
    except (OSError, ValueError) as exc:
        raise UnsupportedModelFolder(f"{index} could not be read as JSON: {exc}") from exc


def detect(folder: Path) -> Detected:
    """Which family and task a diffusers folder is, from its model_index.json (nothing is loaded)."""
    index = read_model_index(folder)
    cls = index.get("_class_name", "")
    if cls not in PIPELINE_CLASSES:
        known = ", ".join(sorted(PIPELINE_CLASSES))
        raise UnsupportedModelFolder(f"Pipeline class {cls or '(none)'} is not supported. Supported: {known}.")
    family, kind = PIPELINE_CLASSES[cls]
    notes: list[str] = []
    if family == "wan2.1":
        second = index.get("transformer_2")
        has_second = isinstance(second, list) and second[0] is not None
        expand_timesteps = bool(index.get("expand_timesteps"))
        if has_second or index.get("boundary_ratio") is not None or expand_timesteps:
            family = "wan2.2"
            if expand_timesteps:
                notes.append("Wan 2.2 TI2V-5B layout (expand_timesteps): 32-pixel size multiple, 24 fps")
    return Detected(pipeline_class=cls, family=family, kind=kind, notes=tuple(notes))


def spec_for(detected: Detected) -> FamilySpec:
    spec = FAMILIES[detected.family]
    if detected.family == "wan2.2" and detected.notes:
        # TI2V-5B: 16x spatial VAE + 2x2 patches, native 24 fps, 1280x704, 121 frames.
        spec = replace(spec, size_multiple=32, fps_num=24, default_width=1280, default_height=704, default_frames=121, default_steps=50,
                       default_guidance=5.0)
    return spec
