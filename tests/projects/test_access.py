"""`projects.access` is the one owner of project access; the core asks it through what projects registers.

- the tenancy base's `project_path` rule is `projects.access.project_member_rows_q`, registered at
  start; without it a queryset that asks for project members yields nothing (fails closed);
- the realtime stream, the review room and the lanes get their answers from `projects.access`.
"""

from __future__ import annotations

import pytest
from rest_framework.exceptions import NotFound

from projects import access
from projects.models import Playlist, Project, Shot
from projects.realtime.selectors import playlist_access
from projects.realtime.streams import ProjectStreams
from studio.tenancy import selectors as tenancy
from tests.projects.conftest import make_user


@pytest.fixture
def no_project_scope():
    saved = tenancy._project_scope
    tenancy.register_project_scope(None)
    yield
    tenancy.register_project_scope(saved)


def test_the_project_path_rule_is_the_one_projects_registered(studio, rival):
    assert tenancy._project_scope is access.project_member_rows_q
    visible = tenancy.scope_queryset(Project.objects.all(), user=studio.client, tenant_path="organization", project_path="pk")
    assert list(visible) == [studio.project]  # a client reviewer: only the project they were added to
    shots = tenancy.scope_queryset(Shot.objects.all(), user=studio.client, tenant_path="project__organization", project_path="project")
    assert set(shots) == {studio.shot}
    staff = tenancy.scope_queryset(Project.objects.all(), user=studio.producer, tenant_path="organization", project_path="pk")
    assert set(staff) == {studio.project, studio.other_project}


def test_without_the_rule_project_member_queries_see_nothing(studio, no_project_scope):
    for user in (studio.client, studio.producer):
        assert not tenancy.scope_queryset(Project.objects.all(), user=user, tenant_path="organization", project_path="pk").exists()
    # Views that do not ask for project members are not affected.
    assert tenancy.scope_queryset(Project.objects.all(), user=studio.producer, tenant_path="organization").count() == 2


def test_the_stream_and_the_room_ask_access(studio, rival):
    streams = ProjectStreams()
    assert streams.access(user=studio.producer, stream_id=studio.project.pk).internal is True
    assert streams.access(user=studio.client, stream_id=studio.project.pk).internal is False
    assert streams.access(user=studio.client, stream_id=studio.other_project.pk) is None
    assert streams.access(user=rival.producer, stream_id=studio.project.pk) is None

    client_list = Playlist.objects.create(project=studio.project, name="Client dailies", audience="client")
    internal_list = Playlist.objects.create(project=studio.project, name="Studio dailies", audience="internal")
    playlist, room_access = playlist_access(user=studio.client, playlist_id=client_list.pk)
    assert (playlist, room_access.role, room_access.internal) == (client_list, "reviewer", False)
    assert playlist_access(user=studio.client, playlist_id=internal_list.pk) is None  # kept for the studio
    assert playlist_access(user=studio.artist, playlist_id=internal_list.pk)[1].internal is True
    assert playlist_access(user=rival.producer, playlist_id=client_list.pk) is None


def test_roles_by_project_answers_for_a_page_of_projects(studio, rival, django_assert_num_queries):
    projects = [studio.project, studio.other_project, rival.project]
    with django_assert_num_queries(2):
        roles = access.roles_by_project(user=studio.client, projects=projects)
    assert roles == {studio.project.pk: "reviewer", studio.other_project.pk: None, rival.project.pk: None}
    assert set(access.roles_by_project(user=studio.producer, projects=projects[:2]).values()) == {"producer"}


def test_deciding_a_lane_asks_access(studio, rival):
    version = studio.shot.versions.create(project=studio.project, number=1, source="upload")
    assert access.access_for_decision(lane="producer", user=studio.producer, version=version).via == "organization"
    assert access.access_for_decision(lane="client", user=studio.client, version=version).via == "project"
    # Nobody reviews this version's likeness: a stranger to the project gets the 404 even for the agency lane.
    stranger = make_user(org=rival.org, role="agent")
    for lane in ("producer", "agency"):
        with pytest.raises(NotFound):
            access.access_for_decision(lane=lane, user=stranger, version=version)
