"""The issue's flow, in a real Chromium against a live server and a real Celery worker:

artist signs in → opens a Moonrise shot → generates (Ava Reyes cast) → watches the progress bar reach
100 % → the version appears without a reload → steps to frame 12 (frame number 1012: the project
starts at 1001) → leaves a comment with an arrow → producer signs in → sees the comment and its arrow at
frame 1012 → sees the agency lane awaiting Crescent Talent and is refused approving with the consent
policy's reason → requests changes → the artist renders a new version → the producer approves it → the
agent signs in → approves Ava Reyes's use in the version's agency lane → the producer sees the agency
lane approved (and who decided) on v001. Every screen is saved under test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

# django_db: the test database must exist for the live server; the test itself reads it only
# through the browser and the API.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SHOT = "MR_010_0040"
ARTIST = "artist@northlight.test"
PRODUCER = "producer@northlight.test"
AGENT = "agent@crescent.test"

# Records every value the first job card's progress bar shows (MutationObserver), so the test sees
# the bar move while the worker renders, not just its final state.
WATCH_PROGRESS = """() => {
  window.__progress = [];
  window.__noReload = true;
  const seen = (el) => { const v = el.getAttribute('data-percent'); if (v !== null) window.__progress.push(Number(v)); };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') seen(r.target);
      for (const n of r.addedNodes || []) if (n.querySelectorAll) n.querySelectorAll('[data-testid=job-progress]').forEach(seen);
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-percent'] });
}"""


def open_shot(page, code: str) -> None:
    page.get_by_role("link", name="Moonrise").click()
    page.locator(f"[data-testid=shot-row][data-shot={code}] a.shot-code").click()
    page.get_by_role("heading", name=code).wait_for()


def generate(s, *, prompt: str, cast: str | None, steps: int, shot_name: str) -> list[float]:
    page = s.page
    # The random-weight Wan model renders 17 frames (this flow marks frame 1012); the default demo
    # model, shapes-t2v-demo, renders 9.
    page.get_by_label("Model", exact=True).select_option("wan2.1-t2v-tiny")
    page.get_by_label("Prompt", exact=True).fill(prompt)
    page.get_by_role("textbox", name="Seed").fill("1234")
    page.get_by_role("spinbutton", name="Steps").fill(str(steps))
    if cast:
        page.get_by_label(cast).check()
    page.evaluate(WATCH_PROGRESS)
    before = page.locator("[data-testid=version-card]").count()
    page.get_by_role("button", name="Generate", exact=True).click()
    card = page.locator("[data-testid=job-card]").first
    card.wait_for()
    s.shot(f"{shot_name}-job-card")
    page.locator("[data-testid=job-card][data-state=succeeded]").first.wait_for(timeout=120_000)
    # The render is a take in the gallery (over the WebSocket: no reload); publishing it makes the next version.
    fresh = page.locator("[data-testid=take-card][data-seed='1234']").filter(has_not=page.get_by_test_id("take-published")).first
    fresh.wait_for()
    take = page.locator(f"[data-testid=take-card][data-take='{fresh.get_attribute('data-take')}']")  # stays this take once published
    s.shot(f"{shot_name}-take")
    take.get_by_role("button", name="Publish", exact=True).click()
    take.get_by_test_id("take-published").wait_for()
    page.locator("[data-testid=version-card]").nth(before).wait_for()
    assert page.evaluate("window.__noReload") is True
    return page.evaluate("window.__progress")


def artist_is_refused_then_generates(session_factory):
    """Artist: the consent policy refuses an ungranted use type, then v001 renders with live progress."""
    artist = session_factory()
    page = artist.page
    artist.page.goto("/")
    artist.shot("01-sign-in")
    artist.sign_in(ARTIST)
    page.get_by_role("link", name="Moonrise").wait_for()
    artist.shot("02-projects")
    page.get_by_role("link", name="Moonrise").click()
    page.locator("[data-testid=shot-row]").first.wait_for()
    artist.shot("03-shot-list")
    page.locator(f"[data-testid=shot-row][data-shot={SHOT}] a.shot-code").click()
    page.get_by_role("heading", name=SHOT).wait_for()

    # Ava Reyes's grant covers digital replicas only: asking for a digital alteration is flagged before
    # sending, and refused by the consent policy with its reason, nothing queued.
    page.get_by_label("Ava Reyes").check()
    use_type = page.get_by_label("Likeness use")
    assert use_type.input_value() == "digital_replica"
    use_type.select_option("digital_alteration")
    assert "does not include digital alteration" in page.get_by_test_id("use-type-not-granted").inner_text()
    page.get_by_label("Prompt", exact=True).fill("Mara's expression softens as the hatch opens")
    artist.expect_console_error("status of 403 (Forbidden)")
    page.get_by_role("button", name="Generate", exact=True).click()
    refused = page.get_by_test_id("generate-panel").locator("[role=alert][data-error-code=consent_denied]")
    refused.wait_for()
    assert "Refused by the consent policy" in refused.inner_text() and "Ava Reyes" in refused.inner_text()
    assert page.locator("[data-testid=job-card]").count() == 0
    use_type.select_option("digital_replica")
    assert page.get_by_test_id("use-type-not-granted").count() == 0
    assert "agency approves each use" in page.get_by_test_id("use-needs-review").inner_text()

    progress = generate(
        artist, prompt="Hatch opens; light spills onto the regolith, Mara steps out", cast="Ava Reyes", steps=40, shot_name="04-generate",
    )
    assert progress, "the progress bar never rendered"
    assert progress == sorted(progress), f"the progress bar went backwards: {progress}"
    assert progress[-1] == 100, f"the progress bar did not reach 100%: {progress}"
    assert any(0 < p < 100 for p in progress), f"the bar jumped straight to the end; no live progress was shown: {progress}"
    card = page.locator("[data-testid=version-card][data-version=v001]")
    card.wait_for()
    artist.shot("05-version-appeared")

    return artist


def artist_marks_frame_1012(artist) -> None:
    """Artist: steps to frame 1012, draws an arrow and posts a note; the API keeps the arrow's coordinates."""
    page = artist.page
    page.locator("[data-testid=version-card][data-version=v001] a.strong-link").click()
    player = page.locator("[data-testid=player]")
    # Publishing conforms on the media queue, then the proxy is built there too (it also runs the scans).
    page.locator("[data-testid=player][data-ready=true]").wait_for(timeout=180_000)
    assert player.get_attribute("data-frame") == "1001"
    for _ in range(11):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('[data-testid=player]').dataset.shownFrame === '1012'")
    assert page.get_by_test_id("frame-number").input_value() == "1012"
    assert page.get_by_test_id("timecode").inner_text() == "00:00:42:04"

    page.keyboard.press("a")  # arrow tool
    layer = page.get_by_test_id("annotation-layer")
    box = layer.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.6, steps=10)
    page.mouse.up()
    assert layer.locator("[data-shape=arrow][data-draft=true]").count() == 1
    page.locator("#comment-body").fill("The dust plume should start here, not two frames later.")
    assert page.get_by_test_id("composer-frame").inner_text() == "1012"
    artist.shot("06-drawing-arrow")
    page.get_by_role("button", name="Post note").click()
    comment = page.locator("[data-testid=comment][data-frame='1012']", has_text="dust plume")
    comment.wait_for()
    assert layer.locator("[data-shape=arrow]:not([data-draft])").count() == 1
    artist.shot("07-comment-posted")

    # The API stored the arrow in picture-normalised coordinates on frame 1012.
    with artist.api() as client:
        version_id = page.url.rstrip("/").split("/")[-1]
        threads = client.get(f"/api/v1/versions/{version_id}/comments/").json()
        mine = [c for c in threads if "dust plume" in c["body"]]
        assert len(mine) == 1 and mine[0]["frame"] == 1012
        (annotation,) = mine[0]["annotations"]
        assert annotation["frame"] == 1012
        (arrow,) = annotation["shapes"]
        assert arrow["type"] == "arrow"
        assert arrow["from"] == pytest.approx([0.25, 0.25], abs=0.01)
        assert arrow["to"] == pytest.approx([0.55, 0.6], abs=0.01)
    artist.sign_out()
    artist.close()


def producer_is_refused_then_requests_changes(session_factory):
    """Producer: sees the note, finds Approve disabled while the agency lane waits (with the reason), requests changes."""
    producer = session_factory()
    page = producer.page
    producer.sign_in(PRODUCER)
    open_shot(page, SHOT)
    page.locator("[data-testid=version-card][data-version=v001] a.strong-link").click()
    page.locator("[data-testid=player][data-ready=true]").wait_for(timeout=60_000)
    note = page.locator("[data-testid=comment][data-frame='1012']", has_text="dust plume")
    note.wait_for()
    note.get_by_role("button", name="Go to frame 1012").click()
    page.wait_for_function("document.querySelector('[data-testid=player]').dataset.shownFrame === '1012'")
    arrow = page.get_by_test_id("annotation-layer").locator("[data-shape=arrow]")
    assert arrow.count() == 1
    marker = page.locator("[data-testid=timeline-marker][data-frame='1012']")
    assert marker.count() >= 1
    producer.shot("08-producer-sees-comment")

    # v001 casts Ava Reyes under a grant that needs her agency's approval of each use: the agency lane
    # is there, awaiting Crescent Talent, and the producer's approval is refused with the reason.
    agency_lane = page.locator("[data-testid=lane-agency][data-state=pending]")
    agency_lane.wait_for()
    assert "Awaiting Crescent Talent's review" in agency_lane.inner_text()
    assert agency_lane.get_by_role("button").count() == 0, "a studio producer must not get the agency's buttons"
    assert "Ava Reyes" in page.get_by_test_id("consent-awaiting").inner_text()
    # Approve is disabled up front with the reason (the API's allowed_actions), not refused after a click.
    lane = page.get_by_test_id("lane-producer")
    approve = lane.get_by_role("button", name="Approve")
    approve.wait_for()
    assert approve.is_disabled()
    reason = lane.get_by_test_id("action-reason").first.inner_text()
    assert "Waiting for the talent agency's approval" in reason and "Ava Reyes" in reason, reason
    assert approve.get_attribute("aria-describedby"), "the reason is tied to the button for assistive technology"
    assert page.locator("[data-testid=lane-producer][data-state=pending]").count() == 1
    # What the button says is what the API does: a POST anyway is refused with the policy's code.
    with producer.api() as client:
        version_id = page.url.rstrip("/").split("/")[-1]
        refused = client.post(f"/api/v1/versions/{version_id}/approvals/", json={"lane": "producer", "decision": "approved"})
        assert refused.status_code == 403 and refused.json()["error"] == "agency_review_pending", refused.text

    lane.get_by_role("button", name="Request changes").click()
    lane.get_by_label("What needs to change").fill("Start the dust earlier, as noted at 1012.")
    lane.get_by_role("button", name="Send: request changes").click()
    page.locator("[data-testid=lane-producer][data-state=changes_requested]").wait_for()
    page.get_by_test_id("approvals").get_by_text("Changes requested").first.wait_for()
    producer.shot("09-changes-requested")
    producer.sign_out()

    return producer


def artist_renders_a_retake(session_factory) -> None:
    """Artist: a new version, v002, after the retake."""
    artist = session_factory()
    artist.sign_in(ARTIST)
    open_shot(artist.page, SHOT)
    expect_retake = artist.page.get_by_text(re.compile(r"1 retake"))
    expect_retake.wait_for()
    generate(
        artist, prompt="Hatch opens; the dust starts at once, light on the regolith", cast=None, steps=8, shot_name="10-new-version",
    )
    artist.page.locator("[data-testid=version-card][data-version=v002]").wait_for()
    artist.shot("11-version-stack")
    artist.sign_out()
    artist.close()


def producer_approves_v002(producer) -> None:
    """Producer: approves v002 in the producer lane."""
    page = producer.page
    producer.sign_in(PRODUCER)
    open_shot(page, SHOT)
    page.locator("[data-testid=version-card][data-version=v002] a.strong-link").click()
    # The retake's review proxy is made on the media queue, which also runs the likeness scans of
    # the versions before it: wait for the proxy itself (a bound on a wait that never ends, not a figure).
    page.locator("[data-testid=player][data-ready=true]").wait_for(timeout=180_000)
    lane = page.get_by_test_id("lane-producer")
    lane.get_by_role("button", name="Approve").click()
    page.locator("[data-testid=lane-producer][data-state=approved]").wait_for()
    producer.shot("12-producer-approved")
    producer.sign_out()


def agent_approves_the_use(session_factory) -> None:
    """Agent: approves Ava Reyes's use in the version's agency lane."""
    agent = session_factory()
    page = agent.page
    agent.sign_in(AGENT)
    page.get_by_role("link", name="Likeness uses").click()
    row = page.locator("[data-testid=use-row][data-state=pending_review]", has_text="Ava Reyes")
    row.first.wait_for()
    agent.shot("13-agency-queue")
    row.first.get_by_role("button", name="Review").click()
    review = page.get_by_test_id("use-review")
    review.locator("[data-testid=player][data-ready=true]").wait_for(timeout=60_000)
    agent.shot("14-agency-review")
    # The agency decides its lane in the version's approvals panel (only its lane has buttons).
    review_approvals = review.get_by_test_id("approvals")
    assert review_approvals.get_by_test_id("lane-producer").get_by_role("button").count() == 0
    review_approvals.get_by_test_id("lane-agency").get_by_role("button", name="Approve use").click()
    confirmation = page.get_by_test_id("use-decided")
    confirmation.wait_for()
    assert "Use approved: the use of Ava Reyes" in confirmation.inner_text()
    agent.shot("14b-agency-decided")
    confirmation.get_by_role("button", name="Show approved uses").click()
    assert page.get_by_label("State").input_value() == "approved"
    approved = page.locator("[data-testid=use-row][data-state=approved]", has_text="Ava Reyes").first
    approved.wait_for()
    approved.get_by_role("button", name="Open").click()
    agency_lane = review.locator("[data-testid=lane-agency][data-state=approved]")
    agency_lane.wait_for()
    assert agency_lane.get_by_test_id("decided-by").inner_text() == "You"
    assert agency_lane.get_by_role("button").count() == 0, "agency decisions are final"
    agent.shot("15-agency-approved")
    agent.sign_out()


def producer_sees_the_agency_lane_approved(producer) -> None:
    """Producer: sees the agency lane approved on v001, and who decided."""
    page = producer.page
    producer.sign_in(PRODUCER)
    open_shot(page, SHOT)
    page.locator("[data-testid=version-card][data-version=v001] a.strong-link").click()
    agency_lane = page.locator("[data-testid=lane-agency][data-state=approved]")
    agency_lane.wait_for()
    decision = agency_lane.get_by_test_id("decision")
    assert decision.count() == 1 and decision.get_attribute("data-decision") == "approved"
    assert decision.get_by_test_id("decided-by").inner_text() == "Maya Ferreira"  # agent@crescent.test
    assert "Use approved" in decision.inner_text()
    assert page.get_by_test_id("consent-awaiting").count() == 0
    producer.shot("16-producer-sees-agency-approved")


def test_artist_producer_agent_flow(session_factory):
    artist = artist_is_refused_then_generates(session_factory)
    artist_marks_frame_1012(artist)
    producer = producer_is_refused_then_requests_changes(session_factory)
    artist_renders_a_retake(session_factory)
    producer_approves_v002(producer)
    agent_approves_the_use(session_factory)
    producer_sees_the_agency_lane_approved(producer)
