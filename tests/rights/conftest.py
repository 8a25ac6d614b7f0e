"""Fixtures for the rights tests: two studios, two agencies, their people, projects and talent.

The world comes from the shared builder (tests/support/world.py), not seed_demo, so these tests do
not depend on other apps' demo data. Users get unusable passwords (fast); the API client
authenticates them directly.
"""

from __future__ import annotations

import uuid

import pytest

from projects.models import Version
from rights.models import ConsentGrant
from studio.tenancy.models import Organization, User
from tests.support.world import INTENDED_USE, build_world, give_consent, request_consent, sha
from tests.support.world import make_user as _make_user
from tests.support.world import make_version as _make_version

__all__ = ["INTENDED_USE", "active_grant", "make_user", "make_version", "new_job_id", "request", "results", "sha"]


def make_user(email: str, org: Organization, role: str) -> User:
    return _make_user(email, org=org, role=role, display_name=email.split("@")[0].title())


@pytest.fixture
def world(db):
    w = build_world(tag="t", roles=("producer", "artist", "reviewer"), agencies=("crescent", "meridian"), talent=True,
                    client_on_project=False)
    return w.alias(nl_producer="producer", nl_artist="artist", nl_reviewer="reviewer", hb_producer="rival", hb="hl",
                   hb_shot="hl_shot")


def request(world, *, talent=None, studio=None, project="MR", actor=None, **terms) -> ConsentGrant:
    projects = {"MR": world.mr, "OT": world.ot, "HL": world.hb, None: None}
    project_obj = projects[project] if isinstance(project, str | type(None)) else project
    studio = studio or (project_obj.organization if project_obj else world.northlight)
    actor = actor or (world.hb_producer if studio == world.harbor else world.nl_producer)
    return request_consent(requester=actor, talent=talent or world.ava, studio=studio, project=project_obj, **terms)


def active_grant(world, *, talent=None, signer_capacity="self", survives_death=False, agent=None, **kwargs) -> ConsentGrant:
    grant = request(world, talent=talent, **kwargs)
    agent = agent or (world.meridian_agent if (talent or world.ava).organization_id == world.meridian.pk else world.agent)
    return give_consent(agent=agent, grant=grant, signer_capacity=signer_capacity, survives_death=survives_death)


def make_version(world, *, shot=None, lineage=None) -> Version:
    return _make_version(shot or world.shot, source="generation", lineage=lineage)


def new_job_id() -> uuid.UUID:
    return uuid.uuid4()


def results(response) -> list[dict]:
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body
