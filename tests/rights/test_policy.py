"""rights.policy.check_generation: the scope-mismatch matrix, coverage outcomes, audit of denials, efficiency."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rights import names, policy, services
from rights.models import ConsentGrant, Talent, TalentNameKey
from studio.audit.models import AuditEvent
from tests.rights.conftest import active_grant, request

NOW = timezone.now


def _other_studio(w):
    active_grant(w, studio=w.harbor, project="HL")
    return {"studio": w.northlight, "project": w.mr}


def _other_project(w):
    active_grant(w, project="OT")
    return {}


def _expired(w):
    grant = active_grant(w, valid_from=NOW() - dt.timedelta(days=30), valid_until=NOW() + dt.timedelta(days=1))
    return {"at": grant.valid_until + dt.timedelta(seconds=1)}


def _expired_state(w):
    grant = active_grant(w, valid_from=NOW() - dt.timedelta(days=30), valid_until=NOW() + dt.timedelta(days=1))
    services.expire_lapsed_grants(at=grant.valid_until + dt.timedelta(minutes=1))
    return {"at": grant.valid_until + dt.timedelta(minutes=2)}


def _not_yet_valid(w):
    active_grant(w, valid_from=NOW() + dt.timedelta(days=3), valid_until=NOW() + dt.timedelta(days=30))
    return {}


def _wrong_use_type(w):
    active_grant(w, use_types=["digital_alteration"])
    return {}


def _suspended(w):
    services.suspend_grant(actor=w.agent, grant=active_grant(w), reason="Strike suspension")
    return {}


def _revoked(w):
    services.revoke_grant(actor=w.agent, grant=active_grant(w), reason="Talent withdrew consent")
    return {}


def _pending(w):
    request(w)
    return {}


def _no_grant(w):
    return {}


def _deceased_without_estate(w):
    active_grant(w)
    services.update_talent(actor=w.agent, talent=w.ava, life_status="deceased", date_of_death=NOW().date(), estate_name="Reyes Estate")
    return {}


def _deceased_signed_after_death_by_self(w):
    services.update_talent(
        actor=w.agent, talent=w.ava, life_status="deceased", date_of_death=NOW().date() - dt.timedelta(days=10), estate_name="Reyes Estate"
    )
    grant = request(w)
    ConsentGrant.objects.filter(pk=grant.pk).update(
        state="active", document_sha256="a" * 64, signed_at=NOW(), signer_capacity="self", survives_death=True,
    )
    return {}


def _wrong_medium(w):
    active_grant(w, media=["streaming"])
    return {"media": "theatrical"}


def _wrong_territory(w):
    active_grant(w, territories=["FR", "DE"])
    return {"territory": "US"}


def _content_restricted(w):
    active_grant(w, content_restrictions=["no_violence_gore"])
    return {"content_tags": ["violence_gore"]}


MATRIX = [
    ("other studio", _other_studio, policy.NO_GRANT_FOR_STUDIO),
    ("other project", _other_project, policy.WRONG_PROJECT),
    ("expired (term ended)", _expired, policy.EXPIRED),
    ("expired (state)", _expired_state, policy.EXPIRED),
    ("not yet valid", _not_yet_valid, policy.NOT_YET_VALID),
    ("wrong use type", _wrong_use_type, policy.USE_TYPE_NOT_GRANTED),
    ("suspended", _suspended, policy.SUSPENDED),
    ("revoked", _revoked, policy.REVOKED),
    ("pending request", _pending, policy.PENDING),
    ("no grant at all", _no_grant, policy.NO_GRANT_FOR_STUDIO),
    ("deceased, grant not from the estate", _deceased_without_estate, policy.DECEASED_WITHOUT_ESTATE_GRANT),
    ("deceased, self-signed after death", _deceased_signed_after_death_by_self, policy.DECEASED_WITHOUT_ESTATE_GRANT),
    ("medium not granted", _wrong_medium, policy.MEDIUM_NOT_GRANTED),
    ("territory not granted", _wrong_territory, policy.TERRITORY_NOT_GRANTED),
    ("content restricted", _content_restricted, policy.CONTENT_RESTRICTED),
]


@pytest.mark.parametrize(("label", "arrange", "code"), MATRIX, ids=[m[0] for m in MATRIX])
def test_scope_mismatch_is_denied_with_the_right_reason(world, label, arrange, code):
    overrides = arrange(world)
    world.ava.refresh_from_db()
    kwargs = {"studio": world.northlight, "project": world.mr, "cast": [world.ava.pk], "prompt": "A woman walks on the pier at dusk"}
    kwargs.update(overrides)
    before = AuditEvent.objects.filter(action="consent.denied").count()

    decision = policy.check_generation(**kwargs)

    assert decision.outcome == policy.DENY, label
    assert not decision.permits
    assert [r.code for r in decision.reasons] == [code], decision.as_dict()
    reason = decision.reasons[0]
    assert reason.talent_id == str(world.ava.pk) and reason.talent == "Ava Reyes"
    assert "Ava Reyes" in reason.message
    # Audited in the studio's chain and in the agency's chain.
    denied = AuditEvent.objects.filter(action="consent.denied").order_by("id")[before:]
    chains = {e.chain for e in denied}
    assert chains == {str(world.northlight.pk), str(world.crescent.pk)}
    studio_event = next(e for e in denied if e.chain == str(world.northlight.pk))
    assert studio_event.data["reasons"][0]["code"] == code
    assert studio_event.data["project"]["code"] == "MR"


def test_other_studio_reason_does_not_reveal_the_other_studios_grant(world):
    active_grant(world, studio=world.harbor, project="HL")
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava])
    reason = decision.reasons[0]
    assert reason.grant_id is None
    assert "Harbor" not in reason.message


def test_covering_grant_allows(world):
    grant = active_grant(world, requires_per_use_approval=False)
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava], prompt="A wide shot")
    assert decision.outcome == policy.ALLOW and decision.permits
    assert [c.grant.pk for c in decision.covered] == [grant.pk]
    assert decision.reasons == () and decision.reviews == ()


def test_covering_grant_with_per_use_approval_needs_agency_review(world):
    active_grant(world, requires_per_use_approval=True)
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava])
    assert decision.outcome == policy.NEEDS_AGENCY_REVIEW
    assert decision.permits  # the render may run; the version needs the agency's approval
    assert [r.code for r in decision.reviews] == [policy.AGENCY_REVIEW_REQUIRED]
    assert decision.reviews[0].agency == "Crescent Talent"


def test_studio_wide_grant_covers_every_project_of_that_studio(world):
    active_grant(world, project=None)
    for project in (world.mr, world.ot):
        assert policy.check_generation(studio=world.northlight, project=project, cast=[world.ava]).outcome == policy.ALLOW


def test_deceased_talent_with_estate_grant_is_allowed(world):
    services.update_talent(
        actor=world.agent, talent=world.ava, life_status="deceased", date_of_death=NOW().date(), estate_name="Reyes Estate"
    )
    active_grant(world, signer_capacity="estate")
    assert policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava]).outcome == policy.ALLOW


def test_lifetime_grant_that_survives_death_still_covers(world):
    active_grant(world, survives_death=True)
    services.update_talent(
        actor=world.agent, talent=world.ava, life_status="deceased", date_of_death=NOW().date(), estate_name="Reyes Estate"
    )
    world.ava.refresh_from_db()
    assert policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava]).outcome == policy.ALLOW


def test_one_covering_grant_among_failing_ones_wins(world):
    active_grant(world, project="OT")
    services.revoke_grant(actor=world.agent, grant=active_grant(world), reason="Replaced")
    good = active_grant(world)
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava])
    assert decision.outcome == policy.ALLOW
    assert decision.covered[0].grant.pk == good.pk


def test_several_talent_each_get_their_reason(world):
    active_grant(world)  # Ava covered
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava, world.leo, world.nova])
    assert decision.outcome == policy.DENY
    by_talent = {r.talent: r.code for r in decision.reasons}
    assert by_talent == {"Leo Park": policy.NO_GRANT_FOR_STUDIO, "Nova Sterling": policy.NO_GRANT_FOR_STUDIO}
    # Each agency's chain holds only the reasons about its own talent.
    meridian_event = AuditEvent.objects.filter(chain=str(world.meridian.pk), action="consent.denied").get()
    assert {r["talent"] for r in meridian_event.data["reasons"]} == {"Nova Sterling"}
    assert meridian_event.data["studio"]["name"] == "Northlight Pictures"


def test_unknown_cast_id_is_denied(world):
    import uuid

    ghost = uuid.uuid4()
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[ghost])
    assert [r.code for r in decision.reasons] == [policy.UNKNOWN_TALENT]


def test_bad_arguments_are_refused(world):
    from rest_framework.exceptions import ValidationError

    with pytest.raises(ValidationError):
        policy.check_generation(studio=world.northlight, project=world.mr, cast=["not-a-uuid"])
    with pytest.raises(ValidationError):
        policy.check_generation(studio=world.northlight, project=world.mr, cast=[], use_type="voice_clone")
    with pytest.raises(ValidationError):
        policy.check_generation(studio=world.northlight, project=world.mr, prompt="x" * 30_000)
    with pytest.raises(ValueError, match="project does not belong"):
        policy.check_generation(studio=world.harbor, project=world.mr, cast=[])


def test_no_cast_and_no_names_is_allowed_without_audit(world):
    before = AuditEvent.objects.count()
    decision = policy.check_generation(studio=world.northlight, project=world.mr, prompt="A lighthouse in a storm, wide shot")
    assert decision.outcome == policy.ALLOW
    assert AuditEvent.objects.count() == before


def test_policy_denied_exception_carries_reasons(world):
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.leo])
    with pytest.raises(policy.PolicyDenied) as info:
        decision.raise_unless_permitted()
    exc = info.value
    assert exc.status_code == 403
    assert exc.extra["reasons"][0]["code"] == policy.NO_GRANT_FOR_STUDIO
    assert exc.extra["reasons"][0]["talent"] == "Leo Park"


def test_the_check_takes_two_queries_whatever_the_number_of_talent(world):
    """One query for the cast plus every talent named in the prompts, one for their grants."""
    agency = world.crescent
    extras = Talent.objects.bulk_create([Talent(organization=agency, name=f"Extra Person {i}") for i in range(500)])
    TalentNameKey.objects.bulk_create([TalentNameKey(talent=t, key=k) for t in extras for k in names.talent_keys(t.name)])
    active_grant(world)
    prompt = " ".join(["Ava Reyes walks past Extra Person 7 and Extra Person 9 on the long pier at dusk"] * 20)
    with CaptureQueriesContext(connection) as queries:
        decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava], prompt=prompt,
                                           negative_prompt="blurry, Extra Person 11")
    # Reads of talent and grants (the denial's audit writes come on top and do not grow with talent).
    selects = [q for q in queries.captured_queries if q["sql"].lstrip().startswith("SELECT") and '"rights_' in q["sql"]]
    assert decision.outcome == policy.DENY  # Extra Person 7, 9 and 11 have no grants
    assert {r.talent for r in decision.reasons} == {"Extra Person 7", "Extra Person 9", "Extra Person 11"}
    assert len(selects) == 2, [q["sql"][:120] for q in selects]


def test_allowed_check_with_cast_takes_two_queries(world, django_assert_num_queries):
    active_grant(world)
    with django_assert_num_queries(2):
        decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava], prompt="Ava Reyes at dusk")
    assert decision.outcome == policy.ALLOW


def test_policy_denied_renders_as_403_json_with_reasons(world):
    """What a view that lets PolicyDenied propagate answers (generation submit, approvals)."""
    from studio.exceptions import api_exception_handler

    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.leo], prompt="Nova Sterling waves")
    response = api_exception_handler(policy.PolicyDenied(decision), {})
    assert response.status_code == 403
    body = response.data
    assert body["error"] == "consent_denied" and body["outcome"] == "deny"
    assert body["detail"].startswith("Consent does not cover this:")
    assert {(r["talent"], r["via"], r["code"]) for r in body["reasons"]} == {
        ("Leo Park", "cast", policy.NO_GRANT_FOR_STUDIO), ("Nova Sterling", "prompt", policy.NO_GRANT_FOR_STUDIO),
    }


def test_pending_agency_review_renders_as_403_with_reviews(world):
    from studio.exceptions import api_exception_handler
    from tests.rights.conftest import make_version, new_job_id

    active_grant(world, requires_per_use_approval=True)
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava])
    job = new_job_id()
    services.record_likeness_uses(decision=decision, job_id=job, shot=world.shot)
    version = make_version(world)
    services.attach_version(job_id=job, version=version)
    approval = policy.check_approval(version=version)
    response = api_exception_handler(policy.PolicyDenied(approval), {})
    assert response.status_code == 403 and response.data["error"] == "agency_review_pending"
    assert response.data["reviews"][0]["code"] == policy.AWAITING_AGENCY_REVIEW
