"""What the other apps publish, turned into notifications and webhook deliveries.

Registered with the realtime core (`studio.realtime.listeners`) by `NotificationsConfig.ready`;
each handler runs in the transaction that published the event, so a notification exists exactly
when the change that caused it does. Nothing below imports this app: it only listens.

| event (publisher) | notification | recipient |
|---|---|---|
| `comment.mentioned` (projects, /ws/me/) | mention | the mentioned person |
| `comment.created` with a parent (projects) | reply | the author of the thread's note |
| `approval.decided`, producer and client lanes (projects) | version_decision | the version's author |
| `consent.changed`, a use approved/rejected (rights) | likeness_decision | whoever started the render |
| `consent_request.changed`, granted/refused (rights) | consent_request_answered | whoever sent the request |
| `job.state_changed` to succeeded/failed (generation) | render_finished / render_failed | whoever started the render |
| `submission.changed`, submitted (projects) | submission | each client reviewer of the project |

A recipient is told only what they may see: `projects.access.access_for` must give them the
project, an internal note reaches only the studio's own people, never a client reviewer, and a client
reviewer hears of a version only while it is submitted to them (docs/RIGHTS.md, "What a client sees").
No notification carries a prompt, a seed or the cast.
"""

from __future__ import annotations

from generation.models import GenerationJob
from notifications import services
from notifications.kinds import Kind
from projects.access import access_for, client_may_see_version, client_reviewers
from projects.models import Comment, Submission, Version
from rights.models import ConsentRequest, LikenessUse
from studio.realtime.listeners import Published
from studio.tenancy.models import User


def _sees(user: User | None, project, *, internal: bool = False, version: Version | None = None) -> bool:
    if user is None or not user.is_active:
        return False
    access = access_for(user=user, project=project)
    seen = version is None or client_may_see_version(access=access, version=version)
    return access is not None and (access.internal or not internal) and seen


def _version_label(version: Version) -> str:
    return f"{version.shot.code} {version.label}"


def _version_target(version: Version, **extra) -> dict:
    return {"project": str(version.project_id), "version": str(version.pk), "shot": str(version.shot_id),
            "label": _version_label(version), **extra}


def _comment(comment_id) -> Comment | None:
    return Comment.objects.select_related("project", "version__shot", "author", "parent__author").filter(pk=comment_id).first()


def on_mention(event: Published) -> None:
    comment = _comment(event.data.get("comment"))
    recipient = User.objects.filter(pk=event.user_id).first()
    if comment is None or not _sees(recipient, comment.project, internal=comment.internal, version=comment.version):
        return
    by = comment.author.name if comment.author else "Someone"
    services.notify(
        recipient=recipient, kind=Kind.MENTION, dedupe_key=f"mention:{comment.pk}", actor=comment.author,
        title=f"{by} mentioned you on {_version_label(comment.version)}", body=comment.body[:300], project_id=comment.project_id,
        target=_version_target(comment.version, frame=comment.frame, comment=str(comment.pk)),
    )


def on_comment_created(event: Published) -> None:
    if not event.data.get("parent") or event.data.get("change") != "created":
        return
    comment = _comment(event.data["id"])
    if comment is None or comment.parent is None:
        return
    recipient = comment.parent.author
    if recipient is None or recipient.pk == comment.author_id or str(recipient.pk) in set(event.data.get("mentions") or []):
        return  # their own reply, or they were mentioned in it (told once, as a mention)
    if not _sees(recipient, comment.project, internal=comment.internal, version=comment.version):
        return
    by = comment.author.name if comment.author else "Someone"
    services.notify(
        recipient=recipient, kind=Kind.REPLY, dedupe_key=f"reply:{comment.pk}", actor=comment.author,
        title=f"{by} replied to your note on {_version_label(comment.version)}", body=comment.body[:300], project_id=comment.project_id,
        target=_version_target(comment.version, frame=comment.frame, comment=str(comment.parent_id)),
    )


_DECISION_WORDS = {"approved": "approved", "changes_requested": "asked for changes on"}


def on_approval_decided(event: Published) -> None:
    if event.data.get("lane") == "agency":
        return  # the agency's decision reaches the render's author as a likeness_decision (consent.changed)
    version = Version.objects.select_related("shot", "project", "created_by").filter(pk=event.data.get("version")).first()
    if version is None:
        return
    recipient = version.created_by
    if recipient is None or str(recipient.pk) == event.data.get("reviewer") or not _sees(recipient, version.project, internal=True):
        return
    reviewer = User.objects.filter(pk=event.data.get("reviewer")).first()
    lane, decision = event.data.get("lane", ""), event.data.get("decision", "")
    who = reviewer.name if reviewer else "A reviewer"
    services.notify(
        recipient=recipient, kind=Kind.VERSION_DECISION, dedupe_key=f"event:{event.project_id}:{event.event_id}", actor=reviewer,
        title=f"{who} {_DECISION_WORDS.get(decision, decision)} {_version_label(version)} ({lane} lane)",
        body=event.data.get("note", "")[:500], project_id=version.project_id, target=_version_target(version),
    )


def on_consent_changed(event: Published) -> None:
    data = event.data
    if data.get("kind") != "likeness_use" or data.get("change") not in (LikenessUse.State.APPROVED, LikenessUse.State.REJECTED):
        return
    use = (
        LikenessUse.objects.select_related("talent__organization", "project", "shot", "decided_by", "version__shot", "version__created_by")
        .filter(pk=data.get("use")).first()
    )
    if use is None:
        return
    job = GenerationJob.objects.select_related("created_by").filter(pk=use.job_id).first()
    # Whoever started the render; the version's author when the job row is gone.
    recipient = job.created_by if job is not None else (use.version.created_by if use.version_id else None)
    if recipient is None or not _sees(recipient, use.project, internal=True):
        return
    verb = "approved" if use.state == LikenessUse.State.APPROVED else "rejected"
    shot_code = use.shot.code if use.shot_id else "a shot"
    where = _version_label(use.version) if use.version_id else f"your render on {shot_code}"
    target = _version_target(use.version, job=str(use.job_id)) if use.version_id else {
        "project": str(use.project_id), "shot": str(use.shot_id) if use.shot_id else None, "job": str(use.job_id)}
    target = {key: value for key, value in target.items() if value is not None}
    services.notify(
        recipient=recipient, kind=Kind.LIKENESS_DECISION, dedupe_key=f"use:{use.pk}:{use.state}:{event.event_id}", actor=use.decided_by,
        title=f"{use.talent.organization.name} {verb} the use of {use.talent.name} in {where}", body=use.decision_note[:500],
        project_id=use.project_id, target=target,
    )


def on_consent_request_changed(event: Published) -> None:
    """The agency answered a consent request: tell whoever sent it (while they still see the project)."""
    data = event.data
    if data.get("change") not in (ConsentRequest.State.GRANTED, ConsentRequest.State.REFUSED):
        return
    request = ConsentRequest.objects.select_related("talent", "agency", "project", "requested_by", "answered_by").filter(
        pk=data.get("request")).first()
    if request is None or not _sees(request.requested_by, request.project, internal=True):
        return
    verb = "granted" if request.state == ConsentRequest.State.GRANTED else "refused"
    title = f"{request.agency.name} {verb} your consent request for {request.talent.name} on {request.project.code}"
    target = {"project": str(request.project_id), "consent_request": str(request.pk)}
    if request.grant_id:
        target["grant"] = str(request.grant_id)
    services.notify(
        recipient=request.requested_by, kind=Kind.CONSENT_REQUEST_ANSWERED, dedupe_key=f"consent_request:{request.pk}:{request.state}",
        actor=request.answered_by, title=title,
        body=request.answer_reason[:500], project_id=request.project_id, target=target,
    )


def on_job_state_changed(event: Published) -> None:
    state = event.data.get("state")
    if state not in (GenerationJob.State.SUCCEEDED, GenerationJob.State.FAILED):
        return
    job = (GenerationJob.objects.select_related("created_by", "shot", "panel__storyboard__sequence", "project", "version__shot")
           .filter(pk=event.data.get("id")).first())
    if job is None or not _sees(job.created_by, job.project, internal=True):
        return
    if job.shot_id:
        where, place = job.shot.code, {"shot": str(job.shot_id)}
    else:  # a still for a storyboard panel (generation.services.stills)
        sequence = job.panel.storyboard.sequence
        where = f"panel {job.panel.order + 1} of {sequence.code}"
        place = {"sequence": str(sequence.pk), "panel": str(job.panel_id)}
    if state == GenerationJob.State.SUCCEEDED:
        kind, body = Kind.RENDER_FINISHED, ""
        title = f"Your render on {where} finished" + (f": {job.version.label}" if job.version_id else "")
        target = _version_target(job.version, job=str(job.pk)) if job.version_id else {
            "project": str(job.project_id), **place, "job": str(job.pk)}
    else:
        kind, body = Kind.RENDER_FAILED, job.error[:500]
        title = f"Your render on {where} failed"
        target = {"project": str(job.project_id), **place, "job": str(job.pk)}
    services.notify(
        recipient=job.created_by, kind=kind, dedupe_key=f"job:{job.pk}:{state}", title=title, body=body,
        project_id=job.project_id, target=target,
    )


def on_submission_changed(event: Published) -> None:
    """Versions were submitted to the client: tell each client reviewer of the project."""
    if event.data.get("change") != "submitted":
        return
    submissions = list(Submission.objects.select_related("version__shot", "project", "submitted_by", "playlist")
                       .filter(pk__in=event.data.get("submissions") or []).order_by("version__shot__code"))
    if not submissions:
        return
    first, project = submissions[0], submissions[0].project
    labels = [_version_label(s.version) for s in submissions]
    what = f"playlist {first.playlist.name}" if first.playlist_id else (labels[0] if len(labels) == 1 else f"{len(labels)} versions")
    by = first.submitted_by.name if first.submitted_by else "The studio"
    target = _version_target(first.version) if len(submissions) == 1 else {"project": str(project.pk)}
    for recipient in client_reviewers(project=project):
        services.notify(
            recipient=recipient, kind=Kind.SUBMISSION, dedupe_key=f"submission:{event.project_id}:{event.event_id}",
            actor=first.submitted_by,
            title=f"{by} submitted {what} to you on {project.code}", body=(first.note or ", ".join(labels))[:500],
            project_id=project.pk, target=target,
        )


HANDLERS = {
    "comment.mentioned": on_mention,
    "comment.created": on_comment_created,
    "approval.decided": on_approval_decided,
    "consent.changed": on_consent_changed,
    "consent_request.changed": on_consent_request_changed,
    "job.state_changed": on_job_state_changed,
    "submission.changed": on_submission_changed,
}
INBOX_TYPES = frozenset(HANDLERS)


def on_published(event: Published) -> None:
    """The inbox listener (types: INBOX_TYPES)."""
    HANDLERS[event.type](event)


def on_project_event(event: Published) -> None:
    """The webhook listener: every durable project event, for the endpoints that chose its type."""
    if event.channel != "project" or not event.project_id:
        return
    services.enqueue_for_event(
        event_type=event.type, project_id=event.project_id, data=event.data, job_id=event.job_id, event_id=event.event_id, at=event.at,
    )
