"""Publishing a take: conform it to its shot on the `media` queue, then make the shot's next version.

- `request_publish` (the API: 202) checks who and what (role, method, archived project, already
  published, discarded, held by the likeness scan, consent stopped), then under the take's row lock
  sets `publish_state = conforming`, bumps `publish_attempt` (the fencing token), audits
  `take.publish_requested`, publishes `take.updated`, and sends `generation.tasks.conform_take` to
  the media queue after commit.
- `run_publish` (the media worker) conforms with ffmpeg outside any transaction
  (`generation.conform`: project rate, cut length, aspect; checked with ffprobe), then in one
  transaction — the job's likeness uses and the take locked, everything checked again — creates
  the version (whose proxy, poster and sprite the transcode pipeline makes next), links the take,
  the job and the likeness uses to it, audits `take.published` and publishes `version.created`,
  `take.updated` and `job.state_changed` after commit. When the conform fails or the take stopped
  being publishable meanwhile, the take is `failed` with `publish_error` saying why and what to do,
  and nothing is published; publishing again starts a new attempt.
- A message for an older attempt, or for a take already published, does nothing (a redelivered
  message after a worker died conforms again: acks_late).
- `publish_take` does both in the calling process (scripts, the demo seed, tests).
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import APIException, ValidationError

from generation import conform, windows
from generation.models import GenerationJob, Take
from generation.services._common import SUBMIT_ROLES, _publish_state
from generation.services.takes import _file_stem, _locked, _publish_take
from projects.access import require_project_role
from projects.consent import version_ref
from projects.models import Project, Version
from projects.services import create_version
from rights import services as rights_services
from rights.models import LikenessUse
from studio import storage
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.queues import send_media

log = logging.getLogger(__name__)

# A request still `conforming` after this long (its message lost with a broker) may be made again.
CONFORM_STALE_AFTER = timedelta(minutes=15)
State = Take.PublishState


class ConformFailed(APIException):
    status_code = 500
    default_code = "conform_failed"
    default_detail = "ffmpeg could not conform the take; nothing was published."


def _check_publishable(take: Take) -> None:
    if take.is_still:
        raise Conflict("This is a still take of a storyboard panel: it becomes the panel's still (Use as still on the board), "
                       "never a shot's version. Animate it on a shot to make a clip.")
    if take.version_id:
        raise Conflict(f"This take is already published as {take.version.label}; a take becomes one version.")
    if take.discarded:
        raise Conflict("This take is discarded; restore it before publishing.")
    if take.scan_held:
        from generation.services.take_scan import TakeHeld

        raise TakeHeld(take)
    stopped = LikenessUse.objects.filter(job_id=take.use_key, state=LikenessUse.State.INVALIDATED).first()
    if stopped is not None:
        raise Conflict(f"Consent stopped covering this take ({stopped.invalidated_reason}); it cannot be published.")


def _hold_reason(take: Take) -> str:
    """Why a take may be shorter than its shot: said in the conform summary when its last frame is held."""
    model = take.model
    if model is None:
        return ""
    if not windows.can_continue(model):
        return (f"{model.name} is text-to-video: it renders at most {model.max_frames} frames in one pass and cannot continue "
                "a window from the previous window's last frame")
    return (f"{model.name} renders up to {windows.longest(model)} frames in windows, each continuing from the previous window's "
            "last frame: ask for more frames to fill the cut")


def request_publish(*, actor, take: Take, method: str = conform.DEFAULT_METHOD, dispatch: bool = True) -> Take:
    """Queue the conform of `take` on the media queue (see the module doc). 400 for an unknown method;
    409 when the take cannot be published, or is being conformed already."""
    project: Project = take.project
    require_project_role(user=actor, project=project, roles=SUBMIT_ROLES, action="publish takes")
    if method not in conform.METHODS:
        raise ValidationError({"method": [f"Unknown conform method '{method}'. Use one of: {', '.join(conform.METHODS)}."]})
    if project.status == getattr(Project.Status, "ARCHIVED", "archived"):
        raise Conflict(f"Project {project.code} is archived; reactivate it before publishing versions.")
    _check_publishable(take)
    with transaction.atomic():
        take = _locked(take)
        _check_publishable(take)
        if (take.publish_state == State.CONFORMING and take.publish_requested_at
                and take.publish_requested_at > timezone.now() - CONFORM_STALE_AFTER):
            raise Conflict("This take is being conformed for publishing already; its version appears when the media worker "
                           "finishes (the gallery updates by itself).")
        take.publish_state, take.publish_attempt, take.publish_method = State.CONFORMING, take.publish_attempt + 1, method
        take.publish_error, take.publish_requested_at, take.publish_requested_by = "", timezone.now(), actor
        take.save(update_fields=["publish_state", "publish_attempt", "publish_method", "publish_error", "publish_requested_at",
                                 "publish_requested_by", "updated_at"])
        audit.record(organization=project.organization, actor=actor, action="take.publish_requested", target=take,
                     data={"shot": take.shot.code, "seed": take.seed, "method": method, "attempt": take.publish_attempt})
        _publish_take(take)
        if dispatch:
            from generation.tasks import conform_take

            take_id, attempt = str(take.pk), take.publish_attempt
            transaction.on_commit(lambda: send_media(conform_take, take_id, attempt), robust=True)
    return take


def run_publish(*, take_id, attempt: int, raise_errors: bool = False) -> Take | None:
    """The media worker's part: conform, then make the version (or record why not). None for a stale
    message (another attempt, or the take already published or gone)."""
    take = (Take.objects.select_related("project__organization", "shot", "model", "publish_requested_by")
            .filter(pk=take_id, publish_attempt=attempt, publish_state=State.CONFORMING).first())
    if take is None:
        return None
    project = take.project
    the_plan = conform.plan(
        method=take.publish_method or conform.DEFAULT_METHOD, native_fps=take.native_fps, native_frames=take.native_frames,
        native_size=(take.native_width, take.native_height), target_fps=project.fps, cut_frames=take.shot.duration_frames,
        aspect=(project.width, project.height), hold_reason=_hold_reason(take),
    )
    scratch = Path(settings.DATA_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"conform-{take.id}-", dir=scratch) as tmp:
        out = Path(tmp) / f"{_file_stem(take)}_conformed.mp4"
        try:
            with storage.local_copy(take.media.name) as native:  # a scratch copy when the take is in a bucket
                conform.conform(native, out, the_plan)
            return _publish_conformed(take=take, attempt=attempt, conformed=out, the_plan=the_plan)
        except FileNotFoundError as exc:
            error: Exception = Conflict("The take's clip is missing from storage; re-run the take to render it again.")
            cause: Exception = exc
        except conform.ConformError as exc:
            log.exception("conforming take %s failed", take.id)
            error, cause = ConformFailed(f"{exc} Nothing was published; try the other method (retime/interpolate) or report it."), exc
        except Conflict as exc:  # stopped being publishable while it was conformed
            error, cause = exc, exc
    _fail(take_id=take.pk, attempt=attempt, error=str(getattr(error, "detail", error)))
    if raise_errors:
        raise error from cause
    return Take.objects.get(pk=take.pk)


def _fail(*, take_id, attempt: int, error: str) -> None:
    with transaction.atomic():
        take = (
            Take.objects.select_for_update(of=("self",), no_key=True)
            .select_related("project__organization", "shot").filter(pk=take_id).first()
        )
        if take is None or take.publish_attempt != attempt or take.publish_state != State.CONFORMING:
            return
        take.publish_state, take.publish_error = State.FAILED, error[:4000]
        take.save(update_fields=["publish_state", "publish_error", "updated_at"])
        audit.record(organization=take.project.organization, actor=take.publish_requested_by, actor_label="media worker",
                     action="take.publish_failed", target=take, data={"shot": take.shot.code, "attempt": attempt, "error": error[:500]})
        _publish_take(take)


def _publish_conformed(*, take: Take, attempt: int, conformed: Path, the_plan: conform.ConformPlan) -> Take | None:
    with transaction.atomic():
        rights_services.lock_job_uses(job_id=take.use_key)  # uses before the take: the order a revocation takes them in
        take = _locked(take)
        if take.publish_attempt != attempt or take.publish_state != State.CONFORMING:
            return None  # another attempt owns the publish now
        _check_publishable(take)
        actor = take.publish_requested_by
        record = the_plan.as_record()
        lineage = {**take.lineage, "take": str(take.id), "conform": record}
        inherit = take.scan_state in (Take.ScanState.CLEAR, Take.ScanState.MATCHED)
        # An imported take was not generated here: its version is an upload (no model or seed of ours to claim).
        source = Version.Source.UPLOAD if take.imported else Version.Source.GENERATION
        with open(conformed, "rb") as handle:
            version = create_version(
                shot=take.shot, source=source, created_by=actor, original=File(handle),
                original_name=conformed.name, lineage=lineage, frame_count=the_plan.target_frames,
                fps=(the_plan.target_fps.numerator, the_plan.target_fps.denominator), size=the_plan.size, scan=not inherit,
            )
        if inherit:
            version.scan_state, version.scan_talent, version.scan_result = take.scan_state, take.scan_talent, take.scan_result
            version.scanned_at = take.scanned_at
            version.save(update_fields=["scan_state", "scan_talent", "scan_result", "scanned_at", "updated_at"])
        take.version, take.published_at, take.published_by, take.publish_state = version, timezone.now(), actor, State.PUBLISHED
        take.save(update_fields=["version", "published_at", "published_by", "publish_state", "updated_at"])
        job = None
        if take.job_id:
            job = GenerationJob.objects.select_for_update(of=("self",), no_key=True).select_related("model").get(pk=take.job_id)
            job.version = version
            job.save(update_fields=["version", "updated_at"])
        if rights_services.attach_version(job_id=take.use_key, version=version_ref(version)):
            log.info("take %s: likeness uses attached to %s", take.id, version.id)
        audit.record(
            organization=take.project.organization, actor=actor, actor_label="media worker", action="take.published", target=take,
            data={"version": str(version.id), "number": version.number, "job": str(take.job_id) if take.job_id else None, "seed": take.seed,
                  "conform": record["summary"], "method": record["method"], "attempt": attempt},
        )
        _publish_take(take)
        if job is not None:
            _publish_state(job)
    return take


def publish_take(*, actor, take: Take, method: str = conform.DEFAULT_METHOD) -> Version:
    """Request and conform in this process, returning the version (scripts, the demo seed, tests).
    Errors are raised as the API would answer them (409, or 500 when ffmpeg fails) and recorded on
    the take like the media worker's."""
    take = request_publish(actor=actor, take=take, method=method, dispatch=False)
    done = run_publish(take_id=take.pk, attempt=take.publish_attempt, raise_errors=True)
    if done is None or done.version_id is None:
        raise Conflict("Another publish of this take took over; see the take for its version.")
    return done.version
