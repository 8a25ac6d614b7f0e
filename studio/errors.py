"""Plain error pages: JSON under /api/, never a traceback."""

from django.http import HttpResponse, JsonResponse


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "not_found", "detail": f"No API route matches {request.path}. See /api/docs/."}, status=404)
    return HttpResponse("<h1>Not found</h1>", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "server_error", "detail": "Something went wrong on our side; nothing was changed."}, status=500)
    return HttpResponse("<h1>Server error</h1><p>Something went wrong on our side.</p>", status=500)
