"""Helpers shared by the serializers: media URLs, brief shapes, the caller's access."""

from __future__ import annotations

from functools import lru_cache

from django.urls import reverse
from rest_framework import serializers

MEDIA_KINDS = ("original", "proxy", "poster", "thumb", "sprite")


_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


@lru_cache(maxsize=1)
def _media_url_prefix() -> str:
    url = reverse("version-media", kwargs={"pk": _PLACEHOLDER, "kind": "proxy"})
    return url[: url.index(_PLACEHOLDER)]


def media_url(version_id, kind: str) -> str:
    """/api/v1/versions/{id}/media/{kind}/ (reversed once; lists call this thousands of times)."""
    return f"{_media_url_prefix()}{version_id}/media/{kind}/"


def thumbnail_url(version) -> str | None:
    """A version's picture in lists: its thumbnail (the poster at list size), else its poster (a version
    processed before thumbnails existed), else None. `shot_list_json._thumbnail_url` is the same in SQL."""
    if version is None:
        return None
    if version.thumb:
        return media_url(version.id, "thumb")
    return media_url(version.id, "poster") if version.poster else None


DATETIME = serializers.DateTimeField()


def user_brief(user) -> dict:
    return {"id": str(user.pk), "email": user.email, "display_name": user.display_name}


def version_brief(version) -> dict:
    return {
        "id": str(version.id),
        "number": version.number,
        "label": version.label,
        "source": version.source,
        "processing_status": version.processing_status,
        "approval_status": version.approval_status,
        "frame_count": version.frame_count,
        "first_frame": version.first_frame,
        "thumbnail": thumbnail_url(version),
        "created_at": DATETIME.to_representation(version.created_at),
    }


def access_of(serializer):
    return serializer.context.get("access")


def is_client(serializer) -> bool:
    access = access_of(serializer)
    return bool(access and access.is_client)


