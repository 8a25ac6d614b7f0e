"""Likeness uses: recorded per job and talent, reviewed by the agency, invalidated when the grant stops
covering; the version check (approve/export/deliver); what each side sees; the usage ledger."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from projects.models import WatermarkMark
from rights import policy, services, signals
from rights.models import ConsentGrant, LikenessUse
from studio.audit.models import AuditEvent
from tests.rights.conftest import active_grant, make_version, new_job_id, results


def generate(world, *, studio=None, project=None, shot=None, cast=None, prompt="Ava Reyes on the pier at dusk", with_version=True):
    """What the generation engine does: check, record the uses for the job, later attach the version."""
    studio, project, shot = studio or world.northlight, project or world.mr, shot or world.shot
    decision = policy.check_generation(studio=studio, project=project, cast=cast or [world.ava], prompt=prompt)
    assert decision.permits, decision.as_dict()
    job = new_job_id()
    uses = services.record_likeness_uses(decision=decision, job_id=job, shot=shot, actor=world.nl_producer)
    version = None
    if with_version:
        version = make_version(world, shot=shot, lineage={"prompt": prompt, "cast": [str(c.pk) for c in (cast or [world.ava])]})
        services.attach_version(job_id=job, version=version)
    return job, uses, version


@pytest.fixture
def captured_signals():
    seen = {"stopped": [], "resumed": []}

    def stopped(sender, grant, cause, result, **kwargs):
        seen["stopped"].append((grant.pk, cause, result.job_ids, result.version_ids))

    def resumed(sender, grant, uses, **kwargs):
        seen["resumed"].append((grant.pk, [u.pk for u in uses]))

    signals.grant_stopped_covering.connect(stopped, weak=False)
    signals.grant_resumed_covering.connect(resumed, weak=False)
    yield seen
    signals.grant_stopped_covering.disconnect(stopped)
    signals.grant_resumed_covering.disconnect(resumed)


def test_uses_are_recorded_once_per_job_and_talent(world):
    grant = active_grant(world, requires_per_use_approval=True)
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava], prompt="Ava Reyes waves")
    job = new_job_id()
    [use] = services.record_likeness_uses(decision=decision, job_id=job, shot=world.shot, actor=world.nl_artist)
    assert (use.state, use.grant_id, use.via, use.requires_review) == ("pending_review", grant.pk, "cast", True)
    assert use.prompt == "Ava Reyes waves" and len(use.prompt_sha256) == 64
    # The worker's re-check at render time records nothing twice.
    again = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava], prompt="Ava Reyes waves", purpose="render")
    assert [u.pk for u in services.record_likeness_uses(decision=again, job_id=job, shot=world.shot)] == [use.pk]
    assert LikenessUse.objects.count() == 1
    for chain in (world.northlight, world.crescent):
        assert AuditEvent.objects.filter(chain=str(chain.pk), action="likeness_use.recorded", target_id=str(use.pk)).exists()


def test_uses_without_per_use_approval_start_approved(world):
    active_grant(world, requires_per_use_approval=False)
    _job, [use], version = generate(world)
    assert use.state == "approved"
    assert policy.check_version_use(version=version, purpose="approve").outcome == policy.ALLOW


def test_a_denied_decision_cannot_be_recorded(world):
    decision = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava])
    with pytest.raises(ValueError):
        services.record_likeness_uses(decision=decision, job_id=new_job_id())


def test_producer_approval_is_blocked_until_the_agency_approves(world, api):
    active_grant(world, requires_per_use_approval=True)
    _job, [use], version = generate(world)

    decision = policy.check_approval(version=version)
    assert decision.outcome == policy.NEEDS_AGENCY_REVIEW and not decision.permits
    assert [r.code for r in decision.reviews] == [policy.AWAITING_AGENCY_REVIEW]
    assert policy.check_version_use(version=version, purpose="deliver").outcome == policy.NEEDS_AGENCY_REVIEW

    r = api(world.agent).post(f"/api/v1/likeness-uses/{use.pk}/decide/", {"decision": "approve", "note": "Looks right"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["state"] == "approved" and r.json()["decided_by"]["name"]
    assert policy.check_approval(version=version).outcome == policy.ALLOW
    for chain in (world.northlight, world.crescent):
        assert AuditEvent.objects.filter(chain=str(chain.pk), action="likeness_use.approved", target_id=str(use.pk)).exists()


def test_agency_rejection_blocks_the_version(world, api):
    active_grant(world, requires_per_use_approval=True)
    _job, [use], version = generate(world)
    r = api(world.agent).post(f"/api/v1/likeness-uses/{use.pk}/decide/", {"decision": "reject"}, format="json")
    assert r.status_code == 400 and "note" in r.json()["fields"]
    r = api(world.agent).post(f"/api/v1/likeness-uses/{use.pk}/decide/", {"decision": "reject", "note": "Wrong wardrobe"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "rejected"
    decision = policy.check_approval(version=version)
    assert decision.outcome == policy.DENY
    assert decision.reasons[0].code == policy.AGENCY_REJECTED and "Wrong wardrobe" in decision.reasons[0].message
    # Decisions are final: a second one is a 409.
    r = api(world.agent).post(f"/api/v1/likeness-uses/{use.pk}/decide/", {"decision": "approve"}, format="json")
    assert r.status_code == 409 and "already rejected" in r.json()["detail"]


def test_decide_permissions_and_bad_input(world, api):
    active_grant(world, requires_per_use_approval=True)
    _job, [use], _version = generate(world)
    url = f"/api/v1/likeness-uses/{use.pk}/decide/"
    r = api(world.nl_producer).post(url, {"decision": "approve"}, format="json")
    assert r.status_code == 403 and "Only Crescent Talent" in r.json()["detail"]
    assert api(world.meridian_agent).post(url, {"decision": "approve"}, format="json").status_code == 404
    assert api(world.hb_producer).post(url, {"decision": "approve"}, format="json").status_code == 404
    r = api(world.agent).post(url, {"decision": "maybe"}, format="json")
    assert r.status_code == 400 and "decision" in r.json()["fields"]
    use.refresh_from_db()
    assert use.state == "pending_review"


def test_revocation_while_a_render_runs(world, captured_signals):
    """The job is running (uses recorded, no version yet) when the agency revokes: the uses are
    invalidated and the job id goes to the engine; the render-time re-check refuses; the version
    that still comes out is quarantined: it cannot be approved, exported or delivered."""
    grant = active_grant(world, requires_per_use_approval=True)
    job, [use], _ = generate(world, with_version=False)

    services.revoke_grant(actor=world.agent, grant=grant, reason="Talent withdrew consent")

    use.refresh_from_db()
    assert use.state == "invalidated" and use.invalidated_cause == "revoked"
    assert "withdrew" in use.invalidated_reason
    assert captured_signals["stopped"] == [(grant.pk, "revoked", [job], [])]
    recheck = policy.check_generation(studio=world.northlight, project=world.mr, cast=[world.ava], purpose="render")
    assert recheck.outcome == policy.DENY and recheck.reasons[0].code == policy.REVOKED

    version = make_version(world, lineage={"prompt": "Ava Reyes on the pier", "cast": [str(world.ava.pk)]})
    services.attach_version(job_id=job, version=version)
    for purpose in ("approve", "export", "deliver"):
        decision = policy.check_version_use(version=version, purpose=purpose)
        assert decision.outcome == policy.DENY and decision.reasons[0].code == policy.QUARANTINED, purpose
        assert "withdrew" in decision.reasons[0].message
    # The agency cannot approve an invalidated use either.
    with pytest.raises(Exception, match="invalidated"):
        services.decide_use(actor=world.agent, use=use, decision="approve")
    # Everything is audited, in both chains.
    for chain in (world.northlight, world.crescent):
        actions = set(AuditEvent.objects.filter(chain=str(chain.pk)).values_list("action", flat=True))
        assert {"consent.revoked", "likeness_use.invalidated", "consent.denied"} <= actions


def test_suspension_quarantines_and_resume_restores_finished_uses(world, captured_signals):
    grant = active_grant(world, requires_per_use_approval=False)
    _job1, [finished], version = generate(world)
    job2, [running], _ = generate(world, with_version=False)
    services.suspend_grant(actor=world.agent, grant=grant, reason="Strike")
    assert policy.check_approval(version=version).reasons[0].code == policy.QUARANTINED
    assert captured_signals["stopped"][0][1] == "suspended"
    assert set(captured_signals["stopped"][0][2]) == {finished.job_id, job2}
    assert captured_signals["stopped"][0][3] == [version.pk]

    services.resume_grant(actor=world.agent, grant=grant)
    finished.refresh_from_db()
    running.refresh_from_db()
    assert finished.state == "approved"  # its render finished: back to where it was
    assert running.state == "invalidated"  # its job was cancelled: stays invalidated
    assert captured_signals["resumed"] == [(grant.pk, [finished.pk])]
    assert policy.check_approval(version=version).outcome == policy.ALLOW


def test_revoking_a_suspended_grant_makes_the_invalidation_final(world):
    grant = active_grant(world)
    _job, [use], version = generate(world)
    services.suspend_grant(actor=world.agent, grant=grant, reason="Dispute hold")
    services.revoke_grant(actor=world.agent, grant=grant, reason="Dispute lost")
    use.refresh_from_db()
    assert use.invalidated_cause == "revoked" and "Dispute lost" in use.invalidated_reason


def test_a_lapsed_grant_blocks_delivery_even_before_expiry_is_recorded(world):
    grant = active_grant(world, requires_per_use_approval=False)
    _job, _uses, version = generate(world)
    later = grant.valid_until + dt.timedelta(days=1)
    decision = policy.check_version_use(version=version, purpose="deliver", at=later)
    assert decision.outcome == policy.DENY and decision.reasons[0].code == policy.EXPIRED


def test_version_check_runs_the_name_guard_on_the_lineage_prompt(world):
    version = make_version(world, lineage={"prompt": "a stranger on the pier, Marcus Vale style"})
    assert policy.check_version_use(version=version, purpose="export").outcome == policy.ALLOW
    services.create_talent(actor=world.agent, agency=world.crescent, name="Marcus Vale")  # registered after the render
    decision = policy.check_version_use(version=version, purpose="export")
    assert decision.outcome == policy.DENY
    assert decision.reasons[0].talent == "Marcus Vale" and decision.reasons[0].via == "prompt"


def test_version_with_cast_but_no_recorded_use_is_checked_too(world):
    version = make_version(world, lineage={"prompt": "wide shot", "cast": [str(world.leo.pk)]})
    decision = policy.check_version_use(version=version, purpose="approve")
    assert decision.outcome == policy.DENY and decision.reasons[0].talent == "Leo Park"


def test_version_without_likeness_is_allowed(world):
    version = make_version(world, lineage={"prompt": "A lighthouse in a storm"})
    assert policy.check_version_use(version=version, purpose="deliver").outcome == policy.ALLOW
    with pytest.raises(ValueError):
        policy.check_version_use(version=version, purpose="publish")


# ---------------------------------------------------------------- visibility

def test_agency_sees_its_talents_uses_across_studios_and_nothing_else(world, api):
    active_grant(world, requires_per_use_approval=True)
    active_grant(world, studio=world.harbor, project="HL", requires_per_use_approval=True)
    active_grant(world, talent=world.nova, requires_per_use_approval=False)
    _, [nl_use], _ = generate(world)
    _, [hb_use], _ = generate(world, studio=world.harbor, project=world.hb, shot=world.hb_shot)
    _, [nova_use], _ = generate(world, cast=[world.nova], prompt="Nova Sterling at the window")

    agency_view = results(api(world.agent).get("/api/v1/likeness-uses/"))
    assert {u["id"] for u in agency_view} == {str(nl_use.pk), str(hb_use.pk)}
    row = next(u for u in agency_view if u["id"] == str(hb_use.pk))
    assert row["studio"]["name"] == "Harbor Films" and row["project"]["name"] == "Harbor Lights"
    assert row["shot_code"] == "HL_020_0010" and row["prompt"] == "Ava Reyes on the pier at dusk"
    assert row["version"]["label"] == "v001"
    assert row["created_by"] is None  # nothing of the studio's people
    assert set(row) == {
        "id", "talent", "studio", "project", "shot_code", "job_id", "version", "grant", "use_type", "via", "prompt",
        "negative_prompt", "prompt_sha256", "requires_review", "state", "state_label", "decided_by", "decided_at", "decision_note",
        "invalidated_at", "invalidated_reason", "created_by", "allowed_actions", "created_at",
    }
    assert {u["id"] for u in results(api(world.meridian_agent).get("/api/v1/likeness-uses/"))} == {str(nova_use.pk)}

    studio_view = results(api(world.nl_producer).get("/api/v1/likeness-uses/"))
    assert {u["id"] for u in studio_view} == {str(nl_use.pk), str(nova_use.pk)}
    assert next(u for u in studio_view if u["id"] == str(nl_use.pk))["created_by"]["name"]
    assert {u["id"] for u in results(api(world.hb_producer).get("/api/v1/likeness-uses/"))} == {str(hb_use.pk)}
    assert results(api(world.nl_reviewer).get("/api/v1/likeness-uses/")) == []

    # Filters
    assert len(results(api(world.agent).get(f"/api/v1/likeness-uses/?studio={world.harbor.pk}"))) == 1
    assert len(results(api(world.agent).get("/api/v1/likeness-uses/?state=pending_review"))) == 2
    assert api(world.agent).get("/api/v1/likeness-uses/?state=nope").status_code == 400


def test_agency_cannot_reach_studio_data_beyond_its_talents_uses(world, api):
    active_grant(world)
    generate(world)
    client = api(world.agent)
    for url in (
        "/api/v1/organizations/",
        f"/api/v1/organizations/{world.northlight.pk}/",
        f"/api/v1/organizations/{world.northlight.pk}/members/",
        f"/api/v1/audit-events/?organization={world.northlight.pk}",
    ):
        r = client.get(url)
        if r.status_code == 200:
            body = r.json()
            items = body.get("results", body) if isinstance(body, dict) else body
            flat = str(items)
            assert "Northlight" not in flat and str(world.northlight.pk) not in flat.replace(str(world.crescent.pk), ""), url
        else:
            assert r.status_code == 404, (url, r.status_code)


def test_proxy_is_served_to_the_agency(world, api):
    active_grant(world)
    _job, [use], version = generate(world)
    r = api(world.agent).get(f"/api/v1/likeness-uses/{use.pk}/proxy/")
    assert r.status_code == 404 and "proxy" in r.json()["detail"]
    version.proxy.save(f"versions/{version.project_id}/{version.pk}/proxy.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42fake"), save=True)
    # The agency streams its own watermarked copy (made on the media queue), never the plain proxy.
    r = api(world.agent).get(f"/api/v1/likeness-uses/{use.pk}/proxy/")
    assert r.status_code == 202 and r.json()["status"] == "preparing" and r["Cache-Control"] == "private, no-store"
    assert WatermarkMark.objects.get(version=version, viewer=world.agent).audience == "agency"
    made_copy(version, world.agent, b"\x00\x00\x00\x18ftypmp42marked")
    r = api(world.agent).get(f"/api/v1/likeness-uses/{use.pk}/proxy/")
    assert r.status_code == 200 and r["Content-Type"] == "video/mp4"
    assert r["Accept-Ranges"] == "bytes" and r["Cache-Control"] == "private, no-store"
    assert b"".join(r.streaming_content).endswith(b"marked")
    assert api(world.meridian_agent).get(f"/api/v1/likeness-uses/{use.pk}/proxy/").status_code == 404


PROXY_BYTES = bytes(range(256)) * 40  # 10,240 bytes, each position identifiable


@pytest.fixture
def use_with_proxy(world):
    active_grant(world, requires_per_use_approval=True)
    _job, [use], version = generate(world)
    version.proxy.save(f"versions/{version.project_id}/{version.pk}/proxy.mp4", ContentFile(PROXY_BYTES), save=False)
    version.first_frame, version.frame_count, version.fps_num, version.fps_den = 1001, 42, 24000, 1001
    version.width, version.height = 832, 480
    version.save()
    made_copy(version, world.agent, PROXY_BYTES)  # the agent's watermarked copy (range mechanics are tested here)
    return use


def made_copy(version, viewer, data: bytes) -> WatermarkMark:
    """A viewer's watermarked copy as the media worker leaves it (tests/projects/test_watermark.py makes real ones)."""
    mark, _ = WatermarkMark.objects.get_or_create(version=version, viewer=viewer, defaults={
        "organization_id": version.project.organization_id, "project_id": version.project_id, "audience": "agency"})
    mark.file.save(f"versions/{version.project_id}/{version.pk}/review/marked/{mark.pk}.mp4", ContentFile(data), save=False)
    mark.status = WatermarkMark.Status.READY
    mark.save()
    return mark


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=100-1123", 100, 1123), ("bytes=10000-", 10000, 10239), ("bytes=-40", 10200, 10239), ("bytes=10200-99999", 10200, 10239)],
)
def test_proxy_answers_range_requests_with_206_and_the_right_bytes(world, api, use_with_proxy, header, start, end):
    # A <video> element asks for video/*: the Accept header must not turn this into a 406.
    r = api(world.agent).get(f"/api/v1/likeness-uses/{use_with_proxy.pk}/proxy/", HTTP_RANGE=header, HTTP_ACCEPT="video/webm,video/*;q=0.9")
    assert r.status_code == 206, r.content
    assert r["Content-Range"] == f"bytes {start}-{end}/{len(PROXY_BYTES)}"
    assert r["Content-Length"] == str(end - start + 1)
    assert r["Content-Type"] == "video/mp4"
    assert b"".join(r.streaming_content) == PROXY_BYTES[start:end + 1]


def test_proxy_range_errors_and_validators(world, api, use_with_proxy):
    url = f"/api/v1/likeness-uses/{use_with_proxy.pk}/proxy/"
    agent = api(world.agent)
    past_end = agent.get(url, HTTP_RANGE="bytes=20000-", HTTP_ACCEPT="video/*")
    assert past_end.status_code == 416 and past_end["Content-Range"] == f"bytes */{len(PROXY_BYTES)}"
    assert "10240 bytes" in past_end.json()["detail"]
    assert agent.get(url, HTTP_RANGE="bytes=abc").status_code == 416
    whole = agent.get(url)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == PROXY_BYTES
    # If-Range with a stale validator: the whole file, not a slice of a file that changed.
    stale = agent.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"stale"')
    assert stale.status_code == 200 and int(stale["Content-Length"]) == len(PROXY_BYTES)
    fresh = agent.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=whole["ETag"])
    assert fresh.status_code == 206 and b"".join(fresh.streaming_content) == PROXY_BYTES[:10]
    head = agent.head(url, HTTP_RANGE="bytes=0-9")
    assert head.status_code == 206 and head["Content-Length"] == "10" and b"".join(head.streaming_content) == b""


def test_proxy_of_a_foreign_use_is_404_even_with_a_range(world, api, use_with_proxy):
    url = f"/api/v1/likeness-uses/{use_with_proxy.pk}/proxy/"
    for outsider in (world.meridian_agent, world.hb_producer):
        r = api(outsider).get(url, HTTP_RANGE="bytes=0-99", HTTP_ACCEPT="video/*")
        assert r.status_code == 404, (outsider.email, r.status_code)
        assert r["Content-Type"] == "application/json" and "Content-Range" not in r
    assert api().get(url, HTTP_RANGE="bytes=0-99").status_code in (401, 403)
    # The studio that made it plays it too.
    assert api(world.nl_producer).get(url, HTTP_RANGE="bytes=0-99").status_code == 206


def test_use_version_block_carries_what_the_player_needs(world, api, use_with_proxy):
    world.mr.fps_num, world.mr.fps_den = 25, 1
    world.mr.save(update_fields=["fps_num", "fps_den"])
    body = api(world.agent).get(f"/api/v1/likeness-uses/{use_with_proxy.pk}/").json()
    version = LikenessUse.objects.get(pk=use_with_proxy.pk).version
    assert body["version"] == {
        "id": str(version.pk), "label": "v001", "has_proxy": True, "first_frame": 1001, "frame_count": 42,
        "fps_num": 24000, "fps_den": 1001, "width": 832, "height": 480,
        # Timecode is read at the project's rate, as the studio reads it.
        "timecode_fps_num": 25, "timecode_fps_den": 1,
    }
    assert body["talent"] == {
        "id": str(world.ava.pk), "name": "Ava Reyes", "agency": "Crescent Talent", "agency_id": str(world.crescent.pk),
    }
    # Nothing else of the studio's version: no lineage, note, media links or author.
    assert body["created_by"] is None


# ---------------------------------------------------------------- the ledger

def test_ledger_by_studio_project_state_and_month(world, api):
    active_grant(world, requires_per_use_approval=True)
    active_grant(world, studio=world.harbor, project="HL", requires_per_use_approval=True)
    generate(world)
    _, [second], _ = generate(world)
    generate(world, studio=world.harbor, project=world.hb, shot=world.hb_shot)
    services.decide_use(actor=world.agent, use=second, decision="approve")
    LikenessUse.objects.filter(pk=second.pk).update(created_at=timezone.now() - dt.timedelta(days=40))

    r = api(world.agent).get(f"/api/v1/talent/{world.ava.pk}/ledger/")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["totals"]["uses"] == 3
    assert body["totals"]["by_state"]["pending_review"] == 2 and body["totals"]["by_state"]["approved"] == 1
    rows = {(row["month"], row["studio"]["name"], row["project"]["code"], row["state"]): row["uses"] for row in body["rows"]}
    this_month = timezone.now().strftime("%Y-%m")
    last = (timezone.now() - dt.timedelta(days=40)).strftime("%Y-%m")
    assert rows == {
        (this_month, "Harbor Films", "HL", "pending_review"): 1,
        (this_month, "Northlight Pictures", "MR", "pending_review"): 1,
        (last, "Northlight Pictures", "MR", "approved"): 1,
    }
    # A studio sees only its own uses in the ledger.
    studio_rows = api(world.nl_producer).get(f"/api/v1/talent/{world.ava.pk}/ledger/").json()["rows"]
    assert {row["studio"]["name"] for row in studio_rows} == {"Northlight Pictures"}
    assert api(world.meridian_agent).get(f"/api/v1/talent/{world.ava.pk}/ledger/").status_code == 404


def test_ledger_csv_export(world, api):
    world.harbor.name = "=HYPERLINK(\"http://evil\")"
    world.harbor.save()
    active_grant(world, studio=world.harbor, project="HL")
    generate(world, studio=world.harbor, project=world.hb, shot=world.hb_shot)
    r = api(world.agent).get(f"/api/v1/talent/{world.ava.pk}/ledger/?format=csv")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    assert "attachment" in r["Content-Disposition"] and ".csv" in r["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode())))
    assert rows[0] == ["month", "studio_id", "studio", "project_id", "project_code", "project", "state", "uses"]
    assert rows[1][2].startswith("'=")  # spreadsheet formulas are neutralised
    assert rows[1][4:] == ["HL", "Harbor Lights", "approved", "1"]
    r = api(world.meridian_agent).get(f"/api/v1/talent/{world.ava.pk}/ledger/?format=csv")
    assert r.status_code == 404


def test_grant_state_change_is_pushed_as_realtime_event_with_use_ids(world):
    from studio.realtime.models import Event

    grant = active_grant(world)
    _job, [use], _version = generate(world)
    services.revoke_grant(actor=world.agent, grant=grant, reason="Withdrawn")
    events = list(Event.objects.filter(stream_id=world.mr.pk, type="consent.changed").order_by("seq"))
    invalidated = [e for e in events if e.data.get("change") == "invalidated"]
    assert invalidated and invalidated[0].data["uses"] == [str(use.pk)]
    assert events[-1].data["change"] == "revoked"
    assert ConsentGrant.objects.get(pk=grant.pk).state == "revoked"


def test_reviewing_agencies_for_a_version(world):
    from rights import selectors

    active_grant(world, requires_per_use_approval=True)
    active_grant(world, talent=world.nova, requires_per_use_approval=False)
    _job, uses, version = generate(world, cast=[world.ava, world.nova], prompt="Ava Reyes and Nova Sterling")
    assert len(uses) == 2
    assert selectors.reviewing_agencies_for_version(version=version) == [world.crescent]
    assert [u.talent.name for u in selectors.uses_for_version(version=version)] == ["Ava Reyes", "Nova Sterling"]


def test_a_version_is_checked_through_its_jobs_uses_even_before_they_are_linked(world):
    active_grant(world, requires_per_use_approval=True)
    job, [use], _ = generate(world, with_version=False)
    version = make_version(world, lineage={"job": str(job), "prompt": "Ava Reyes on the pier at dusk", "cast": [str(world.ava.pk)]})
    decision = policy.check_approval(version=version)
    assert decision.outcome == policy.NEEDS_AGENCY_REVIEW
    assert decision.reviews[0].use_id == str(use.pk)


# ---------------------------------------------------------------- many versions at once (cut export)

def test_checking_many_versions_gives_the_single_answers_in_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    grant = active_grant(world, requires_per_use_approval=True)
    _, [pending], pending_version = generate(world)
    _, [decided], approved_version = generate(world)
    services.decide_use(actor=world.agent, use=decided, decision="approve")
    _, [unlinked], _ = generate(world, with_version=False)
    unlinked_version = make_version(world, lineage={"job": str(unlinked.job_id), "prompt": "Ava Reyes", "cast": [str(world.ava.pk)]})
    named = make_version(world, lineage={"prompt": "a crowd, Leo Park in front"})  # no grant for Leo
    plate = make_version(world)  # an uploaded plate: no likeness at all
    versions = [pending_version, approved_version, unlinked_version, named, plate]

    single = {v.pk: policy.check_version_use(version=v, purpose="export", audit=False) for v in versions}
    with CaptureQueriesContext(connection) as two:
        policy.check_versions(project=world.mr, versions=versions[:2], purpose="export")
    with CaptureQueriesContext(connection) as four:
        policy.check_versions(project=world.mr, versions=[pending_version, approved_version, unlinked_version, plate], purpose="export")
    assert len(two.captured_queries) == len(four.captured_queries) <= 4  # uses, talents, grants (+ the project)
    batch = policy.check_versions(project=world.mr, versions=versions, purpose="export")
    assert {pk: (d.outcome, [r.code for r in d.reasons], [r.code for r in d.reviews]) for pk, d in batch.items()} == {
        pk: (d.outcome, [r.code for r in d.reasons], [r.code for r in d.reviews]) for pk, d in single.items()
    }
    assert [batch[v.pk].outcome for v in versions] == ["needs_agency_review", "allow", "needs_agency_review", "deny", "allow"]
    assert batch[named.pk].reasons[0].talent == "Leo Park"
    assert AuditEvent.objects.filter(action="consent.denied", data__purpose="export", data__version_id=str(named.pk)).exists()
    services.revoke_grant(actor=world.agent, grant=grant, reason="Withdrawn")
    again = policy.check_versions(project=world.mr, versions=versions, purpose="export")
    assert [again[v.pk].reasons[0].code for v in versions[:3]] == ["quarantined"] * 3
    with pytest.raises(ValueError):
        policy.check_versions(project=world.ot, versions=versions, purpose="export")
