"""The runner, the warm pipeline cache and the MP4 encoder, on the real tiny diffusers pipeline
loaded from its folder (no worker, no database)."""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

from generation import demo_model, encoding, families, runner


def profile_for(folder, **extra):
    values = dict(name="t", dtype="auto", vae_float32=True, cpu_offload="none", vae_tiling=False, attention_backend="native", step_cache="")
    values.update(extra)
    return SimpleNamespace(resolved_folder=lambda: folder, **values)


@pytest.fixture(scope="module")
def cache(demo_model_folder):
    return runner.PipelineCache(max_items=1)


@pytest.fixture(scope="module")
def pipe(cache, demo_model_folder):
    pipeline, _, _ = cache.get(runner.LoadSpec.for_profile(profile_for(demo_model_folder), runner.select_device()))
    return pipeline


def request(**kw) -> runner.RenderRequest:
    values = dict(prompt="a lighthouse at dusk, slow push-in", negative_prompt="", seed=7, frames=17, width=64, height=64, fps=16.0,
                  steps=3, guidance=5.0, max_sequence_length=32)
    values.update(kw)
    return runner.RenderRequest(**values)


def test_the_demo_folder_is_a_standard_diffusers_layout_detected_as_wan21(demo_model_folder):
    for part in ("model_index.json", "scheduler", "text_encoder", "tokenizer", "transformer", "vae"):
        assert (demo_model_folder / part).exists(), part
    assert any((demo_model_folder / "transformer").glob("*.safetensors"))
    assert families.detect(demo_model_folder) == families.Detected(pipeline_class="WanPipeline", family="wan2.1", kind="t2v")


def test_rebuilding_an_up_to_date_demo_model_is_a_no_op(demo_model_folder):
    stamp = (demo_model_folder / "model_index.json").stat().st_mtime_ns
    result = demo_model.build_demo_model()
    assert result.built is False and result.folder == demo_model_folder
    assert (demo_model_folder / "model_index.json").stat().st_mtime_ns == stamp


def test_cpu_workers_load_float32_from_the_local_folder(pipe, demo_model_folder):
    assert type(pipe).__name__ == "WanPipeline"
    assert pipe.transformer.dtype.is_floating_point and str(pipe.transformer.dtype) == "torch.float32"
    spec = runner.LoadSpec.for_profile(profile_for(demo_model_folder, dtype="bfloat16"), runner.select_device())
    assert spec.dtype == "float32" and spec.cpu_offload == "none" and spec.vae_float32 is False


def test_same_seed_same_frames_different_seed_different_frames(pipe):
    first = runner.render(pipe, request(seed=1234))
    again = runner.render(pipe, request(seed=1234))
    other = runner.render(pipe, request(seed=1235))
    assert first.frames.shape == (17, 64, 64, 3) and first.frames.dtype == np.uint8
    assert np.abs(first.frames.astype(int) - again.frames.astype(int)).max() <= 1  # uint8 of float outputs within ~1e-5
    assert not np.array_equal(first.frames, other.frames)
    assert np.abs(first.frames.astype(int) - other.frames.astype(int)).mean() > 0.5


def test_the_step_callback_runs_once_per_step_in_order(pipe):
    seen = []
    result = runner.render(pipe, request(steps=5), on_step=lambda step, total, elapsed: seen.append((step, total, elapsed)))
    assert [(s, t) for s, t, _ in seen] == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    elapsed = [e for _, _, e in seen]
    assert elapsed == sorted(elapsed) and elapsed[0] > 0
    assert result.denoise_seconds >= elapsed[-1] - 1e-9 and result.decode_seconds > 0


def test_raising_from_the_callback_stops_at_once_without_decoding(pipe):
    class Stop(Exception):
        pass

    decoder_calls = []
    hook = pipe.vae.decoder.register_forward_hook(lambda *a: decoder_calls.append(1))
    seen = []

    def on_step(step, total, elapsed):
        seen.append(step)
        if step == 2:
            raise Stop

    try:
        with pytest.raises(Stop):
            runner.render(pipe, request(steps=10), on_step=on_step)
    finally:
        hook.remove()
    assert seen == [1, 2] and decoder_calls == []
    # The same pipeline renders the next job normally.
    assert runner.render(pipe, request(steps=2)).frames.shape[0] == 17


def test_the_cache_keeps_a_warm_pipeline_and_evicts_the_least_recently_used(tmp_path, demo_model_folder):
    second = demo_model.build_demo_model(models_dir=tmp_path, seed=1).folder
    device = runner.select_device()
    a = runner.LoadSpec.for_profile(profile_for(demo_model_folder), device)
    b = runner.LoadSpec.for_profile(profile_for(second), device)
    cache = runner.PipelineCache(max_items=1)
    pipe_a, seconds, warm = cache.get(a)
    assert warm is False and seconds > 0
    again, seconds, warm = cache.get(a)
    assert again is pipe_a and warm is True and seconds == 0.0
    pipe_b, _, warm = cache.get(b)
    assert warm is False and pipe_b is not pipe_a and cache.keys() == [b]
    two = runner.PipelineCache(max_items=2)
    two.get(a), two.get(b), two.get(a)  # a is now the most recently used
    two.get(runner.LoadSpec.for_profile(profile_for(second, vae_tiling=True), device))
    assert a in two.keys() and b not in two.keys()


def test_the_cache_evicts_when_the_next_model_would_not_fit_in_memory(tmp_path, demo_model_folder, monkeypatch):
    second = demo_model.build_demo_model(models_dir=tmp_path, seed=1).folder
    device = runner.select_device()
    a = runner.LoadSpec.for_profile(profile_for(demo_model_folder), device)
    b = runner.LoadSpec.for_profile(profile_for(second), device)
    assert runner.weights_bytes(a) > 100_000  # the tiny model's safetensors
    cache = runner.PipelineCache(max_items=4)
    cache.get(a)
    monkeypatch.setattr(runner, "available_memory_bytes", lambda where: runner.weights_bytes(b))  # not enough headroom for b
    cache.get(b)
    assert cache.keys() == [b]
    monkeypatch.setattr(runner, "available_memory_bytes", lambda where: 10 * 2**30)
    cache.get(a)
    assert cache.keys() == [b, a]


def test_a_missing_folder_fails_with_a_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="build_demo_model"):
        runner.LoadSpec.for_profile(profile_for(tmp_path / "gone"), runner.select_device())


def test_frames_encode_to_h264_yuv420p_with_faststart_and_an_exact_rate(pipe, tmp_path):
    frames = runner.render(pipe, request(frames=21, width=96, height=48)).frames
    path = encoding.encode_mp4(frames, tmp_path / "clip.mp4", fps=Fraction(24000, 1001))
    info = encoding.probe(path)
    assert (info["codec"], info["pix_fmt"], info["width"], info["height"], info["frames"]) == ("h264", "yuv420p", 96, 48, 21)
    assert info["fps"] == Fraction(24000, 1001)
    assert encoding.moov_before_mdat(path)
    decoded = encoding.decode_rgb(path, width=96, height=48)
    assert decoded.shape == frames.shape and np.abs(decoded.astype(int) - frames.astype(int)).mean() < 6


def test_odd_sizes_are_padded_not_scaled(tmp_path):
    frames = np.full((3, 33, 35, 3), 128, np.uint8)
    info = encoding.probe(encoding.encode_mp4(frames, tmp_path / "odd.mp4", fps=Fraction(16)))
    assert (info["width"], info["height"], info["frames"]) == (36, 34, 3)


def test_bad_frames_are_refused(tmp_path):
    with pytest.raises(encoding.EncodeError):
        encoding.encode_mp4(np.zeros((0, 16, 16, 3), np.uint8), tmp_path / "x.mp4", fps=Fraction(16))
    with pytest.raises(encoding.EncodeError):
        encoding.encode_mp4(np.zeros((2, 16, 16), np.uint8), tmp_path / "x.mp4", fps=Fraction(16))
