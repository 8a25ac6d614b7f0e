"""Approval lanes: who decides what, when a version counts as approved, retakes, and the audit."""

from __future__ import annotations

import pytest

from projects import lanes
from projects.models import Approval, Shot, Version
from studio.audit.models import AuditEvent
from tests.projects.conftest import add_version, show_to_client


@pytest.fixture
def version(studio, clips, media_root):
    version = add_version(studio.shot, clips["good"], user=studio.artist)
    Version.objects.filter(pk=version.pk).update(processing_status="ready")  # media readiness is tested below
    show_to_client(studio.producer, version)  # the client decides only what was submitted to them
    version.refresh_from_db()
    return version


def decide(api, user, version, lane, decision, note=""):
    return api(user).post(f"/api/v1/versions/{version.id}/approvals/", {"lane": lane, "decision": decision, "note": note}, format="json")


def test_a_version_is_approved_only_when_every_required_lane_approves(studio, version, api):
    first = decide(api, studio.producer, version, "producer", "approved", "Great")
    assert first.status_code == 201, first.json()
    assert first.json()["status"] == "pending"
    lanes_state = {lane["lane"]: lane for lane in first.json()["lanes"]}
    assert lanes_state["producer"]["state"] == "approved" and lanes_state["client"]["state"] == "pending"
    assert lanes_state["client"]["required"] is True
    studio.shot.refresh_from_db()
    assert studio.shot.status == "review"

    second = decide(api, studio.client, version, "client", "approved")
    assert second.json()["status"] == "approved"
    version.refresh_from_db()
    studio.shot.refresh_from_db()
    assert version.approval_status == "approved"
    assert studio.shot.status == "approved"
    decisions = [d for lane in second.json()["lanes"] for d in lane["decisions"]]
    assert {(d["reviewer"]["email"], d["decision"]) for d in decisions} == {
        (studio.producer.email, "approved"),
        (studio.client.email, "approved"),
    }


def test_with_only_the_producer_lane_required_one_approval_is_enough(studio, version, api):
    studio.project.required_lanes = ["producer"]
    studio.project.save()
    response = decide(api, studio.owner, version, "producer", "approved")
    assert response.json()["status"] == "approved"
    assert response.json()["required_lanes"] == ["producer"]


def test_who_may_decide_each_lane(studio, version, api):
    for user in (studio.artist, studio.supervisor, studio.legal, studio.client):
        response = decide(api, user, version, "producer", "approved")
        assert response.status_code == 403, user.email
        assert "decided by: admin, owner, producer" in response.json()["detail"]
    for user in (studio.producer, studio.artist):
        assert decide(api, user, version, "client", "approved").status_code == 403
    assert not Approval.objects.exists()


def test_changes_requested_bumps_the_retake_count_once_per_version(studio, version, api, clips):
    assert decide(api, studio.client, version, "client", "changes_requested").status_code == 400  # a note is required
    response = decide(api, studio.client, version, "client", "changes_requested", "Too dark")
    assert response.status_code == 201 and response.json()["status"] == "changes_requested"
    studio.shot.refresh_from_db()
    assert studio.shot.retake_count == 1 and studio.shot.status == "in_progress"
    decide(api, studio.producer, version, "producer", "changes_requested", "Agreed, too dark")
    studio.shot.refresh_from_db()
    assert studio.shot.retake_count == 1  # the same version sent back twice is one retake
    v2 = add_version(studio.shot, clips["good"], user=studio.artist)
    Version.objects.filter(pk=v2.pk).update(processing_status="ready")
    decide(api, studio.producer, v2, "producer", "changes_requested", "Still dark")
    studio.shot.refresh_from_db()
    assert studio.shot.retake_count == 2


def test_sending_back_an_older_version_leaves_the_shot_alone(studio, version, api, clips):
    """Issue 13: one rejection of a throwaway version must not flip the shot or add a retake."""
    decide(api, studio.producer, version, "producer", "approved")
    decide(api, studio.client, version, "client", "approved")
    v2 = add_version(studio.shot, clips["good"], user=studio.artist)  # v2 is now the current version
    Version.objects.filter(pk=v2.pk).update(processing_status="ready")
    studio.shot.refresh_from_db()
    assert studio.shot.current_version_id == v2.id and studio.shot.status == "approved"
    v3 = add_version(studio.shot, clips["good"], user=studio.artist)
    Version.objects.filter(pk=v3.pk).update(processing_status="ready")
    Shot.objects.filter(pk=studio.shot.pk).update(current_version=v3)
    assert decide(api, studio.producer, v2, "producer", "changes_requested", "Not this one").status_code == 201
    studio.shot.refresh_from_db()
    assert (studio.shot.status, studio.shot.retake_count) == ("approved", 0)
    # The approved v1 sent back: no other version is approved, so the shot returns to review, and
    # since v1 is not current either, no retake is counted.
    decide(api, studio.client, version, "client", "changes_requested", "On reflection, no")
    studio.shot.refresh_from_db()
    assert (studio.shot.status, studio.shot.retake_count) == ("review", 0)
    # The current version sent back is a retake, as before.
    decide(api, studio.producer, v3, "producer", "changes_requested", "Too dark")
    studio.shot.refresh_from_db()
    assert (studio.shot.status, studio.shot.retake_count) == ("in_progress", 1)


def test_a_reviewer_changing_their_mind_replaces_their_decision(studio, version, api):
    decide(api, studio.producer, version, "producer", "approved")
    decide(api, studio.client, version, "client", "approved")
    studio.shot.refresh_from_db()
    assert studio.shot.status == "approved"
    response = decide(api, studio.client, version, "client", "changes_requested", "On second look, the sky")
    assert response.json()["status"] == "changes_requested"
    assert Approval.objects.filter(version=version, lane="client").count() == 1
    studio.shot.refresh_from_db()
    assert studio.shot.status == "in_progress" and studio.shot.retake_count == 1


def test_bad_decisions_are_explained(studio, version, api):
    unknown_lane = decide(api, studio.producer, version, "director", "approved")
    assert unknown_lane.status_code == 400 and "use one of: producer, client, agency" in unknown_lane.json()["fields"]["lane"][0]
    # The agency lane exists, but only the talent's agency decides it (this version uses no likeness).
    agency_lane = decide(api, studio.producer, version, "agency", "approved")
    assert agency_lane.status_code == 403 and "the agency that represents the talent" in agency_lane.json()["detail"]
    assert decide(api, studio.producer, version, "producer", "maybe").status_code == 400


def test_a_version_whose_media_is_not_ready_cannot_be_approved(studio, api, clips, media_root):
    processing = add_version(studio.shot, clips["good"], user=studio.artist)
    response = decide(api, studio.producer, processing, "producer", "approved")
    assert response.status_code == 409 and "still processing" in response.json()["detail"]
    Version.objects.filter(pk=processing.pk).update(processing_status="failed", failure_reason="broken file")
    assert "broken file" in decide(api, studio.producer, processing, "producer", "approved").json()["detail"]
    # sending it back is always possible
    assert decide(api, studio.producer, processing, "producer", "changes_requested", "re-export").status_code == 201


def test_every_decision_is_audited(studio, version, api):
    decide(api, studio.producer, version, "producer", "approved", "ok")
    decide(api, studio.producer, version, "producer", "changes_requested", "wait")
    events = AuditEvent.objects.filter(action="approval.decided", target_id=str(version.id)).order_by("seq")
    assert [(e.data["lane"], e.data["decision"], e.data["role"]) for e in events] == [
        ("producer", "approved", "producer"),
        ("producer", "changes_requested", "producer"),
    ]
    assert events[1].data["status"] == ["pending", "changes_requested"]


def test_approvals_are_isolated(studio, rival, version, api, clips):
    url = f"/api/v1/versions/{version.id}/approvals/"
    assert api(rival.producer).get(url).status_code == 404
    assert decide(api, rival.producer, version, "producer", "approved").status_code == 404
    other = add_version(studio.other_shot, clips["good"])
    assert api(studio.client).get(f"/api/v1/versions/{other.id}/approvals/").status_code == 404
    assert decide(api, studio.client, other, "client", "approved").status_code == 404
    assert api(studio.client).get(url).status_code == 200


def test_final_after_approval(studio, version, api):
    studio.project.required_lanes = ["producer"]
    studio.project.save()
    decide(api, studio.producer, version, "producer", "approved")
    assert api(studio.producer).patch(f"/api/v1/shots/{studio.shot.id}/", {"status": "final"}, format="json").json()["status"] == "final"
    # a later decision does not pull a final shot back
    decide(api, studio.producer, version, "producer", "changes_requested", "hmm")
    assert Shot.objects.get(pk=studio.shot.pk).status == "final"


def test_lane_registry_is_the_single_place_to_add_a_lane():
    assert list(lanes.LANES) == ["producer", "client", "agency"]
    assert lanes.ALWAYS_REQUIRED == ("producer",)
    # The agency lane is added to the versions that use a likeness; a project cannot require it of all.
    assert lanes.project_lane_names() == ["producer", "client"] and lanes.LANES["agency"].automatic


def test_a_project_cannot_require_the_automatic_agency_lane(studio, api):
    response = api(studio.producer).patch(
        f"/api/v1/projects/{studio.project.id}/", {"required_lanes": ["producer", "agency"]}, format="json"
    )
    assert response.status_code == 400
    assert "added automatically" in response.json()["fields"]["required_lanes"][0]
    studio.project.refresh_from_db()
    assert studio.project.required_lanes == ["producer", "client"]


def test_changing_the_required_lanes_restates_decided_versions(studio, version, api):
    decide(api, studio.producer, version, "producer", "approved")
    assert Version.objects.get(pk=version.pk).approval_status == "pending"  # the client has not decided
    response = api(studio.producer).patch(f"/api/v1/projects/{studio.project.id}/", {"required_lanes": ["producer"]}, format="json")
    assert response.status_code == 200
    assert Version.objects.get(pk=version.pk).approval_status == "approved"
    assert Shot.objects.get(pk=studio.shot.pk).status == "approved"
    assert AuditEvent.objects.filter(action="project.updated", data__versions_restated=1).exists()
    api(studio.producer).patch(f"/api/v1/projects/{studio.project.id}/", {"required_lanes": ["producer", "client"]}, format="json")
    assert Version.objects.get(pk=version.pk).approval_status == "pending"
    assert Shot.objects.get(pk=studio.shot.pk).status == "review"
