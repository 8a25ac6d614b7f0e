"""Share links for people without an account: the studio's API and the guest's page.

The watermarked copies are made here by calling the media task's service in this process
(`services.make_share_copy`); tests/projects/test_share_worker.py runs the same through the real
media worker and compares decoded frames."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from projects import services
from projects.models import Playlist, PlaylistItem, ShareLink, ShareRender, ShareView, Version
from studio.audit.models import AuditEvent
from tests.projects.conftest import add_version


@pytest.fixture
def ready(studio, clips, media_root):
    return add_version(studio.shot, clips["good"], user=studio.artist, process=True)


def expiry(days: float = 7) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def make_link(api, user, version, **extra):
    body = {"version": str(version.id), "expires_at": expiry(), **extra}
    return api(user).post("/api/v1/share-links/", body, format="json")


def guest(address: str = "10.20.0.1") -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT="GuestBrowser/1.0")


def identify(client: Client, token: str, *, name="Eve Exec", email="eve@example.com", passphrase=""):
    return client.post(f"/s/{token}/", {"name": name, "email": email, "passphrase": passphrase})


def prepare(client: Client, token: str) -> list[dict]:
    """Make the viewer's copies in this process (the media task's work), then list the items."""
    for render in ShareRender.objects.filter(status="preparing"):
        services.make_share_copy(render_id=render.pk)
    return client.get(f"/s/{token}/items/").json()["items"]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_create_open_identify_stream_and_the_view_log(ready, studio, api):
    created = make_link(api, studio.producer, ready, passphrase="opensesame", label="Festival", max_views=3)
    assert created.status_code == 201, created.json()
    token = created.json()["token"]
    assert len(token) >= 43 and created.json()["url"].endswith(f"/s/{token}/")
    link = ShareLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with connection.cursor() as cursor:  # the raw token is nowhere in the table
        cursor.execute("SELECT count(*) FROM projects_sharelink WHERE token_hash = %s OR passphrase_hash LIKE %s", [token, "%opensesame%"])
        assert cursor.fetchone()[0] == 0
    client = guest()
    page = client.get(f"/s/{token}/")
    assert page.status_code == 200 and b'name="passphrase"' in page.content
    wrong = identify(client, token, passphrase="nope")
    assert wrong.status_code == 403 and b"passphrase is not right" in wrong.content
    assert ShareView.objects.count() == 0
    right = identify(client, token, passphrase="opensesame")
    assert right.status_code == 303
    assert ShareRender.objects.get().status == "preparing"
    items = client.get(f"/s/{token}/items/").json()["items"]
    assert items[0]["state"] == "preparing" and "url" not in items[0]  # never the unmarked file
    items = prepare(client, token)
    assert items[0]["state"] == "ready" and "download_url" not in items[0], ShareRender.objects.get().error
    streamed = client.get(items[0]["url"], HTTP_RANGE="bytes=0-99")
    assert streamed.status_code == 206 and len(body(streamed)) == 100
    whole = body(client.get(items[0]["url"]))
    assert whole != ready.proxy.open("rb").read()
    log = api(studio.producer).get(f"/api/v1/share-links/{link.id}/views/").json()
    assert log[0]["viewer_name"] == "Eve Exec" and log[0]["viewer_email"] == "eve@example.com"
    assert log[0]["ip_address"] == "10.20.0.1" and log[0]["user_agent"] == "GuestBrowser/1.0"
    assert log[0]["items"][0]["streamed_at"] and log[0]["items"][0]["name"].endswith("v001")
    listed = api(studio.supervisor).get(f"/api/v1/share-links/?version={ready.id}").json()
    assert listed[0]["view_count"] == 1 and listed[0]["state"] == "active" and "token" not in listed[0]
    actions = list(AuditEvent.objects.filter(action__startswith="share_link.").values_list("action", flat=True))
    assert sorted(actions) == ["share_link.created", "share_link.viewed"]


def test_no_internal_data_reaches_the_guest(ready, studio, api):
    ready.lineage = {"prompt": "SECRET PROMPT", "seed": 424242}
    ready.note = "INTERNAL NOTE"
    ready.save()
    token = make_link(api, studio.producer, ready).json()["token"]
    client = guest()
    identify(client, token)
    pages = [client.get(f"/s/{token}/").content, client.get(f"/s/{token}/items/").content]
    for content in pages:
        for secret in (b"SECRET PROMPT", b"424242", b"INTERNAL NOTE", studio.artist.email.encode()):
            assert secret not in content


def test_revocation_is_immediate_even_for_a_viewer_watching(ready, studio, api):
    token = make_link(api, studio.producer, ready, allow_download=True).json()["token"]
    client = guest()
    identify(client, token)
    items = prepare(client, token)
    assert client.get(items[0]["download_url"]).status_code == 200
    link = ShareLink.objects.get()
    revoked = api(studio.producer).post(f"/api/v1/share-links/{link.id}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    for url in (f"/s/{token}/", f"/s/{token}/items/", items[0]["url"]):
        response = client.get(url)
        assert response.status_code == 410 and b"revoked" in response.content
    assert AuditEvent.objects.filter(action="share_link.revoked").count() == 1


def test_expired_link_is_gone(ready, studio, api):
    token = make_link(api, studio.producer, ready).json()["token"]
    ShareLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = guest().get(f"/s/{token}/")
    assert response.status_code == 410 and b"expired" in response.content


def test_view_limit_refuses_new_viewers_but_keeps_the_counted_ones(ready, studio, api):
    token = make_link(api, studio.producer, ready, max_views=1).json()["token"]
    first = guest("10.20.0.2")
    assert identify(first, token).status_code == 303
    second = guest("10.20.0.3")
    assert second.get(f"/s/{token}/").status_code == 410
    refused = identify(second, token, name="Late")
    assert refused.status_code == 410 and b"view limit" in refused.content
    assert first.get(f"/s/{token}/").status_code == 200
    assert ShareView.objects.count() == 1 and ShareLink.objects.get().view_count == 1


def test_download_refused_when_not_allowed(ready, studio, api):
    token = make_link(api, studio.producer, ready).json()["token"]
    client = guest()
    identify(client, token)
    items = prepare(client, token)
    refused = client.get(items[0]["url"] + "?download=1")
    assert refused.status_code == 403 and "not allowed" in refused.json()["detail"]
    assert ShareRender.objects.get().downloaded_at is None


def test_held_media_is_never_served(ready, studio, api, clips):
    other = add_version(studio.shot, clips["good"], user=studio.artist, process=True)
    playlist = Playlist.objects.create(project=studio.project, name="Dailies")
    PlaylistItem.objects.create(playlist=playlist, version=ready, order=0)
    PlaylistItem.objects.create(playlist=playlist, version=other, order=1)
    created = api(studio.producer).post("/api/v1/share-links/", {"playlist": str(playlist.id), "expires_at": expiry()}, format="json")
    token = created.json()["token"]
    client = guest()
    identify(client, token)
    items = prepare(client, token)
    assert [i["state"] for i in items] == ["ready", "ready"]
    services.quarantine_versions(version_ids=[other.id], reason="grant suspended", cause="suspended")
    items = client.get(f"/s/{token}/items/").json()["items"]
    assert items[1]["state"] == "unavailable" and "url" not in items[1] and "on hold" in items[1]["detail"]
    held = client.get(f"/s/{token}/items/{ShareRender.objects.get(version=other).pk}/")
    assert held.status_code == 410 and "on hold" in held.json()["detail"]
    refused = make_link(api, studio.producer, other)
    assert refused.status_code == 400 and "on hold" in str(refused.json())


def test_a_held_version_is_not_copied_for_a_new_viewer(ready, studio, api):
    token = make_link(api, studio.producer, ready).json()["token"]
    services.quarantine_versions(version_ids=[ready.id], reason="grant revoked", cause="revoked")
    client = guest()
    identify(client, token)
    assert ShareRender.objects.count() == 0
    assert client.get(f"/s/{token}/items/").json()["items"] == []


def test_guessing_tokens_is_rate_limited_per_address(ready, studio, api, settings):
    settings.SHARE_THROTTLE_MAX_BAD_TOKENS_PER_ADDRESS = 3
    token = make_link(api, studio.producer, ready).json()["token"]
    client = guest("10.30.0.1")
    for n in range(3):
        assert client.get(f"/s/{'x' * 43}{n}/").status_code == 404
    limited = client.get(f"/s/{'y' * 43}/")
    assert limited.status_code == 429 and limited["Retry-After"]
    assert client.get(f"/s/{token}/").status_code == 429  # even the right token, until the window passes
    assert guest("10.30.0.2").get(f"/s/{token}/").status_code == 200


def test_guessing_passphrases_is_rate_limited(ready, studio, api, settings):
    settings.SHARE_THROTTLE_MAX_PASSPHRASES_PER_ADDRESS = 2
    token = make_link(api, studio.producer, ready, passphrase="opensesame").json()["token"]
    client = guest("10.40.0.1")
    assert identify(client, token, passphrase="a").status_code == 403
    assert identify(client, token, passphrase="b").status_code == 403
    limited = identify(client, token, passphrase="opensesame")
    assert limited.status_code == 429 and b"Too many wrong passphrases" in limited.content
    assert ShareView.objects.count() == 0


def test_management_is_for_producers_and_supervisors(ready, studio, api):
    for user in (studio.artist, studio.client, studio.legal):
        refused = make_link(api, user, ready)
        assert refused.status_code == 403, (user.email, refused.json())
        assert "producer" in refused.json()["detail"] and "share links" in refused.json()["detail"]
    link_id = make_link(api, studio.supervisor, ready).json()["id"]
    for path in (f"/api/v1/share-links/{link_id}/", f"/api/v1/share-links/{link_id}/views/", f"/api/v1/share-links/?version={ready.id}"):
        assert api(studio.artist).get(path).status_code == 403
    assert api(studio.artist).post(f"/api/v1/share-links/{link_id}/revoke/").status_code == 403
    assert ShareLink.objects.get().revoked_at is None


def test_cross_tenant_is_404(ready, studio, rival, api):
    link_id = make_link(api, studio.producer, ready).json()["id"]
    stranger = api(rival.producer)
    assert make_link(api, rival.producer, ready).status_code == 404
    for path in (f"/api/v1/share-links/{link_id}/", f"/api/v1/share-links/{link_id}/views/", f"/api/v1/share-links/?version={ready.id}"):
        assert stranger.get(path).status_code == 404
    assert stranger.post(f"/api/v1/share-links/{link_id}/revoke/").status_code == 404
    assert ShareLink.objects.get().revoked_at is None


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"expires_at": "2000-01-01T00:00:00Z"}, "expires_at"),
        ({"expires_at": (timezone.now() + timedelta(days=91)).isoformat()}, "expires_at"),
        ({"passphrase": "abc"}, "passphrase"),
        ({"max_views": 0}, "max_views"),
    ],
)
def test_bad_input_is_refused_clearly(ready, studio, api, extra, field):
    response = make_link(api, studio.producer, ready, **extra)
    assert response.status_code == 400 and field in response.json()["fields"], response.json()
    assert ShareLink.objects.count() == 0


def test_identify_needs_a_name_and_a_valid_email(ready, studio, api):
    token = make_link(api, studio.producer, ready).json()["token"]
    client = guest()
    response = identify(client, token, name="", email="not-an-email")
    assert response.status_code == 400 and b"Enter your name" in response.content
    assert identify(client, token, email="not-an-email").status_code == 400
    assert ShareView.objects.count() == 0
    assert client.get(f"/s/{token}/items/").status_code == 403


def test_the_share_action_says_who_may_and_why_not(ready, studio, api, clips):
    def share_action(user, version):
        actions = api(user).get(f"/api/v1/versions/{version.id}/").json()["allowed_actions"]
        return next(a for a in actions if a["action"] == "share")

    assert share_action(studio.producer, ready)["allowed"]
    refused = share_action(studio.artist, ready)
    assert refused["code"] == "not_permitted" and "producers, supervisors" in refused["reason"]
    services.quarantine_versions(version_ids=[ready.id], reason="grant suspended", cause="suspended")
    held = share_action(studio.supervisor, ready)
    assert held["code"] == "blocked" and "on hold" in held["reason"]


def test_a_viewer_reaches_only_their_own_copies(ready, studio, api):
    first = make_link(api, studio.producer, ready).json()["token"]
    second = make_link(api, studio.producer, ready).json()["token"]
    alice, bob = guest("10.60.0.1"), guest("10.60.0.2")
    identify(alice, first, name="Alice")
    identify(bob, second, name="Bob")
    prepare(alice, first)
    bobs = ShareRender.objects.get(view__viewer_name="Bob")
    assert alice.get(f"/s/{first}/items/{bobs.pk}/").status_code == 404  # another view's copy
    assert alice.get(f"/s/{second}/items/").status_code == 403  # her cookie belongs to the other link
    page = alice.get(f"/s/{first}/")
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]


def test_a_version_the_likeness_scan_holds_is_never_served_through_a_link(ready, studio, api):
    """Issue 13 × 14: held media (here by the likeness scan: a protected face without consent) never
    leaves through a link, whether the link was made before the hold or is asked for after it."""
    token = make_link(api, studio.producer, ready).json()["token"]
    client = guest()
    identify(client, token)
    items = prepare(client, token)
    assert items[0]["state"] == "ready"
    Version.objects.filter(pk=ready.pk).update(scan_state=Version.ScanState.HELD)
    items = client.get(f"/s/{token}/items/").json()["items"]
    assert items[0]["state"] == "unavailable" and "url" not in items[0] and "on hold" in items[0]["detail"]
    refused = make_link(api, studio.producer, ready)
    assert refused.status_code == 400 and "on hold" in str(refused.json())
