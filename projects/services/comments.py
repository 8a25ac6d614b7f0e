"""Comments and annotations: notes on frames and frame ranges of a version, threads, mentions."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from projects import access as perms
from projects.annotations import annotation_errors
from projects.models import Annotation, Comment, CommentRevision, Project, Version
from projects.services._common import _int, _is_uuid, _text
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.realtime.publish import notify_user, publish
from studio.tenancy.models import Role, User

MAX_COMMENT_LENGTH = 10_000
MAX_ANNOTATIONS_PER_COMMENT = 50


def _check_frame(version: Version, value, *, field: str) -> int:
    frame = _int(value, field=field, allow_none=False)
    if version.frame_count is None:
        raise Conflict(f"{version.label} is still being processed, so its frames are not known yet; comment once it is ready.")
    first, last = version.first_frame, version.last_frame
    if not first <= frame <= last:
        raise ValidationError({field: [f"Frame {frame} is outside {version.label}, which runs from frame {first} to {last}."]})
    return frame


def _mentioned_users(*, project: Project, user_ids, internal: bool, version: Version | None = None) -> list[User]:
    if user_ids is None:
        return []
    if not isinstance(user_ids, (list, tuple)):
        raise ValidationError({"mentions": ["Give a list of user ids."]})
    wanted = list(dict.fromkeys(str(u) for u in user_ids))
    bad = [u for u in wanted if not _is_uuid(u)]
    users = {str(u.pk): u for u in User.objects.filter(pk__in=[u for u in wanted if _is_uuid(u)], is_active=True)}
    problems = bad + [u for u in wanted if u in users and not _mentionable(users[u], project, internal, version)]
    problems += [u for u in wanted if _is_uuid(u) and u not in users]
    if problems:
        why = "people on this project's studio side" if internal else "people who can see this project"
        raise ValidationError({"mentions": [f"Only {why} can be mentioned; not: {', '.join(problems[:10])}."]})
    return [users[u] for u in wanted]


def _mentionable(user: User, project: Project, internal: bool, version: Version | None = None) -> bool:
    access = perms.access_for(user=user, project=project)
    # A client reviewer is mentioned only on a version submitted to them (what a client sees).
    seen = version is None or perms.client_may_see_version(access=access, version=version)
    return access is not None and (access.internal or not internal) and seen


def _annotation_rows(*, annotations, frame: int, frame_end: int | None) -> list[dict]:
    if annotations is None:
        return []
    if not isinstance(annotations, (list, tuple)):
        raise ValidationError({"annotations": ["Give a list of {frame, shapes} objects."]})
    if len(annotations) > MAX_ANNOTATIONS_PER_COMMENT:
        raise ValidationError({"annotations": [f"At most {MAX_ANNOTATIONS_PER_COMMENT} annotations per comment."]})
    last = frame_end if frame_end is not None else frame
    rows = []
    for index, item in enumerate(annotations):
        if not isinstance(item, dict):
            raise ValidationError({"annotations": [f"annotations[{index}] must be an object with 'shapes' (and optionally 'frame')."]})
        at = _int(item.get("frame", frame), field=f"annotations[{index}].frame", allow_none=False)
        if not frame <= at <= last:
            raise ValidationError({"annotations": [f"annotations[{index}] is on frame {at}, outside the comment's frames {frame}-{last}."]})
        errors = annotation_errors(item.get("shapes"))
        if errors:
            raise ValidationError({"annotations": [f"annotations[{index}]." + e for e in errors[:10]]})
        rows.append({"frame": at, "shapes": item["shapes"]})
    return rows


def _notify_mentioned(comment: Comment, people: Iterable[User], actor: User) -> None:
    """A personal notification for each person newly mentioned (not the author)."""
    for person in people:
        if person.pk == actor.pk:
            continue
        notify_user(
            user_id=person.pk,
            type="comment.mentioned",
            project_id=comment.project_id,
            data={
                "comment": str(comment.id),
                "version": str(comment.version_id),
                "frame": comment.frame,
                "by": actor.name,
                "body": comment.body[:300],
                "internal": comment.internal,
            },
        )


def _comment_event(comment: Comment, change: str) -> None:
    publish(
        type="comment.created" if change == "created" else "comment.updated",
        project_id=comment.project_id,
        data={
            "id": str(comment.id),
            "version": str(comment.version_id),
            "parent": str(comment.parent_id) if comment.parent_id else None,
            "frame": comment.frame,
            "frame_end": comment.frame_end,
            "internal": comment.internal,
            "resolved": comment.resolved,
            "deleted": comment.deleted_at is not None,
            "author": str(comment.author_id) if comment.author_id else None,
            "body": "" if comment.deleted_at else comment.body[:1000],
            "change": change,
            "mentions": [str(u) for u in comment.mentions.values_list("pk", flat=True)],
        },
        audience="internal" if comment.internal else "all",
    )


def create_comment(
    *,
    actor: User,
    version: Version,
    body: str = "",
    frame=None,
    frame_end=None,
    parent: Comment | None = None,
    internal: bool = False,
    mentions=None,
    annotations=None,
) -> Comment:
    """A note at a frame (or frame range) of a version, or a reply in an existing thread."""
    access = perms.require_project_role(user=actor, project=version.project, roles=perms.COMMENT, action="comment")
    perms.require_client_may_see(access=access, version=version)  # a client writes only on what was submitted to them
    body = _text(body, field="body", max_length=MAX_COMMENT_LENGTH)
    if not isinstance(internal, bool):
        raise ValidationError({"internal": ["Must be true or false."]})
    if internal and access.is_client:
        raise PermissionDenied("Client reviewers cannot write internal notes; leave 'internal' false.")
    return write_comment(actor=actor, version=version, body=body, frame=frame, frame_end=frame_end, parent=parent,
                         internal=internal, mentions=mentions, annotations=annotations, is_client=access.is_client)


def write_comment(
    *,
    actor: User,
    version: Version,
    body: str,
    frame,
    frame_end,
    parent: Comment | None,
    internal: bool,
    mentions,
    annotations,
    is_client: bool,
    agency=None,
) -> Comment:
    """Validate and store a note whose author may write it (the caller checked): frames, range,
    drawings inside the note's frames, mentions; audited and published after commit. `agency`: the
    talent agency writing it (projects/services/agency_notes.py); such notes are internal."""
    body = _text(body, field="body", max_length=MAX_COMMENT_LENGTH)
    if parent is not None:
        if parent.version_id != version.id:
            raise ValidationError({"parent": ["The comment you reply to is on another version."]})
        root = parent.parent if parent.parent_id else parent
        if root.internal and is_client:
            raise NotFound("Not found.")
        frame, frame_end, internal = root.frame, root.frame_end, root.internal or internal
        if annotations:
            raise ValidationError({"annotations": ["Replies cannot carry annotations; draw them on a new comment."]})
    else:
        root = None
        if frame is None or frame == "":
            first, last = version.first_frame, version.last_frame
            span = f" ({first}-{last})" if last is not None else ""
            raise ValidationError({"frame": [f"This field is required: the frame number this note is about{span}."]})
        frame = _check_frame(version, frame, field="frame")
        if frame_end is not None and frame_end != "":
            frame_end = _check_frame(version, frame_end, field="frame_end")
            if frame_end < frame:
                raise ValidationError({"frame_end": [f"frame_end ({frame_end}) is before frame ({frame}); a range runs forwards."]})
            if frame_end == frame:
                frame_end = None
        else:
            frame_end = None
    rows = _annotation_rows(annotations=annotations, frame=frame, frame_end=frame_end)
    if not body and not rows:
        raise ValidationError({"body": ["Write a note or draw an annotation."]})
    people = _mentioned_users(project=version.project, user_ids=mentions, internal=internal, version=version)
    with transaction.atomic():
        comment = Comment.objects.create(
            project_id=version.project_id,
            version=version,
            parent=root,
            author=actor,
            body=body,
            frame=frame,
            frame_end=frame_end,
            internal=internal,
            agency=agency,
        )
        if people:
            comment.mentions.set(people)
        Annotation.objects.bulk_create([Annotation(project_id=version.project_id, comment=comment, **row) for row in rows])
        audit.record(
            organization=version.project.organization,
            actor=actor,
            action="comment.created",
            target=comment,
            data={
                "version": str(version.id),
                "frame": frame,
                "frame_end": frame_end,
                "internal": internal,
                "reply_to": str(root.id) if root else None,
                "annotations": len(rows),
                **({"agency": str(agency.pk)} if agency is not None else {}),
            },
        )
        _comment_event(comment, "created")
        _notify_mentioned(comment, people, actor)
    return comment


def edit_comment(*, actor: User, comment: Comment, **changes) -> Comment:
    """Edit the body or mentions (the author only; the previous body is kept), or resolve/reopen."""
    access = perms.require_project_role(user=actor, project=comment.project, roles=perms.COMMENT, action="comment")
    unknown = set(changes) - {"body", "resolved", "mentions"}
    if unknown:
        raise ValidationError({name: ["Unknown or read-only field."] for name in sorted(unknown)})
    is_author = comment.author_id == actor.pk
    if ("body" in changes or "mentions" in changes) and not is_author:
        raise PermissionDenied("Only the author may edit a comment's text or mentions.")
    if "resolved" in changes:
        if not isinstance(changes["resolved"], bool):
            raise ValidationError({"resolved": ["Must be true or false."]})
        if not (is_author or access.has(perms.MODERATE_COMMENTS) or (access.internal and access.role == Role.ARTIST)):
            raise PermissionDenied("Only the author or the studio team may resolve or reopen this comment.")
    with transaction.atomic():
        comment = (
            Comment.objects.select_for_update(of=("self",), no_key=True)
            .select_related("version", "project__organization").get(pk=comment.pk)
        )
        if comment.deleted_at is not None:
            raise Conflict("This comment was deleted; it cannot be edited.")
        diff: dict = {}
        if "body" in changes:
            body = _text(changes["body"], field="body", max_length=MAX_COMMENT_LENGTH)
            if not body and not comment.annotations.exists():
                raise ValidationError({"body": ["A comment without annotations needs text; delete it instead."]})
            if body != comment.body:
                CommentRevision.objects.create(comment=comment, body=comment.body, edited_by=actor)
                diff["body"] = [comment.body, body]
                comment.body = body
                comment.edited_at = timezone.now()
        if "mentions" in changes:
            people = _mentioned_users(project=comment.project, user_ids=changes["mentions"], internal=comment.internal,
                                     version=comment.version)
            before = sorted(str(u) for u in comment.mentions.values_list("pk", flat=True))
            after = sorted(str(u.pk) for u in people)
            if before != after:
                comment.mentions.set(people)
                diff["mentions"] = [before, after]
                new_people = [p for p in people if str(p.pk) not in before]
        if "resolved" in changes and changes["resolved"] != comment.resolved:
            comment.resolved = changes["resolved"]
            comment.resolved_by = actor if comment.resolved else None
            comment.resolved_at = timezone.now() if comment.resolved else None
            diff["resolved"] = [not comment.resolved, comment.resolved]
        if diff:
            comment.save()
            audit.record(
                organization=comment.project.organization, actor=actor, action="comment.updated", target=comment, data={"changes": diff}
            )
            _comment_event(comment, "resolved" if set(diff) == {"resolved"} else "edited")
            if "mentions" in diff:
                _notify_mentioned(comment, new_people, actor)
    return comment


def delete_comment(*, actor: User, comment: Comment) -> Comment:
    """Delete a comment's content (the author, or supervisors and up). The thread stays; its text is
    gone for everyone, earlier revisions included (the audit chain records who deleted it)."""
    access = perms.require_project_role(user=actor, project=comment.project, roles=perms.COMMENT, action="comment")
    if comment.author_id != actor.pk and not access.has(perms.MODERATE_COMMENTS):
        raise PermissionDenied("Only the author, supervisors, producers, admins and owners may delete a comment.")
    with transaction.atomic():
        comment = Comment.objects.select_for_update(of=("self",), no_key=True).select_related("project__organization").get(pk=comment.pk)
        if comment.deleted_at is None:
            CommentRevision.objects.filter(comment=comment).delete()
            comment.deleted_at = timezone.now()
            comment.body = ""
            comment.save(update_fields=["deleted_at", "body", "updated_at"])
            comment.annotations.all().delete()
            audit.record(organization=comment.project.organization, actor=actor, action="comment.deleted", target=comment)
            _comment_event(comment, "deleted")
    return comment
