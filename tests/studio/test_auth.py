"""Sign-in, tokens (hashed, shown once, revocable), throttling, /me."""

import hashlib

import pytest
from django.db import connection
from rest_framework.test import APIClient

from studio.audit.models import AuditEvent
from studio.tenancy.demo import DEMO_PASSWORD
from studio.tenancy.models import ApiToken


def test_token_lifecycle(demo):
    client = APIClient()
    r = client.post("/api/v1/auth/token/", {"email": "artist@northlight.test", "password": DEMO_PASSWORD}, format="json")
    assert r.status_code == 201, r.content
    key = r.json()["token"]
    # Stored hashed: the key itself is nowhere in the table.
    row = ApiToken.objects.get(pk=r.json()["id"])
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tenancy_apitoken WHERE key_hash = %s OR prefix = %s OR name = %s", [key, key, key])
        assert cursor.fetchone()[0] == 0

    authed = APIClient()
    authed.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = authed.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["email"] == "artist@northlight.test"
    assert [m["organization"]["slug"] for m in me.json()["memberships"]] == ["northlight"]
    assert me.json()["memberships"][0]["role"] == "artist"

    # Create a second token through the API: the key is in the creation response only.
    created = authed.post("/api/v1/tokens/", {"name": "render farm"}, format="json")
    assert created.status_code == 201
    second_key = created.json()["token"]
    listed = authed.get("/api/v1/tokens/").json()["results"]
    assert {t["name"] for t in listed} == {"render farm", "API token (password exchange)"}
    assert all("token" not in t for t in listed)
    assert authed.get(f"/api/v1/tokens/{created.json()['id']}/").json().get("token") is None

    # Revoke the second; it stops working at once, the first keeps working.
    assert authed.post(f"/api/v1/tokens/{created.json()['id']}/revoke/").json()["revoked_at"]
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {second_key}")
    refused = other.get("/api/v1/me/")
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    assert authed.get("/api/v1/me/").status_code == 200

    actions = list(AuditEvent.objects.filter(action__startswith="token.").values_list("action", flat=True))
    assert actions.count("token.created") == 2 and actions.count("token.revoked") == 1


def test_garbage_tokens_are_401(demo):
    for header in ["Token nope", "Token ", "Token a b", "Bearer x"]:
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=header)
        assert c.get("/api/v1/me/").status_code == 401, header


def test_token_create_needs_a_name(demo, api):
    r = api(demo["users"]["artist@northlight.test"]).post("/api/v1/tokens/", {"name": "   "}, format="json")
    assert r.status_code == 400
    assert "name" in r.json()["fields"]
    assert ApiToken.objects.count() == 0


def test_session_login_with_csrf_and_logout(demo):
    client = APIClient(enforce_csrf_checks=True)
    csrf = client.get("/api/v1/auth/csrf/").json()["csrfToken"]
    r = client.post("/api/v1/auth/login/", {"email": "Producer@Northlight.test", "password": DEMO_PASSWORD}, format="json",
                    HTTP_X_CSRFTOKEN=csrf)
    assert r.status_code == 200, r.content
    assert r.json()["memberships"][0]["role"] == "producer"
    assert client.get("/api/v1/me/").status_code == 200
    # Unsafe request without the CSRF token is refused for a session.
    assert client.post("/api/v1/tokens/", {"name": "x"}, format="json").status_code == 403
    csrf = client.cookies["csrftoken"].value
    assert client.post("/api/v1/tokens/", {"name": "x"}, format="json", HTTP_X_CSRFTOKEN=csrf).status_code == 201
    assert client.post("/api/v1/auth/logout/").status_code == 403  # a cross-site page cannot sign you out
    assert client.post("/api/v1/auth/logout/", HTTP_X_CSRFTOKEN=csrf).status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(action="auth.login", actor_label="producer@northlight.test").exists()
    assert AuditEvent.objects.filter(action="auth.logout").exists()


def test_session_login_needs_the_csrf_token_login_csrf(demo):
    """Another site's form must not sign a browser into an account of its choosing."""
    credentials = {"email": "producer@northlight.test", "password": DEMO_PASSWORD}
    browser = APIClient(enforce_csrf_checks=True)
    r = browser.post("/api/v1/auth/login/", credentials, format="json", HTTP_ORIGIN="https://evil.example")
    assert r.status_code == 403 and "X-CSRFToken" in r.json()["detail"], r.content
    assert browser.get("/api/v1/me/").status_code == 401 and "sessionid" not in browser.cookies
    csrf = browser.get("/api/v1/auth/csrf/").json()["csrfToken"]
    r = browser.post("/api/v1/auth/login/", credentials, format="json", HTTP_X_CSRFTOKEN=csrf, HTTP_ORIGIN="https://evil.example")
    assert r.status_code == 403  # the token is not enough from a foreign origin
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    assert browser.post("/api/v1/auth/login/", credentials, format="json", HTTP_X_CSRFTOKEN=csrf).status_code == 200
    # Scripts exchange a password for a token without cookies: no session, so no CSRF there.
    assert APIClient(enforce_csrf_checks=True).post("/api/v1/auth/token/", credentials, format="json").status_code == 201


def test_wrong_password_is_401_and_audited(demo):
    r = APIClient().post("/api/v1/auth/login/", {"email": "artist@northlight.test", "password": "wrong-password"}, format="json")
    assert r.status_code == 401
    assert r.json()["detail"].startswith("Email or password is incorrect.")
    assert AuditEvent.objects.filter(action="auth.login_failed", actor_label="artist@northlight.test").exists()


@pytest.mark.parametrize("payload,field", [({}, "email"), ({"email": "not-an-email", "password": "x"}, "email"),
                                           ({"email": "a@b.test"}, "password")])
def test_login_bad_input_is_400(demo, payload, field):
    r = APIClient().post("/api/v1/auth/login/", payload, format="json")
    assert r.status_code == 400
    assert field in r.json()["fields"]


def test_repeated_failures_for_one_account_are_throttled(demo, settings):
    settings.LOGIN_THROTTLE_MAX_PER_ACCOUNT = 3
    client = APIClient()
    for _ in range(3):
        r = client.post("/api/v1/auth/token/", {"email": "artist@northlight.test", "password": "bad"}, format="json")
        assert r.status_code == 401
    r = client.post("/api/v1/auth/token/", {"email": "artist@northlight.test", "password": "bad"}, format="json")
    assert r.status_code == 429
    assert 0 < int(r["Retry-After"]) <= settings.LOGIN_THROTTLE_WINDOW_SECONDS
    # Even the right password is refused while throttled: no oracle for a guesser.
    r = client.post("/api/v1/auth/token/", {"email": "ARTIST@northlight.test", "password": DEMO_PASSWORD}, format="json")
    assert r.status_code == 429
    assert ApiToken.objects.count() == 0
    # Another account from another address is unaffected.
    r = APIClient(REMOTE_ADDR="10.9.9.9").post("/api/v1/auth/token/", {"email": "producer@northlight.test", "password": DEMO_PASSWORD},
                                             format="json")
    assert r.status_code == 201


def test_repeated_failures_from_one_address_are_throttled(demo, settings):
    settings.LOGIN_THROTTLE_MAX_PER_ADDRESS = 4
    client = APIClient(REMOTE_ADDR="10.1.2.3")
    for i in range(4):
        r = client.post("/api/v1/auth/login/", {"email": f"nobody{i}@example.test", "password": "bad"}, format="json")
        assert r.status_code == 401
    r = client.post("/api/v1/auth/login/", {"email": "artist@northlight.test", "password": DEMO_PASSWORD}, format="json")
    assert r.status_code == 429
    assert r.json()["error"] == "throttled"
    assert APIClient(REMOTE_ADDR="10.1.2.4").post(
        "/api/v1/auth/login/", {"email": "artist@northlight.test", "password": DEMO_PASSWORD}, format="json"
    ).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_cannot_slip_under_the_account_limit(settings):
    """8 wrong passwords for one account at once, through the real request stack in 8 threads
    (each its own PostgreSQL connection, the real Redis): with a limit of 5, at most 5 reach the
    password check (401); the rest are 429. Counting is atomic and happens before the check."""
    import threading

    from django.db import connections
    from django.test import Client

    from studio.tenancy.models import User

    settings.LOGIN_THROTTLE_MAX_PER_ACCOUNT = 5
    User.objects.create_user("target@example.test", password="right horse battery")
    barrier, codes = threading.Barrier(8), []

    def guess(i: int) -> None:
        try:
            client = Client(REMOTE_ADDR=f"10.7.0.{i}")
            barrier.wait(timeout=30)
            response = client.post("/api/v1/auth/token/", {"email": "target@example.test", "password": f"guess {i}"},
                                   content_type="application/json")
            codes.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(codes) == 8 and set(codes) <= {401, 429}, codes
    assert codes.count(401) <= 5 and codes.count(429) >= 3, codes
    # The right password is refused too while the account is throttled.
    r = APIClient().post("/api/v1/auth/token/", {"email": "target@example.test", "password": "right horse battery"}, format="json")
    assert r.status_code == 429
