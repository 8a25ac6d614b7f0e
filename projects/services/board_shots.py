"""Panels become shots: "Make shots" plans, then applies, the shots of a sequence from its storyboard.

The plan walks the panels in order. Cut ranges are contiguous from the project's start frame
(1001): panel 1 covers 1001..1001+d1-1, panel 2 starts where panel 1 ends, and so on.
- a panel with no shot gets a new shot of the sequence, coded in the project's pattern
  (`{sequence code}_{NNNN}`, numbers in steps of 10 after the highest one in use: MR_010_0010,
  MR_010_0020 …), its planned range, the panel's prompt as prompt notes and its action and camera
  notes as description;
- a panel linked to a shot keeps that shot and its first frame; only its cut length follows the
  panel's duration (frame_out = frame_in + duration - 1), listed as a change when it differs.
The preview answers the plan and a token (a hash of the plan and of everything it was made from);
applying recomputes the plan under the board's lock and refuses a token that no longer matches
(409: preview again). Applying links each panel to its shot, so running it again creates nothing.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.db import transaction
from rest_framework.exceptions import ValidationError

from projects import access as perms
from projects.models import Sequence, Shot, Storyboard
from projects.services.shots import create_shot, update_shot
from projects.services.storyboards import _audit, locked_board, publish_board
from studio.exceptions import Conflict
from studio.tenancy.models import User

CODE_STEP = 10


def _next_numbers(sequence: Sequence, count: int) -> list[int]:
    prefix = f"{sequence.code}_"
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    used = [int(m.group(1)) for code in Shot.objects.filter(project_id=sequence.project_id, code__startswith=prefix)
            .values_list("code", flat=True) if (m := pattern.match(code))]
    top = max(used, default=0)
    first = (top // CODE_STEP + 1) * CODE_STEP
    return [first + i * CODE_STEP for i in range(count)]


def _description(panel) -> str:
    parts = [panel.action_notes.strip(), f"Camera: {panel.camera_notes.strip()}" if panel.camera_notes.strip() else ""]
    return "\n".join(p for p in parts if p)


def plan_shots(board: Storyboard) -> dict:
    """The changes "Make shots" would make now, and the token that stands for them."""
    sequence = board.sequence
    project = board.project
    panels = list(board.panels.select_related("shot"))
    new_numbers = iter(_next_numbers(sequence, sum(1 for p in panels if p.shot is None)))
    rows, start = [], project.start_frame
    for number, panel in enumerate(panels, start=1):
        frames = panel.duration_frames
        row = {"panel": str(panel.id), "number": number, "frames": frames}
        if panel.shot is None:
            code = f"{sequence.code}_{next(new_numbers):04d}"
            row.update(action="create", shot=None, code=code, frame_in=start, frame_out=start + frames - 1,
                       before=None)
        else:
            shot = panel.shot
            frame_in = shot.frame_in if shot.frame_in is not None else start
            before = {"frame_in": shot.frame_in, "frame_out": shot.frame_out}
            unchanged = shot.frame_in == frame_in and shot.frame_out == frame_in + frames - 1
            row.update(action="keep" if unchanged else "update", shot=str(shot.id), code=shot.code, frame_in=frame_in,
                       frame_out=frame_in + frames - 1, before=before)
        rows.append(row)
        start += frames
    token = hashlib.sha256(json.dumps({"board": str(board.id), "rows": rows}, sort_keys=True).encode()).hexdigest()
    return {
        "token": token, "sequence": str(sequence.id), "start_frame": project.start_frame, "panels": rows,
        "create": sum(1 for r in rows if r["action"] == "create"), "update": sum(1 for r in rows if r["action"] == "update"),
    }


def preview_shots(*, actor: User, sequence: Sequence) -> dict:
    perms.require_board_access(user=actor, project=sequence.project)
    board = Storyboard.objects.filter(sequence=sequence).select_related("project", "sequence").first()
    if board is None or not board.panels.exists():
        raise ValidationError({"panels": ["The storyboard has no panels; add panels before making shots."]})
    return plan_shots(board)


def make_shots(*, actor: User, sequence: Sequence, token) -> dict:
    """Apply the plan the preview showed (`token`); 409 when the board or its shots changed since."""
    perms.require_board_access(user=actor, project=sequence.project)
    perms.require_project_role(user=actor, project=sequence.project, roles=perms.EDIT_SHOTS, action="make shots from a storyboard")
    if not isinstance(token, str) or not re.fullmatch(r"[0-9a-f]{64}", token):
        raise ValidationError({"token": ["Send the token of the preview you confirmed (GET the shots preview first)."]})
    with transaction.atomic():
        board = locked_board(sequence)
        plan = plan_shots(board)
        if not plan["panels"]:
            raise ValidationError({"panels": ["The storyboard has no panels; add panels before making shots."]})
        if plan["token"] != token:
            raise Conflict("The storyboard or its shots changed since this preview; preview the changes again and confirm them.")
        panels = {str(p.pk): p for p in board.panels.all()}
        created = updated = 0
        for row in plan["panels"]:
            panel = panels[row["panel"]]
            if row["action"] == "create":
                shot = create_shot(actor=actor, project=board.project, code=row["code"], sequence=sequence,
                                   frame_in=row["frame_in"], frame_out=row["frame_out"], prompt_notes=panel.prompt,
                                   description=_description(panel))
                panel.shot = shot
                panel.save(update_fields=["shot", "updated_at"])
                created += 1
            elif row["action"] == "update":
                update_shot(actor=actor, shot=panel.shot, frame_in=row["frame_in"], frame_out=row["frame_out"])
                updated += 1
        if created or updated:
            _audit(board, actor=actor, action="storyboard.shots_made", target=board, data={"created": created, "updated": updated})
            publish_board(board, "shots_made", created=created, updated=updated)
    return {"created": created, "updated": updated, "plan": plan}
