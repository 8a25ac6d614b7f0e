"""Demo organizations and accounts (idempotent). Every demo account's password is greenlight-demo."""

from __future__ import annotations

from django.db import transaction

from studio.audit import services as audit
from studio.tenancy.models import Membership, Organization, Role, User

DEMO_PASSWORD = "greenlight-demo"

ORGANIZATIONS = [
    ("northlight", "Northlight Pictures", Organization.Kind.STUDIO),
    ("harbor", "Harbor Films", Organization.Kind.STUDIO),
    ("crescent", "Crescent Talent", Organization.Kind.AGENCY),
]

ACCOUNTS = [
    ("producer@northlight.test", "Priya Natarajan", "northlight", Role.PRODUCER),
    ("supervisor@northlight.test", "Sam Okafor", "northlight", Role.SUPERVISOR),
    ("artist@northlight.test", "Alex Moreau", "northlight", Role.ARTIST),
    ("client@northlight.test", "Chris Lindqvist", "northlight", Role.REVIEWER),
    ("producer@harbor.test", "Hana Kobayashi", "harbor", Role.PRODUCER),
    ("agent@crescent.test", "Maya Ferreira", "crescent", Role.AGENT),
]


def seed(stdout=None) -> dict:
    orgs: dict[str, Organization] = {}
    users: dict[str, User] = {}
    with transaction.atomic():
        for slug, name, kind in ORGANIZATIONS:
            org, created = Organization.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})
            if created:
                audit.record(
                    organization=org, actor_label="seed_demo", action="organization.created", target=org,
                    data={"name": name, "kind": kind},
                )
            orgs[slug] = org
        for email, display_name, org_slug, role in ACCOUNTS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=DEMO_PASSWORD, display_name=display_name)
            users[email] = user
            membership, created = Membership.objects.get_or_create(user=user, organization=orgs[org_slug], defaults={"role": role})
            if created:
                audit.record(
                    organization=orgs[org_slug], actor_label="seed_demo", action="membership.created", target=membership,
                    data={"user": email, "role": role},
                )
    if stdout:
        stdout.write(f"  organizations: {', '.join(o.name for o in orgs.values())}")
    return {"organizations": orgs, "users": users}
