"""Generation overhead: what the platform adds to a render on a warm worker.

The same tiny-model render (same prompt, seed, size, frames, steps) is timed two ways in one run:

  bare  — `DiffusionPipeline.from_pretrained(folder, local_files_only=True)` in this process, then
          `pipe(...)` and the MP4 encode (ffmpeg-python), nothing else;
  full  — `POST /api/v1/shots/{id}/generations/` (Django + DRF in process), commit, the Celery
          broker (Redis), a warm prefork worker (`generation.tasks.render_generation`), the same
          pipeline call with per-step progress (database + realtime), the encode and probe, the take
          (files stored, audit, events), until the client receives `job.state_changed: succeeded`.

Then each take is published (`POST /api/v1/takes/{id}/publish/`, 202, then the media worker's task
body run here: the ffmpeg conform to the project's 24 fps and the shot's 36-frame cut, and the
version); request and conform are timed together, on their own.

It prints per-phase medians, the ratio full/bare, the platform overhead per job
(end-to-end minus denoise, decode and encode) and the queue wait on the idle worker, p50 over
`--jobs` jobs (20 by default), one job at a time. Targets (issue 4): overhead < 100 ms, queue wait
< 50 ms.

Runs against a throwaway PostgreSQL database (created and dropped here) and the Redis named by
REDIS_URL, with its own Celery queue, so a running `make run` is not disturbed. Note: every version
it creates hands a proxy task to the `media` queue; a media worker of another database finds no
such version and skips it.

    .venv/bin/python tests/bench/bench_generation.py [--jobs 20] [--steps 4] [--frames 17] [--size 64]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
for _name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

PROMPT = "a lighthouse at dusk, slow push-in, rain on the lens"
SEED = 1234
TERMINAL = ("succeeded", "failed", "cancelled")


# ----------------------------------------------------------------------------- shared helpers
@contextlib.contextmanager
def bench_database(suffix: str):
    """A fresh, migrated PostgreSQL database for this benchmark; dropped afterwards."""
    base = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})
    connection.settings_dict["TEST"]["NAME"] = f"test_{base}_bench_{suffix}"
    old_name = base
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        yield name
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


def make_world(tag: str):
    from projects.models import Project, Shot
    from studio.tenancy.models import Membership, Organization, Role, User

    org = Organization.objects.create(kind="studio", name=f"Bench {tag}", slug=f"bench-{tag}")
    user = User.objects.create_user(email=f"artist@{tag}.bench", password=None)
    Membership.objects.create(user=user, organization=org, role=Role.ARTIST)
    project = Project.objects.create(organization=org, name="Bench", code="BN")
    shot = Shot.objects.create(project=project, code="BN_010_0010", frame_in=1001, frame_out=1036)  # a 36-frame cut
    return user, project, shot


def start_worker(name: str, queue: str, **env):
    from tests.support.worker import WorkerProcess

    worker_env = {"GENERATION_QUEUE": queue, **{k: str(v) for k, v in env.items()}}
    log = Path(settings.DATA_DIR) / "logs" / f"worker-{name}.log"
    return WorkerProcess(queues=queue, name=name, env=worker_env, log_path=log).start(timeout=180)


def submit_and_wait(client, shot, listener, body: dict) -> dict:
    from generation.models import GenerationJob, Take

    started = time.perf_counter()
    response = client.post(f"/api/v1/shots/{shot.id}/generations/", body, format="json")
    answered = time.perf_counter()
    if response.status_code != 201:
        raise RuntimeError(f"submit failed: {response.status_code} {response.content[:500]!r}")
    job_id = response.json()["jobs"][0]["id"]
    while True:
        event, finished = listener.next_event(timeout=600)
        if event["type"] == "job.state_changed" and event.get("job") == job_id and event["data"]["state"] in TERMINAL:
            state = event["data"]["state"]
            break
    job = GenerationJob.objects.get(pk=job_id)
    take = Take.objects.filter(job_id=job_id).first()
    if state != "succeeded" or take is None:
        raise RuntimeError(f"job {job_id} ended {state}: {job.error}")
    from generation.tasks import conform_take

    publish_started = time.perf_counter()
    published = client.post(f"/api/v1/takes/{take.id}/publish/", {}, format="json")  # 202: queued on `media`
    if published.status_code != 202:
        raise RuntimeError(f"publish failed: {published.status_code} {published.content[:500]!r}")
    outcome = conform_take(str(take.id), published.json()["publish"]["attempt"])  # the media worker's task body, here
    publish = time.perf_counter() - publish_started
    if outcome["status"] != "published":
        raise RuntimeError(f"publish failed: {Take.objects.get(pk=take.pk).publish_error}")
    return {"e2e": finished - started, "api": answered - started, "publish": publish, **{k: v for k, v in job.timings.items()}}


def p(values, q: float = 0.5) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------- the benchmark
class BareRenderer:
    """The same render as the worker's, with plain diffusers in this process: load, call, encode."""

    def __init__(self, folder: Path, *, steps: int, frames: int, size: int):
        import tempfile

        import torch
        from diffusers import DiffusionPipeline
        from diffusers.utils import logging as diffusers_logging

        diffusers_logging.disable_progress_bar()
        torch.set_num_threads(int(settings.GENERATION_CPU_THREADS))
        self.torch = torch
        self.pipe = DiffusionPipeline.from_pretrained(folder, local_files_only=True)
        self.pipe.set_progress_bar_config(disable=True)
        self.kwargs = dict(prompt=PROMPT, negative_prompt=None, height=size, width=size, num_frames=frames, num_inference_steps=steps,
                           guidance_scale=5.0, max_sequence_length=32, output_type="np")
        self.tmp = tempfile.TemporaryDirectory()
        self.runs = 0

    def render(self) -> dict:
        from fractions import Fraction

        import numpy as np

        from generation.encoding import encode_mp4

        last = [0.0]

        def stamp(pipeline, step, timestep, kwargs):
            last[0] = time.perf_counter()
            return kwargs

        started = time.perf_counter()
        with self.torch.inference_mode():
            out = self.pipe(**self.kwargs, generator=self.torch.Generator("cpu").manual_seed(SEED), callback_on_step_end=stamp)
        video = (np.clip(out.frames[0], 0, 1) * 255).round().astype(np.uint8)
        decoded = time.perf_counter()
        self.runs += 1
        encode_mp4(video, Path(self.tmp.name) / f"bare-{self.runs}.mp4", fps=Fraction(16))
        done = time.perf_counter()
        return {"denoise": last[0] - started, "decode": decoded - last[0], "encode": done - decoded, "total": done - started}

    def close(self) -> None:
        del self.pipe
        self.tmp.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--frames", type=int, default=17)
    parser.add_argument("--size", type=int, default=64)
    args = parser.parse_args()

    from rest_framework.test import APIClient

    from generation import demo_model, services
    from tests.generation.listener import GroupListener

    queue = "gpu-bench-generation"
    settings.GENERATION_QUEUE = queue
    build = demo_model.build_demo_model()
    print(f"demo model: {build.folder} ({'built' if build.built else 'cached'})")
    print(f"render: {args.frames} frames {args.size}x{args.size}, {args.steps} steps, seed {SEED}; {args.jobs} jobs; "
          f"torch threads per process: {settings.GENERATION_CPU_THREADS}; cpu cores: {os.cpu_count()}")

    with bench_database("generation"):
        services.ensure_demo_profile()
        user, project, shot = make_world("gen")
        client = APIClient()
        client.force_authenticate(user=user)
        body = {"prompt": PROMPT, "seed": SEED, "frames": args.frames, "width": args.size, "height": args.size, "steps": args.steps}

        bare_renderer = BareRenderer(build.folder, steps=args.steps, frames=args.frames, size=args.size)
        worker = start_worker("bench-gen", queue)
        listener = GroupListener(project.id)
        bare, full = [], []
        try:
            bare_renderer.render()  # warm-up: kernels, allocator
            cold = submit_and_wait(client, shot, listener, body)  # loads the model into the worker
            for _ in range(args.jobs):  # interleaved, so both see the same machine load
                bare.append(bare_renderer.render())
                full.append(submit_and_wait(client, shot, listener, body))
        finally:
            worker.stop()
            listener.close()
            bare_renderer.close()

    print(f"\nfirst job on a cold worker: end-to-end {ms(cold['e2e'])}, of which pipeline load {ms(cold['load'])}")
    print("\nmedians over", args.jobs, "renders (warm)")
    print(f"{'phase':<28}{'bare diffusers':>16}{'full job':>16}")
    for phase in ("denoise", "decode", "encode"):
        print(f"{phase:<28}{ms(p([r[phase] for r in bare])):>16}{ms(p([r[phase] for r in full])):>16}")
    print(f"{'queue wait (idle worker)':<28}{'':>16}{ms(p([r['queue_wait'] for r in full])):>16}")
    print(f"{'pipeline load (warm)':<28}{'':>16}{ms(p([r['load'] for r in full])):>16}")
    print(f"{'probe + poster':<28}{'':>16}{ms(p([r['probe'] for r in full])):>16}")
    print(f"{'store take':<28}{'':>16}{ms(p([r['store'] for r in full])):>16}")
    print(f"{'publish take (conform+ver.)':<28}{'':>16}{ms(p([r['publish'] for r in full])):>16}   (its own request, after)")
    print(f"{'API request (POST → 201)':<28}{'':>16}{ms(p([r['api'] for r in full])):>16}")
    bare_total = p([r["total"] for r in bare])
    e2e = p([r["e2e"] for r in full])
    print(f"{'total':<28}{ms(bare_total):>16}{ms(e2e):>16}   (full = POST until the client sees 'succeeded')")

    overhead = [r["e2e"] - (r["denoise"] + r["decode"] + r["encode"]) for r in full]
    paired = [f["e2e"] - b["total"] for f, b in zip(full, bare, strict=True)]
    queue_wait = [r["queue_wait"] for r in full]
    print(f"\nratio full / bare (p50): {e2e / bare_total:.2f}x")
    print(f"platform overhead per job (end-to-end − denoise − decode − encode): p50 {ms(p(overhead))}, p90 {ms(p(overhead, 0.9))}"
          f"  [target < 100 ms: {'met' if p(overhead) < 0.1 else 'NOT met'}]")
    print(f"end-to-end minus the bare render of the same round (includes per-step progress writes): p50 {ms(p(paired))}, "
          f"p90 {ms(p(paired, 0.9))}")
    print(f"queue wait on an idle worker: p50 {ms(p(queue_wait))}, p90 {ms(p(queue_wait, 0.9))}"
          f"  [target < 50 ms: {'met' if p(queue_wait) < 0.05 else 'NOT met'}]")
    print(f"peak RSS of this process (bare pipeline): {peak_rss_mb():.0f} MB; worker peak RSS: {full[-1].get('peak_memory_mb', 0):.0f} MB")

    out = Path(settings.DATA_DIR) / "bench" / "generation.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), "bare": bare, "full": full, "cold": cold}, indent=1))
    print(f"raw figures: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
