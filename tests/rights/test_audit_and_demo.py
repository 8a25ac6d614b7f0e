"""Every consent decision lands in the audit chains (which verify), and the demo seed is idempotent."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from rights import demo, policy, services
from rights.models import ConsentGrant, LikenessUse, Talent
from studio.audit.models import AuditEvent
from studio.tenancy.models import Organization
from tests.rights.conftest import make_version, new_job_id
from tests.rights.test_consents_api import _body, _grant_body
from tests.rights.test_talent_api import png_bytes


def test_every_decision_is_in_the_verified_audit_chain(world, api):
    studio, agency = api(world.nl_producer), api(world.agent)
    agency.patch(f"/api/v1/talent/{world.ava.pk}/", {"aliases": ["Ava Marisol Reyes"]}, format="json")
    services.upload_asset(actor=world.agent, talent=world.ava, file=SimpleUploadedFile("a.png", png_bytes()))
    grant_id = studio.post("/api/v1/consents/", _body(world), format="json").json()["id"]
    assert agency.post(f"/api/v1/consents/{grant_id}/grant/", _grant_body(requires_per_use_approval=True), format="json").status_code == 200
    # A denied generation (Leo named without consent), an allowed one, the agency's decision.
    denied = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava], prompt="Ava Reyes and Leo Park",
                                     actor=world.nl_artist)
    assert denied.outcome == policy.DENY
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava], prompt="Ava Reyes alone")
    job = new_job_id()
    [use] = services.record_likeness_uses(decision=decision, job_id=job, shot=world.shot, actor=world.nl_artist)
    version = make_version(world, lineage={"prompt": "Ava Reyes alone"})
    services.attach_version(job_id=job, version=version)
    assert agency.post(f"/api/v1/likeness-uses/{use.pk}/decide/", {"decision": "approve"}, format="json").status_code == 200
    assert agency.post(f"/api/v1/consents/{grant_id}/suspend/", {"reason": "Strike"}, format="json").status_code == 200
    assert agency.post(f"/api/v1/consents/{grant_id}/resume/", {}, format="json").status_code == 200
    assert agency.post(f"/api/v1/consents/{grant_id}/revoke/", {"reason": "Withdrawn"}, format="json").status_code == 200
    assert policy.check_approval(version=version, actor=world.nl_producer).outcome == policy.DENY

    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().startswith("OK:")

    studio_actions = list(AuditEvent.objects.filter(chain=str(world.northlight.pk)).order_by("seq").values_list("action", flat=True))
    agency_actions = list(AuditEvent.objects.filter(chain=str(world.crescent.pk)).order_by("seq").values_list("action", flat=True))
    expected_both = [
        "consent.requested", "consent.granted", "consent.denied", "likeness_use.recorded", "likeness_use.version_attached",
        "likeness_use.approved", "consent.suspended", "likeness_use.invalidated", "consent.resumed", "consent.revoked",
        "likeness_use.invalidated", "consent.denied",
    ]
    # The studio's chain also holds what the review app did about it: the agency's decision as the
    # version's agency-lane approval, and the version quarantined, released and quarantined again.
    assert studio_actions == [
        "consent.requested", "consent.granted", "consent.denied", "likeness_use.recorded", "likeness_use.version_attached",
        "likeness_use.approved", "approval.decided", "consent.suspended", "likeness_use.invalidated", "version.quarantined",
        "consent.resumed", "version.released", "consent.revoked", "likeness_use.invalidated", "version.quarantined",
        "consent.denied",
    ]
    assert agency_actions == ["talent.created", "talent.created", "talent.updated", "likeness_asset.uploaded", *expected_both]
    # The denial names who tried, what and why.
    denial = AuditEvent.objects.filter(chain=str(world.crescent.pk), action="consent.denied").first()
    assert denial.actor_label == world.nl_artist.email
    assert denial.data["studio"]["name"] == "Northlight Pictures"
    assert [r["talent"] for r in denial.data["reasons"]] == ["Leo Park"]


# ---------------------------------------------------------------- demo

def _tenancy_demo():
    from studio.tenancy import demo as tenancy_demo

    return tenancy_demo.seed()


def test_demo_seed_creates_ava_with_an_active_grant_and_leo_without(db):
    from projects.models import Project

    _tenancy_demo()
    northlight = Organization.objects.get(slug="northlight")
    Project.objects.get_or_create(organization=northlight, code="MR", defaults={"name": "Moonrise"})

    result = demo.seed()
    ava, leo = result["talent"]["Ava Reyes"], result["talent"]["Leo Park"]
    assert ava.organization.slug == "crescent" and ava.aliases
    grant = ConsentGrant.objects.get(talent=ava)
    assert grant.state == "active" and grant.project.code == "MR" and grant.grantee == northlight
    assert grant.use_types == ["digital_replica"] and grant.requires_per_use_approval is True
    assert not ConsentGrant.objects.filter(talent=leo).exists()
    decision = policy.check_generation(studio=northlight, project=grant.project, cast=[ava], prompt="Ava Reyes on the harbour wall")
    assert decision.outcome == policy.NEEDS_AGENCY_REVIEW
    assert policy.check_generation(studio=northlight, project=grant.project, cast=[leo]).outcome == policy.DENY

    counts = (Talent.objects.count(), ConsentGrant.objects.count(), LikenessUse.objects.count(), AuditEvent.objects.count())
    out = io.StringIO()
    demo.seed(stdout=out)
    assert (Talent.objects.count(), ConsentGrant.objects.count(), LikenessUse.objects.count(), AuditEvent.objects.count()) == counts
    assert "active" in out.getvalue()


def test_demo_seed_without_the_moonrise_project_creates_talent_only(db):
    from projects.models import Project

    _tenancy_demo()
    Project.objects.filter(code="MR").delete()
    out = io.StringIO()
    result = demo.seed(stdout=out)
    assert set(result["talent"]) == {"Ava Reyes", "Leo Park"}
    assert ConsentGrant.objects.count() == 0
    assert "was not created" in out.getvalue()
