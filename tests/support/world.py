"""The one world builder every suite uses (docs/CONVENTIONS.md, "Tests").

A *world* is the cast a test needs, made with the real services and models (no seed_demo, so a
suite does not depend on other apps' demo data):

- studios: Northlight Pictures (ours, `northlight`) and Harbor Films (another studio, `harbor`);
- agencies: Crescent Talent (`crescent`), and Meridian Artists (`meridian`) when asked for;
- people: one Northlight person per role asked for (`producer`, `artist`, `reviewer` …; `artist2`
  is a second artist), Harbor's producer (`rival`), each agency's agent (`agent`,
  `meridian_agent`), and a vendor artist who belongs to no organisation (`vendor`), when asked for;
- projects: Moonrise (`mr`) and Other Tides (`ot`) of Northlight, Harbor Lights (`hl`) of Harbor,
  one shot in each (`shot`, `ot_shot`, `hl_shot`);
- when asked for: talent (`ava`, `leo`; `nova` of Meridian), versions with a client playlist
  (`versions`, `foreign_version`, `playlist`) and API tokens by email (`tokens`).

Each suite's `world` fixture calls `build_world(...)` with the options it needs, then names the
rows the way its tests read them with `World.alias(...)` (e.g. the generation suite calls Moonrise
`project`). The row helpers below (`make_org`, `make_user`, `make_project`, `make_shot`,
`make_version`, `request_consent`, `give_consent`) are what suites use for anything extra.

Users get unusable passwords unless `password` is given (hashing costs time); the API client
authenticates them directly (`api(user)` in tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from types import SimpleNamespace

from django.utils import timezone

from projects.models import Playlist, PlaylistItem, Project, ProjectMember, Shot, Version
from rights import services as rights_services
from rights.models import ConsentGrant
from studio.tenancy.models import Membership, Organization, Role, User
from studio.tenancy.services import create_token

# The people of a world, by attribute: (role, email local part, display name).
PEOPLE = {
    "owner": (Role.OWNER, "owner", "Olive Owner"),
    "admin": (Role.ADMIN, "admin", "Adam Admin"),
    "producer": (Role.PRODUCER, "producer", "Priya Producer"),
    "supervisor": (Role.SUPERVISOR, "supervisor", "Sam Supervisor"),
    "artist": (Role.ARTIST, "artist", "Alex Artist"),
    "artist2": (Role.ARTIST, "artist2", "Ari Artist"),
    "legal": (Role.LEGAL, "legal", "Lee Legal"),
    "reviewer": (Role.REVIEWER, "client", "Chris Client"),  # a client reviewer
}
ALL_ROLES = ("owner", "admin", "producer", "supervisor", "artist", "legal")

# The talent of a world: attribute -> (agency attribute, name, aliases).
TALENT = {
    "ava": ("crescent", "Ava Reyes", ["Ava Marisol Reyes", "Ava Reyes-Whitlock"]),
    "leo": ("crescent", "Leo Park", ["Park Ji-ho"]),
    "nova": ("meridian", "Nova Sterling", []),
}

INTENDED_USE = (
    "Digital replica of the talent as Mara Quinn in the harbour night exteriors of this project, "
    "sequence 010 pickups only, matching the recorded performance; no new dialogue."
)

_counter = itertools.count(1)


class World(SimpleNamespace):
    """The rows of one world, by attribute name."""

    def alias(self, **names: str) -> World:
        """Also name rows the way a suite's tests read them: alias(project="mr") makes world.project."""
        for new, existing in names.items():
            setattr(self, new, getattr(self, existing))
        return self


# ---------------------------------------------------------------- rows


def make_org(slug: str, *, name: str | None = None, kind: str = Organization.Kind.STUDIO) -> Organization:
    return Organization.objects.create(slug=slug, name=name or slug.title(), kind=kind)


def make_user(email: str | None = None, *, org: Organization | None = None, role: str | None = None,
              display_name: str | None = None, password: str | None = None) -> User:
    """A user (a member of `org` with `role` when both are given)."""
    email = email or f"user{next(_counter)}@example.test"
    user = User.objects.create_user(email=email, password=password, display_name=display_name or email.split("@")[0])
    if org is not None and role is not None:
        Membership.objects.create(user=user, organization=org, role=role)
    return user


def make_project(org: Organization, code: str = "TP", *, name: str | None = None, **extra) -> Project:
    return Project.objects.create(organization=org, name=name or f"Project {code}", code=code, **extra)


def make_shot(project: Project, code: str, *, frame_in: int | None = None, frames: int = 48, **extra) -> Shot:
    """A shot; with `frame_in`, its cut range is `frames` long from there."""
    if frame_in is not None:
        extra.update(frame_in=frame_in, frame_out=frame_in + frames - 1)
    return Shot.objects.create(project=project, code=code, **extra)


def make_version(shot: Shot, *, number: int | None = None, frames: int | None = None, source: str = "upload",
                 lineage: dict | None = None, fps: tuple[int, int] | None = None) -> Version:
    """A version row without media (the next number of its shot unless given)."""
    number = number or Version.objects.filter(shot=shot).count() + 1
    extra = {"frame_count": frames} if frames is not None else {}
    if fps is not None:
        extra.update(fps_num=fps[0], fps_den=fps[1])
    return Version.objects.create(project=shot.project, shot=shot, number=number, source=source, lineage=lineage or {}, **extra)


def sha(text: str = "signed") -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def request_consent(*, requester: User, talent, studio: Organization, project: Project | None,
                    use_types=("digital_replica",), intended_use: str = INTENDED_USE, requires_per_use_approval: bool = False,
                    **terms) -> ConsentGrant:
    """A studio's request for consent, made through the rights services (theatrical, worldwide, 90 days unless given)."""
    now = timezone.now()
    values = {
        "media": ["theatrical"], "territories": ["WORLD"],
        "valid_from": now - dt.timedelta(days=1), "valid_until": now + dt.timedelta(days=90),
    }
    values.update(terms)
    return rights_services.request_grant(
        actor=requester, talent=talent, studio=studio, project=project, use_types=list(use_types), intended_use=intended_use,
        requires_per_use_approval=requires_per_use_approval, **values,
    )


def give_consent(*, agent: User, grant: ConsentGrant, signed_by: str = "Signer", signer_capacity: str = "self",
                 survives_death: bool = False, document: str = "signed") -> ConsentGrant:
    """The agency signs a requested grant (it becomes active)."""
    return rights_services.grant_consent(
        actor=agent, grant=grant, document_sha256=sha(document), signed_at=timezone.now() - dt.timedelta(hours=1),
        signed_by=signed_by, signer_capacity=signer_capacity, survives_death=survives_death,
    )


# ---------------------------------------------------------------- the world


def build_world(*, tag: str, domain: str = "nl.test", roles=("producer", "artist", "reviewer"),
                rival_email: str = "producer@hb.test", agencies=("crescent",), talent: bool = False,
                client_on_project: bool = True, vendor: bool = False, versions: bool = False, tokens: bool = False,
                password: str | None = None) -> World:
    """Build a world (see the module docstring). `tag` prefixes the organisations' slugs, so suites'
    worlds never collide; `domain` is the Northlight people's email domain; `client_on_project` makes
    the client reviewer a member of Moonrise (the only way a client sees a project)."""
    w = World(password=password)
    _organizations(w, tag=tag, agencies=agencies)
    _people(w, domain=domain, roles=roles, rival_email=rival_email, vendor=vendor)
    _projects(w, client_on_project=client_on_project)
    if talent:
        for key, (agency, name, aliases) in TALENT.items():
            if hasattr(w, agency):
                agent = w.agent if agency == "crescent" else w.meridian_agent
                setattr(w, key, rights_services.create_talent(actor=agent, agency=getattr(w, agency), name=name, aliases=aliases))
    if versions:
        _versions(w)
    if tokens:
        w.tokens = {user.email: create_token(user=user, name="tests")[1] for user in _users(w)}
    return w


def _organizations(w: World, *, tag: str, agencies) -> None:
    w.northlight = make_org(f"{tag}-northlight", name="Northlight Pictures")
    w.harbor = make_org(f"{tag}-harbor", name="Harbor Films")
    names = {"crescent": "Crescent Talent", "meridian": "Meridian Artists"}
    for key in agencies:
        setattr(w, key, make_org(f"{tag}-{key}", name=names[key], kind=Organization.Kind.AGENCY))


def _people(w: World, *, domain: str, roles, rival_email: str, vendor: bool) -> None:
    for key in roles:
        role, local, display_name = PEOPLE[key]
        setattr(w, key, make_user(f"{local}@{domain}", org=w.northlight, role=role, display_name=display_name, password=w.password))
    w.rival = make_user(rival_email, org=w.harbor, role=Role.PRODUCER, display_name="Olga Outsider", password=w.password)
    if hasattr(w, "crescent"):
        w.agent = make_user("agent@crescent.test", org=w.crescent, role=Role.AGENT, display_name="Cleo Agent", password=w.password)
    if hasattr(w, "meridian"):
        w.meridian_agent = make_user("agent@meridian.test", org=w.meridian, role=Role.AGENT, display_name="Milo Agent",
                                     password=w.password)
    if vendor:
        w.vendor = make_user("vendor@fx.test", display_name="Vic Vendor", password=w.password)


def _projects(w: World, *, client_on_project: bool) -> None:
    w.mr = make_project(w.northlight, "MR", name="Moonrise")
    w.ot = make_project(w.northlight, "OT", name="Other Tides")
    w.hl = make_project(w.harbor, "HL", name="Harbor Lights")
    if client_on_project and hasattr(w, "reviewer"):
        ProjectMember.objects.create(project=w.mr, user=w.reviewer, role=Role.REVIEWER)
    if hasattr(w, "vendor"):
        ProjectMember.objects.create(project=w.mr, user=w.vendor, role=Role.ARTIST)
    w.shot = make_shot(w.mr, "MR_010_0040")
    w.ot_shot = make_shot(w.ot, "OT_010_0010")
    w.hl_shot = make_shot(w.hl, "HL_020_0010")


def _versions(w: World) -> None:
    """Two versions of Moonrise's shot (48 and 96 frames) in a client playlist, one of Harbor's."""
    w.versions = [make_version(w.shot, number=1, frames=48, fps=(24, 1)), make_version(w.shot, number=2, frames=96, fps=(24, 1))]
    w.foreign_version = make_version(w.hl_shot, number=1, frames=24, fps=(24, 1))
    w.playlist = Playlist.objects.create(project=w.mr, name="Dailies", audience="client")
    for order, version in enumerate(w.versions):
        PlaylistItem.objects.create(playlist=w.playlist, version=version, order=order)


def _users(w: World) -> list[User]:
    return [value for value in vars(w).values() if isinstance(value, User)]
