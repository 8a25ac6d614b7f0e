"""The realtime messages the generation engine sends, with the shape of their `data`.

Registered from `GenerationConfig.ready()` in the core's registry (studio/realtime/events.py); the
browser's types are generated from these declarations.
"""

from __future__ import annotations

from generation.models import GenerationJob
from projects.access import STUDIO_INTERNAL_AUDIENCE
from studio.realtime.events import BOOLEAN, INTEGER, NUMBER, STRING, UUID, enum, nullable, obj, register

OWNER = "generation"

JOB_STATE = enum(GenerationJob.State.values)

# What the worker reports each step (`generation.tasks`, `services.record_progress`).
PROGRESS = obj({"step": INTEGER, "total": INTEGER, "elapsed": NUMBER, "eta": nullable(NUMBER)})  # eta: null before the first step

# Seconds per phase (`generation.tasks`); `warm`: the pipeline came from the worker's cache; `probe`:
# ffprobe of the encoded take and its poster.
TIMINGS = {
    "type": "object",
    "properties": {
        "queue_wait": nullable(NUMBER), "load": NUMBER, "warm": BOOLEAN, "denoise": NUMBER, "decode": NUMBER, "encode": NUMBER,
        "probe": NUMBER, "store": NUMBER, "total": NUMBER, "peak_memory_mb": nullable(NUMBER), "device": STRING,
        "windows": INTEGER,  # how many consecutive windows made the take (absent for one pass; generation/windows.py)
    },
    "additionalProperties": False,
}

# A job renders for a shot (video) or a storyboard panel (a still, `generation.services.stills`): one of the two is set.
JOB_STATE_CHANGED = obj({
    "id": UUID, "state": JOB_STATE, "shot": nullable(UUID), "batch": UUID, "model": STRING, "seed": INTEGER, "attempts": INTEGER,
    "cancel_requested": BOOLEAN,
    "progress": {"anyOf": [PROGRESS, obj({})]},  # {} until the first step
    "error": STRING, "timings": TIMINGS, "version": nullable(UUID),
    # Fair scheduling (generation.services.scheduling): the job's priority within its studio, and
    # whether the dispatcher has released it to a GPU (a queued job that is not released is waiting).
    "priority": INTEGER, "released": BOOLEAN,
}, {"panel": nullable(UUID)})  # the still's panel (set on every job's event; null for a shot's render)

# A take in a shot's gallery (`generation.services.takes`): its marks, and the version it was published as.
# An imported take (`source` import, `generation.services.take_import`) has no job, and no seed unless one was given.
TAKE = obj(
    {"id": UUID, "shot": nullable(UUID), "job": nullable(UUID), "seed": nullable(INTEGER), "starred": BOOLEAN, "discarded": BOOLEAN,
     "version": nullable(UUID)},
    {"scan_state": enum(["pending", "running", "clear", "matched", "held", "failed"]), "source": enum(["render", "import"]),
     # publishing (generation/services/publishing.py): null until asked; conforming on the media queue, then published or failed
     "publish_state": nullable(enum(["conforming", "published", "failed"])),
     # a still take (text-to-image, for a storyboard panel) has `panel` and no shot
     "panel": nullable(UUID)},
)

GENERATION_CANCELLED = obj({"job": UUID, "shot": nullable(UUID), "state": JOB_STATE, "reason": STRING})


def register_event_types() -> None:
    # Jobs are studio internals (projects.access, "studio internals"): never sent to client reviewers.
    internal = (STUDIO_INTERNAL_AUDIENCE,)
    register("job.state_changed", schema=JOB_STATE_CHANGED, audiences=internal, owner=OWNER,
             description="A generation job was queued, started, retried, finished, failed or cancelled.")
    register("job.progress", schema=PROGRESS, channel="progress", audiences=internal, owner=OWNER,
             description="A render's latest step (ephemeral, coalesced to a few a second).")
    # Internal: client reviewers never see takes, live or on replay.
    register("take.created", schema=TAKE, owner=OWNER, audiences=("internal",),
             description="A render finished: its take is in the shot's gallery (not yet a version).")
    register("take.updated", schema=TAKE, owner=OWNER, audiences=("internal",),
             description="A take was starred, unstarred, discarded, restored, published (then `version` is set) or scanned for likeness.")
    register("generation.cancelled", schema=GENERATION_CANCELLED, channel="user", owner=OWNER,
             description="A render you started was cancelled because its consent stopped covering it.")
