"""Who may open which stream: refusals look the same whether or not the thing exists."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from channels.db import database_sync_to_async
from django.test import Client as DjangoClient

from projects.models import ProjectMember
from studio.tenancy.models import ApiToken, Membership
from tests.realtime.conftest import apublish
from tests.support.realtime_events import TEST_EVENT, shared_playlist_event

pytestmark = pytest.mark.django_db(transaction=True)


def project_path(world, project=None) -> str:
    return f"/ws/projects/{(project or world.project).pk}/"


async def test_anonymous_subscriber_is_refused_with_4403(world, connect):
    client = await connect(project_path(world))
    code, before = await client.expect_close()
    assert code == 4403
    assert before == []


async def test_foreign_subscriber_is_refused_with_4403_and_receives_nothing(world, connect):
    client = await connect(project_path(world), token=world.tokens["outsider@rt.test"])
    code, before = await client.expect_close()
    assert (code, before) == (4403, [])
    # The outsider's own project works with the same token, so the token itself is fine.
    own = await connect(project_path(world, world.other_project), token=world.tokens["outsider@rt.test"])
    assert (await own.recv_type("stream.ready"))["data"]["last_id"] == 0


async def test_missing_and_malformed_projects_get_the_same_refusal_as_foreign_ones(world, connect):
    outsider = world.tokens["outsider@rt.test"]
    answers = []
    for path in (project_path(world), f"/ws/projects/{uuid.uuid4()}/", "/ws/projects/not-a-uuid/", "/ws/projects/1%20OR%201=1/"):
        client = await connect(path, token=outsider)
        answers.append(await client.expect_close())
    assert answers == [(4403, [])] * 4


async def test_revoked_token_and_foreign_scheme_are_refused(world, connect):
    key = world.tokens["producer@rt.test"]
    await database_sync_to_async(lambda: ApiToken.objects.filter(user=world.producer).update(revoked_at="2026-01-01T00:00:00Z"))()
    assert (await (await connect(project_path(world), token=key)).expect_close())[0] == 4403
    bearer = await connect(project_path(world), headers=[(b"authorization", f"Bearer {key}".encode())])
    assert (await bearer.expect_close())[0] == 4403
    garbage = await connect(project_path(world), token="glt_not-a-real-key")
    assert (await garbage.expect_close())[0] == 4403


async def test_token_in_header_or_query_and_session_cookie_are_accepted(world, connect):
    by_header = await connect(project_path(world), token=world.tokens["producer@rt.test"])
    by_query = await connect(project_path(world), token=world.tokens["artist@rt.test"], query_token=True)

    def session_key():
        browser = DjangoClient()
        browser.force_login(world.reviewer)
        return browser.cookies["sessionid"].value

    by_cookie = await connect(project_path(world), cookie=await database_sync_to_async(session_key)())
    for client in (by_header, by_query, by_cookie):
        ready = await client.recv_type("stream.ready")
        assert ready["project"] == str(world.project.pk)
    envelope = await apublish(**shared_playlist_event(world.playlist))  # the client reviewer (by cookie) receives it too
    for client in (by_header, by_query, by_cookie):
        assert (await client.recv_type("playlist.updated"))["id"] == envelope["id"]


async def test_a_wrong_token_never_falls_back_to_the_session(world, connect):
    def session_key():
        browser = DjangoClient()
        browser.force_login(world.producer)
        return browser.cookies["sessionid"].value

    client = await connect(project_path(world), cookie=await database_sync_to_async(session_key)(), token="glt_wrong")
    assert (await client.expect_close())[0] == 4403


async def test_origin_must_be_an_allowed_host(world, connect):
    token = world.tokens["producer@rt.test"]
    evil = await connect(project_path(world), token=token, origin=b"https://evil.example", expect_accept=False)
    assert evil.accepted is False
    missing = await connect(project_path(world), token=token, origin=None, expect_accept=False)
    assert missing.accepted is False


async def test_me_stream_needs_a_signed_in_user(world, connect):
    anonymous = await connect("/ws/me/")
    assert (await anonymous.expect_close())[0] == 4403
    me = await connect("/ws/me/", token=world.tokens["artist@rt.test"])
    assert (await me.recv_type("stream.ready"))["data"]["user"] == str(world.artist.pk)


async def test_unknown_websocket_path_is_closed_with_4404(world, connect):
    client = await connect("/ws/nothing-here/", token=world.tokens["producer@rt.test"])
    assert (await client.expect_close())[0] == 4404


async def test_bad_since_is_a_clear_4400(world, connect):
    client = await connect(project_path(world) + "?since=-3", token=world.tokens["producer@rt.test"])
    code, before = await client.expect_close()
    assert code == 4400
    assert before[0]["type"] == "stream.error" and "since must be" in before[0]["data"]["detail"]
    # A non-member learns nothing about `since` handling either: the access check comes first.
    foreign = await connect(project_path(world) + "?since=abc", token=world.tokens["outsider@rt.test"])
    assert await foreign.expect_close() == (4403, [])


async def test_losing_access_while_connected_closes_the_socket(world, connect, settings):
    settings.REALTIME_ACCESS_RECHECK_SECONDS = 0.3
    reviewer = await connect(project_path(world), token=world.tokens["client@rt.test"])
    artist = await connect(project_path(world), token=world.tokens["artist@rt.test"])
    producer = await connect(project_path(world), token=world.tokens["producer@rt.test"])
    for client in (reviewer, artist, producer):
        await client.recv_type("stream.ready")
    await database_sync_to_async(lambda: ProjectMember.objects.filter(user=world.reviewer).delete())()
    await database_sync_to_async(lambda: Membership.objects.filter(user=world.artist).delete())()
    assert (await reviewer.expect_close(timeout=5))[0] == 4403
    assert (await artist.expect_close(timeout=5))[0] == 4403
    await asyncio.sleep(0.5)
    envelope = await apublish(type=TEST_EVENT, project_id=world.project.pk, data={})
    assert (await producer.recv_type(TEST_EVENT))["id"] == envelope["id"]


async def test_revoking_the_token_closes_the_socket(world, connect, settings):
    settings.REALTIME_ACCESS_RECHECK_SECONDS = 0.3
    client = await connect(project_path(world), token=world.tokens["producer@rt.test"])
    await client.recv_type("stream.ready")
    await database_sync_to_async(lambda: ApiToken.objects.filter(user=world.producer).update(revoked_at="2026-01-01T00:00:00Z"))()
    assert (await client.expect_close(timeout=5))[0] == 4403
