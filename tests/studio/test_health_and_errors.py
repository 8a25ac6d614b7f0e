"""Health with real services stopped, settings from the environment, and clean errors."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def private_redis():
    """A Redis server of this test's own, so that stopping it harms nobody."""
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield port, proc
    proc.kill()
    proc.wait()


def test_healthz_all_up(db):
    r = APIClient().get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert {k: v["ok"] for k, v in body["checks"].items()} == {"database": True, "redis": True, "broker": True}


def test_healthz_reports_redis_and_broker_down_after_redis_stops(db, settings, private_redis):
    port, proc = private_redis
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    from studio.celery import app

    old_broker = app.conf.broker_url
    app.conf.broker_url = settings.REDIS_URL
    try:
        assert APIClient().get("/healthz").status_code == 200
        proc.terminate()
        proc.wait(timeout=10)
        r = APIClient().get("/healthz")
        assert r.status_code == 503
        checks = r.json()["checks"]
        assert checks["database"]["ok"] is True
        assert checks["redis"]["ok"] is False and "Connection" in checks["redis"]["error"]
        assert checks["broker"]["ok"] is False
    finally:
        app.conf.broker_url = old_broker


def _run_django(code: str, *, setup: bool = True, **env) -> subprocess.CompletedProcess:
    """Run `code` in a new Python process with the given environment. With `setup=False` only the
    settings are loaded (what a settings check needs), not every app (torch, diffusers, dlib)."""
    full_env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    full_env.update(env)
    prelude = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'studio.settings')\n"
    prelude += "django.setup()\n" if setup else "from django.conf import settings; settings.INSTALLED_APPS\n"
    return subprocess.run([sys.executable, "-c", prelude + code], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120)


def test_database_down_gives_503_on_health_and_a_clean_error_elsewhere():
    port = free_port()  # nothing listens here: PostgreSQL as seen by a client when the server is stopped
    code = """
from django.test import Client
import json
c = Client()
h = c.get('/healthz')
me = c.get('/api/v1/me/', HTTP_AUTHORIZATION='Token glt_whatever')
login = c.post('/api/v1/auth/login/', data=json.dumps({'email': 'a@b.test', 'password': 'x'}), content_type='application/json')
print(json.dumps({'health': [h.status_code, json.loads(h.content)], 'me': [me.status_code, json.loads(me.content)],
                  'login': [login.status_code, json.loads(login.content)]}))
"""
    result = _run_django(code, DATABASE_URL=f"postgres://greenlight:greenlight@127.0.0.1:{port}/greenlight", DB_CONNECT_TIMEOUT="1")
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["health"][0] == 503
    assert out["health"][1]["checks"]["database"]["ok"] is False
    assert out["health"][1]["checks"]["redis"]["ok"] is True
    for name in ("me", "login"):
        status, body = out[name]
        assert status == 503, (name, body)
        assert body["error"] == "service_unavailable" and body["service"] == "database"
        assert "Traceback" not in json.dumps(body)


def test_settings_come_from_the_environment(tmp_path):
    code = """
from django.conf import settings
import json
print(json.dumps({'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS, 'secret': settings.SECRET_KEY,
  'db': [settings.DATABASES['default'][k] for k in ('NAME', 'USER', 'HOST', 'PORT')], 'redis': settings.REDIS_URL,
  'broker': settings.CELERY_BROKER_URL, 'media': str(settings.MEDIA_ROOT)}))
"""
    r = _run_django(code, setup=False, DEBUG="no", ALLOWED_HOSTS="greenlight.example.com, api.example.com", SECRET_KEY="s3cret-from-env",
                    DATABASE_URL="postgres://u:p@db.internal:6543/gl_prod", REDIS_URL="redis://cache.internal:6380/2",
                    MEDIA_ROOT=str(tmp_path / "m"))
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out == {"debug": False, "hosts": ["greenlight.example.com", "api.example.com"], "secret": "s3cret-from-env",
                   "db": ["gl_prod", "u", "db.internal", 6543], "redis": "redis://cache.internal:6380/2",
                   "broker": "redis://cache.internal:6380/2", "media": str(tmp_path / "m")}


def test_debug_is_off_unless_asked_for():
    code = "from django.conf import settings; print(settings.DEBUG)"
    assert _run_django(code, setup=False).stdout.strip().splitlines()[-1] == "False"
    assert _run_django(code, setup=False, DEBUG="1").stdout.strip().splitlines()[-1] == "True"


@pytest.mark.parametrize("env,message", [
    ({"DATABASE_URL": "sqlite:///x.db"}, "PostgreSQL"),
    ({"DEBUG": "maybe"}, "not a boolean"),
    ({"GENERATION_GPU_SLOTS": "0"}, "at least 1, or `auto`"),
    ({"GENERATION_GPU_SLOTS": "many"}, "GENERATION_GPU_SLOTS"),
])
def test_bad_settings_fail_loudly(env, message):
    r = _run_django("print('started')", setup=False, **env)
    assert r.returncode != 0
    assert message in r.stderr


def test_malformed_json_is_a_400_with_a_json_body(db, demo):
    client = APIClient()
    client.force_authenticate(demo["users"]["artist@northlight.test"])
    r = client.generic("POST", "/api/v1/tokens/", '{"name": "x",', content_type="application/json")
    assert r.status_code == 400
    assert r.json()["error"] == "malformed_request"
    assert "valid JSON" in r.json()["detail"]


def test_unknown_ids_and_routes_are_404_json(db, demo):
    client = APIClient()
    client.force_authenticate(demo["users"]["artist@northlight.test"])
    assert client.get("/api/v1/tokens/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/api/v1/tokens/not-a-uuid/").status_code == 404
    r = client.get("/api/v1/no-such-thing/")
    assert r.status_code == 404 and r.json()["error"] == "not_found"


def test_schema_and_docs_are_served(db):
    r = APIClient().get("/api/schema/")
    assert r.status_code == 200 and b"openapi: 3" in r.content and b"/api/v1/me/" in r.content
    docs = APIClient().get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_a_503_from_an_api_view_logs_its_cause(caplog, rf):
    """A database error inside a view (a deadlock, a dropped connection) answers 503 with a retry hint,
    and the log says what it was: the client's message is generic, the operator's must not be."""
    from django.db import OperationalError

    from studio.exceptions import api_exception_handler

    request = rf.post("/api/v1/panels/x/stills/use/")
    with caplog.at_level("WARNING", logger="studio.exceptions"):
        response = api_exception_handler(OperationalError("deadlock detected"), {"request": request})
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert json.loads(response.content)["service"] == "database"
    assert "POST /api/v1/panels/x/stills/use/: OperationalError: deadlock detected" in caplog.text
