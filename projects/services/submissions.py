"""Submissions to the client: the studio shows chosen versions (or a playlist) to its client reviewers.

Studio work stays internal until it is submitted here (projects/submission_models.py). One call
checks the caller (`projects.access.SUBMIT_TO_CLIENT`), refuses what may not reach a client (held,
quarantined or still-processing versions: `access.submission_refusal`), writes one row per version,
audits, and publishes `submission.changed` after commit, which also moves the project's change
counter (so every client's ETag validator changes). Withdrawing hides the version from clients again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from projects import access as perms
from projects.models import Playlist, Project, Submission, Version
from projects.services._common import _is_uuid, _text
from studio.audit import services as audit
from studio.realtime.publish import publish
from studio.tenancy.models import User

MAX_SUBMITTED_VERSIONS = 500
MAX_NOTE_LENGTH = 5_000


@dataclass
class SubmitResult:
    """What one submission call did: the new rows, and the versions that were already submitted."""

    submitted: list[Submission] = field(default_factory=list)
    already_submitted: list[Submission] = field(default_factory=list)
    playlist: Playlist | None = None


def _versions(project: Project, version_ids) -> list[Version]:
    if not isinstance(version_ids, (list, tuple)) or not version_ids:
        raise ValidationError({"versions": ["Give a non-empty list of version ids to submit (or a playlist id as `playlist`)."]})
    ids = [str(v) for v in version_ids]
    if len(ids) > MAX_SUBMITTED_VERSIONS:
        raise ValidationError({"versions": [f"Submit at most {MAX_SUBMITTED_VERSIONS} versions at once (got {len(ids)})."]})
    found = {str(v.pk): v for v in Version.objects.filter(project=project, pk__in=[i for i in ids if _is_uuid(i)]).select_related("shot")}
    missing = [i for i in dict.fromkeys(ids) if i not in found]
    if missing:
        raise ValidationError({"versions": [f"Not versions of this project: {', '.join(missing[:10])}."]})
    return [found[i] for i in dict.fromkeys(ids)]


def _playlist_versions(project: Project, playlist: Playlist) -> list[Version]:
    if playlist.project_id != project.pk:
        raise ValidationError({"playlist": ["Not a playlist of this project."]})
    versions = [item.version for item in playlist.items.select_related("version__shot").order_by("order")]
    if not versions:
        raise ValidationError({"playlist": [f"The playlist '{playlist.name}' is empty; add versions to it before submitting it."]})
    return versions


def _refuse_withheld(versions: list[Version], *, field_name: str) -> None:
    refusals = [f"{v.shot.code} {reason}" for v in versions if (reason := perms.submission_refusal(v))]
    if refusals:
        raise ValidationError({field_name: refusals[:20]})


def submit_to_client(*, actor: User, project: Project, versions=None, playlist: Playlist | None = None, note: str = "") -> SubmitResult:
    """Submit `versions` (ids) or every version of `playlist` to the project's client reviewers.

    A playlist's submission also shares the playlist with clients (`audience` client). Versions
    already submitted stay as they are (listed in `already_submitted`). Nothing is written when any
    version may not be submitted (the 400 names each one and why).
    """
    access = perms.require_project_role(user=actor, project=project, roles=perms.SUBMIT_TO_CLIENT, action="submit work to the client")
    if not access.internal:  # a client reviewer never reaches SUBMIT_TO_CLIENT; kept as the rule's statement
        raise ValidationError({"detail": ["Only the studio submits work to its client."]})
    if (versions is None) == (playlist is None):
        raise ValidationError({"detail": ["Give either `versions` (a list of version ids) or `playlist` (a playlist id), not both."]})
    note = _text(note, field="note", max_length=MAX_NOTE_LENGTH)
    field_name = "versions" if playlist is None else "playlist"
    chosen = _versions(project, versions) if playlist is None else _playlist_versions(project, playlist)
    _refuse_withheld(chosen, field_name=field_name)
    now = timezone.now()
    result = SubmitResult(playlist=playlist)
    with transaction.atomic():
        active = {s.version_id: s for s in Submission.objects.select_for_update(no_key=True)
            .filter(version__in=chosen, withdrawn_at__isnull=True)}
        result.already_submitted = [active[v.pk] for v in chosen if v.pk in active]
        rows = [Submission(project=project, version=v, playlist=playlist, note=note, submitted_by=actor, submitted_at=now)
                for v in chosen if v.pk not in active]
        try:
            with transaction.atomic():
                result.submitted = Submission.objects.bulk_create(rows)
        except IntegrityError:
            raise ValidationError({field_name: ["Someone submitted some of these versions at the same moment; reload and try again."]})
        if playlist is not None and playlist.audience != Playlist.Audience.CLIENT:
            Playlist.objects.filter(pk=playlist.pk).update(audience=Playlist.Audience.CLIENT, updated_at=now)
            playlist.audience = Playlist.Audience.CLIENT
            publish(type="playlist.updated", project_id=project.pk,
                    data={"id": str(playlist.pk), "name": playlist.name, "change": "updated"})
        if result.submitted:
            _record(actor=actor, project=project, change="submitted", rows=result.submitted, playlist=playlist, note=note)
    return result


def withdraw_submission(*, actor: User, submission: Submission) -> Submission:
    """Withdraw one version's submission: client reviewers no longer see the version."""
    project = submission.project
    perms.require_project_role(user=actor, project=project, roles=perms.SUBMIT_TO_CLIENT, action="withdraw work from the client")
    with transaction.atomic():
        submission = Submission.objects.select_for_update(of=("self",), no_key=True).select_related("version__shot").get(pk=submission.pk)
        if submission.withdrawn_at is not None:
            raise ValidationError({"detail": [f"{submission.version.label} was already withdrawn from the client "
                                              f"on {submission.withdrawn_at:%Y-%m-%d %H:%M} UTC."]})
        submission.withdrawn_at = timezone.now()
        submission.withdrawn_by = actor
        submission.save(update_fields=["withdrawn_at", "withdrawn_by"])
        _record(actor=actor, project=project, change="withdrawn", rows=[submission], playlist=None, note="")
    return submission


def _record(*, actor: User, project: Project, change: str, rows: list[Submission], playlist: Playlist | None, note: str) -> None:
    """Audit and publish one submission change (in the caller's transaction; sent after commit)."""
    versions = [r.version for r in rows]
    audit.record(
        organization=project.organization, actor=actor, action=f"submission.{change}", target=project,
        data={"versions": [f"{v.shot.code} {v.label}" for v in versions], "version_ids": [str(v.pk) for v in versions],
              "playlist": str(playlist.pk) if playlist else None, "note": note[:500]},
    )
    publish(
        type="submission.changed", project_id=project.pk,
        data={
            "change": change, "submissions": [str(r.pk) for r in rows], "versions": [str(v.pk) for v in versions],
            "shots": sorted({str(v.shot_id) for v in versions}), "playlist": str(playlist.pk) if playlist else None,
        },
    )
