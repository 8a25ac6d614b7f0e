"""The realtime core asks the domain and keys events by stream id.

- who may watch a stream is answered by the resolver `projects` registers (`projects.access` decides);
  with none registered, every subscription is refused;
- the review room's route comes from `projects`, registered with the core;
- a project's events are keyed by its id (no foreign key) and go when the project is deleted;
- migration realtime/0002 keeps existing events, numbers included, both ways.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from projects.realtime.streams import ProjectStreams
from studio.realtime import access as stream_registry
from studio.realtime.models import Event, EventCounter
from studio.realtime.publish import publish
from studio.realtime.routing import CORE_ROUTES, websocket_urlpatterns
from tests.realtime.conftest import apublish, publish_many
from tests.support.realtime_events import TEST_EVENT

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def no_resolver():
    """The realtime core as it is before (or without) the projects app registering its resolver."""
    saved = stream_registry.registered_resolver()
    stream_registry.register_stream_resolver(None)
    yield
    stream_registry.register_stream_resolver(saved)


def test_projects_registered_its_resolver_and_access_decides_who_watches(world):
    assert isinstance(stream_registry.registered_resolver(), ProjectStreams)
    producer = stream_registry.stream_access(user=world.producer, stream_id=world.project.pk)
    reviewer = stream_registry.stream_access(user=world.reviewer, stream_id=str(world.project.pk))
    assert (producer.stream_id, producer.internal) == (world.project.pk, True)
    assert (reviewer.stream_id, reviewer.internal) == (world.project.pk, False)  # a client reviewer: no internal events
    assert stream_registry.stream_access(user=world.outsider, stream_id=world.project.pk) is None
    assert stream_registry.stream_access(user=world.producer, stream_id="not-a-uuid") is None
    version = world.versions[0]
    assert stream_registry.version_in_stream(stream_id=world.project.pk, version_id=version.pk) == version.pk
    assert stream_registry.version_in_stream(stream_id=world.project.pk, version_id=world.foreign_version.pk) is None


async def test_without_a_resolver_every_subscription_is_refused(world, connect, no_resolver):
    for email in ("producer@rt.test", "client@rt.test"):
        client = await connect(f"/ws/projects/{world.project.pk}/", token=world.tokens[email])
        assert await client.expect_close() == (4403, [])
    found = await database_sync_to_async(stream_registry.version_in_stream)(stream_id=world.project.pk, version_id=world.versions[0].pk)
    assert found is None


async def test_with_the_resolver_back_the_same_caller_is_let_in(world, connect, no_resolver):
    stream_registry.register_stream_resolver(ProjectStreams())
    client = await connect(f"/ws/projects/{world.project.pk}/", token=world.tokens["producer@rt.test"])
    assert (await client.recv_type("stream.ready"))["data"]["last_id"] == 0


def test_the_room_route_is_the_domain_s_registered_with_the_core():
    core = [str(route.pattern) for route in CORE_ROUTES]
    routes = [str(route.pattern) for route in websocket_urlpatterns()]
    assert not any("playlists" in pattern for pattern in core)
    room = [pattern for pattern in routes if "playlists" in pattern]
    assert room == ["^ws/playlists/(?P<playlist_id>[^/]+)/room/$"]
    assert routes[: len(core)] == core and routes[-1] == ""  # the core's first, the 4404 catch-all last
    assert websocket_urlpatterns()[routes.index(room[0])].callback.consumer_class.__module__ == "projects.realtime.consumers"


async def test_events_are_keyed_by_the_project_id_and_go_with_the_project(world):
    await publish_many(world.project.pk, 3)
    other = await apublish(type=TEST_EVENT, project_id=world.other_project.pk, data={})
    rows = await database_sync_to_async(lambda: list(Event.objects.filter(stream_id=world.project.pk).values_list("seq", flat=True)))()
    assert rows == [1, 2, 3] and other["id"] == 1 and other["project"] == str(world.other_project.pk)

    def delete_project():
        with transaction.atomic():
            world.project.delete()
        return (
            Event.objects.filter(stream_id=world.project.pk).count(),
            EventCounter.objects.filter(stream_id=world.project.pk).exists(),
            list(Event.objects.filter(stream_id=world.other_project.pk).values_list("seq", flat=True)),
        )

    assert await database_sync_to_async(delete_project)() == (0, False, [1])


def _migrate(app_label: str, name: str) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([(app_label, name)])


def _columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def test_the_stream_id_migration_keeps_every_event_and_its_number(world):
    project, other = world.project, world.other_project
    _migrate("realtime", "0001_initial")
    try:
        assert "project_id" in _columns("realtime_event") and "stream_id" not in _columns("realtime_event")
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO realtime_eventcounter (project_id, last_seq) VALUES (%s, 2), (%s, 1)", [project.pk, other.pk])
            cursor.execute(
                "INSERT INTO realtime_event (project_id, seq, type, audience, data, at) VALUES "
                "(%s, 1, 'shot.updated', 'all', '{}', now()), (%s, 2, 'comment.created', 'internal', '{\"n\": 2}', now()), "
                "(%s, 1, 'shot.updated', 'all', '{}', now())",
                [project.pk, project.pk, other.pk],
            )
    finally:
        _migrate("realtime", "0002_stream_ids")

    kept = list(Event.objects.filter(stream_id=project.pk).order_by("seq").values_list("seq", "type", "audience", "data"))
    assert kept == [(1, "shot.updated", "all", {}), (2, "comment.created", "internal", {"n": 2})]
    assert list(Event.objects.filter(stream_id=other.pk).values_list("seq", flat=True)) == [1]
    assert dict(EventCounter.objects.values_list("stream_id", "last_seq")) == {project.pk: 2, other.pk: 1}
    assert Event.objects.get(stream_id=project.pk, seq=2).envelope()["project"] == str(project.pk)  # the wire is unchanged
    with transaction.atomic():
        assert publish(type=TEST_EVENT, project_id=project.pk, data={})["id"] == 3  # numbering goes on

    # Back to 0001 (going back a release): the rows keep their project, then forward again.
    _migrate("realtime", "0001_initial")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT project_id, seq FROM realtime_event ORDER BY project_id = %s DESC, seq", [project.pk])
            assert cursor.fetchall() == [(project.pk, 1), (project.pk, 2), (project.pk, 3), (other.pk, 1)]
            cursor.execute("SELECT last_seq FROM realtime_eventcounter WHERE project_id = %s", [project.pk])
            assert cursor.fetchone() == (3,)
    finally:
        _migrate("realtime", "0002_stream_ids")
    assert Event.objects.filter(stream_id=project.pk).count() == 3
