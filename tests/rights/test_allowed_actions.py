"""`allowed_actions` on consent grants (the state machine's transitions for the caller) and likeness
uses (the agency's decision), from the rules in rights.transitions that the services enforce: what a
row says is allowed is what the API accepts, and a refusal says the same thing the API would.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rights import services
from rights.models import ConsentGrant
from studio.tenancy.models import Role
from tests.rights.conftest import active_grant, make_user, request, results, sha
from tests.rights.test_uses import generate

GRANT_BODIES = {
    "grant": {"document_sha256": sha(), "signed_at": "2026-01-01T00:00:00Z", "signed_by": "Ava Reyes", "signer_capacity": "self"},
    "suspend": {"reason": "A strike suspension."},
    "resume": {"note": "Back to work."},
    "revoke": {"reason": "Withdrawn."},
}


def by_action(row: dict) -> dict:
    return {a["action"]: a for a in row["allowed_actions"]}


def grant_row(api, user, grant) -> dict:
    return api(user).get(f"/api/v1/consents/{grant.pk}/").json()


@pytest.mark.parametrize("state", ["pending", "active", "suspended", "revoked"])
def test_the_agency_sees_the_grants_next_steps_and_the_api_agrees(world, api, state):
    grant = request(world) if state == "pending" else active_grant(world)
    if state == "suspended":
        services.suspend_grant(actor=world.agent, grant=grant, reason="Hold")
    if state == "revoked":
        services.revoke_grant(actor=world.agent, grant=grant, reason="Gone")
    listed = by_action(grant_row(api, world.agent, grant))
    expected_allowed = {
        "pending": {"grant", "revoke"}, "active": {"suspend", "revoke"}, "suspended": {"resume", "revoke"}, "revoked": set(),
    }[state]
    assert {name for name, a in listed.items() if a["allowed"]} == expected_allowed
    for name, action in listed.items():
        if action["allowed"]:
            continue
        assert action["code"] == "not_applicable"
        # The refusal is the API's own 409 message (tried on a copy of the state: nothing changes on a refusal).
        response = api(world.agent).post(f"/api/v1/consents/{grant.pk}/{name}/", GRANT_BODIES[name], format="json")
        assert response.status_code == 409 and response.json()["detail"] == action["reason"], (name, response.json())
    if expected_allowed:  # an allowed step is accepted
        name = sorted(expected_allowed)[0]
        response = api(world.agent).post(f"/api/v1/consents/{grant.pk}/{name}/", GRANT_BODIES[name], format="json")
        assert response.status_code == 200, (name, response.json())


def test_a_suspended_grant_whose_term_ended_cannot_be_resumed_and_says_why(world, api):
    grant = active_grant(world)
    services.suspend_grant(actor=world.agent, grant=grant, reason="Hold")
    ConsentGrant.objects.filter(pk=grant.pk).update(valid_until=timezone.now() - dt.timedelta(minutes=1))
    resume = by_action(grant_row(api, world.agent, grant))["resume"]
    assert resume["allowed"] is False and resume["code"] == "blocked"
    response = api(world.agent).post(f"/api/v1/consents/{grant.pk}/resume/", {}, format="json")
    assert response.status_code == 409 and response.json()["detail"] == resume["reason"]


def test_only_the_representing_agencys_deciding_roles_may_change_a_grant(world, api):
    grant = active_grant(world)
    studio = by_action(grant_row(api, world.nl_producer, grant))
    assert all(a["code"] == "not_permitted" for a in studio.values())
    assert studio["revoke"]["reason"] == "Only Crescent Talent, the agency that represents Ava Reyes, can change this grant."
    refused = api(world.nl_producer).post(f"/api/v1/consents/{grant.pk}/revoke/", {"reason": "x"}, format="json")
    assert refused.status_code == 403 and refused.json()["detail"] == studio["revoke"]["reason"]
    assistant = make_user("assistant@crescent.test", world.crescent, Role.ARTIST)
    theirs = by_action(grant_row(api, assistant, grant))["suspend"]
    assert theirs["code"] == "not_permitted" and "Your role 'artist' at Crescent Talent may not change consent grants" in theirs["reason"]
    refused = api(assistant).post(f"/api/v1/consents/{grant.pk}/suspend/", {"reason": "x"}, format="json")
    assert refused.status_code == 403


def test_a_use_awaiting_review_is_the_agencys_to_decide_once(world, api):
    active_grant(world, requires_per_use_approval=True)
    _, [use], _ = generate(world)
    url = f"/api/v1/likeness-uses/{use.pk}/"
    agent = by_action(api(world.agent).get(url).json())
    assert agent["approve"]["allowed"] and agent["reject"]["allowed"]
    studio = by_action(api(world.nl_producer).get(url).json())
    assert studio["approve"] == {
        "action": "approve", "lane": None, "allowed": False, "code": "not_permitted",
        "reason": "Only Crescent Talent, the agency that represents Ava Reyes, can decide this use.",
    }
    assert api(world.agent).post(f"{url}decide/", {"decision": "approve"}, format="json").status_code == 200
    decided = by_action(api(world.agent).get(url).json())["reject"]
    assert decided["code"] == "not_applicable"
    again = api(world.agent).post(f"{url}decide/", {"decision": "reject", "note": "No"}, format="json")
    assert again.status_code == 409 and again.json()["detail"] == decided["reason"]


def test_grant_and_use_lists_cost_the_same_queries_for_2_rows_as_for_12(world, api):
    def list_queries(path: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            rows = results(api(world.agent).get(path))
        assert all(row["allowed_actions"] for row in rows)
        return len(rows), len(captured.captured_queries)

    active_grant(world, requires_per_use_approval=True)
    for _ in range(2):
        generate(world)
    few = {path: list_queries(path) for path in ("/api/v1/consents/", "/api/v1/likeness-uses/")}
    for _ in range(10):
        services.revoke_grant(actor=world.agent, grant=request(world, talent=world.leo), reason="Not now")  # declined
        generate(world)
    many = {path: list_queries(path) for path in ("/api/v1/consents/", "/api/v1/likeness-uses/")}
    for path in few:
        assert many[path][0] > few[path][0] + 9, path
        assert many[path][1] == few[path][1], (path, few[path], many[path])
