"""A consent request from a refusal, in Chromium against the live server and worker:

the producer generates on a Moonrise shot with a prompt naming a performer Northlight has no grant
for → refused by the consent policy → **Request consent for …** opens a form pre-filled from the
refusal → sent → the agent opens the agency's consent requests, grants it → the studio's request
shows granted → the same prompt now generates (a job card, no refusal).

Its own talent and shot, so the other browser tests are untouched.
"""

from __future__ import annotations

import hashlib

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SHOT = "MR_010_0060"
TALENT = "Juno Vance"
PROMPT = "Juno Vance looks back at the lander, helmet reflection"
USE = "Digital replica of Juno Vance as the flight engineer looking back at the lander in Moonrise shot 0060, no dialogue."


def open_shot(page, code: str) -> None:
    page.get_by_role("link", name="Moonrise").click()
    page.locator(f"[data-testid=shot-row][data-shot={code}] a.shot-code").click()
    page.get_by_role("heading", name=code).wait_for()


def test_refused_request_granted_then_generates(session_factory, api_as):
    agent_api = api_as("agent@crescent.test")
    assert agent_api.post("/api/v1/talent/", json={"name": TALENT}).status_code == 201

    producer = session_factory()
    producer.sign_in("producer@northlight.test")
    page = producer.page
    open_shot(page, SHOT)
    panel = page.get_by_test_id("generate-panel")
    page.get_by_label("Prompt", exact=True).fill(PROMPT)
    page.get_by_role("spinbutton", name="Steps").fill("2")
    producer.expect_console_error("status of 403 (Forbidden)")
    page.get_by_role("button", name="Generate", exact=True).click()
    refusal = panel.locator("[role=alert][data-error-code=consent_denied]")
    refusal.wait_for()
    assert TALENT in refusal.inner_text()
    producer.shot("50-consent-refused-with-request-button")

    panel.get_by_role("button", name=f"Request consent for {TALENT}…").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Intended use").fill(USE)
    producer.shot("51-consent-request-form")
    dialog.get_by_role("button", name="Send request").click()
    panel.get_by_text(f"Consent request for {TALENT} sent to Crescent Talent.").wait_for()

    agent = session_factory()
    agent.sign_in("agent@crescent.test")
    agent.page.goto("/o/crescent/consent-requests")
    row = agent.page.locator("[data-testid=consent-request-row][data-state=open]", has_text=TALENT)
    row.wait_for()
    agent.shot("52-agency-consent-request-queue")
    row.get_by_role("button", name="Grant…").click()
    grant_dialog = agent.page.locator("dialog[open]")
    grant_dialog.get_by_label("SHA-256 of the signed document").fill(hashlib.sha256(b"Juno Vance rider").hexdigest())
    grant_dialog.get_by_role("button", name="Grant consent").click()
    agent.page.get_by_label("State").select_option("granted")
    agent.page.locator("[data-testid=consent-request-row][data-state=granted]", has_text=TALENT).wait_for()

    with producer.api() as mine:
        [sent] = [r for r in mine.get("/api/v1/consent-requests/", params={"side": "studio"}).json()["results"]
                  if r["talent"]["name"] == TALENT]
    assert sent["state"] == "granted" and sent["grant"]

    before = page.locator("[data-testid=job-card]").count()
    page.get_by_role("button", name="Generate", exact=True).click()
    page.wait_for_function(f"document.querySelectorAll('[data-testid=job-card]').length > {before}")
    assert panel.locator("[role=alert][data-error-code=consent_denied]").count() == 0
    producer.shot("53-generates-after-consent-granted")
