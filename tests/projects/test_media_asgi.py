"""Media through the ASGI stack (what uvicorn serves): ranges stream from an async iterator."""

from __future__ import annotations

from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import AsyncClient

from studio.tenancy import services as tenancy_services
from studio.tenancy.models import Role
from tests.projects.conftest import add_version, make_org, make_project, make_shot, make_user


@pytest.mark.django_db(transaction=True)
async def test_range_requests_through_asgi(clips, media_root):
    try:
        await _exercise(clips)
    finally:
        await sync_to_async(connections.close_all)()  # the executor thread's connection, or the test DB cannot be dropped


async def _exercise(clips):
    def arrange():
        org = make_org("asgi")
        artist = make_user(org=org, role=Role.ARTIST)
        outsider = make_user(org=make_org("asgi-rival"), role=Role.PRODUCER)
        version = add_version(make_shot(make_project(org, code="AS"), "AS_010_0010"), clips["good"], user=artist)
        return version, tenancy_services.create_token(user=artist, name="t")[1], tenancy_services.create_token(user=outsider, name="t")[1]

    version, key, outsider_key = await sync_to_async(arrange)()
    url = f"/api/v1/versions/{version.id}/media/original/"
    client = AsyncClient()
    auth = {"Authorization": f"Token {key}"}  # per request: constructor headers get WSGI names under ASGI
    first = await client.get(url, headers=auth)  # the original leaves signed (Content Credentials): made on first request
    assert first.status_code == 200
    data = b"".join([chunk async for chunk in first.streaming_content])
    assert data != await sync_to_async(Path(version.original.path).read_bytes)() and len(data) > version.original_size

    partial = await client.get(url, headers={**auth, "Range": "bytes=100-1099"})
    assert partial.status_code == 206
    assert partial["Content-Range"] == f"bytes 100-1099/{len(data)}"
    assert b"".join([chunk async for chunk in partial.streaming_content]) == data[100:1100]

    whole = await client.get(url, headers=auth)
    assert whole.status_code == 200
    assert b"".join([chunk async for chunk in whole.streaming_content]) == data

    head = await client.head(url, headers=auth)
    assert head.status_code == 200 and int(head["Content-Length"]) == len(data)

    bad = await client.get(url, headers={**auth, "Range": f"bytes={len(data)}-"})
    assert bad.status_code == 416

    denied = await client.get(url, headers={"Authorization": f"Token {outsider_key}"})
    assert denied.status_code == 404
