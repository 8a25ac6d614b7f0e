"""API routes of this app, mounted under /api/v1/ by studio/api_urls.py."""

urlpatterns: list = []
