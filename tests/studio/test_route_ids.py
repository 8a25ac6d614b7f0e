"""Every id in every route is a UUID (one pattern, studio/http/ids.py): a 36-character id that is
not a UUID matches no route and answers the JSON 404, never a 500 from the database."""

import re

import pytest
from django.urls import get_resolver

from studio.http.ids import SEQUENCE_PATTERN, UUID_PATTERN
from tests.studio.test_architecture import _walk

GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<regex>(?:[^()]|\([^()]*\))*)\)")
CONVERTER = re.compile(r"(?<!\?P)<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
NOT_IDS = {"kind", "format_suffix", "path"}
FAKE = "-" * 36  # 36 characters, like a UUID, but not one


def _id_groups():
    for route, _cb in _walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/"):
            continue
        for m in GROUP.finditer(route):
            if m["name"] not in NOT_IDS:
                yield route, m["name"], m["regex"]
        for m in CONVERTER.finditer(route):
            yield route, m["name"], m["conv"] or "str"


def test_every_route_id_uses_the_one_uuid_pattern():
    allowed = {UUID_PATTERN, "id", SEQUENCE_PATTERN}
    offenders = sorted({f"{route}: {name} = {regex}" for route, name, regex in _id_groups() if regex not in allowed})
    assert not offenders, "route ids outside studio.http.ids:\n" + "\n".join(offenders)


NESTED = [
    f"/api/v1/projects/{FAKE}/generations/",
    f"/api/v1/shots/{FAKE}/generations/",
    f"/api/v1/organizations/{FAKE}/members/",
    f"/api/v1/talent/{FAKE}/assets/",
    f"/api/v1/projects/{FAKE}/shots/",
    f"/api/v1/shots/{FAKE}/versions/",
    f"/api/v1/versions/{FAKE}/comments/",
    f"/api/v1/projects/{FAKE}/",
    f"/api/v1/versions/{FAKE}/media/proxy/",
    "/api/v1/projects/0123456789abcdef0123456789abcdef0123/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", NESTED)
def test_non_uuid_ids_answer_json_404(demo, api, url):
    response = api(demo["users"]["producer@northlight.test"]).get(url)
    assert response.status_code == 404, (url, response.status_code)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "not_found"
