"""Taking access away closes the affected open sockets at once (not at the next periodic re-check):
token revocation, sign-out, removal from the project or the organization (docs/REALTIME.md)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.test import Client as DjangoClient

from projects import services as project_services
from projects.models import ProjectMember
from studio.tenancy import services as tenancy_services
from studio.tenancy.models import ApiToken, Membership, Role, User
from tests.realtime.conftest import apublish
from tests.support.realtime_events import TEST_EVENT

pytestmark = pytest.mark.django_db(transaction=True)

STREAM_PATH = "/ws/projects/{}/"


@pytest.fixture(autouse=True)
def _no_periodic_recheck(settings):
    # An hour: a socket that closes within the test was closed by the revoking service, not the timer.
    settings.REALTIME_ACCESS_RECHECK_SECONDS = 3600


async def opened(connect, path: str, **kwargs):
    client = await connect(path, **kwargs)
    await client.recv_type("stream.ready")
    return client


async def still_open(client, world) -> bool:
    envelope = await apublish(type=TEST_EVENT, project_id=world.project.pk, data={})
    return (await client.recv_type(TEST_EVENT))["id"] == envelope["id"]


async def test_revoking_a_token_closes_its_project_stream_and_its_me_socket_at_once(world, connect):
    key = world.tokens["producer@rt.test"]
    stream = await opened(connect, STREAM_PATH.format(world.project.pk), token=key)
    me = await opened(connect, "/ws/me/", token=key)
    _, other_key = await database_sync_to_async(tenancy_services.create_token)(user=world.producer, name="second")
    other = await opened(connect, STREAM_PATH.format(world.project.pk), token=other_key)

    def revoke():
        token = ApiToken.objects.get(key_hash=tenancy_services.hash_token_key(key))
        tenancy_services.revoke_token(user=world.producer, token=token)

    await database_sync_to_async(revoke)()
    assert (await stream.expect_close())[0] == 4403
    assert (await me.expect_close())[0] == 4403
    assert await still_open(other, world)  # the user's other token is unaffected


async def test_signing_out_closes_the_sessions_sockets_at_once(world, connect):
    browser = DjangoClient()
    await database_sync_to_async(browser.force_login)(world.artist)
    cookie = browser.cookies["sessionid"].value
    stream = await opened(connect, STREAM_PATH.format(world.project.pk), cookie=cookie)
    me = await opened(connect, "/ws/me/", cookie=cookie)
    by_token = await opened(connect, STREAM_PATH.format(world.project.pk), token=world.tokens["artist@rt.test"])

    response = await database_sync_to_async(browser.post)("/api/v1/auth/logout/")
    assert response.status_code == 204
    assert (await stream.expect_close())[0] == 4403
    assert (await me.expect_close())[0] == 4403
    assert await still_open(by_token, world)  # signing out of the browser leaves scripts' tokens alone


async def test_removal_from_the_project_closes_its_stream_at_once(world, connect):
    stream = await opened(connect, STREAM_PATH.format(world.project.pk), token=world.tokens["client@rt.test"])
    me = await opened(connect, "/ws/me/", token=world.tokens["client@rt.test"])

    def remove():
        member = ProjectMember.objects.select_related("project").get(user=world.reviewer, project=world.project)
        project_services.remove_project_member(actor=world.producer, member=member)

    await database_sync_to_async(remove)()
    assert (await stream.expect_close())[0] == 4403
    await me.send({"type": "ping"})
    assert (await me.recv_type("stream.pong"))["type"] == "stream.pong"  # still signed in: /ws/me/ stays


async def test_removal_from_the_organization_closes_its_project_streams_at_once(world, connect):
    stream = await opened(connect, STREAM_PATH.format(world.project.pk), token=world.tokens["artist@rt.test"])
    producer = await opened(connect, STREAM_PATH.format(world.project.pk), token=world.tokens["producer@rt.test"])

    def remove():
        owner = User.objects.create_user("owner@rt.test", password=None, display_name="Owen Owner")
        Membership.objects.create(user=owner, organization=world.studio, role=Role.OWNER)
        membership = Membership.objects.select_related("organization", "user").get(user=world.artist, organization=world.studio)
        tenancy_services.remove_member(actor=owner, membership=membership)

    await database_sync_to_async(remove)()
    assert (await stream.expect_close())[0] == 4403
    assert await still_open(producer, world)
