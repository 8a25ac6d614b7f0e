"""Storyboards: a sequence's ordered row of panels; add, edit, duplicate, reorder, delete, comment.

Every write locks the board's row (so positions never collide), audits and publishes
`storyboard.updated` to the studio's people (internal audience) after commit. Who may: read
`access.SEE_BOARDS` (client reviewers get 404), edit `access.EDIT_BOARDS`.
"""

from __future__ import annotations

from collections.abc import Sequence as SequenceOf

from django.db import transaction
from rest_framework.exceptions import ValidationError

from projects import access as perms
from projects.models import Panel, PanelComment, Sequence, Storyboard
from projects.models_storyboard import MAX_PANEL_FRAMES, MAX_PANELS
from projects.services._common import _int, _is_uuid, _text
from studio.audit import services as audit
from studio.realtime.publish import publish
from studio.tenancy.models import User

PANEL_FIELDS = {"prompt", "duration_frames", "camera_notes", "action_notes"}
MAX_PROMPT_CHARS = 4_000
MAX_NOTES_CHARS = 4_000
MAX_COMMENT_CHARS = 10_000
DEFAULT_PANEL_FRAMES = 24


def publish_board(board: Storyboard, change: str, **extra) -> None:
    publish(
        type="storyboard.updated",
        project_id=board.project_id,
        data={"sequence": str(board.sequence_id), "storyboard": str(board.id), "change": change, **extra},
        audience=perms.STUDIO_INTERNAL_AUDIENCE,
    )


def _audit(board: Storyboard, *, actor: User, action: str, target, data: dict) -> None:
    audit.record(organization=board.project.organization, actor=actor, action=action, target=target,
                 data={"sequence": str(board.sequence_id), **data})


def locked_board(sequence: Sequence) -> Storyboard:
    """The sequence's storyboard, made on first use, locked for this transaction.

    FOR NO KEY UPDATE, not FOR UPDATE: board writers still queue behind each other, but a transaction
    that only references the board (a deferred foreign-key check at its COMMIT, e.g. a worker's) is not
    blocked — with FOR UPDATE, such a commit holding the audit chain's lock and a board writer waiting
    for that lock deadlocked (seen as a 503 on "use this still")."""
    board, _ = Storyboard.objects.get_or_create(sequence=sequence, defaults={"project_id": sequence.project_id})
    return (Storyboard.objects.select_for_update(of=("self",), no_key=True)
            .select_related("project__organization", "sequence").get(pk=board.pk))


def _panel_values(changes: dict, *, creating: bool) -> dict:
    unknown = set(changes) - PANEL_FIELDS
    if unknown:
        raise ValidationError({name: [f"Unknown field; a panel has: {', '.join(sorted(PANEL_FIELDS))}."] for name in sorted(unknown)})
    values: dict = {}
    if "prompt" in changes:
        values["prompt"] = _text(changes["prompt"], field="prompt", max_length=MAX_PROMPT_CHARS)
    for name in ("camera_notes", "action_notes"):
        if name in changes:
            values[name] = _text(changes[name], field=name, max_length=MAX_NOTES_CHARS)
    if "duration_frames" in changes or creating:
        frames = changes.get("duration_frames", DEFAULT_PANEL_FRAMES)
        values["duration_frames"] = _int(frames, field="duration_frames", minimum=1, maximum=MAX_PANEL_FRAMES, allow_none=False)
    return values


def _renumber(board: Storyboard, panels: list[Panel]) -> None:
    """Give `panels` the positions 0, 1, 2 … of the list (only the rows whose position moves are written)."""
    moved = []
    for position, panel in enumerate(panels):
        if panel.order != position:
            panel.order = position
            moved.append(panel)
    if moved:
        Panel.objects.bulk_update(moved, ["order"])


def create_panel(*, actor: User, sequence: Sequence, position=None, **fields) -> Panel:
    """A new panel at the end of the board, or at `position` (0 = first)."""
    perms.require_board_access(user=actor, project=sequence.project, edit=True)
    values = _panel_values(fields, creating=True)
    with transaction.atomic():
        board = locked_board(sequence)
        panels = list(board.panels.all())
        if len(panels) >= MAX_PANELS:
            raise ValidationError({"panels": [f"A storyboard holds at most {MAX_PANELS} panels; split the sequence."]})
        at = _int(position, field="position", minimum=0, maximum=len(panels))
        at = len(panels) if at is None else at
        panel = Panel.objects.create(project_id=board.project_id, storyboard=board, order=at, created_by=actor, updated_by=actor, **values)
        panels.insert(at, panel)
        _renumber(board, panels)
        _audit(board, actor=actor, action="panel.created", target=panel, data={"number": at + 1, "frames": panel.duration_frames})
        publish_board(board, "panel_created", panel=str(panel.id))
    return panel


def update_panel(*, actor: User, panel: Panel, **changes) -> Panel:
    perms.require_board_access(user=actor, project=panel.project, edit=True)
    values = _panel_values(changes, creating=False)
    with transaction.atomic():
        board = locked_board(panel.storyboard.sequence)
        panel = Panel.objects.get(pk=panel.pk)
        diff = {k: [getattr(panel, k), v] for k, v in values.items() if getattr(panel, k) != v}
        if diff:
            for key, value in values.items():
                setattr(panel, key, value)
            panel.updated_by = actor
            panel.save()
            shown = {k: v if k == "duration_frames" else [len(v[0]), len(v[1])] for k, v in diff.items()}
            _audit(board, actor=actor, action="panel.updated", target=panel, data={"changes": shown})
            publish_board(board, "panel_updated", panel=str(panel.id))
    return panel


def duplicate_panel(*, actor: User, panel: Panel) -> Panel:
    """A copy of the panel (prompt, duration, notes and still) right after it; not linked to a shot."""
    perms.require_board_access(user=actor, project=panel.project, edit=True)
    with transaction.atomic():
        board = locked_board(panel.storyboard.sequence)
        panels = list(board.panels.all())
        if len(panels) >= MAX_PANELS:
            raise ValidationError({"panels": [f"A storyboard holds at most {MAX_PANELS} panels; split the sequence."]})
        source = next(p for p in panels if p.pk == panel.pk)
        copy = Panel.objects.create(
            project_id=board.project_id, storyboard=board, order=source.order + 1, prompt=source.prompt,
            duration_frames=source.duration_frames, camera_notes=source.camera_notes, action_notes=source.action_notes,
            still_source=source.still_source, still_take_id=source.still_take_id, still_content_type=source.still_content_type,
            still_width=source.still_width, still_height=source.still_height, still_sha256=source.still_sha256,
            created_by=actor, updated_by=actor,
        )
        if source.still:
            # The copy gets its own file, so deleting or replacing one panel's still never touches the other's.
            with source.still.open("rb") as fh:
                copy.still.save(source.still.name.rsplit("/", 1)[-1], fh, save=True)
        panels.insert(panels.index(source) + 1, copy)
        _renumber(board, panels)
        _audit(board, actor=actor, action="panel.duplicated", target=copy, data={"from": str(source.pk)})
        publish_board(board, "panel_duplicated", panel=str(copy.id))
    return copy


def reorder_panels(*, actor: User, sequence: Sequence, panel_ids: SequenceOf) -> list[Panel]:
    """The board's panels in the order given: the list must hold each panel of the board exactly once."""
    perms.require_board_access(user=actor, project=sequence.project, edit=True)
    if not isinstance(panel_ids, (list, tuple)):
        raise ValidationError({"panels": ["Give the board's panel ids, every one, in their new order."]})
    ids = [str(p) for p in panel_ids]
    bad = [i for i in ids if not _is_uuid(i)]
    if bad:
        raise ValidationError({"panels": [f"Not panel ids: {', '.join(b[:40] for b in bad[:5])}."]})
    ids = [str(p).lower() for p in ids]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValidationError({"panels": [f"Each panel may appear once; repeated: {', '.join(repeated[:5])}."]})
    with transaction.atomic():
        board = locked_board(sequence)
        panels = {str(p.pk): p for p in board.panels.all()}
        missing = [i for i in panels if i not in ids]
        unknown = [i for i in ids if i not in panels]
        if missing or unknown:
            problems = []
            if unknown:
                problems.append(f"not panels of this board: {', '.join(unknown[:5])}")
            if missing:
                problems.append(f"missing from the list: {', '.join(missing[:5])}")
            raise ValidationError({"panels": [
                f"The list must hold every panel of this board exactly once ({len(panels)} panels); {'; '.join(problems)}. "
                "Read the board again and send its full order."
            ]})
        ordered = [panels[i] for i in ids]
        if [p.order for p in ordered] != list(range(len(ordered))):
            _renumber(board, ordered)
            _audit(board, actor=actor, action="storyboard.reordered", target=board, data={"panels": len(ordered)})
            publish_board(board, "reordered", panels=ids)
    return ordered


def delete_panel(*, actor: User, panel: Panel) -> None:
    perms.require_board_access(user=actor, project=panel.project, edit=True)
    with transaction.atomic():
        board = locked_board(panel.storyboard.sequence)
        panel = Panel.objects.get(pk=panel.pk)
        stored = panel.still.name if panel.still else ""
        _audit(board, actor=actor, action="panel.deleted", target=panel,
               data={"number": panel.order + 1, "shot": str(panel.shot_id) if panel.shot_id else None})
        publish_board(board, "panel_deleted", panel=str(panel.id))
        panel.delete()
        _renumber(board, list(board.panels.all()))
        if stored:
            storage = Panel._meta.get_field("still").storage
            transaction.on_commit(lambda: storage.delete(stored))


def comment_on_panel(*, actor: User, panel: Panel, body) -> PanelComment:
    perms.require_board_access(user=actor, project=panel.project)
    body = _text(body, field="body", max_length=MAX_COMMENT_CHARS, required=True)
    with transaction.atomic():
        board = Storyboard.objects.select_related("project__organization").get(pk=panel.storyboard_id)
        comment = PanelComment.objects.create(panel=panel, author=actor, body=body)
        _audit(board, actor=actor, action="panel.commented", target=comment, data={"panel": str(panel.pk)})
        publish_board(board, "comment_created", panel=str(panel.pk))
    return comment
