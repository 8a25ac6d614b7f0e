from django.urls import path

from studio.http.ids import IdRouter, nested
from studio.tenancy.api import views

router = IdRouter()
router.register("tokens", views.TokenViewSet, basename="token")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register(rf"organizations/{nested('organization_pk')}/members", views.MembershipViewSet, basename="membership")

urlpatterns = [
    path("auth/login/", views.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/csrf/", views.CsrfView.as_view(), name="auth-csrf"),
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token"),
    path("me/", views.MeView.as_view(), name="me"),
    *router.urls,
]
