"""Reads for rights: who sees which talent, assets and uses; the usage ledger; assets for a render."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from rights import policy, transitions
from rights.models import ConsentGrant, LikenessAsset, LikenessUse, Talent, UseType
from rights.refs import ProjectRef, VersionRef
from studio.actions import BLOCKED, NOT_APPLICABLE, NOT_PERMITTED, Action, first_refusal
from studio.tenancy.models import ORG_WIDE_ROLES, Membership, Organization, User
from studio.tenancy.selectors import membership_of, organization_ids_for


def agency_ids_for(*, user: User) -> list[UUID]:
    """Agencies where `user` holds an organization-wide role."""
    return list(
        Organization.objects.filter(
            pk__in=organization_ids_for(user=user, roles=ORG_WIDE_ROLES), kind=Organization.Kind.AGENCY
        ).values_list("pk", flat=True)
    )


def studio_ids_for(*, user: User) -> list[UUID]:
    return list(
        Organization.objects.filter(
            pk__in=organization_ids_for(user=user, roles=ORG_WIDE_ROLES), kind=Organization.Kind.STUDIO
        ).values_list("pk", flat=True)
    )


def represents(*, user: User, talent: Talent) -> bool:
    """Is `user` a member of the agency that represents `talent`?"""
    return membership_of(user=user, organization=talent.organization_id) is not None


def visible_assets(queryset: QuerySet[LikenessAsset], *, user: User) -> QuerySet[LikenessAsset]:
    """Of already tenant-scoped assets: all for the representing agency; for a studio, only while it
    holds an active grant for the talent."""
    return queryset.filter(
        Q(talent__organization_id__in=agency_ids_for(user=user))
        | Q(talent__consent_grants__grantee_id__in=studio_ids_for(user=user), talent__consent_grants__state="active")
    ).distinct()


def uses_visible_to(*, user: User, talent: Talent) -> QuerySet[LikenessUse]:
    """The agency sees every use of its talent across studios; a studio sees its own uses only."""
    uses = LikenessUse.objects.filter(talent=talent)
    if talent.organization_id in set(agency_ids_for(user=user)):
        return uses
    return uses.filter(studio_id__in=studio_ids_for(user=user))


def ledger_for(*, talent: Talent, user: User) -> dict:
    """Uses of `talent` grouped by studio, project, state and month (UTC), newest month first."""
    rows = (
        uses_visible_to(user=user, talent=talent)
        .annotate(month=TruncMonth("created_at", tzinfo=dt.UTC))
        .values("month", "studio_id", "studio__name", "project_id", "project__code", "project__name", "state")
        .annotate(uses=Count("id"))
        .order_by("-month", "studio__name", "project__code", "state")
    )
    out = [
        {
            "month": r["month"].strftime("%Y-%m"),
            "studio": {"id": str(r["studio_id"]), "name": r["studio__name"]},
            "project": {"id": str(r["project_id"]), "code": r["project__code"], "name": r["project__name"]},
            "state": r["state"],
            "uses": r["uses"],
        }
        for r in rows
    ]
    by_state: dict[str, int] = dict.fromkeys(LikenessUse.State.values, 0)
    for r in out:
        by_state[r["state"]] += r["uses"]
    return {
        "talent": {"id": str(talent.pk), "name": talent.name, "agency": talent.organization.name},
        "rows": out,
        "totals": {"uses": sum(by_state.values()), "by_state": by_state},
    }


def asset_for_render(
    *,
    asset_id: UUID | str,
    studio: Organization,
    project: ProjectRef,
    use_type: str = UseType.DIGITAL_REPLICA.value,
    at: dt.datetime | None = None,
    actor_label: str = "render worker",
) -> LikenessAsset:
    """A likeness asset for image-to-video conditioning, only when the policy covers its talent for
    `studio`/`project` now. Raises `rights.policy.PolicyDenied` (403) otherwise; the denial is audited."""
    asset = LikenessAsset.objects.select_related("talent__organization").get(pk=asset_id)
    decision = policy.check_generation(
        studio=studio, project=project, cast=[asset.talent], use_type=use_type, at=at, actor_label=actor_label,
        purpose="render",
    )
    decision.raise_unless_permitted()
    return asset


def reviewing_agencies_for_version(*, version: VersionRef) -> list[Organization]:
    """Agencies whose talent appears in `version` under a grant that requires per-use approval: the
    `agency` approval lane of that version belongs to them (approval lanes call this)."""
    agency_ids = (
        LikenessUse.objects.filter(policy.version_use_condition(version), requires_review=True)
        .values_list("talent__organization_id", flat=True)
        .distinct()
    )
    return list(Organization.objects.filter(pk__in=agency_ids).order_by("name"))


def uses_for_version(*, version: VersionRef) -> list[LikenessUse]:
    """The likeness uses of a version with their talent and grant (for the review page)."""
    return list(
        LikenessUse.objects.filter(policy.version_use_condition(version))
        .select_related("talent__organization", "grant")
        .order_by("talent__name")
    )


def review_uses_for_version(*, version: VersionRef) -> list[LikenessUse]:
    """The version's likeness uses that need the agency's approval, with who decided them (the
    `agency` approval lane reads its state and decisions from these)."""
    return list(
        LikenessUse.objects.filter(policy.version_use_condition(version), requires_review=True)
        .select_related("decided_by", "talent__organization")
        .order_by("created_at", "pk")
    )


def pending_reviews_for_agency(*, version: VersionRef, agency_id) -> list[LikenessUse]:
    """Uses of `agency_id`'s talent in `version` still awaiting that agency's review."""
    return list(
        LikenessUse.objects.filter(
            policy.version_use_condition(version), requires_review=True, talent__organization_id=agency_id,
            state=LikenessUse.State.PENDING_REVIEW,
        ).select_related("talent__organization").order_by("created_at", "pk")
    )


def asset_for_studio(*, asset_id, studio: Organization) -> LikenessAsset | None:
    """A likeness asset a studio may pick as an image-to-video reference: its talent has an active
    grant for the studio. None otherwise (whether the asset exists is not revealed). Whether the
    grant covers the render is still decided by the policy, at submit and at render."""
    return (
        LikenessAsset.objects.select_related("talent__organization")
        .filter(pk=asset_id, talent__consent_grants__grantee_id=studio.pk, talent__consent_grants__state="active")
        .distinct()
        .first()
    )


def invalidated_uses_for_version(*, version: VersionRef) -> list[LikenessUse]:
    """The version's likeness uses whose grant stopped covering them (the version stays quarantined while any remain)."""
    return list(
        LikenessUse.objects.filter(policy.version_use_condition(version), state=LikenessUse.State.INVALIDATED)
        .order_by("-invalidated_at", "pk")
    )


# ---------------------------------------------------------------- allowed actions


def _roles_by_organization(user: User) -> dict:
    if not getattr(user, "is_authenticated", False):
        return {}
    return dict(Membership.objects.filter(user=user).values_list("organization_id", "role"))


def _agency_refusal(roles: dict, talent: Talent, *, what: str, verb: str) -> str | None:
    """Only the agency that represents the talent acts, and only its deciding roles."""
    role = roles.get(talent.organization_id)
    agency = talent.organization.name
    if role is None:
        return f"Only {agency}, the agency that represents {talent.name}, can {what}."
    if role not in transitions.AGENCY_ROLES:
        allowed = ", ".join(sorted(str(r) for r in transitions.AGENCY_ROLES))
        return f"Your role '{role}' at {agency} may not {verb}; it needs one of: {allowed}."
    return None


def grant_actions(grants: list[ConsentGrant], *, user: User, now: dt.datetime | None = None) -> dict:
    """grant pk -> what `user` may do to it (grant, suspend, resume, revoke), from the state machine in
    rights.transitions. One query for any number of grants (their talent and agency already loaded)."""
    roles = _roles_by_organization(user)
    now = now or timezone.now()
    out: dict = {}
    for grant in grants:
        permission = _agency_refusal(roles, grant.talent, what="change this grant", verb="change consent grants")
        out[grant.pk] = [
            first_refusal(action, [
                (NOT_PERMITTED, permission),
                (NOT_APPLICABLE, transitions.grant_step_conflict(grant, action)),
                (BLOCKED, transitions.grant_blocked(grant, action, now=now)),
            ])
            for action in transitions.GRANT_ACTIONS
        ]
    return out


USE_ACTIONS = ("approve", "reject")


def use_actions(uses: list[LikenessUse], *, user: User) -> dict:
    """use pk -> whether `user` may approve or reject it: the representing agency's deciding roles,
    while it awaits review. One query for any number of uses (their talent and agency already loaded)."""
    roles = _roles_by_organization(user)
    out: dict[object, list[Action]] = {}
    for use in uses:
        permission = _agency_refusal(roles, use.talent, what="decide this use", verb="decide likeness uses")
        conflict = transitions.use_decision_conflict(use)
        out[use.pk] = [first_refusal(action, [(NOT_PERMITTED, permission), (NOT_APPLICABLE, conflict)]) for action in USE_ACTIONS]
    return out


def review_uses_by_version(versions: list) -> dict:
    """version pk -> its likeness uses that need the agency's approval (with talent, agency and who
    decided), for many versions in one query: the same uses `review_uses_for_version` reads for one."""
    if not versions:
        return {}
    condition = Q(pk__in=[])
    by_job: dict = {}
    for version in versions:
        condition |= policy.version_use_condition(version)
        lineage = version.lineage if isinstance(version.lineage, dict) else {}
        if lineage.get("job"):
            by_job[(str(lineage["job"]), version.project_id)] = version.pk
    out: dict = {version.pk: [] for version in versions}
    uses = (
        LikenessUse.objects.filter(condition, requires_review=True)
        .select_related("decided_by", "talent__organization")
        .order_by("created_at", "pk")
    )
    for use in uses:
        key = use.version_id if use.version_id in out else by_job.get((str(use.job_id), use.project_id))
        if key is not None:
            out[key].append(use)
    return out


def _role_refusal(role, organization, *, who: str, verb: str, roles) -> str | None:
    if role is None:
        return who
    if role not in roles:
        return f"Your role '{role}' at {organization.name} may not {verb}; it needs one of: {', '.join(sorted(str(r) for r in roles))}."
    return None


def request_actions(requests: list, *, user: User) -> dict:
    """consent request pk -> what `user` may do to it: grant and refuse (the agency's deciding roles),
    withdraw (the studio's requesting roles), while it is open (rights.transitions). One query."""
    roles = _roles_by_organization(user)
    out: dict = {}
    for request in requests:
        answer = _role_refusal(
            roles.get(request.agency_id), request.agency, verb="answer consent requests", roles=transitions.AGENCY_ROLES,
            who=f"Only {request.agency.name}, the agency that represents {request.talent.name}, answers this request.",
        )
        withdraw = _role_refusal(
            roles.get(request.studio_id), request.studio, verb="withdraw consent requests", roles=transitions.STUDIO_REQUEST_ROLES,
            who=f"Only {request.studio.name}, which sent this request, can withdraw it.",
        )
        out[request.pk] = [
            first_refusal(action, [
                (NOT_PERMITTED, withdraw if action == "withdraw" else answer),
                (NOT_APPLICABLE, transitions.request_step_conflict(request, action)),
            ])
            for action in transitions.REQUEST_ACTIONS
        ]
    return out


def likeness_references() -> list:
    """Every registered likeness reference with a face (`rights.faces.Reference`), of every agency:
    the likeness scan compares each face it finds with all of them. The descriptors stay inside
    the scan; nothing that leaves it carries them (only the matched talent and the distance)."""
    from rights import faces

    rows = LikenessAsset.objects.filter(face_descriptor__isnull=False).values_list("talent_id", "id", "face_descriptor")
    return faces.as_references(rows)
