"""Projects: create a project in a studio and change its settings (frame rate, size, required lanes)."""

from __future__ import annotations

from django.db import transaction
from rest_framework.exceptions import ValidationError

from projects import access as perms
from projects import lanes as lane_registry
from projects import media
from projects.models import Project
from projects.services._common import _code, _insert, _int, _text, parse_fps
from projects.services._lane_state import _restate_project_approvals
from studio.audit import services as audit
from studio.realtime.publish import publish
from studio.tenancy.models import Organization, User
from studio.tenancy.selectors import require_membership

PROJECT_FIELDS = {"name", "code", "description", "fps", "width", "height", "start_frame", "status", "required_lanes"}


def _required_lanes(value) -> list[str]:
    names = lane_registry.project_lane_names()
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValidationError({"required_lanes": [f"Give a list of lane names from: {', '.join(names)}."]})
    automatic = [v for v in value if lane_registry.get_lane(v) is not None and lane_registry.get_lane(v).automatic]
    if automatic:
        raise ValidationError({"required_lanes": [
            f"The {', '.join(automatic)} lane is added automatically to the versions that need it (a likeness used under a "
            f"grant requiring the agency's approval); leave it out. Use: {', '.join(names)}."
        ]})
    unknown = [v for v in value if lane_registry.get_lane(v) is None]
    if unknown:
        raise ValidationError({"required_lanes": [f"Unknown lane(s) {', '.join(unknown)}; use: {', '.join(names)}."]})
    missing = [lane for lane in lane_registry.ALWAYS_REQUIRED if lane not in value]
    if missing:
        raise ValidationError(
            {"required_lanes": [f"The {', '.join(missing)} lane is always required: nothing is approved without the producer."]}
        )
    return [name for name in lane_registry.lane_names() if name in value]


def _project_values(changes: dict) -> dict:
    values: dict = {}
    if "name" in changes:
        values["name"] = _text(changes["name"], field="name", max_length=200, required=True)
    if "code" in changes:
        values["code"] = _code(changes["code"], field="code", example="MR")
    if "description" in changes:
        values["description"] = _text(changes["description"], field="description", max_length=10_000)
    if "fps" in changes:
        values["fps_num"], values["fps_den"] = parse_fps(changes["fps"])
    for dim in ("width", "height"):
        if dim in changes:
            values[dim] = _int(changes[dim], field=dim, minimum=16, maximum=media.MAX_DIMENSION, allow_none=False)
    if "start_frame" in changes:
        values["start_frame"] = _int(changes["start_frame"], field="start_frame", minimum=0, allow_none=False)
    if "status" in changes:
        if changes["status"] not in Project.Status.values:
            raise ValidationError({"status": [f"Use one of: {', '.join(Project.Status.values)}."]})
        values["status"] = changes["status"]
    if "required_lanes" in changes:
        values["required_lanes"] = _required_lanes(changes["required_lanes"])
    return values


def create_project(*, actor: User, organization: Organization, **fields) -> Project:
    """Create a project in a studio. Owners, admins and producers of that studio may."""
    require_membership(user=actor, organization=organization, roles=perms.CREATE_PROJECT, action="create projects")
    if organization.kind != Organization.Kind.STUDIO:
        raise ValidationError({"organization": ["Projects belong to studios; this organization is a talent agency."]})
    unknown = set(fields) - PROJECT_FIELDS
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    if "name" not in fields or "code" not in fields:
        raise ValidationError({k: ["This field is required."] for k in ("name", "code") if k not in fields})
    fields.setdefault("required_lanes", ["producer"])
    values = _project_values(fields)
    with transaction.atomic():
        if Project.objects.filter(organization=organization, code__iexact=values["code"]).exists():
            raise ValidationError({"code": [f"This studio already has a project with code {values['code']}; pick another code."]})
        project = _insert(
            Project,
            duplicate={"code": [f"This studio already has a project with code {values['code']}; pick another code."]},
            organization=organization,
            created_by=actor,
            **values,
        )
        audit.record(
            organization=organization,
            actor=actor,
            action="project.created",
            target=project,
            data={"name": project.name, "code": project.code, "required_lanes": project.required_lanes},
        )
        publish(type="project.updated", project_id=project.id, data={"id": str(project.id), "change": "created"}, audience="internal")
    return project


def update_project(*, actor: User, project: Project, **changes) -> Project:
    perms.require_project_role(user=actor, project=project, roles=perms.MANAGE_PROJECT, action="change project settings")
    unknown = set(changes) - PROJECT_FIELDS
    if unknown:
        raise ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
    values = _project_values(changes)
    with transaction.atomic():
        project = Project.objects.select_for_update(no_key=True).get(pk=project.pk)
        if (
            "code" in values
            and Project.objects.filter(organization_id=project.organization_id, code__iexact=values["code"]).exclude(pk=project.pk).exists()
        ):
            raise ValidationError({"code": [f"This studio already has a project with code {values['code']}; pick another code."]})
        diff = {k: [getattr(project, k), v] for k, v in values.items() if getattr(project, k) != v}
        for key, value in values.items():
            setattr(project, key, value)
        if diff:
            project.save()
            restated = _restate_project_approvals(project) if "required_lanes" in diff else 0
            audit.record(
                organization=project.organization,
                actor=actor,
                action="project.updated",
                target=project,
                data={"changes": diff, "versions_restated": restated},
            )
            publish(
                type="project.updated", project_id=project.id, data={"id": str(project.id), "change": "updated", "fields": sorted(diff)}
            )
    return project
