"""Fixtures for the rights tests: two studios, two agencies, their people, projects and talent.

Everything is created here (not through seed_demo) so these tests do not depend on other apps'
demo data. Users get unusable passwords (fast); the API client authenticates them directly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from types import SimpleNamespace

import pytest
from django.utils import timezone

from projects.models import Project, Shot, Version
from rights import services
from rights.models import ConsentGrant
from studio.tenancy.models import Membership, Organization, Role, User

INTENDED_USE = (
    "Digital replica of the talent as Mara Quinn in the harbour night exteriors of this project, "
    "sequence 010 pickups only, matching the recorded performance; no new dialogue."
)


def make_user(email: str, org: Organization, role: str) -> User:
    user = User.objects.create_user(email=email, password=None, display_name=email.split("@")[0].title())
    Membership.objects.create(user=user, organization=org, role=role)
    return user


@pytest.fixture
def world(db):
    northlight = Organization.objects.create(kind="studio", name="Northlight Pictures", slug="t-northlight")
    harbor = Organization.objects.create(kind="studio", name="Harbor Films", slug="t-harbor")
    crescent = Organization.objects.create(kind="agency", name="Crescent Talent", slug="t-crescent")
    meridian = Organization.objects.create(kind="agency", name="Meridian Artists", slug="t-meridian")
    w = SimpleNamespace(northlight=northlight, harbor=harbor, crescent=crescent, meridian=meridian)
    w.nl_producer = make_user("producer@nl.test", northlight, Role.PRODUCER)
    w.nl_artist = make_user("artist@nl.test", northlight, Role.ARTIST)
    w.nl_reviewer = make_user("client@nl.test", northlight, Role.REVIEWER)
    w.hb_producer = make_user("producer@hb.test", harbor, Role.PRODUCER)
    w.agent = make_user("agent@crescent.test", crescent, Role.AGENT)
    w.meridian_agent = make_user("agent@meridian.test", meridian, Role.AGENT)
    w.mr = Project.objects.create(organization=northlight, name="Moonrise", code="MR")
    w.ot = Project.objects.create(organization=northlight, name="Other Tides", code="OT")
    w.hb = Project.objects.create(organization=harbor, name="Harbor Lights", code="HL")
    w.shot = Shot.objects.create(project=w.mr, code="MR_010_0040")
    w.hb_shot = Shot.objects.create(project=w.hb, code="HL_020_0010")
    w.ava = services.create_talent(actor=w.agent, agency=crescent, name="Ava Reyes", aliases=["Ava Marisol Reyes", "Ava Reyes-Whitlock"])
    w.leo = services.create_talent(actor=w.agent, agency=crescent, name="Leo Park", aliases=["Park Ji-ho"])
    w.nova = services.create_talent(actor=w.meridian_agent, agency=meridian, name="Nova Sterling")
    return w


def sha(text: str = "signed") -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def request(world, *, talent=None, studio=None, project="MR", actor=None, **terms) -> ConsentGrant:
    now = timezone.now()
    projects = {"MR": world.mr, "OT": world.ot, "HL": world.hb, None: None}
    project_obj = projects[project] if isinstance(project, str | type(None)) else project
    studio = studio or (project_obj.organization if project_obj else world.northlight)
    actor = actor or (world.hb_producer if studio == world.harbor else world.nl_producer)
    values = {
        "use_types": ["digital_replica"], "media": ["theatrical"], "territories": ["WORLD"],
        "valid_from": now - dt.timedelta(days=1), "valid_until": now + dt.timedelta(days=90),
        "intended_use": INTENDED_USE, "requires_per_use_approval": False,
    }
    values.update(terms)
    return services.request_grant(actor=actor, talent=talent or world.ava, studio=studio, project=project_obj, **values)


def active_grant(world, *, talent=None, signer_capacity="self", survives_death=False, agent=None, **kwargs) -> ConsentGrant:
    grant = request(world, talent=talent, **kwargs)
    return services.grant_consent(
        actor=agent or (world.meridian_agent if (talent or world.ava).organization_id == world.meridian.pk else world.agent),
        grant=grant, document_sha256=sha(), signed_at=timezone.now() - dt.timedelta(hours=1), signed_by="Signer",
        signer_capacity=signer_capacity, survives_death=survives_death,
    )


def make_version(world, *, shot=None, lineage=None) -> Version:
    shot = shot or world.shot
    number = Version.objects.filter(shot=shot).count() + 1
    return Version.objects.create(project=shot.project, shot=shot, number=number, source="generation", lineage=lineage or {})


def new_job_id() -> uuid.UUID:
    return uuid.uuid4()


def results(response) -> list[dict]:
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body
