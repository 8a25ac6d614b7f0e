"""python manage.py register_model FOLDER --name NAME — add a real checkpoint folder to the registry.

The folder must be a diffusers pipeline folder (model_index.json, transformer/, vae/ …) of a family
Greenlight runs (Wan 2.1/2.2, LTX-Video, CogVideoX; text- or image-to-video). It is loaded once with
`DiffusionPipeline.from_pretrained(folder, local_files_only=True)` before it is registered, so a
broken or incomplete download is refused here rather than on a GPU worker. Defaults and constraints
come from the family's published values; every one can be overridden.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from generation import constraints, services, step_cache
from generation.families import UnsupportedModelFolder, detect
from generation.models import MODEL_NAME_RE, ModelProfile


class Command(BaseCommand):
    help = "Register a local diffusers text-to-video / image-to-video checkpoint folder as a model profile (after loading it once)."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The checkpoint folder (the one holding model_index.json).")
        parser.add_argument("--name", required=True, help="Registry name that API callers pass as `model` (letters, digits, . - _).")
        parser.add_argument("--display-name")
        parser.add_argument("--description")
        parser.add_argument("--default", action="store_true", help="Make it the default model.")
        parser.add_argument("--dtype", choices=ModelProfile.Dtype.values, help="GPU dtype (CPU workers always use float32).")
        parser.add_argument("--cpu-offload", choices=ModelProfile.Offload.values, help="GPU memory saving: model or sequential offload.")
        parser.add_argument("--vae-tiling", action="store_true", default=None, help="Decode in tiles (large sizes on small GPUs).")
        parser.add_argument("--vae-float32", action="store_true", default=None, help="Keep the VAE in float32 on the GPU.")
        parser.add_argument("--attention-backend", help="diffusers attention backend (default native = PyTorch SDPA).")
        parser.add_argument("--step-cache", help="Step caching: first_block:<threshold> (e.g. first_block:0.1) or off.")
        parser.add_argument("--frames", type=int, dest="default_frames")
        parser.add_argument("--width", type=int, dest="default_width")
        parser.add_argument("--height", type=int, dest="default_height")
        parser.add_argument("--fps", help='Default frame rate: 16, 24, "24000/1001" …')
        parser.add_argument("--steps", type=int, dest="default_steps")
        parser.add_argument("--guidance", type=float, dest="default_guidance")
        parser.add_argument("--negative-prompt", dest="default_negative_prompt")
        parser.add_argument("--min-frames", type=int)
        parser.add_argument("--max-frames", type=int)
        parser.add_argument("--min-width", type=int)
        parser.add_argument("--min-height", type=int)
        parser.add_argument("--max-width", type=int)
        parser.add_argument("--max-height", type=int)
        parser.add_argument("--max-steps", type=int)
        parser.add_argument("--max-sequence-length", type=int)
        parser.add_argument("--skip-load-check", action="store_true",
                            help="Register without loading (only for folders too large for this machine's memory; a worker still "
                                 "fails clearly if it cannot load).")

    def handle(self, *args, **options):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        folder = Path(options["folder"]).expanduser().resolve()
        name = options["name"]
        if not re.match(MODEL_NAME_RE, name):
            raise CommandError(
                f"--name '{name}' may only use lower-case letters, digits, dots, hyphens and underscores (e.g. wan2.1-t2v-1.3b)."
            )
        try:
            detected = detect(folder)
        except UnsupportedModelFolder as exc:
            raise CommandError(str(exc))

        overrides = {key: options.get(key) for key in (
            "display_name", "description", "dtype", "cpu_offload", "vae_tiling", "vae_float32", "attention_backend", "default_frames",
            "default_width", "default_height", "default_steps", "default_guidance", "default_negative_prompt", "min_frames",
            "max_frames", "min_width", "min_height", "max_width", "max_height", "max_steps", "max_sequence_length",
        )}
        if options.get("fps"):
            try:
                fps = constraints.parse_fps(options["fps"])
            except ValueError as exc:
                raise CommandError(str(exc))
            overrides["default_fps_num"], overrides["default_fps_den"] = fps.numerator, fps.denominator
        if options.get("step_cache") is not None:
            try:
                overrides["step_cache"] = step_cache.normalized(options["step_cache"])
            except step_cache.StepCacheError as exc:
                raise CommandError(f"--step-cache: {exc}")
        values = services.profile_values_for_folder(folder, **overrides)
        problems = services.check_profile_values(values)
        if problems:
            raise CommandError("The profile is not consistent: " + "; ".join(problems) + ".")

        if options["skip_load_check"]:
            self.stdout.write(self.style.WARNING("Skipping the load check (--skip-load-check)."))
        else:
            self._check_loads(folder, detected.pipeline_class, values.get("step_cache") or "")

        try:
            profile, created = services.register_model_profile(name=name, folder=folder, values=values, make_default=options["default"])
        except ValueError as exc:  # --default on a text-to-image model
            raise CommandError(str(exc))
        self.stdout.write(self.style.SUCCESS(
            f"{'Registered' if created else 'Updated'} model '{profile.name}' ({profile.get_family_display()}, "
            f"{profile.get_kind_display().lower()}){' as the default' if profile.is_default else ''}: "
            f"{profile.default_width}x{profile.default_height}, {profile.default_frames} frames ({profile.frames_rule}, "
            f"{profile.min_frames}–{profile.max_frames}), {profile.default_steps} steps, guidance {profile.default_guidance:g}, "
            f"{profile.default_fps_num}/{profile.default_fps_den} fps."
        ))
        for note in detected.notes:
            self.stdout.write(f"  note: {note}")

    def _check_loads(self, folder: Path, expected_class: str, cache: str = "") -> None:
        import torch
        from diffusers import DiffusionPipeline

        self.stdout.write(f"Loading {folder} to check it (local files only) …")
        started = time.perf_counter()
        try:
            # bfloat16 halves the memory of the check; the weights and configuration are what is verified.
            pipe = DiffusionPipeline.from_pretrained(folder, local_files_only=True, dtype=torch.bfloat16)
        except Exception as exc:  # noqa: BLE001 - every load failure is reported the same way
            raise CommandError(f"{folder} does not load as a diffusers pipeline: {type(exc).__name__}: {exc}")
        if type(pipe).__name__ != expected_class:
            raise CommandError(f"{folder} loaded as {type(pipe).__name__}, but model_index.json names {expected_class}.")
        try:
            step_cache.apply(pipe, cache)
        except step_cache.StepCacheError as exc:
            raise CommandError(f"--step-cache: {exc}")
        params = sum(p.numel() for c in pipe.components.values() if isinstance(c, torch.nn.Module) for p in c.parameters())
        self.stdout.write(f"  loaded {type(pipe).__name__} in {time.perf_counter() - started:.1f}s ({params / 1e6:,.1f} M parameters)")
        del pipe
