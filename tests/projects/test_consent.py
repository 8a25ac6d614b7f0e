"""Consent in review: the `agency` approval lane, the producer blocked until the agency approves,
quarantine when a grant stops covering a version (no approval, export or delivery, and the API says
why), and every decision in the verified audit chain.

Versions here are made the way the generation engine makes them (policy check, likeness uses
recorded for a job, version created and linked), without rendering.
"""

from __future__ import annotations

import io
import uuid
from types import SimpleNamespace

import opentimelineio as otio
import pytest
from django.core.files import File
from django.core.management import call_command

from projects import services
from projects.models import Approval, Shot, Version
from rights import policy
from rights import services as rights_services
from rights.models import LikenessUse
from studio.audit.models import AuditEvent
from studio.realtime.models import Event
from studio.tenancy.models import Organization, Role
from tests.projects.conftest import add_version, make_org, make_user, show_to_client
from tests.support.world import give_consent, request_consent

INTENDED_USE = (
    "Digital replica of Ava Reyes as Mara Quinn in the harbour night exteriors of this project, sequence 010 "
    "pickups only, matching the recorded performance; no new dialogue."
)


@pytest.fixture
def rights(studio, rival, media_root):
    crescent = make_org("p-crescent", kind=Organization.Kind.AGENCY)
    meridian = make_org("p-meridian", kind=Organization.Kind.AGENCY)
    r = SimpleNamespace(crescent=crescent, meridian=meridian)
    r.agent = make_user("agent@p-crescent.test", org=crescent, role=Role.AGENT)
    r.meridian_agent = make_user("agent@p-meridian.test", org=meridian, role=Role.AGENT)
    r.ava = rights_services.create_talent(actor=r.agent, agency=crescent, name="Ava Reyes")
    studio.project.required_lanes = ["producer"]
    studio.project.save()
    return r


def grant(studio, r, *, per_use: bool):
    pending = request_consent(requester=studio.producer, talent=r.ava, studio=studio.org, project=studio.project,
                              intended_use=INTENDED_USE, requires_per_use_approval=per_use)
    return give_consent(agent=r.agent, grant=pending, signed_by="Ava Reyes", document="rider")


def generated_version(studio, r, clip, *, shot=None, prompt="Ava Reyes on the harbour wall", cast=True) -> Version:
    """What the generation engine does for one job: check, record uses, create the version, link it."""
    shot = shot or studio.shot
    talent = [r.ava] if cast else []
    decision = policy.check_generation(studio=studio.org, project=studio.project, cast=talent, prompt=prompt)
    assert decision.permits, decision.as_dict()
    job = uuid.uuid4()
    rights_services.record_likeness_uses(decision=decision, job_id=job, shot=shot, actor=studio.artist)
    with open(clip, "rb") as fh:
        version = services.create_version(
            shot=shot, source=Version.Source.GENERATION, created_by=studio.artist, original=File(fh), original_name="render.mp4",
            lineage={"job": str(job), "prompt": prompt, "cast": [str(t.pk) for t in talent]}, frame_count=48, fps=(24, 1),
            size=(320, 180),
        )
    rights_services.attach_version(job_id=job, version=version)
    Version.objects.filter(pk=version.pk).update(processing_status="ready")
    version.refresh_from_db()
    return version


def decide(api, user, version, lane, decision, note=""):
    return api(user).post(f"/api/v1/versions/{version.id}/approvals/", {"lane": lane, "decision": decision, "note": note}, format="json")


def lanes_of(body) -> dict:
    return {lane["lane"]: lane for lane in body["lanes"]}


def verify_audit() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


# ---------------------------------------------------------------- the agency lane


def test_the_producer_is_blocked_until_the_agency_approves_through_the_api(studio, rights, clips, api):
    grant(studio, rights, per_use=True)
    version = generated_version(studio, rights, clips["good"])

    summary = api(studio.producer).get(f"/api/v1/versions/{version.id}/approvals/").json()
    assert summary["required_lanes"] == ["producer", "agency"] and summary["status"] == "pending"
    assert summary["consent"]["outcome"] == "needs_agency_review"
    assert lanes_of(summary)["agency"]["state"] == "pending" and lanes_of(summary)["agency"]["label"] == "Talent agency"

    blocked = decide(api, studio.producer, version, "producer", "approved", "Lovely")
    assert blocked.status_code == 403, blocked.json()
    body = blocked.json()
    assert body["error"] == "agency_review_pending" and body["outcome"] == "needs_agency_review"
    assert [(r["code"], r["talent"], r["agency"]) for r in body["reviews"]] == [("awaiting_agency_review", "Ava Reyes", "P-Crescent")]
    assert not Approval.objects.exists()
    refused = AuditEvent.objects.get(chain=str(studio.org.pk), action="approval.refused")
    assert refused.actor_id == studio.producer.pk and refused.data["reviews"][0]["talent"] == "Ava Reyes"

    # The agency approves its lane through the same endpoint.
    approved = decide(api, rights.agent, version, "agency", "approved", "Matches the rider")
    assert approved.status_code == 201, approved.json()
    agency_lane = lanes_of(approved.json())["agency"]
    assert agency_lane["state"] == "approved"
    assert [(d["reviewer"]["email"], d["decision"], d["note"]) for d in agency_lane["decisions"]] == [
        (rights.agent.email, "approved", "Matches the rider")
    ]
    use = LikenessUse.objects.get()
    assert use.state == "approved" and use.decided_by_id == rights.agent.pk  # the use and the lane agree

    # Now the producer may approve, and the version is approved.
    allowed = decide(api, studio.producer, version, "producer", "approved", "Lovely")
    assert allowed.status_code == 201 and allowed.json()["status"] == "approved"
    assert Version.objects.get(pk=version.pk).approval_status == "approved"
    assert Shot.objects.get(pk=studio.shot.pk).status == "approved"

    # Decisions are final: the agency cannot decide twice.
    again = decide(api, rights.agent, version, "agency", "approved")
    assert again.status_code == 409 and "Decisions are final" in again.json()["detail"]

    # The agency sees its lane's decisions, but nothing of the studio's people.
    seen = api(rights.agent).get(f"/api/v1/versions/{version.id}/approvals/").json()
    assert lanes_of(seen)["producer"]["state"] == "approved" and lanes_of(seen)["producer"]["decisions"] == []
    assert lanes_of(seen)["agency"]["decisions"][0]["reviewer"]["email"] == rights.agent.email
    assert studio.producer.email not in str(seen)

    decided = AuditEvent.objects.filter(chain=str(studio.org.pk), action="approval.decided").order_by("seq")
    assert [(e.data["lane"], e.data["decision"], e.data["role"], e.actor_id) for e in decided] == [
        ("agency", "approved", "agent", rights.agent.pk),
        ("producer", "approved", "producer", studio.producer.pk),
    ]
    assert AuditEvent.objects.filter(chain=str(rights.crescent.pk), action="likeness_use.approved", target_id=str(use.pk)).exists()
    assert verify_audit().startswith("OK:")


def test_the_agency_sending_a_version_back_rejects_the_use_and_blocks_approval(studio, rights, clips, api):
    grant(studio, rights, per_use=True)
    version = generated_version(studio, rights, clips["good"])
    no_note = decide(api, rights.agent, version, "agency", "changes_requested")
    assert no_note.status_code == 400 and "note" in no_note.json()["fields"]
    back = decide(api, rights.agent, version, "agency", "changes_requested", "Wrong wardrobe for Mara")
    assert back.status_code == 201 and back.json()["status"] == "changes_requested"
    assert lanes_of(back.json())["agency"]["state"] == "changes_requested"
    use = LikenessUse.objects.get()
    assert use.state == "rejected" and use.decision_note == "Wrong wardrobe for Mara"
    shot = Shot.objects.get(pk=studio.shot.pk)
    assert shot.retake_count == 1 and shot.status == "in_progress"

    refused = decide(api, studio.producer, version, "producer", "approved")
    assert refused.status_code == 403 and refused.json()["error"] == "consent_denied"
    assert refused.json()["reasons"][0]["code"] == "agency_rejected" and "Wrong wardrobe" in refused.json()["reasons"][0]["message"]
    # A consent denial of an approval is audited in both chains.
    for org in (studio.org, rights.crescent):
        denial = AuditEvent.objects.get(chain=str(org.pk), action="consent.denied")
        assert denial.data["purpose"] == "approve" and denial.data["version_id"] == str(version.pk)
    # Sending back is always possible for the studio.
    assert decide(api, studio.producer, version, "producer", "changes_requested", "Agreed").status_code == 201


def test_a_decision_on_the_likeness_use_endpoint_is_the_lane_decision(studio, rights, clips, api):
    grant(studio, rights, per_use=True)
    version = generated_version(studio, rights, clips["good"])
    use = LikenessUse.objects.get()
    r = api(rights.agent).post(f"/api/v1/likeness-uses/{use.pk}/decide/", {"decision": "approve", "note": "Fine"}, format="json")
    assert r.status_code == 200, r.json()
    summary = api(studio.producer).get(f"/api/v1/versions/{version.id}/approvals/").json()
    assert lanes_of(summary)["agency"]["state"] == "approved" and summary["consent"]["outcome"] == "allow"
    assert lanes_of(summary)["agency"]["decisions"][0]["note"] == "Fine"
    assert AuditEvent.objects.filter(chain=str(studio.org.pk), action="approval.decided", data__lane="agency").count() == 1
    events = Event.objects.filter(stream_id=studio.project.pk, type="approval.decided")
    assert [(e.data["lane"], e.data["decision"]) for e in events] == [("agency", "approved")]
    assert decide(api, studio.producer, version, "producer", "approved").json()["status"] == "approved"


@pytest.fixture
def decided_signals():
    """What `rights.signals.likeness_use_decided` carried during the test."""
    from rights import signals

    sent: list[dict] = []

    def listen(sender, use, decision, **kwargs):
        sent.append({"use": use.pk, "decision": decision})

    signals.likeness_use_decided.connect(listen, dispatch_uid="test.decided_signals")
    yield sent
    signals.likeness_use_decided.disconnect(dispatch_uid="test.decided_signals")


def test_the_agency_lane_is_settled_by_a_direct_call_not_a_signal_round_trip(studio, rights, clips, api, decided_signals):
    """Through the approvals service, projects calls rights and settles its lane itself; only a decision
    made in rights (/likeness-uses/{id}/decide/) is notified, one way. Either way the lane is settled once."""
    grant(studio, rights, per_use=True)
    version = generated_version(studio, rights, clips["good"])
    approved = decide(api, rights.agent, version, "agency", "approved", "Matches the rider")
    assert approved.status_code == 201 and lanes_of(approved.json())["agency"]["state"] == "approved"
    assert decided_signals == []  # no round trip through the signal
    assert AuditEvent.objects.filter(chain=str(studio.org.pk), action="approval.decided", data__lane="agency").count() == 1

    other = generated_version(studio, rights, clips["good"])
    use = LikenessUse.objects.get(version=other)
    r = api(rights.agent).post(f"/api/v1/likeness-uses/{use.pk}/decide/", {"decision": "approve", "note": "Fine"}, format="json")
    assert r.status_code == 200, r.json()
    assert decided_signals == [{"use": use.pk, "decision": "approve"}]
    assert AuditEvent.objects.filter(chain=str(studio.org.pk), action="approval.decided", data__lane="agency").count() == 2
    assert Event.objects.filter(stream_id=studio.project.pk, type="approval.decided", data__version=str(other.id)).count() == 1


def test_who_may_decide_and_see_the_agency_lane(studio, rival, rights, clips, api):
    grant(studio, rights, per_use=True)
    version = generated_version(studio, rights, clips["good"])
    plain = add_version(studio.shot, clips["good"], user=studio.artist)  # no likeness
    url = f"/api/v1/versions/{version.id}/approvals/"
    Version.objects.filter(pk=version.pk).update(processing_status="ready")
    show_to_client(studio.producer, version)  # the client reaches it (a client sees only what was submitted to them)

    for user in (studio.producer, studio.owner, studio.client):
        r = decide(api, user, version, "agency", "approved")
        assert r.status_code == 403 and "the agency that represents the talent" in r.json()["detail"], user.email
    # Another agency and another studio do not even see the version.
    for user in (rights.meridian_agent, rival.producer):
        assert api(user).get(url).status_code == 404
        assert decide(api, user, version, "agency", "approved").status_code == 404
    # The representing agency reaches only versions using its talent, and decides only its own lane.
    assert api(rights.agent).get(f"/api/v1/versions/{plain.id}/approvals/").status_code == 404
    assert decide(api, rights.agent, plain, "agency", "approved").status_code == 404
    assert decide(api, rights.agent, version, "producer", "approved").status_code == 404
    assert api(rights.agent).get(f"/api/v1/versions/{version.id}/").status_code == 404
    assert api(rights.agent).get(f"/api/v1/versions/{version.id}/media/original/").status_code == 404
    assert LikenessUse.objects.get().state == "pending_review" and not Approval.objects.exists()
    # Without per-use approval the lane does not apply.
    assert "agency" not in api(studio.producer).get(f"/api/v1/versions/{plain.id}/approvals/").json()["required_lanes"]


# ---------------------------------------------------------------- quarantine


def export_cut(api, user, project) -> otio.schema.Timeline:
    response = api(user).get(f"/api/v1/projects/{project.id}/export/otio/")
    assert response.status_code == 200, response.content
    return otio.adapters.read_from_string(response.content.decode(), adapter_name="otio_json")


def test_a_quarantined_version_cannot_be_approved_exported_or_delivered_and_shows_why(studio, rights, clips, api):
    grant_row = grant(studio, rights, per_use=False)
    version = generated_version(studio, rights, clips["good"])
    assert decide(api, studio.producer, version, "producer", "approved").json()["status"] == "approved"
    clip = next(c for c in export_cut(api, studio.producer, studio.project).find_clips() if c.name == studio.shot.code)
    assert clip.metadata["greenlight"]["version_id"] == str(version.id) and "withheld" not in clip.metadata["greenlight"]
    assert api(studio.producer).get(f"/api/v1/versions/{version.id}/media/original/").status_code == 200
    Version.objects.filter(pk=version.pk, proxy="").update(processing_status="ready")
    show_to_client(studio.producer, version)
    # Studio internals (projects.access) are not for client reviewers: no lineage or artist.
    for_client = api(studio.client).get(f"/api/v1/versions/{version.id}/").json()
    assert (for_client["quarantine_reason"], for_client["lineage"], for_client["created_by"]) == ("", {}, None)
    for_client = api(studio.client).get(f"/api/v1/shots/{studio.shot.id}/versions/").json()
    rows = for_client["results"] if isinstance(for_client, dict) else for_client
    assert rows and all(v["lineage"] == {} and v["created_by"] is None for v in rows)

    r = api(rights.agent).post(f"/api/v1/consents/{grant_row.pk}/revoke/", {"reason": "Ava withdrew consent"}, format="json")
    assert r.status_code == 200, r.json()

    # The API shows why; the approval no longer holds, the shot is back in review.
    shown = api(studio.producer).get(f"/api/v1/versions/{version.id}/").json()
    assert shown["quarantined"] is True and "Ava withdrew consent" in shown["quarantine_reason"]
    assert shown["approval_status"] == "pending"
    assert Shot.objects.get(pk=studio.shot.pk).status == "review"
    # What a client sees: a quarantined version is withheld from them entirely (404), media included.
    assert api(studio.client).get(f"/api/v1/versions/{version.id}/").status_code == 404
    assert api(studio.client).get(f"/api/v1/versions/{version.id}/media/poster/").status_code == 404
    assert api(studio.client).get(f"/api/v1/shots/{studio.shot.id}/").status_code == 404
    assert shown["lineage"]["prompt"] and shown["created_by"]["id"] == str(studio.artist.pk)
    summary = api(studio.producer).get(f"/api/v1/versions/{version.id}/approvals/").json()
    assert summary["quarantined"] is True and summary["consent"]["outcome"] == "deny"
    assert summary["consent"]["reasons"][0]["code"] == "quarantined"

    # Approval: 403 with the reason.
    refused = decide(api, studio.producer, version, "producer", "approved")
    assert refused.status_code == 403
    assert refused.json()["reasons"][0]["code"] == "quarantined" and "Ava withdrew consent" in refused.json()["reasons"][0]["message"]
    # Delivery of the original: 403 with the reason.
    download = api(studio.producer).get(f"/api/v1/versions/{version.id}/media/original/")
    assert download.status_code == 403 and download.json()["reasons"][0]["code"] == "quarantined"
    # Export: the version is no longer in the cut.
    clip = next(c for c in export_cut(api, studio.producer, studio.project).find_clips() if c.name == studio.shot.code)
    assert clip.metadata["greenlight"]["version_id"] is None and isinstance(clip.media_reference, otio.schema.MissingReference)

    # Everything audited, and the studio was told on the project channel.
    actions = set(AuditEvent.objects.filter(chain=str(studio.org.pk)).values_list("action", flat=True))
    assert {"consent.revoked", "likeness_use.invalidated", "version.quarantined", "consent.denied"} <= actions
    quarantined = Event.objects.get(stream_id=studio.project.pk, type="version.updated", data__change="quarantined")
    # To everyone on the project: a client reviewer's socket receives it as `withdrawn`, without the reason
    # (projects.realtime.streams.ClientEvents; tests/realtime/test_client_room.py).
    assert quarantined.audience == "all" and quarantined.data["id"] == str(version.id)
    assert "Ava withdrew consent" in quarantined.data["quarantine_reason"]
    assert Event.objects.filter(stream_id=studio.project.pk, type="consent.changed", data__change="revoked").exists()
    assert verify_audit().startswith("OK:")


def test_the_cut_export_withholds_an_approved_version_the_policy_now_refuses(studio, rights, clips, api):
    """A talent registered after approval and named in the version's prompt: the version is still
    'approved', but the export check (and delivery) refuse it and say why."""
    version = generated_version(studio, rights, clips["good"], prompt="a stranger on the pier, Marcus Vale style", cast=False)
    assert decide(api, studio.producer, version, "producer", "approved").json()["status"] == "approved"
    rights_services.create_talent(actor=rights.agent, agency=rights.crescent, name="Marcus Vale")

    timeline = export_cut(api, studio.producer, studio.project)
    clip = next(c for c in timeline.find_clips() if c.name == studio.shot.code)
    withheld = clip.metadata["greenlight"]["withheld"]
    assert withheld["version_id"] == str(version.id) and "Marcus Vale" in withheld["reason"]
    assert isinstance(clip.media_reference, otio.schema.MissingReference)
    assert [w["version_id"] for w in timeline.metadata["greenlight"]["withheld_versions"]] == [str(version.id)]
    download = api(studio.producer).get(f"/api/v1/versions/{version.id}/media/original/")
    assert download.status_code == 403 and download.json()["reasons"][0]["talent"] == "Marcus Vale"
    purposes = list(AuditEvent.objects.filter(chain=str(studio.org.pk), action="consent.denied").values_list("data__purpose", flat=True))
    assert sorted(purposes) == ["deliver", "export"]


def test_suspend_quarantines_and_resume_releases_the_version(studio, rights, clips, api):
    grant_row = grant(studio, rights, per_use=False)
    version = generated_version(studio, rights, clips["good"])
    decide(api, studio.producer, version, "producer", "approved")
    rights_services.suspend_grant(actor=rights.agent, grant=grant_row, reason="Strike")
    version.refresh_from_db()
    assert version.quarantined_at is not None and version.approval_status == "pending" and "Strike" in version.quarantine_reason
    rights_services.resume_grant(actor=rights.agent, grant=grant_row, note="Strike over")
    version.refresh_from_db()
    assert version.quarantined_at is None and version.quarantine_reason == "" and version.approval_status == "approved"
    assert Shot.objects.get(pk=studio.shot.pk).status == "approved"
    actions = list(AuditEvent.objects.filter(chain=str(studio.org.pk), target_id=str(version.pk)).values_list("action", flat=True))
    assert actions[-2:] == ["version.quarantined", "version.released"]
