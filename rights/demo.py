"""Demo talent and consent (idempotent), run by `manage.py seed_demo` after the tenancy and projects demos.

- Ava Reyes (Crescent Talent) with an active grant for Northlight's Moonrise project (code MR):
  `digital_replica`, per-use approval required;
- Leo Park (Crescent Talent), no grant.

Everything goes through rights.services, so it is audited like real use: the Northlight producer
requests the grant and the Crescent agent grants it.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

from rights import services
from rights.models import ConsentGrant, Talent
from rights.refs import project_directory
from studio.tenancy.models import Organization, User

TALENT = [
    {
        "name": "Ava Reyes",
        "aliases": ["Ava Marisol Reyes", "Ava Reyes-Whitlock"],
        "life_status": Talent.LifeStatus.LIVING,
    },
    {
        "name": "Leo Park",
        "aliases": ["Park Ji-ho", "Leo J. Park"],
        "life_status": Talent.LifeStatus.LIVING,
    },
]

AVA_INTENDED_USE = (
    "Digital replica of Ava Reyes as Mara Quinn in Moonrise (feature film): new establishing, pickup and "
    "insert shots in the harbour and rooftop sequences where Mara appears, matching the performance as "
    "photographed. No new dialogue, no change to the meaning of recorded dialogue."
)
AVA_DOCUMENT = (
    "Crescent Talent / Northlight Pictures — Digital Replica Consent Rider for Moonrise, signed by Ava Reyes. "
    + AVA_INTENDED_USE
)


def _log(stdout, text: str) -> None:
    if stdout:
        stdout.write(text)


def seed(stdout=None) -> dict:
    agency = Organization.objects.filter(slug="crescent").first()
    agent = User.objects.filter(email="agent@crescent.test").first()
    if agency is None or agent is None:
        _log(stdout, "  rights: the Crescent Talent agency or its agent is missing; run the tenancy demo first.")
        return {}
    talent: dict[str, Talent] = {}
    with transaction.atomic():
        for spec in TALENT:
            existing = Talent.objects.filter(organization=agency, name=spec["name"]).first()
            talent[spec["name"]] = existing or services.create_talent(actor=agent, agency=agency, **spec)
    result: dict = {"talent": talent, "grants": {}}

    northlight = Organization.objects.filter(slug="northlight").first()
    moonrise = project_directory().project_by_code(organization_id=northlight.pk, code="MR") if northlight else None
    producer = User.objects.filter(email="producer@northlight.test").first()
    if moonrise is None or producer is None:
        _log(stdout, "  rights: Northlight's Moonrise project (MR) does not exist; Ava Reyes's grant was not created.")
        _log(stdout, f"  talent: {', '.join(talent)}")
        return result
    ava = talent["Ava Reyes"]
    grant = ConsentGrant.objects.filter(talent=ava, grantee=moonrise.organization, project_id=moonrise.id).order_by("created_at").first()
    if grant is None:
        now = timezone.now()
        with transaction.atomic():
            grant = services.request_grant(
                actor=producer, talent=ava, studio=moonrise.organization, project=moonrise,
                use_types=["digital_replica"], media=["theatrical", "streaming", "marketing"], territories=["WORLD"],
                valid_from=now - dt.timedelta(days=30), valid_until=now + dt.timedelta(days=730),
                intended_use=AVA_INTENDED_USE, content_restrictions=["no_nudity_sexual", "no_dialogue_meaning_change"],
                requires_per_use_approval=True, note="Pickups for the harbour and rooftop sequences.",
            )
            grant = services.grant_consent(
                actor=agent, grant=grant, document_sha256=hashlib.sha256(AVA_DOCUMENT.encode()).hexdigest(),
                signed_at=now - dt.timedelta(days=31), signed_by="Ava Reyes", signer_capacity="self",
            )
    result["grants"]["Ava Reyes / MR"] = grant
    _log(stdout, f"  talent: {', '.join(talent)}; Ava Reyes's Moonrise grant is {grant.state}.")
    return result
