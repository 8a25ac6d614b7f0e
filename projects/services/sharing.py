"""Share links: a version or a playlist shown to people without an account.

A producer or supervisor makes a link (expiry, optional passphrase, download allowed or not, a view
limit); the token is shown once and only its SHA-256 is stored. A guest opening `/s/<token>/`
identifies (name, email, the passphrase when set): that is one **view** (`ShareView`, counted
against the limit, logged with its address and browser, audited). Each item is streamed as a copy
made for that view alone, with the viewer's name and the time burnt in by ffmpeg `drawtext`
(`ShareRender`, made on the `media` queue; until it is ready the guest sees "preparing", never
the unmarked file). Held media (`projects.access.share_refusal`) is never served; an expired or
revoked link, or one past its view limit for a new viewer, answers 410. Unknown tokens and wrong
passphrases are counted per address (and per link) in Redis with the sign-in throttle's counters
(`studio.tenancy.throttling`): past the limits, 429.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from projects import access as perms
from projects.models import Playlist, Project, ShareLink, ShareRender, ShareView, Version
from projects.services._common import _text
from studio.audit import services as audit
from studio.exceptions import Gone
from studio.queues import send_media
from studio.tenancy import throttling
from studio.tenancy.models import User

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters, 256 bits
MAX_PASSPHRASE_CHARS = 200
REVOKED = "This share link was revoked by the studio. Ask the person who sent it for a new one."
EXPIRED = "This share link has expired. Ask the person who sent it for a new one."
USED_UP = "This share link has reached its view limit. Ask the person who sent it for a new one."
UNKNOWN = "There is no share link at this address. Check that you copied the whole link."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---------------------------------------------------------------- the studio's side

def _link_values(*, expires_at, passphrase, max_views, label) -> dict:
    now = timezone.now()
    if not isinstance(expires_at, datetime):
        raise ValidationError({"expires_at": ["Give the date and time the link stops working (ISO 8601)."]})
    longest = timedelta(days=settings.SHARE_LINK_MAX_DAYS)
    if expires_at <= now:
        raise ValidationError({"expires_at": ["Choose a time in the future."]})
    if expires_at > now + longest:
        raise ValidationError({"expires_at": [f"A share link lasts at most {settings.SHARE_LINK_MAX_DAYS} days; choose an earlier time."]})
    passphrase = _text(passphrase, field="passphrase", max_length=MAX_PASSPHRASE_CHARS)
    if passphrase and len(passphrase) < 6:
        raise ValidationError({"passphrase": ["Use at least 6 characters, or leave it empty for no passphrase."]})
    if max_views is not None and (not isinstance(max_views, int) or isinstance(max_views, bool) or not 1 <= max_views <= 10_000):
        raise ValidationError({"max_views": ["Give a number of viewers from 1 to 10000, or leave it empty for no limit."]})
    return {
        "expires_at": expires_at,
        "passphrase_hash": make_password(passphrase) if passphrase else "",
        "max_views": max_views,
        "label": _text(label, field="label", max_length=200),
    }


def create_share_link(
    *, actor: User, project: Project, version: Version | None = None, playlist: Playlist | None = None, expires_at,
    passphrase: str = "", allow_download: bool = False, max_views: int | None = None, label: str = "",
) -> tuple[ShareLink, str]:
    """A new link to `version` or `playlist`; answers the link and its token (shown once, never stored)."""
    perms.require_project_role(user=actor, project=project, roles=perms.SHARE_LINKS, action="make share links")
    if (version is None) == (playlist is None):
        raise ValidationError({"version": ["Share either one version or one playlist."]})
    target = version or playlist
    if target.project_id != project.pk:
        raise NotFound("Not found.")
    if version is not None and (reason := perms.share_refusal(version)):
        raise ValidationError({"version": [reason]})
    values = _link_values(expires_at=expires_at, passphrase=passphrase, max_views=max_views, label=label)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        link = ShareLink.objects.create(
            organization_id=project.organization_id, project=project, version=version, playlist=playlist,
            token_hash=token_hash(token), allow_download=bool(allow_download), created_by=actor, **values,
        )
        audit.record(
            organization=project.organization, actor=actor, action="share_link.created", target=link,
            data={"version": str(version.pk) if version else None, "playlist": str(playlist.pk) if playlist else None,
                  "expires_at": link.expires_at.isoformat(), "passphrase": bool(link.passphrase_hash),
                  "allow_download": link.allow_download, "max_views": link.max_views, "label": link.label},
        )
    return link, token


def revoke_share_link(*, actor: User, link: ShareLink) -> ShareLink:
    """Stop the link at once: its next request, including a viewer's stream in progress, answers 410."""
    perms.require_project_role(user=actor, project=link.project, roles=perms.SHARE_LINKS, action="revoke share links")
    with transaction.atomic():
        link = ShareLink.objects.select_for_update(no_key=True).get(pk=link.pk)
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.revoked_by = actor
            link.save(update_fields=["revoked_at", "revoked_by"])
            audit.record(organization=link.project.organization, actor=actor, action="share_link.revoked", target=link,
                         data={"views": link.view_count})
    return link


def require_share_manager(*, user, project: Project) -> None:
    """The view log and the link list: producers and supervisors (404 for a stranger, 403 otherwise)."""
    perms.require_project_role(user=user, project=project, roles=perms.SHARE_LINKS, action="see share links")


def link_state(link: ShareLink, *, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= now:
        return "expired"
    if link.max_views is not None and link.view_count >= link.max_views:
        return "used_up"
    return "active"


# ---------------------------------------------------------------- the guest's side

def _bad_token_limits(address: str) -> dict:
    return {"scope": "share-token", "value": address, "limit": settings.SHARE_THROTTLE_MAX_BAD_TOKENS_PER_ADDRESS,
            "message": "Too many wrong share-link addresses from your network. Try again in {wait} seconds."}


def open_share_link(*, token: str, address: str) -> ShareLink:
    """The link behind `token`: 404 when there is none (counted: guessing is throttled per address,
    429), 410 when revoked or expired."""
    limits = _bad_token_limits(address)
    throttling.refuse_if_over(**limits)
    link = None
    if isinstance(token, str) and 20 <= len(token) <= 100:
        link = ShareLink.objects.select_related("project__organization", "version", "playlist").filter(token_hash=token_hash(token)).first()
    if link is None:
        throttling.count_guess(window=settings.SHARE_THROTTLE_WINDOW_SECONDS, **limits)
        raise NotFound(UNKNOWN)
    if link.revoked_at is not None:
        raise Gone(REVOKED)
    if link.expires_at <= timezone.now():
        raise Gone(EXPIRED)
    return link


def _check_passphrase(link: ShareLink, passphrase: str, address: str) -> None:
    if not link.passphrase_hash:
        return
    window = settings.SHARE_THROTTLE_WINDOW_SECONDS
    message = "Too many wrong passphrases. Try again in {wait} seconds."
    per_address = {"scope": "share-pass-address", "value": address}
    throttling.count_guess(**per_address, limit=settings.SHARE_THROTTLE_MAX_PASSPHRASES_PER_ADDRESS, window=window, message=message)
    throttling.count_guess(scope="share-pass-link", value=str(link.pk), limit=settings.SHARE_THROTTLE_MAX_PASSPHRASES_PER_LINK,
                           window=window, message=message)
    if not isinstance(passphrase, str) or not passphrase or not check_password(passphrase[:MAX_PASSPHRASE_CHARS], link.passphrase_hash):
        raise PermissionDenied("That passphrase is not right. Check it with the person who sent you the link.")
    throttling.give_back_guess(**per_address)
    throttling.give_back_guess(scope="share-pass-link", value=str(link.pk))


def _viewer(name, email) -> tuple[str, str]:
    name = _text(name, field="name", max_length=120).strip()
    if not name:
        raise ValidationError({"name": ["Enter your name."]})
    email = _text(email, field="email", max_length=254).strip()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationError({"email": ["Enter a valid email address, e.g. name@example.com."]}) from None
    return name, email


def shared_versions(link: ShareLink) -> list[Version]:
    """What the link shows, in order: its version, or its playlist's versions (held ones included;
    the guest is told they are unavailable)."""
    if link.version_id:
        return [link.version]
    return [item.version for item in link.playlist.items.select_related("version__shot").order_by("order")]


def identify_viewer(*, link: ShareLink, name, email, passphrase, address: str, user_agent: str) -> tuple[ShareView, str]:
    """A guest says who they are (and the passphrase): one logged, audited view, its watermarked
    copies queued on the media queue. Answers the view and its session secret (the guest's cookie)."""
    name, email = _viewer(name, email)
    _check_passphrase(link, passphrase, address)
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        locked = (
            ShareLink.objects.select_for_update(of=("self",), no_key=True)
            .select_related("project__organization", "version", "playlist")
        )
        link = locked.get(pk=link.pk)
        if link.revoked_at is not None:
            raise Gone(REVOKED)
        require_room_for_viewer(link=link)
        link.view_count += 1
        link.save(update_fields=["view_count"])
        view = ShareView.objects.create(
            link=link, project=link.project, viewer_name=name, viewer_email=email, ip_address=address or None,
            user_agent=(user_agent or "")[:400], session_hash=token_hash(secret),
        )
        stamp = timezone.now().strftime("%Y-%m-%d %H:%M UTC")
        renders = [
            ShareRender(view=view, version=v, order=i, watermark=f"{name} · {stamp}"[:300])
            for i, v in enumerate(shared_versions(link)) if perms.share_refusal(v) is None
        ]
        ShareRender.objects.bulk_create(renders)
        audit.record(
            organization=link.project.organization, actor_label=f"guest {email}", action="share_link.viewed", target=link,
            data={"view": str(view.pk), "name": name, "email": email, "address": address, "items": len(renders)},
        )
        from projects.tasks import render_share_copy

        ids = [str(r.pk) for r in renders]
        transaction.on_commit(lambda: [send_media(render_share_copy, i) for i in ids])
    return view, secret


def require_room_for_viewer(*, link: ShareLink) -> None:
    """410 when the link has reached its view limit (viewers already identified keep watching)."""
    if link.max_views is not None and link.view_count >= link.max_views:
        raise Gone(USED_UP)


def viewer_session(*, link: ShareLink, secret: str | None) -> ShareView | None:
    if not secret or not isinstance(secret, str) or len(secret) > 100:
        return None
    return ShareView.objects.filter(link=link, session_hash=token_hash(secret)).first()


def servable_render(*, view: ShareView, render_id, download: bool) -> ShareRender:
    """A viewer's watermarked copy they may fetch now: 404 for another view's or a held version's,
    403 for a download the link does not allow; "preparing" copies are never served."""
    render = ShareRender.objects.select_related("version").filter(view=view, pk=render_id).first()
    if render is None:
        raise NotFound("This item is not part of your share.")
    if (reason := perms.share_refusal(render.version)) is not None:
        raise Gone(reason)
    if download and not view.link.allow_download:
        raise PermissionDenied("Downloads are not allowed for this share link; you can watch it in the browser.")
    if render.status != ShareRender.Status.READY or not render.file:
        preparing = render.status == ShareRender.Status.PREPARING
        raise NotFound("This item is still being prepared." if preparing else "This item could not be prepared.")
    field = "downloaded_at" if download else "streamed_at"
    if getattr(render, field) is None:
        ShareRender.objects.filter(pk=render.pk, **{f"{field}__isnull": True}).update(**{field: timezone.now()})
    return render


# ---------------------------------------------------------------- the media worker's side

def share_copy_name(render: ShareRender) -> str:
    return f"shares/{render.view.link_id}/{render.view_id}/{render.pk}.mp4"


def make_share_copy(*, render_id) -> ShareRender | None:
    """Burn the viewer's name into a copy of the version's proxy, embed their forensic mark
    (projects/services/watermarks.py: a leaked frame traces back to this guest) and sign it with the
    version's Content Credentials (media queue; nothing leaves unsigned). Read and
    written through the storage API, ffmpeg on scratch files under DATA_DIR/tmp. Idempotent: a
    redelivered task for a finished copy does nothing; a held version is not copied."""
    from django.core.files import File
    from django.core.files.storage import default_storage

    from projects import media
    from projects.delivery.copies import CredentialsUnavailable, SigningFailed, sign_share_copy
    from projects.services import watermarks
    from studio.watermark import video as wm_video

    render = ShareRender.objects.select_related("version__project__organization", "version__shot", "view").filter(pk=render_id).first()
    if render is None or render.status != ShareRender.Status.PREPARING:
        return render
    version = render.version
    if (reason := perms.share_refusal(version)) is not None:
        return _finish_render(render, error=reason)
    with media.temporary_directory() as scratch:
        src, dst, text = Path(scratch) / "proxy.mp4", Path(scratch) / "marked.mp4", Path(scratch) / "watermark.txt"
        forensic, signed = Path(scratch) / "forensic.mp4", Path(scratch) / "signed.mp4"
        try:
            with default_storage.open(version.proxy.name, "rb") as fh, open(src, "wb") as out:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    out.write(chunk)
            text.write_text(render.watermark, encoding="utf-8")
            media.burn_watermark(src, dst, text_file=text, info=media.probe(src))
            mark = watermarks.mark_share_copy(share_view=render.view, version=version, source=dst, destination=forensic)
            sign_share_copy(version=version, source=forensic, destination=signed, share_copy=str(render.pk))
        except (OSError, media.MediaError, wm_video.WatermarkError, CredentialsUnavailable, SigningFailed) as exc:
            return _finish_render(render, error=f"The copy could not be prepared: {exc}")
        with open(signed, "rb") as fh:
            name = default_storage.save(share_copy_name(render), File(fh))
    watermarks.finish_share_mark(mark, name=name)
    return _finish_render(render, name=name)


def _finish_render(render: ShareRender, *, name: str = "", error: str = "") -> ShareRender:
    with transaction.atomic():
        locked = ShareRender.objects.select_for_update(no_key=True).get(pk=render.pk)
        if locked.status != ShareRender.Status.PREPARING:
            return locked
        locked.status = ShareRender.Status.READY if name else ShareRender.Status.FAILED
        locked.file.name = name
        locked.error = error[:2000]
        locked.ready_at = timezone.now()
        locked.save(update_fields=["status", "file", "error", "ready_at"])
    return locked
