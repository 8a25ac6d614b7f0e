"""Answer a request for a stored media file, after the view's permission check, from whichever
store holds it (`studio/storage`):

- local folder: the web process streams the bytes itself with HTTP Range (`ranges.py`): 200, 206,
  304 or 416 — what `make run` and the tests of the local backend get;
- object store: 302 to a presigned URL of the object, valid for `MEDIA_URL_EXPIRES_SECONDS`. The
  browser follows it for every Range request of the player and talks to the store directly, so the
  web process passes no media bytes. The redirect itself is never cached (`no-store`): each play
  asks this view again, so revoked access gets no new URL.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import NotFound

from studio import storage
from studio.http.ranges import ranged_file_response

# For the schema of every view that answers with stored_file_response.
REDIRECT_TO_STORE = OpenApiResponse(
    description="Media in an object store: redirect (Location) to a presigned URL of the file, valid for "
    "MEDIA_URL_EXPIRES_SECONDS; the store answers Range requests on it"
)


def stored_file_response(request, name: str, *, content_type: str, filename: str, missing: str, attachment: bool = False,
                         cache_control: str | None = None):
    """The stored file `name` for `request` (see the module docstring); NotFound(`missing`) when it is gone."""
    path = storage.local_path(name)
    if path is not None:
        if not path.is_file():
            raise NotFound(missing)
        response = ranged_file_response(request, path, content_type=content_type, filename=filename, attachment=attachment)
        if cache_control:
            response["Cache-Control"] = cache_control
        return response
    if not storage.exists(name):
        raise NotFound(missing)
    url = storage.presigned_url(name, filename=filename, content_type=content_type, attachment=attachment,
                                cache_control=cache_control, method="HEAD" if request.method == "HEAD" else "GET")
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
