"""The guest's share page (`/s/<token>/`), the state of their items and the watermarked files.

Every request opens the link again (`services.open_share_link`), so a revoked or expired link
answers 410 at once, even to a viewer already watching; unknown tokens are throttled per address.
A viewer is known by a cookie holding their session secret (only its SHA-256 is stored). Nothing
internal is shown: no prompts, seeds, cast, notes or people, only shot codes, version labels
and the link's label."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render as render_template
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import APIException, ValidationError

from projects import access as perms
from projects import services
from projects.models import ShareLink, ShareRender
from studio.http.media import stored_file_response

COOKIE_PREFIX = "gl_share_"


def _address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _cookie_name(link: ShareLink) -> str:
    return f"{COOKIE_PREFIX}{link.pk.hex[:16]}"


def _error_page(request, exc: APIException, **context) -> HttpResponse:
    status = exc.status_code
    titles = {404: "Link not found", 410: "Link no longer available", 429: "Too many attempts", 403: "Not allowed"}
    response = render_template(request, "projects/share.html", {"error": str(exc.detail), "title": titles.get(status, "Share link"),
                                                              **context}, status=status)
    if status == 429 and getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    return response


def _json_error(exc: APIException) -> JsonResponse:
    response = JsonResponse({"error": exc.default_code, "detail": str(exc.detail) if not isinstance(exc.detail, dict) else exc.detail},
                            status=exc.status_code)
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    return response


def _identify(request, link: ShareLink) -> HttpResponse:
    form = {"name": request.POST.get("name", ""), "email": request.POST.get("email", "")}
    try:
        _view, secret = services.identify_viewer(
            link=link, name=form["name"], email=form["email"], passphrase=request.POST.get("passphrase", ""),
            address=_address(request), user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except ValidationError as exc:
        errors = [str(m) for messages in exc.detail.values() for m in messages] if isinstance(exc.detail, dict) else [str(exc.detail)]
        return render_template(request, "projects/share.html", {"link": link, "form": form, "form_error": " ".join(errors),
                                                                "title": "Shared with you"}, status=400)
    except APIException as exc:
        if exc.status_code == 403:  # a wrong passphrase: the form again, with what is wrong
            return render_template(request, "projects/share.html", {"link": link, "form": form, "form_error": str(exc.detail),
                                                                    "title": "Shared with you"}, status=403)
        return _error_page(request, exc)
    response = HttpResponse(status=303)
    response["Location"] = request.path
    response.set_cookie(_cookie_name(link), secret, max_age=int((link.expires_at - timezone.now()).total_seconds()), path="/s/",
                        httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def share_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the identify form, or the player once identified; POST: identify (name, email, passphrase)."""
    try:
        link = services.open_share_link(token=token, address=_address(request))
    except APIException as exc:
        return _error_page(request, exc)
    view = services.viewer_session(link=link, secret=request.COOKIES.get(_cookie_name(link)))
    if request.method == "POST":
        return _identify(request, link)
    if view is None:
        try:
            services.require_room_for_viewer(link=link)
        except APIException as exc:
            return _error_page(request, exc)
        return render_template(request, "projects/share.html", {"link": link, "form": {}, "title": "Shared with you"})
    return render_template(request, "projects/share.html", {"link": link, "view": view, "title": link.label or "Shared with you"})


def _item(render: ShareRender, token: str, allow_download: bool) -> dict:
    version = render.version
    refusal = perms.share_refusal(version)
    state = "unavailable" if refusal else render.status
    item = {"id": str(render.pk), "name": f"{version.shot.code} {version.label}", "state": state}
    if refusal:
        item["detail"] = refusal
    elif render.status == ShareRender.Status.READY:
        item["url"] = f"/s/{token}/items/{render.pk}/"
        if allow_download:
            item["download_url"] = f"/s/{token}/items/{render.pk}/?download=1"
    elif render.status == ShareRender.Status.FAILED:
        item["detail"] = "This item could not be prepared. Ask the person who sent the link."
    return item


@never_cache
@require_http_methods(["GET", "HEAD"])
def share_items(request: HttpRequest, token: str) -> JsonResponse:
    """The viewer's items: preparing, ready (with its address), failed or unavailable (held)."""
    try:
        link = services.open_share_link(token=token, address=_address(request))
    except APIException as exc:
        return _json_error(exc)
    view = services.viewer_session(link=link, secret=request.COOKIES.get(_cookie_name(link)))
    if view is None:
        return JsonResponse({"error": "not_identified", "detail": "Enter your name and email on the share page first."}, status=403)
    renders = view.renders.select_related("version__shot").order_by("order")
    return JsonResponse({"viewer": view.viewer_name, "allow_download": link.allow_download,
                         "items": [_item(r, token, link.allow_download) for r in renders]})


@require_http_methods(["GET", "HEAD"])
def share_media(request: HttpRequest, token: str, render_id) -> HttpResponse:
    """The viewer's watermarked copy (HTTP Range when the store is a local folder); ?download=1 as
    an attachment when the link allows downloads."""
    download = request.GET.get("download") in ("1", "true")
    try:
        link = services.open_share_link(token=token, address=_address(request))
        view = services.viewer_session(link=link, secret=request.COOKIES.get(_cookie_name(link)))
        if view is None:
            return JsonResponse({"error": "not_identified", "detail": "Enter your name and email on the share page first."}, status=403)
        render = services.servable_render(view=view, render_id=render_id, download=download)
    except APIException as exc:
        return _json_error(exc)
    filename = f"{render.version.shot.code}_{render.version.label}_shared.mp4"
    try:
        # The local folder: HTTP Range from here; an object store: a short-lived presigned URL (302).
        return stored_file_response(request, render.file.name, content_type="video/mp4", filename=filename,
                                    missing="This copy is missing; open the share page again.", attachment=download,
                                    cache_control="private, no-store")
    except APIException as exc:
        return _json_error(exc)
