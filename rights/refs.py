"""What rights knows of the review app's rows: plain values, never `projects` models.

Rights may not import `projects` (an import-linter contract in pyproject.toml): `projects` and
`generation` depend on rights, not the other way round. So rights takes ids and plain values:

- `ProjectRef`: a project's id, code, name and studio (an `Organization`, from the core);
- `VersionRef`: a version's id, project id and lineage (the job and prompt its likeness uses are
  found by), plus its `ProjectRef` where a policy check needs it;
- `ShotRef`: a shot's id, code and project id, for the usage ledger.

Callers build them from their rows (`projects.consent`). The few lookups rights starts on its own
(a grant request naming a project by id, the projects a studio-wide grant's events go to, the demo)
go through the `ProjectDirectory` the projects app registers when it starts
(`projects.apps.ProjectsConfig.ready`). Without one registered, those lookups fail loudly.

The rights models keep their foreign keys to `projects.Project`, `Shot` and `Version`, declared by
string (no Python import).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from studio.tenancy.models import Organization


@dataclass(frozen=True)
class ProjectRef:
    """A project as rights sees it. `organization` is the studio that owns the project."""

    id: uuid.UUID
    code: str
    name: str
    organization: Organization

    @property
    def organization_id(self) -> uuid.UUID:
        return self.organization.pk


@dataclass(frozen=True)
class VersionRef:
    """A version as rights sees it. `project` is needed by the policy's version checks only."""

    id: uuid.UUID
    project_id: uuid.UUID
    lineage: dict = field(default_factory=dict, compare=False)
    project: ProjectRef | None = field(default=None, compare=False)
    # Talent ids the likeness scan saw in the version's media: checked like cast (via "scan").
    scanned: tuple = field(default=(), compare=False)


@dataclass(frozen=True)
class ShotRef:
    """A shot as the usage ledger records it."""

    id: uuid.UUID
    code: str
    project_id: uuid.UUID


class ProjectDirectory(Protocol):
    """Project lookups rights needs, answered by the app that owns projects."""

    def visible_project(self, *, user, project_id) -> ProjectRef | None:
        """The project, when `user` holds an organization-wide role in its studio; else None."""

    def project_by_code(self, *, organization_id, code: str) -> ProjectRef | None:
        """The studio's project with this code, or None."""

    def live_project_ids(self, *, organization_id) -> list[uuid.UUID]:
        """The studio's projects that are not archived (where a studio-wide grant's events go)."""

    def review_proxy_name(self, *, user, version_id) -> str | None:
        """The version's review proxy `user` may stream (a name in default storage): the plain one for the
        studio's own people, the viewer's watermarked copy for an agency; None while that copy is being made."""


_directory: ProjectDirectory | None = None


def register_project_directory(directory: ProjectDirectory) -> None:
    """Called once by the projects app when it starts."""
    global _directory
    _directory = directory


def project_directory() -> ProjectDirectory:
    if _directory is None:
        raise ImproperlyConfigured(
            "No project directory is registered: rights looks projects up through the projects app, which registers "
            "one in ProjectsConfig.ready(). Is 'projects' in INSTALLED_APPS?"
        )
    return _directory
