"""Committed demo weights (option (b) of docs/GENERATION.md): a folder under `weights/` with a
marker file (`greenlight-demo-model.json`: recipe, hash, figures), copied into MODELS_DIR by the
set-up. Shared by the shapes video model (`shapes`) and the shapes still model (`still_model`)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

MARKER_FILE = "greenlight-demo-model.json"


def marker(path: Path) -> dict:
    """The folder's marker, or {} when it has none (or an unreadable one)."""
    try:
        return json.loads((path / MARKER_FILE).read_text())
    except (OSError, ValueError):
        return {}


def is_installed(target: Path, weights_dir: Path) -> bool:
    """Whether `target` holds the committed weights of `weights_dir` (the same recipe)."""
    committed = marker(weights_dir)
    return (target / "model_index.json").is_file() and bool(committed) and marker(target).get("recipe") == committed.get("recipe")


def install(weights_dir: Path, target: Path, *, trainer: str, force: bool = False) -> tuple[Path, bool, float]:
    """Copy the committed weights into `target` (a no-op when that copy is current), through a staging
    folder so that a reader never sees half a model. (folder, copied, seconds)."""
    started = time.perf_counter()
    if not (weights_dir / "model_index.json").is_file():
        raise FileNotFoundError(f"{weights_dir} has no trained weights; run `python -m {trainer}`.")
    if not force and is_installed(target, weights_dir):
        return target, False, time.perf_counter() - started
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.installing-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(weights_dir, staging)
    shutil.rmtree(target, ignore_errors=True)
    try:
        staging.rename(target)
    except OSError:  # another installer won; its copy is the same files
        shutil.rmtree(staging, ignore_errors=True)
    return target, True, time.perf_counter() - started


def save_fp16(pipe, out: Path, marker_values: dict) -> None:
    """Write a trained pipeline as the committed folder: fp16 safetensors (the weights are small either
    way; fp16 halves what git stores) and its marker."""
    import copy

    import torch

    out = Path(out)
    shutil.rmtree(out, ignore_errors=True)
    half = copy.deepcopy(pipe)
    for component in half.components.values():
        if isinstance(component, torch.nn.Module):
            component.to(torch.float16)
    half.save_pretrained(out, safe_serialization=True)
    (out / MARKER_FILE).write_text(json.dumps(marker_values, indent=2) + "\n")


def ready(pipe):
    """A freshly built pipeline set up for inference: every module in eval mode, no progress bar."""
    import torch

    for component in pipe.components.values():
        if isinstance(component, torch.nn.Module):
            component.eval()
    pipe.set_progress_bar_config(disable=True)
    return pipe
