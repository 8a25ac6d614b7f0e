"""The shapes demo model: its world and held-out split, the adherence metric on ground truth, the
exact VAE decoder, a short training run that learns, and the committed model loading through the
registry and rendering on the real worker path."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch

from generation import runner, services
from generation.demo_models import adherence, shapes
from generation.demo_models import world as shapes_world
from generation.demo_models.train import Recipe, render_clip, train
from generation.encoding import decode_rgb
from generation.models import ModelProfile
from tests.generation.conftest import submit, wait_state


def test_the_metric_reads_every_ground_truth_render_right():
    results = [adherence.read(shapes_world.render(spec, size=shapes_world.SIZE)[0]).score(spec) for spec in shapes_world.all_specs()]
    assert len(results) == 840
    assert adherence.summarise(results) == {"colour": 1.0, "background": 1.0, "shape": 1.0, "motion": 1.0, "all": 1.0}


def test_the_metric_reads_an_mp4_round_trip_of_a_ground_truth_render(tmp_path):
    from generation import encoding

    spec = shapes_world.Spec("orange", "triangle", "down", "purple")
    frames, _ = shapes_world.render(spec, size=shapes_world.SIZE)
    path = tmp_path / "clip.mp4"
    encoding.encode_mp4(frames, path, fps=Fraction(8))
    decoded = encoding.decode_rgb(path, width=shapes_world.SIZE, height=shapes_world.SIZE)
    assert all(adherence.read(decoded).score(spec).values())


def test_the_metric_does_not_read_a_blank_or_noisy_clip_as_a_shape():
    blank = np.full((shapes_world.FRAMES, 64, 64, 3), 128, np.uint8)
    reading = adherence.read(blank)
    assert reading.shape is None and reading.motion is None and reading.colour is None
    noise = np.random.default_rng(0).integers(0, 256, (shapes_world.FRAMES, 64, 64, 3), dtype=np.uint8)
    assert adherence.read(noise).motion in (None, "left", "right", "up", "down", "grow")


def test_the_held_out_split_is_fixed_and_every_word_is_still_seen_in_training():
    train_specs, held = shapes_world.split()
    assert len(train_specs) + len(held) == len(shapes_world.all_specs()) and held
    seen_triples = {(s.colour, s.shape, s.motion) for s in train_specs}
    assert not seen_triples & set(shapes_world.HELD_OUT_TRIPLES)
    vocabulary = {"colour": shapes_world.COLOURS, "shape": shapes_world.SHAPES, "motion": shapes_world.MOTIONS,
                  "background": shapes_world.COLOURS}
    for attribute, words in vocabulary.items():
        assert {getattr(s, attribute) for s in train_specs} == set(words), attribute
    prompts = shapes_world.eval_prompts()
    assert all(s.held_out for s in prompts["held_out"]) and not any(s.held_out for s in prompts["seen"])
    assert prompts == shapes_world.eval_prompts()  # the same every run
    for spec in shapes_world.all_specs():
        assert shapes_world.parse(spec.caption) == spec


def test_every_caption_fits_the_text_length_the_model_is_pinned_to():
    tokenizer = shapes.make_tokenizer()
    longest = max(len(tokenizer(s.caption).input_ids) for s in shapes_world.all_specs())
    assert longest <= shapes.MAX_TOKENS
    assert "<unk>" not in tokenizer.convert_ids_to_tokens(tokenizer("a purple triangle growing on a white background").input_ids)


def test_the_hand_set_vae_decodes_a_latent_exactly():
    vae = shapes.make_vae().eval()
    frames, _ = shapes_world.render(shapes_world.Spec("red", "circle", "left", "blue"))
    latent = torch.from_numpy(frames).float().permute(3, 0, 1, 2)[None] / 127.5 - 1
    with torch.no_grad():
        decoded = vae.decode(latent).sample
    upsampled = latent.repeat_interleave(2, dim=-1).repeat_interleave(2, dim=-2)
    assert decoded.shape == (1, 3, shapes_world.FRAMES, shapes_world.SIZE, shapes_world.SIZE)
    assert torch.allclose(decoded, upsampled, atol=1e-5)


@pytest.mark.slow  # trains the model for a while on the CPU (docs/CONVENTIONS.md, "Tests")
def test_a_short_training_run_learns_and_is_deterministic():
    recipe = Recipe(steps=30, batch=4, warmup=5)
    _, curve, before, after = train(recipe, log=lambda _: None, log_every=10)
    assert after < 0.7 * before, (before, after, curve)
    first, _, _, _ = train(Recipe(steps=3, batch=2, warmup=1), log=lambda _: None)
    second, _, _, _ = train(Recipe(steps=3, batch=2, warmup=1), log=lambda _: None)
    for (name, a), (_, b) in zip(first.transformer.state_dict().items(), second.transformer.state_dict().items(), strict=True):
        assert torch.equal(a, b), name


def test_the_committed_weights_are_small_fp16_safetensors():
    files = [p for p in shapes.WEIGHTS_DIR.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 25 * 2**20
    assert not any(p.suffix == ".bin" for p in files)
    from safetensors import safe_open

    with safe_open(shapes.WEIGHTS_DIR / "transformer" / "diffusion_pytorch_model.safetensors", "pt") as f:
        assert {f.get_tensor(k).dtype for k in f.keys()} == {torch.float16}


@pytest.mark.django_db
def test_the_shapes_model_registers_through_the_registry_with_its_card_and_pinned_constraints(shapes_model_folder, api, world):
    profile = services.ensure_shapes_profile()
    assert profile.family == "cogvideox" and profile.pipeline_class == "CogVideoXPipeline" and profile.kind == "t2v"
    assert (profile.min_frames, profile.max_frames, profile.default_frames) == (9, 9, 9)
    assert (profile.min_width, profile.max_width, profile.min_height, profile.max_height) == (64, 64, 64, 64)
    assert profile.max_sequence_length == shapes.MAX_TOKENS and not profile.folder.startswith("/")
    assert services.ensure_shapes_profile() == profile and ModelProfile.objects.filter(name=shapes.MODEL_NAME).count() == 1

    models = {m["name"]: m for m in api(world.artist).get("/api/v1/generation-models/").json()["results"]}
    card = models[shapes.MODEL_NAME]["card"]
    assert card["vocabulary"]["shapes"] == ["circle", "square", "triangle"] and "red" in card["vocabulary"]["colours"]
    assert card["example_prompts"] and all(shapes_world.parse(p) for p in card["example_prompts"])
    assert models["wan2.1-t2v-tiny"]["card"] == {"vocabulary": {}, "example_prompts": [], "notes": ""}

    response = api(world.artist).post(f"/api/v1/shots/{world.shot.id}/generations/",
                                      {"prompt": "a red circle moving left on a blue background", "model": shapes.MODEL_NAME, "frames": 17},
                                      format="json")
    body = response.json()
    assert response.status_code == 400 and body["error"] == "invalid" and "between 9 and 9" in body["fields"]["frames"][0], body


@pytest.mark.django_db
def test_the_shapes_model_loads_like_a_real_checkpoint_and_draws_a_seen_prompt(shapes_model_folder):
    profile = services.ensure_shapes_profile()
    spec = runner.LoadSpec.for_profile(profile, runner.select_device())
    pipe = runner.load_pipeline(spec)
    assert type(pipe).__name__ == "CogVideoXPipeline"
    prompt_spec = shapes_world.eval_prompts()["seen"][0]
    frames = render_clip(pipe, prompt_spec.caption, seed=0, steps=profile.default_steps, guidance=profile.default_guidance)
    reading = adherence.read(frames)
    assert reading.colour == prompt_spec.colour and reading.background == prompt_spec.background, (prompt_spec, reading)


@pytest.mark.worker
def test_the_shapes_model_renders_on_the_worker_into_a_version_that_shows_the_prompt(transactional_db, world, shapes_model_folder,
                                                                                     gpu_worker, api):
    services.ensure_shapes_profile()
    spec = shapes_world.eval_prompts()["seen"][1]
    (job,) = submit(api(world.artist), world.shot, prompt=spec.caption, model=shapes.MODEL_NAME, seed=7)
    done = wait_state(job["id"], {"succeeded", "failed", "cancelled"})
    assert done.state == "succeeded", done.error
    assert (done.frames, done.width, done.height, done.steps) == (9, 64, 64, 20)
    frames = decode_rgb(Path(done.take.media.path), width=done.width, height=done.height)  # the render is a take
    assert frames.shape == (9, 64, 64, 3)
    reading = adherence.read(frames)
    assert reading.colour == spec.colour and reading.background == spec.background, reading


def world_module_spec() -> shapes_world.Spec:
    return shapes_world.eval_prompts()["seen"][1]
