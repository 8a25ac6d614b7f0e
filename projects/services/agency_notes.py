"""Agency frame notes (issue 13, "Notes that flow"): a talent agency reviewing a likeness use leaves
notes on frames or frame ranges of the use's version (with drawings, as the studio's notes).

Rules (docs/RIGHTS.md, "Agency notes"):
- who: a member of an agency whose talent has a likeness use of the version (`LikenessUse.version`),
  with a reviewing role (owner, admin, agent, legal: `projects.lanes.AGENCY_DECIDER_ROLES`); anyone
  else who cannot see the version gets 404 (fails closed), a studio member 403;
- what they are: internal notes marked with the agency (`Comment.agency`): the studio's own people
  see them in the version's notes, live, marked "from <agency>"; client reviewers never do;
- what the agency sees: its own agency's threads and the replies in them (the studio's too), never
  the studio's other notes, their edit history or whom they mention (projects.selectors.agency_note_threads);
- the agency may reply in its own threads; the studio replies through the ordinary notes API.
"""

from __future__ import annotations

from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from projects import access as perms
from projects.models import Comment, Version
from projects.services.comments import write_comment
from studio.tenancy.models import Organization, User

NOT_THE_AGENCY = "Agency notes are written by the talent agency reviewing this version's likeness use; reply in their thread instead."


def note_agency(*, user: User, version: Version) -> Organization:
    """The agency `user` writes notes for on `version` (404 / 403 as the module says)."""
    from projects.lanes import AGENCY_DECIDER_ROLES
    from rights.models import LikenessUse

    agency_ids = set(LikenessUse.objects.filter(version=version).values_list("talent__organization_id", flat=True))
    memberships = perms.memberships_of(user, organizations=agency_ids) if agency_ids else []
    if not memberships:
        if perms.access_for(user=user, project=version.project) is not None:
            raise PermissionDenied(NOT_THE_AGENCY)
        raise NotFound("Not found.")
    deciding = [m for m in memberships if m.role in AGENCY_DECIDER_ROLES]
    if not deciding:
        first = memberships[0]
        raise PermissionDenied(
            f"Your role '{first.role}' at {first.organization_name} may not write notes on uses; its owners, admins, "
            "agents and legal staff review them."
        )
    return Organization.objects.get(pk=deciding[0].organization_id)


def create_agency_note(*, actor: User, version: Version, body: str = "", frame=None, frame_end=None, parent_id=None,
                       annotations=None) -> Comment:
    """A note of the caller's agency at a frame (or range) of `version`, or a reply in one of its threads."""
    agency = note_agency(user=actor, version=version)
    parent = None
    if parent_id is not None:
        mine = Comment.objects.filter(version=version, pk=parent_id, agency=agency, deleted_at__isnull=True)
        parent = mine.select_related("parent").first()
        if parent is None:
            raise ValidationError({"parent": ["No note of your agency with this id on this version; reply to one of your agency's notes."]})
    return write_comment(actor=actor, version=version, body=body, frame=frame, frame_end=frame_end, parent=parent, internal=True,
                         mentions=None, annotations=annotations, is_client=False, agency=agency)
