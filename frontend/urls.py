from django.urls import include, path, re_path

from frontend import views

urlpatterns = [
    # The guest's share-link page (people without an account): a small Django page of projects.
    path("s/", include("projects.sharing.urls")),
    re_path(r"^(?!api/|admin/|static/|healthz)(?P<path>.*)$", views.app, name="app"),
]
