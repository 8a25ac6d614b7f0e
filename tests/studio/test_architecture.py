"""Every view under /api/v1/ goes through the one tenancy base; the base cannot be bypassed."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import viewsets

from studio.tenancy.api.base import ScopedAPIView, ScopedViewSet, TenantScopedMixin

# The only views allowed outside the base: signing in and out (no session or token exists yet).
ALLOW_LIST = {
    "studio.tenancy.api.views.LoginView",
    "studio.tenancy.api.views.LogoutView",
    "studio.tenancy.api.views.CsrfView",
    "studio.tenancy.api.views.TokenObtainView",
}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def api_routes():
    return [(route, cb) for route, cb in _walk(get_resolver().url_patterns) if route.startswith("api/v1/")]


def view_class(callback):
    return getattr(callback, "cls", None) or getattr(callback, "view_class", None)


def test_there_are_api_routes_to_check():
    routes = api_routes()
    assert len(routes) >= 10, routes


def test_every_api_v1_view_uses_the_tenancy_base():
    offenders = []
    for route, callback in api_routes():
        cls = view_class(callback)
        name = f"{cls.__module__}.{cls.__qualname__}" if cls else repr(callback)
        if name in ALLOW_LIST:
            continue
        if cls is None or not issubclass(cls, TenantScopedMixin):
            offenders.append(f"{route} -> {name}")
    assert not offenders, "views under /api/v1/ that bypass the tenancy base:\n" + "\n".join(offenders)


def test_allow_list_entries_still_exist():
    names = set()
    for _route, callback in api_routes():
        cls = view_class(callback)
        if cls:
            names.add(f"{cls.__module__}.{cls.__qualname__}")
    assert ALLOW_LIST <= names, ALLOW_LIST - names


def test_overriding_get_queryset_is_refused():
    with pytest.raises(TypeError, match="filter_scoped_queryset"):

        class Sneaky(ScopedViewSet):  # noqa: F841
            def get_queryset(self):
                return []

    with pytest.raises(TypeError):

        class SneakyView(ScopedAPIView):  # noqa: F841
            def get_queryset(self):
                return []


def test_a_view_without_a_scope_rule_sees_nothing(db, demo):
    from django.core.exceptions import ImproperlyConfigured
    from rest_framework.test import APIRequestFactory, force_authenticate

    from studio.tenancy.models import Membership

    class Unscoped(ScopedViewSet, viewsets.mixins.ListModelMixin):
        queryset = Membership.objects.all()

    request = APIRequestFactory().get("/x")
    force_authenticate(request, user=demo["users"]["producer@northlight.test"])
    view = Unscoped.as_view({"get": "list"})
    with pytest.raises(ImproperlyConfigured):
        view(request)
