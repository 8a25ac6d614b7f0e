"""`allowed_actions` on versions and approval summaries: what the caller may decide in each lane,
comment, edit — with the reason when not — computed from the same rules the services enforce (so
the browser copies none of them), and in a fixed number of queries for a whole version stack.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest
from django.utils import timezone

from projects import services
from projects.models import Version
from rights import policy
from rights import services as rights_services
from studio.tenancy.models import Organization, Role
from tests.projects.conftest import make_org, make_user, show_to_client

PURPOSE = (
    "Digital replica of Ava Reyes as Mara Quinn in the harbour night exteriors of this project, sequence 010 "
    "pickups only, matching the recorded performance; no new dialogue."
)


def version_of(shot, *, user, status: str = "ready", lineage: dict | None = None) -> Version:
    version = services.create_version(shot=shot, source="upload", created_by=user, frame_count=48, fps=(24, 1), size=(320, 180),
                                      lineage=lineage)
    Version.objects.filter(pk=version.pk).update(processing_status=status)
    version.refresh_from_db()
    return version


def actions(body: dict) -> dict:
    return {(a["action"], a["lane"]): a for a in body["allowed_actions"]}


def test_each_role_sees_what_it_may_decide_and_why_not(studio, api):
    version = version_of(studio.shot, user=studio.artist)
    show_to_client(studio.producer, version)  # a client sees only what was submitted to them
    producer = actions(api(studio.producer).get(f"/api/v1/versions/{version.pk}/").json())
    assert producer[("approve", "producer")] == {"action": "approve", "lane": "producer", "allowed": True, "code": "", "reason": ""}
    assert producer[("request_changes", "producer")]["allowed"] is True
    client_lane = producer[("approve", "client")]
    assert client_lane["allowed"] is False and client_lane["code"] == "not_permitted"
    assert client_lane["reason"] == "The Client lane is decided by the client's reviewers on the project."
    assert producer[("comment", None)]["allowed"] and producer[("comment_internal", None)]["allowed"]
    assert producer[("edit_note", None)]["allowed"]
    assert ("approve", "agency") not in producer  # no likeness under review: no agency lane

    client = actions(api(studio.client).get(f"/api/v1/versions/{version.pk}/").json())
    assert client[("approve", "client")]["allowed"] and not client[("approve", "producer")]["allowed"]
    assert client[("approve", "producer")]["reason"] == "The Producer lane is decided by the project's producers, admins and owners."
    assert client[("comment", None)]["allowed"]
    internal = client[("comment_internal", None)]
    assert internal["allowed"] is False and "client reviewers" in internal["reason"]

    artist = actions(api(studio.artist).get(f"/api/v1/versions/{version.pk}/").json())
    assert not artist[("approve", "producer")]["allowed"] and artist[("edit_note", None)]["allowed"]  # their own version
    others = version_of(studio.shot, user=studio.supervisor)
    artist_on_others = actions(api(studio.artist).get(f"/api/v1/versions/{others.pk}/").json())
    assert artist_on_others[("edit_note", None)] == {
        "action": "edit_note", "lane": None, "allowed": False, "code": "not_permitted",
        "reason": "Only the version's author, supervisors, producers, admins and owners may edit its note.",
    }


def test_approving_waits_for_the_media_with_the_reason_the_api_gives(studio, api):
    version = version_of(studio.shot, user=studio.artist, status="processing")
    approve = actions(api(studio.producer).get(f"/api/v1/versions/{version.pk}/").json())[("approve", "producer")]
    assert approve["allowed"] is False and approve["code"] == "blocked"
    refused = api(studio.producer).post(f"/api/v1/versions/{version.pk}/approvals/", {"lane": "producer", "decision": "approved"},
                                        format="json")
    assert refused.status_code == 409 and refused.json()["detail"] == approve["reason"]
    # Sending it back needs no media.
    summary = api(studio.producer).get(f"/api/v1/versions/{version.pk}/approvals/").json()
    assert actions(summary)[("request_changes", "producer")]["allowed"] is True


@pytest.mark.parametrize("who", ["owner", "producer", "supervisor", "artist", "legal", "client"])
def test_allowed_actions_agree_with_what_the_api_accepts(studio, api, who):
    """For every studio role and lane: allowed → the decision is recorded; not_permitted → 403."""
    version = version_of(studio.shot, user=studio.artist)
    show_to_client(studio.producer, version)  # a client sees only what was submitted to them
    user = getattr(studio, who)
    listed = actions(api(user).get(f"/api/v1/versions/{version.pk}/approvals/").json())
    for lane in ("producer", "client"):
        for action, decision in (("request_changes", "changes_requested"), ("approve", "approved")):
            expected = listed[(action, lane)]
            response = api(user).post(f"/api/v1/versions/{version.pk}/approvals/",
                                      {"lane": lane, "decision": decision, "note": "Warmer, please."}, format="json")
            if expected["allowed"]:
                assert response.status_code == 201, (who, lane, action, response.json())
            else:
                assert expected["code"] == "not_permitted" and response.status_code == 403, (who, lane, action, response.json())


@pytest.fixture
def agency(studio):
    return agency_world(studio)


def agency_world(studio) -> dict:
    """Crescent Talent with Ava Reyes, granted to the studio's project with per-use approval."""
    crescent = make_org("aa-crescent", kind=Organization.Kind.AGENCY)
    agent = make_user("agent@aa-crescent.test", org=crescent, role=Role.AGENT)
    ava = rights_services.create_talent(actor=agent, agency=crescent, name="Ava Reyes")
    now = timezone.now()
    pending = rights_services.request_grant(
        actor=studio.producer, talent=ava, studio=studio.org, project=studio.project, use_types=["digital_replica"],
        media=["theatrical"], territories=["WORLD"], valid_from=now - dt.timedelta(days=1), valid_until=now + dt.timedelta(days=90),
        intended_use=PURPOSE, requires_per_use_approval=True,
    )
    rights_services.grant_consent(actor=agent, grant=pending, document_sha256=hashlib.sha256(b"rider").hexdigest(),
                                  signed_at=now - dt.timedelta(hours=1), signed_by="Ava Reyes", signer_capacity="self")
    return {"org": crescent, "agent": agent, "ava": ava}


def rendered(studio, agency, *, shot=None) -> Version:
    """What the generation engine does for one job: check, record uses, create the version, link it."""
    decision = policy.check_generation(studio=studio.org, project=studio.project, cast=[agency["ava"]], prompt="Ava on the wall")
    job = uuid.uuid4()
    rights_services.record_likeness_uses(decision=decision, job_id=job, shot=shot or studio.shot, actor=studio.artist)
    version = version_of(shot or studio.shot, user=studio.artist, lineage={"job": str(job), "prompt": "Ava on the wall"})
    rights_services.attach_version(job_id=job, version=version)
    return version


def test_the_agency_lane_is_the_agencys_and_final_once_decided(studio, agency, api):
    version = rendered(studio, agency)
    url = f"/api/v1/versions/{version.pk}/approvals/"
    producer = actions(api(studio.producer).get(f"/api/v1/versions/{version.pk}/").json())
    lane = producer[("approve", "agency")]
    assert lane["code"] == "not_permitted"
    assert lane["reason"] == "The Talent agency lane is decided by Aa-Crescent, the agency that represents the talent."
    # Issue 13: while the agency's review is pending, the producer's Approve is disabled with the reason up front.
    waiting = producer[("approve", "producer")]
    assert (waiting["allowed"], waiting["code"]) == (False, "blocked")
    assert waiting["reason"] == "Waiting for the talent agency's approval: Aa-Crescent has not yet approved the use of Ava Reyes."
    assert producer[("request_changes", "producer")]["allowed"]  # sending it back stays possible
    # What the button says is what the API does: the POST is still refused, with the policy's code.
    refused = api(studio.producer).post(url, {"lane": "producer", "decision": "approved"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"] == "agency_review_pending"
    # A client reviewer's Approve waits too, in general words (the talent is not theirs to read).
    show_to_client(studio.producer, version)
    client = actions(api(studio.client).get(f"/api/v1/versions/{version.pk}/").json())[("approve", "client")]
    assert (client["allowed"], client["code"]) == (False, "blocked")
    assert client["reason"] == "Waiting for the talent agency's approval of a likeness use in this version."
    assert "Ava" not in client["reason"] and "Crescent" not in client["reason"]

    agent = actions(api(agency["agent"]).get(url).json())
    assert agent[("approve", "agency")]["allowed"] and agent[("request_changes", "agency")]["allowed"]
    assert agent[("approve", "producer")]["code"] == "not_permitted"

    assert api(agency["agent"]).post(url, {"lane": "agency", "decision": "approved"}, format="json").status_code == 201
    decided = actions(api(agency["agent"]).get(url).json())[("approve", "agency")]
    assert actions(api(studio.producer).get(url).json())[("approve", "producer")]["allowed"]  # the use approved: the producer may
    assert decided["allowed"] is False and decided["code"] == "not_applicable"
    again = api(agency["agent"]).post(url, {"lane": "agency", "decision": "approved"}, format="json")
    assert again.status_code == 409 and again.json()["detail"] == decided["reason"]
    assert "Decisions are final" in decided["reason"]


def test_a_version_stack_costs_the_same_queries_for_3_versions_as_for_20(studio, agency, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def shot_detail_queries(shot) -> int:
        client = api(studio.producer)
        with CaptureQueriesContext(connection) as captured:
            body = client.get(f"/api/v1/shots/{shot.pk}/").json()
        assert all(v["allowed_actions"] for v in body["versions"])
        return len(captured.captured_queries)

    small = studio.shot
    large = studio.other_shot.__class__.objects.create(project=studio.project, code=f"{studio.project.code}_010_0020")
    for shot, count in ((small, 3), (large, 20)):
        for i in range(count):
            rendered(studio, agency, shot=shot) if i % 2 else version_of(shot, user=studio.artist)
    assert shot_detail_queries(small) == shot_detail_queries(large)
    with CaptureQueriesContext(connection) as few:
        api(studio.producer).get(f"/api/v1/shots/{small.pk}/versions/")
    with CaptureQueriesContext(connection) as many:
        api(studio.producer).get(f"/api/v1/shots/{large.pk}/versions/")
    assert len(few.captured_queries) == len(many.captured_queries)


def test_a_quarantined_version_offers_approve_disabled_with_the_reason(studio, agency, api):
    """Issue 13: Approve on a quarantined version is disabled with the reason, not refused after the
    click; the agency lane reads "Quarantined" (one vocabulary) and keeps the agency's earlier decision."""
    version = rendered(studio, agency)
    (use,) = version.likeness_uses.all()
    rights_services.decide_use(actor=agency["agent"], use=use, decision="approve")
    grant = use.grant
    rights_services.revoke_grant(actor=agency["agent"], grant=grant, reason="Talent withdrew consent for replicas.")
    version.refresh_from_db()
    assert version.quarantined_at is not None

    approve = actions(api(studio.producer).get(f"/api/v1/versions/{version.pk}/").json())[("approve", "producer")]
    assert approve["allowed"] is False and approve["code"] == "blocked"
    assert approve["reason"].startswith("Quarantined, so it cannot be approved:")
    assert "Talent withdrew consent for replicas." in approve["reason"]
    # What the button says is what the API does.
    refused = api(studio.producer).post(f"/api/v1/versions/{version.pk}/approvals/", {"lane": "producer", "decision": "approved"},
                                        format="json")
    assert refused.status_code == 403 and refused.json()["error"] == "consent_denied"
    # A client reviewer never sees a quarantined version at all (docs/RIGHTS.md, "What a client sees").
    assert api(studio.client).get(f"/api/v1/versions/{version.pk}/").status_code == 404
    download = actions(api(studio.producer).get(f"/api/v1/versions/{version.pk}/").json())[("download", None)]
    assert download["code"] == "blocked" and download["reason"].startswith("Quarantined, so it cannot be downloaded:")
    assert api(studio.producer).get(f"/api/v1/versions/{version.pk}/download/").status_code == 403
    # Sending it back stays possible.
    assert actions(api(studio.producer).get(f"/api/v1/versions/{version.pk}/").json())[("request_changes", "producer")]["allowed"]

    summary = api(studio.producer).get(f"/api/v1/versions/{version.pk}/approvals/").json()
    lane = next(lane for lane in summary["lanes"] if lane["lane"] == "agency")
    assert (lane["state"], lane["state_label"]) == ("quarantined", "Quarantined")
    assert [d["decision"] for d in lane["decisions"]] == ["approved"]  # what the agency decided, not "rejected"
    listed = api(agency["agent"]).get("/api/v1/likeness-uses/", {"state": "invalidated"}).json()["results"]
    assert [(u["id"], u["state_label"]) for u in listed] == [(str(use.pk), "Quarantined")]


def test_a_held_version_offers_approve_and_share_disabled_with_the_scans_reason(studio, api):
    version = version_of(studio.shot, user=studio.artist)
    held = "Held: the face of Ava Reyes (Crescent Talent) appears without a grant for this project."
    Version.objects.filter(pk=version.pk).update(scan_state="held", scan_result={"held_reason": held})
    listed = actions(api(studio.producer).get(f"/api/v1/versions/{version.pk}/").json())
    for action, lane in (("approve", "producer"), ("share", None), ("download", None)):
        assert listed[(action, lane)]["allowed"] is False and listed[(action, lane)]["code"] == "blocked", action
    assert listed[("approve", "producer")]["reason"] == held
    refused = api(studio.producer).post(f"/api/v1/versions/{version.pk}/approvals/", {"lane": "producer", "decision": "approved"},
                                        format="json")
    assert refused.status_code == 409 and refused.json()["error"] == "likeness_held" and refused.json()["detail"] == held
    download = api(studio.producer).get(f"/api/v1/versions/{version.pk}/download/")
    assert download.status_code == 409 and download.json()["detail"] == listed[("download", None)]["reason"]
