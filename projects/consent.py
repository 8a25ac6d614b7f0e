"""How production tracking hands its rows to rights: plain references, and the project directory.

Rights never imports `projects` (see `rights.refs`). Code here and in `generation` turns a project,
version or shot into the plain values rights takes (`project_ref`, `version_ref`, `shot_ref`), and
`ProjectsDirectory` answers the project lookups rights starts itself; `ProjectsConfig.ready`
registers it.
"""

from __future__ import annotations

from projects.access import studio_access_for
from projects.models import Project, Version
from rights.refs import ProjectRef, ShotRef, VersionRef


def project_ref(project) -> ProjectRef:
    """`project` with its organization (select it along, or this reads it)."""
    return ProjectRef(id=project.pk, code=project.code, name=project.name, organization=project.organization)


def version_ref(version, *, with_project: bool = False) -> VersionRef:
    """`version` for rights. `with_project`: include its project, as the policy's version checks need
    it (read in one query unless the version carries its project and organization already); the
    likeness-use lookups need only the version itself."""
    lineage = version.lineage if isinstance(version.lineage, dict) else {}
    project = _project_of(version) if with_project else None
    scanned = tuple(str(t) for t in (getattr(version, "scan_talent", None) or ()))
    return VersionRef(id=version.pk, project_id=version.project_id, lineage=lineage, project=project, scanned=scanned)


def _project_of(version) -> ProjectRef:
    project = version.project if Version.project.is_cached(version) else None
    if project is None or not Project.organization.is_cached(project):
        project = Project.objects.select_related("organization").get(pk=version.project_id)
    return project_ref(project)


def shot_ref(shot) -> ShotRef:
    return ShotRef(id=shot.pk, code=shot.code, project_id=shot.project_id)


class ProjectsDirectory:
    """The project lookups of `rights.refs.ProjectDirectory`, over `projects.models.Project`."""

    def visible_project(self, *, user, project_id) -> ProjectRef | None:
        """The project when `user` holds an organization-wide role in its studio (`projects.access`)."""
        project = Project.objects.select_related("organization").filter(pk=project_id).first()
        if project is None or studio_access_for(user=user, project=project) is None:
            return None
        return project_ref(project)

    def project_by_code(self, *, organization_id, code: str) -> ProjectRef | None:
        project = Project.objects.filter(organization_id=organization_id, code=code).select_related("organization").first()
        return project_ref(project) if project is not None else None

    def live_project_ids(self, *, organization_id) -> list:
        return list(
            Project.objects.filter(organization_id=organization_id).exclude(status=Project.Status.ARCHIVED).values_list("pk", flat=True)
        )

    def review_proxy_name(self, *, user, version_id) -> str | None:
        """The review proxy `user` may stream of this version, as a name in default storage: the plain proxy
        for the studio's own people, their own watermarked copy for anyone else (a talent agency reviewing a
        use); None while that copy is being made (projects/services/watermarks.py)."""
        from projects import access as perms
        from projects.services.watermarks import review_copy

        version = Version.objects.select_related("project__organization").get(pk=version_id)
        access = perms.access_for(user=user, project=version.project)
        if access is None:  # reached through the likeness use only: the reviewing agency
            access = perms.ProjectAccess(project=version.project, role="agency", via="agency")
        return review_copy(access=access, user=user, version=version).name
