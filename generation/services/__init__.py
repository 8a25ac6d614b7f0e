"""Writes of the generation engine, one module per concept. Each state change is one call that writes,
audits and publishes.

| module | concept | called by |
|---|---|---|
| `registry` | model profiles (the registry), the demo models | `register_model`, `build_demo_model`, the demo seed |
| `submit` | submitting renders | the API |
| `animate` | animate a still: an image-to-video render from a panel's still, an upload or a version's frame (through `submit`) | the API |
| `init_images` | first frames: resolved, checked, their lineage and likeness scan | `animate`, `submit` |
| `jobs` | cancelling (by a person, or for consent) and reaping stale jobs | the API, `rights` signals, beat |
| `attempts` | the render attempt on a GPU worker, and the consent re-check at render start | `generation.tasks` |
| `take_import` | importing a clip rendered in another tool as a take (probed, scanned like any take) | the API |
| `take_scan` | the likeness scan of takes (`media` queue), held takes, re-scans | media worker, rights signal |
| `takes` | takes: the worker stores them; star, discard, re-run | the worker, the API |
| `stills` | stills: text-to-image renders for storyboard panels, missing stills as one batch, picking a panel's still | the API |
| `publishing` | publishing a take: the request (API, 202), the conform and the version (`media` queue) | the API, the media worker |
| `scheduling` | the fair dispatcher (jobs → `gpu` queue), the quota check, the usage ledger, queue ETAs | submit, job ends, beat |
| `quotas` | a studio's GPU limits and quota (owners), a job's priority (producers) | the API |
| `_common` | roles, the `job.state_changed` event, queueing, terminal transitions (internal) | |

Exactly-once takes: every render *attempt* increments `GenerationJob.attempts`, and that number
is the attempt's fencing token. A worker writes progress and creates the take only while the job
is still `running` *with its attempt number*, and creates the take inside the transaction that
holds the job row lock and marks the job succeeded. A redelivered message, a re-queued job or a late
worker therefore finds the job already owned, finished or re-queued, and creates nothing. A version
is made only by publishing a take (`publish_take`), once per take.

Callers import from the package (`from generation import services`), never from a module.
"""

from generation.families import UnsupportedModelFolder
from generation.services._common import CANCEL_ANY_ROLES, SUBMIT_ROLES, job_event_data
from generation.services.animate import animate_still, image_models
from generation.services.attempts import (
    JobLost,
    WorkerIdentity,
    cancel_requested,
    complete_attempt,
    consent_denial_at_render,
    fail_attempt,
    finish_cancelled,
    heartbeat,
    likeness_image_for_render,
    record_progress,
    start_attempt,
)
from generation.services.init_images import MAX_INIT_IMAGE_BYTES, MAX_INIT_IMAGE_PIXELS
from generation.services.jobs import cancel_generation, cancel_jobs_for_consent, reap_stale_jobs
from generation.services.publishing import ConformFailed, publish_take, request_publish, run_publish
from generation.services.quotas import set_gpu_allowance, set_job_priority
from generation.services.registry import (
    check_profile_values,
    ensure_demo_profile,
    ensure_i2v_demo_profile,
    ensure_shapes_profile,
    ensure_still_profile,
    profile_values_for_folder,
    register_model_profile,
)
from generation.services.scheduling import QuotaExceeded, dispatch, queue_estimates, record_usage, resend_stale_releases
from generation.services.stills import (
    panels_missing_stills,
    resolve_still_profile,
    submit_missing_stills,
    submit_stills,
    use_still_take,
)
from generation.services.submit import MAX_ACTIVE_JOBS_PER_ORGANIZATION, RANDOM_SEED_RANGE, submit_generation
from generation.services.take_import import import_take
from generation.services.take_scan import TakeHeld, request_take_scan, rescan_held_takes, scan_take_likeness
from generation.services.takes import RERUN_MODES, discard_take, rerun_take, star_take, take_event_data

__all__ = [
    "CANCEL_ANY_ROLES", "MAX_ACTIVE_JOBS_PER_ORGANIZATION", "RANDOM_SEED_RANGE", "RERUN_MODES", "SUBMIT_ROLES", "JobLost",
    "UnsupportedModelFolder", "WorkerIdentity", "cancel_generation", "cancel_jobs_for_consent", "cancel_requested",
    "check_profile_values", "complete_attempt", "consent_denial_at_render", "ensure_demo_profile", "ensure_i2v_demo_profile",
    "ensure_shapes_profile", "ensure_still_profile", "fail_attempt",
    "finish_cancelled", "heartbeat", "job_event_data", "likeness_image_for_render", "profile_values_for_folder",
    "reap_stale_jobs", "record_progress", "register_model_profile", "start_attempt", "submit_generation", "discard_take", "import_take",
    "publish_take", "request_publish", "run_publish", "ConformFailed", "rerun_take", "star_take", "take_event_data", "QuotaExceeded",
    "dispatch", "queue_estimates", "record_usage",
    "resend_stale_releases",
    "set_gpu_allowance", "set_job_priority", "animate_still", "image_models", "MAX_INIT_IMAGE_BYTES", "MAX_INIT_IMAGE_PIXELS",
    "panels_missing_stills", "resolve_still_profile", "submit_missing_stills", "submit_stills",
    "use_still_take", "TakeHeld", "request_take_scan", "rescan_held_takes", "scan_take_likeness",
]
