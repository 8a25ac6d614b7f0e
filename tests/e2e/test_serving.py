"""Django serves the built bundle from one origin: the app shell for every non-API path, the hashed
assets through WhiteNoise under /static/, and the API's JSON errors untouched."""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def test_app_shell_assets_and_api_share_one_origin(greenlight_server):
    with httpx.Client(base_url=greenlight_server, timeout=10) as client:
        shell = client.get("/projects/00000000-0000-0000-0000-000000000000/versions/whatever")
        assert shell.status_code == 200
        assert shell.headers["content-type"].startswith("text/html")
        assert shell.headers["cache-control"] == "no-cache"
        assert "csrftoken" in shell.cookies, "the shell sets the CSRF cookie the app sends back as X-CSRFToken"
        scripts = re.findall(r'src="(/static/assets/[^"]+\.js)"', shell.text)
        styles = re.findall(r'href="(/static/assets/[^"]+\.css)"', shell.text)
        assert scripts and styles, shell.text

        script = client.get(scripts[0])
        assert script.status_code == 200
        assert "javascript" in script.headers["content-type"]
        assert len(script.content) > 10_000
        assert "immutable" in script.headers["cache-control"], "hashed bundle files may be cached for good"
        assert client.get(styles[0]).status_code == 200

        assert client.get("/").text == shell.text  # every app path answers the same shell

        api = client.get("/api/v1/no-such-endpoint/")
        assert api.status_code == 404
        assert api.headers["content-type"].startswith("application/json")

        me = client.get("/api/v1/me/")
        assert me.status_code == 401 and me.json()["error"] == "not_authenticated"

        post = client.post("/projects/", data={"x": "1"}, headers={"X-CSRFToken": shell.cookies["csrftoken"]})
        assert post.status_code == 405
