"""Query parameters are checked in one place (studio/http/params.py): a NUL byte or an over-long
value in any filter answers the JSON 400 naming the parameter, never a 500 and never the value."""

import pytest

from projects.models import Project

pytestmark = pytest.mark.django_db


def _project(demo):
    return Project.objects.filter(organization__slug="northlight").order_by("created_at").first()


def _urls(demo):
    project = _project(demo)
    return {
        "shots": f"/api/v1/projects/{project.id}/shots/",
        "projects": "/api/v1/projects/",
        "talent": "/api/v1/talent/",
    }


@pytest.mark.parametrize(
    "where,param",
    [("shots", "q"), ("shots", "status"), ("shots", "sequence"), ("shots", "assignee"), ("projects", "status"), ("talent", "q")],
)
def test_a_nul_byte_in_a_filter_answers_400(demo, api, where, param):
    url = _urls(demo)[where]
    response = api(demo["users"]["producer@northlight.test"]).get(url, {param: "AL\x00_010"})
    assert response.status_code == 400, (url, param, response.status_code)
    body = response.json()
    assert body["error"] == "invalid" and param in body["fields"]
    assert "control character" in body["detail"]
    assert "\x00" not in response.content.decode()


def test_an_over_long_filter_value_is_refused_without_echoing_it(demo, api, settings):
    url = _urls(demo)["shots"]
    response = api(demo["users"]["producer@northlight.test"]).get(url, {"q": "x" * 50_000})
    assert response.status_code == 400
    assert len(response.content) < 500
    assert "50,000 characters" in response.json()["detail"]


def test_ordinary_filters_still_work(demo, api):
    response = api(demo["users"]["producer@northlight.test"]).get(_urls(demo)["shots"], {"q": "AL", "status": "pending"})
    assert response.status_code == 200
