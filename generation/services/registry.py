"""The model registry: register a pipeline folder as a model profile, with its family's defaults."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from generation.families import FAMILIES, detect, spec_for
from generation.models import ModelProfile
from studio.audit import services as audit

KIND_LABELS = {"t2v": "text-to-video", "i2v": "image-to-video", "t2i": "text-to-image"}


def register_model_profile(
    *, name: str, folder: Path | str, values: dict, make_default: bool = False, actor_label: str = "register_model"
) -> tuple[ModelProfile, bool]:
    """Create or update the profile `name` for a pipeline folder. The folder is stored relative to
    MODELS_DIR when it lies inside it (so a moved data directory keeps working)."""
    folder = Path(folder).resolve()
    models_dir = Path(settings.MODELS_DIR).resolve()
    stored = str(folder.relative_to(models_dir)) if folder.is_relative_to(models_dir) else str(folder)
    stills = values.get("kind") == ModelProfile.Kind.TEXT_TO_IMAGE
    if stills and make_default:
        raise ValueError(f"{name} is a text-to-image model; the default model renders shots (video). Stills use the "
                         "first active text-to-image model.")
    with transaction.atomic():
        if make_default:
            ModelProfile.objects.filter(is_default=True).exclude(name=name).update(is_default=False)
        elif not stills and not ModelProfile.objects.filter(is_default=True).exclude(name=name).exists():
            make_default = True  # the first model is the default
        profile, created = ModelProfile.objects.update_or_create(
            name=name, defaults={**values, "folder": stored, "is_default": make_default, "is_active": True}
        )
        audit.record(
            organization=None, actor_label=actor_label, action="model.registered" if created else "model.updated", target=profile,
            data={"name": name, "family": profile.family, "kind": profile.kind, "folder": stored, "default": make_default},
        )
    return profile, created


def profile_values_for_folder(folder: Path, **overrides) -> dict:
    """Registry values for a checkpoint folder: the detected family's published defaults, then `overrides`."""
    detected = detect(folder)
    spec = spec_for(detected)
    values = {
        "family": detected.family,
        "kind": detected.kind,
        "pipeline_class": detected.pipeline_class,
        "vae_float32": spec.vae_float32,
        "default_frames": spec.default_frames,
        "default_width": spec.default_width,
        "default_height": spec.default_height,
        "default_fps_num": spec.fps_num,
        "default_fps_den": spec.fps_den,
        "default_steps": spec.default_steps,
        "default_guidance": spec.default_guidance,
        "default_negative_prompt": spec.default_negative_prompt,
        "max_sequence_length": spec.max_sequence_length,
        "frames_modulus": spec.frames_modulus,
        "min_frames": spec.min_frames,
        "max_frames": spec.max_frames,
        "size_multiple": spec.size_multiple,
        "min_width": spec.min_size,
        "max_width": spec.max_size,
        "min_height": spec.min_size,
        "max_height": spec.max_size,
        "min_steps": 1,
        "max_steps": spec.max_steps,
        "min_guidance": 0.0,
        "max_guidance": spec.max_guidance,
        "display_name": f"{spec.label} {KIND_LABELS.get(detected.kind, 'text-to-video')}",
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    return values


def check_profile_values(values: dict) -> list[str]:
    """Problems with registry values that the database constraints would reject less clearly."""
    problems = []
    if values["family"] not in FAMILIES:
        problems.append(f"unknown family {values['family']}")
    if values["min_frames"] > values["max_frames"]:
        problems.append(f"min frames {values['min_frames']} is above max frames {values['max_frames']}")
    for dim in ("width", "height"):
        default, multiple = values[f"default_{dim}"], values["size_multiple"]
        if default % multiple or not values[f"min_{dim}"] <= default <= values[f"max_{dim}"]:
            problems.append(f"default {dim} {default} must be a multiple of {multiple} within the allowed range")
    frames = values["default_frames"]
    if (frames - 1) % values["frames_modulus"] or not values["min_frames"] <= frames <= values["max_frames"]:
        problems.append(f"default frames {values['default_frames']} must be {values['frames_modulus']}k+1 within the allowed range")
    if not values["min_steps"] <= values["default_steps"] <= values["max_steps"]:
        problems.append(f"default steps {values['default_steps']} is outside {values['min_steps']}–{values['max_steps']}")
    if str(values.get("attention_backend", "native")).endswith("_hub"):
        problems.append("attention backends ending in _hub download kernels from a hub; workers are offline")
    return problems


def ensure_demo_profile(*, models_dir: Path | None = None) -> ModelProfile | None:
    """Register the demo model when its folder is built and no profile points at it yet (cheap; no torch)."""
    from generation import demo_model

    folder = demo_model.demo_folder(models_dir)
    if not demo_model.is_built(folder):
        return None
    existing = ModelProfile.objects.filter(name=demo_model.DEMO_MODEL_NAME).first()
    if existing is not None and existing.resolved_folder().resolve() == folder.resolve():
        return existing
    profile, _ = register_model_profile(
        name=demo_model.DEMO_MODEL_NAME, folder=folder, values=demo_model.demo_profile_values(), actor_label="build_demo_model"
    )
    return profile


def ensure_shapes_profile(*, models_dir: Path | None = None, make_default: bool = False) -> ModelProfile | None:
    """Register the trained shapes demo model once its committed weights are installed in MODELS_DIR
    (`demo_models.shapes.install`). It takes the path of any checkpoint: the family is detected from
    its model_index.json and its values are checked, then pinned to what it was trained for."""
    from generation.demo_models import shapes

    folder = shapes.folder(models_dir)
    if not shapes.is_installed(folder):
        return None
    values = profile_values_for_folder(folder, **shapes.profile_values())
    problems = check_profile_values(values)
    if problems:
        raise ValueError(f"The shapes demo model's registry values are not consistent: {'; '.join(problems)}.")
    existing = ModelProfile.objects.filter(name=shapes.MODEL_NAME).first()
    if (existing is not None and existing.resolved_folder().resolve() == folder.resolve() and existing.card == values["card"]
            and (existing.is_default or not make_default)):
        return existing
    profile, _ = register_model_profile(name=shapes.MODEL_NAME, folder=folder, values=values, make_default=make_default,
                                        actor_label="build_demo_model")
    return profile


def ensure_i2v_demo_profile(*, models_dir: Path | None = None) -> ModelProfile | None:
    """Register the image-to-video demo model (`demo_models.first_frame`) once built: the family and
    kind are detected from its model_index.json (LTX-Video, i2v), then the demo's small limits. It
    never becomes the default model (a default must render from a prompt alone)."""
    from generation.demo_models import first_frame

    folder = first_frame.folder(models_dir)
    if not first_frame.is_built(folder):
        return None
    values = profile_values_for_folder(folder, **first_frame.profile_values())
    problems = check_profile_values(values)
    if problems:
        raise ValueError(f"The image-to-video demo model's registry values are not consistent: {'; '.join(problems)}.")
    existing = ModelProfile.objects.filter(name=first_frame.MODEL_NAME).first()
    if existing is not None and existing.resolved_folder().resolve() == folder.resolve():
        return existing
    with transaction.atomic():
        profile, _ = register_model_profile(name=first_frame.MODEL_NAME, folder=folder, values=values, actor_label="build_demo_model")
        if profile.is_default:  # it was the first model registered: leave the studio without a default instead
            ModelProfile.objects.filter(pk=profile.pk).update(is_default=False)
            profile.is_default = False
    return profile


def ensure_still_profile(*, models_dir: Path | None = None) -> ModelProfile | None:
    """Register the trained shapes still model (text-to-image) once its committed weights are installed in
    MODELS_DIR (`demo_models.still_model.install`), like any Stable Diffusion folder: detected from its
    model_index.json, checked, pinned to what it was trained for. Never the default (that renders shots)."""
    from generation.demo_models import still_model

    folder = still_model.folder(models_dir)
    if not still_model.is_installed(folder):
        return None
    values = profile_values_for_folder(folder, **still_model.profile_values())
    problems = check_profile_values(values)
    if problems:
        raise ValueError(f"The shapes still model's registry values are not consistent: {'; '.join(problems)}.")
    existing = ModelProfile.objects.filter(name=still_model.MODEL_NAME).first()
    if existing is not None and existing.resolved_folder().resolve() == folder.resolve() and existing.card == values["card"]:
        return existing
    profile, _ = register_model_profile(name=still_model.MODEL_NAME, folder=folder, values=values, actor_label="build_demo_model")
    return profile
