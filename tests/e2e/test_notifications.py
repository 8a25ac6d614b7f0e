"""The inbox in the browser: a mention reaches the bell live (no reload), the panel lists it,
opening it goes to the version and marks it read, and preferences are saved."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def test_a_mention_reaches_the_inbox_live(session_factory, api_as):
    producer = session_factory()
    producer.sign_in("producer@northlight.test")
    page = producer.page
    bell = page.locator("[data-testid=bell]")
    bell.wait_for()
    with producer.api() as mine:
        me = mine.get("/api/v1/me/").json()
        mine.post("/api/v1/notifications/mark-read/", json={"all": True, "read": True})
    page.reload()
    page.locator(".topbar").wait_for()
    assert page.locator("[data-testid=unread-count]").count() == 0

    artist = api_as("artist@northlight.test")
    project = next(p for p in artist.get("/api/v1/projects/").json()["results"] if p["code"] == "MR")
    shot = artist.get(f"/api/v1/projects/{project['id']}/shots/", params={"q": "MR_010_0010"}).json()["results"][0]
    version = shot["current_version"]
    r = artist.post(f"/api/v1/versions/{version['id']}/comments/",
                    json={"body": "Can you check the grade here?", "frame": 1005, "mentions": [me["id"]]})
    assert r.status_code == 201, r.text

    badge = page.locator("[data-testid=unread-count]")
    badge.wait_for()  # live through /ws/me/, no reload
    assert badge.inner_text() == "1"
    bell.click()
    item = page.locator("[data-testid=notification]", has_text="mentioned you on MR_010_0010")
    item.wait_for()
    assert "Can you check the grade here?" in item.inner_text()
    producer.shot("50-notifications-bell-live-mention")

    item.locator(".notification-open").click()
    page.wait_for_url(f"**/projects/{project['id']}/versions/{version['id']}**")
    page.locator("[data-testid=unread-count]").wait_for(state="detached")

    page.goto("/notifications")
    page.get_by_role("heading", name="Notifications").wait_for()
    email_box = page.get_by_label("Replies to my notes by email")
    assert not email_box.is_checked()
    email_box.click()
    expect(email_box).to_be_checked()
    with producer.api() as mine:
        deadline = time.monotonic() + 10
        while not {p["kind"]: p for p in mine.get("/api/v1/notification-preferences/").json()}["reply"]["email"]:
            assert time.monotonic() < deadline, "the preference was not saved"
            time.sleep(0.2)
    producer.shot("51-notifications-page", full_page=True)
