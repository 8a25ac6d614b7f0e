"""Plain error pages: JSON under /api/, never a traceback."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse


def bad_request(request, exception=None):
    """Django's 400 (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a bad Host): JSON under
    /api/, and 413 when the body was too large — never the HTML "Bad Request (400)" page."""
    if isinstance(exception, RequestDataTooBig):
        from studio.http.limits import body_limit_for, too_large_payload

        return JsonResponse(too_large_payload(body_limit_for(request.path_info)), status=413)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": "malformed_request", "detail": "The request could not be read; check its body and headers."}, status=400
        )
    return HttpResponse("<h1>Bad request</h1>", status=400)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "not_found", "detail": f"No API route matches {request.path}. See /api/docs/."}, status=404)
    return HttpResponse("<h1>Not found</h1>", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "server_error", "detail": "Something went wrong on our side; nothing was changed."}, status=500)
    return HttpResponse("<h1>Server error</h1><p>Something went wrong on our side.</p>", status=500)
