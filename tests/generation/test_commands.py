"""`manage.py build_demo_model` and `manage.py register_model` (real folders, real loads)."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from generation.models import ModelProfile
from studio.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_build_demo_model_registers_the_demo_models_once_with_the_shapes_model_as_default(demo_model_folder):
    output = run("build_demo_model")
    assert "Demo model wan2.1-t2v-tiny: already up to date" in output
    assert "Demo model ltx-i2v-demo:" in output and "Registered model 'ltx-i2v-demo'." in output
    assert "Registered model 'shapes-t2v-demo' (default)" in output and "Registered model 'wan2.1-t2v-tiny'." in output
    shapes_profile = ModelProfile.objects.get(is_default=True)
    assert shapes_profile.name == "shapes-t2v-demo" and shapes_profile.family == "cogvideox" and shapes_profile.card["example_prompts"]
    profile = ModelProfile.objects.get(name="wan2.1-t2v-tiny")
    assert not profile.is_default and profile.family == "wan2.1" and profile.kind == "t2v"
    assert profile.resolved_folder() == demo_model_folder and not profile.folder.startswith("/")  # stored relative to MODELS_DIR
    i2v = ModelProfile.objects.get(name="ltx-i2v-demo")  # image-to-video ("Animate"); never the default
    assert (i2v.kind, i2v.family, i2v.pipeline_class, i2v.is_default) == ("i2v", "ltx-video", "LTXImageToVideoPipeline", False)
    still = ModelProfile.objects.get(name="shapes-still-demo")  # text-to-image, for storyboard panels; never the default
    assert (still.kind, still.family, still.is_default) == ("t2i", "stable-diffusion", False)
    audits = AuditEvent.objects.filter(action__startswith="model.").count()
    run("build_demo_model")
    assert ModelProfile.objects.count() == 4 and AuditEvent.objects.filter(action__startswith="model.").count() == audits


def test_build_demo_model_default_makes_the_wan_model_the_default(demo_model_folder):
    run("build_demo_model")
    run("build_demo_model", "--default")
    assert ModelProfile.objects.get(is_default=True).name == "wan2.1-t2v-tiny" and ModelProfile.objects.count() == 4


def test_build_demo_model_can_skip_the_database(demo_model_folder):
    assert "already up to date" in run("build_demo_model", "--no-register")
    assert ModelProfile.objects.count() == 0


def test_register_model_loads_the_folder_then_registers_it_with_family_defaults(demo_model_folder):
    run("build_demo_model")
    output = run("register_model", str(demo_model_folder), "--name", "wan2.1-t2v-copy", "--width", "480", "--height", "272",
                 "--frames", "33", "--steps", "20", "--fps", "24000/1001", "--max-width", "640", "--cpu-offload", "model",
                 "--vae-tiling")
    assert "loaded WanPipeline" in output and "Registered model 'wan2.1-t2v-copy' (Wan 2.1, text to video)" in output
    profile = ModelProfile.objects.get(name="wan2.1-t2v-copy")
    assert (profile.default_width, profile.default_height, profile.default_frames, profile.default_steps) == (480, 272, 33, 20)
    assert (profile.default_fps_num, profile.default_fps_den, profile.max_width) == (24000, 1001, 640)
    assert profile.cpu_offload == "model" and profile.vae_tiling and profile.vae_float32
    assert profile.max_sequence_length == 512 and profile.frames_modulus == 4 and profile.default_negative_prompt
    assert profile.is_default is False and ModelProfile.objects.get(name="shapes-t2v-demo").is_default
    run("register_model", str(demo_model_folder), "--name", "wan2.1-t2v-copy", "--default", "--skip-load-check")
    assert ModelProfile.objects.get(is_default=True).name == "wan2.1-t2v-copy" and ModelProfile.objects.count() == 5


def test_register_model_refuses_what_is_not_a_pipeline_folder(tmp_path):
    with pytest.raises(CommandError, match="has no model_index.json"):
        run("register_model", str(tmp_path), "--name", "empty")
    with pytest.raises(CommandError, match="is not a folder"):
        run("register_model", str(tmp_path / "missing"), "--name", "missing")
    (tmp_path / "model_index.json").write_text(json.dumps({"_class_name": "KandinskyPipeline"}))
    with pytest.raises(CommandError, match="KandinskyPipeline is not supported. Supported: CogVideoXImageToVideoPipeline"):
        run("register_model", str(tmp_path), "--name", "sd")
    assert ModelProfile.objects.count() == 0


def test_register_model_refuses_a_folder_that_does_not_load(tmp_path, demo_model_folder):
    broken = tmp_path / "broken"
    shutil.copytree(demo_model_folder, broken)
    weights = next((broken / "transformer").glob("*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(CommandError, match="does not load as a diffusers pipeline"):
        run("register_model", str(broken), "--name", "broken")
    assert ModelProfile.objects.count() == 0


@pytest.mark.parametrize("args, message", [
    (["--name", "Bad Name!"], "may only use lower-case letters"),
    (["--name", "ok", "--width", "100"], "default width 100 must be a multiple of 16"),
    (["--name", "ok", "--frames", "16"], r"default frames 16 must be 4k\+1"),
    (["--name", "ok", "--fps", "0"], "out of range"),
    (["--name", "ok", "--attention-backend", "flash_hub"], "download kernels from a hub"),
])
def test_register_model_refuses_inconsistent_settings(demo_model_folder, args, message):
    with pytest.raises(CommandError, match=message):
        run("register_model", str(demo_model_folder), *args, "--skip-load-check")
    assert ModelProfile.objects.count() == 0
