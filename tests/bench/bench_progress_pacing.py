"""Progress pacing: how many `job.progress` messages a second reach a project's watchers per job.

    .venv/bin/python tests/bench/bench_progress_pacing.py      (or: make bench)

The figure the realtime tests used to time (they now check the pacing rule by bursts, without a
clock): two jobs publish progress in a tight loop for a few seconds each through
`publish_progress()` in this process, and a channel on the project's group (the real Redis channel
layer) counts what is delivered per job. Target: at most REALTIME_PROGRESS_MAX_PER_SECOND (10) a
second per job, and the latest step of each job always delivered. No database is touched.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SECONDS = 3.0


async def measure() -> dict:
    from channels.layers import get_channel_layer
    from django.conf import settings

    from studio.realtime.publish import flush, project_group, publish_progress

    layer = get_channel_layer()
    project = str(uuid.uuid4())
    channel = await layer.new_channel()
    await layer.group_add(project_group(project), channel)
    jobs = [str(uuid.uuid4()), str(uuid.uuid4())]
    published = 0
    started = time.monotonic()
    while time.monotonic() - started < SECONDS:
        published += 1
        for job in jobs:
            publish_progress(project_id=project, job_id=job, data={"step": published, "total": 10**9, "elapsed": 0.0, "eta": 0.0})
        await asyncio.sleep(0.001)
    duration = time.monotonic() - started
    await asyncio.to_thread(flush, 10.0)
    received: dict[str, list[int]] = {job: [] for job in jobs}
    while True:
        try:
            message = await asyncio.wait_for(layer.receive(channel), timeout=1.0)
        except TimeoutError:
            break
        envelope = json.loads(message["text"])
        received.setdefault(envelope["job"], []).append(envelope["data"]["step"])
    await layer.group_discard(project_group(project), channel)
    limit = int(getattr(settings, "REALTIME_PROGRESS_MAX_PER_SECOND", 10))
    return {"seconds": round(duration, 2), "published_per_job": published, "limit_per_second": limit,
            "per_job": {job[:8]: {"delivered": len(steps), "per_second": round(len(steps) / duration, 1),
                                  "last_delivered": steps[-1] if steps else None} for job, steps in received.items()}}


def main() -> int:
    import django

    django.setup()
    result = asyncio.run(measure())
    print(json.dumps(result, indent=1))
    ok = all(job["last_delivered"] == result["published_per_job"] for job in result["per_job"].values())
    print(f"progress pacing: {', '.join(str(j['per_second']) for j in result['per_job'].values())} messages/s per job "
          f"(limit {result['limit_per_second']}/s; {result['published_per_job']} published per job in {result['seconds']} s); "
          f"latest step delivered: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
