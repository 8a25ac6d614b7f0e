"""Thin API views for sign-in, the current user, tokens, organizations and memberships."""

from __future__ import annotations

from django.contrib.auth import login
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from studio.tenancy import services
from studio.tenancy.api import serializers as s
from studio.tenancy.api.base import ScopedAPIView, ScopedViewSet
from studio.tenancy.authentication import CsrfSessionAuthentication
from studio.tenancy.models import ALL_ROLES, ApiToken, Membership, Organization, User
from studio.tenancy.selectors import scope_queryset


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class PublicAuthView(APIView):
    """Endpoints reachable without a session (sign-in). Listed in the architecture test's allow-list."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


LOGIN_CSRF_REFUSAL = (
    "Signing in needs the CSRF token: GET /api/v1/auth/csrf/ first, then send its csrfToken in the X-CSRFToken header "
    "(from a page of this site)."
)


class LoginView(PublicAuthView):
    """Session sign-in. The CSRF token is required here too (login CSRF: another site must not sign a
    browser into an account of its choosing); scripts use /auth/token/, which sets no cookie."""

    @extend_schema(request=s.CredentialsSerializer, responses={200: s.MeSerializer, 403: OpenApiResponse(description=LOGIN_CSRF_REFUSAL)})
    def post(self, request):
        try:
            CsrfSessionAuthentication().enforce_csrf(request._request)
        except PermissionDenied:
            raise PermissionDenied(LOGIN_CSRF_REFUSAL) from None
        data = s.CredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.authenticate_credentials(
            email=data.validated_data["email"],
            password=data.validated_data["password"],
            address=client_address(request),
            request=request,
            channel="session",
        )
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        user = User.objects.prefetch_related("memberships__organization").get(pk=user.pk)
        return Response(s.MeSerializer(user).data)


class LogoutView(PublicAuthView):
    authentication_classes = [CsrfSessionAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        services.sign_out(request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@method_decorator(ensure_csrf_cookie, name="get")
class CsrfView(PublicAuthView):
    @extend_schema(responses={200: inline_serializer("Csrf", {"csrfToken": serializers.CharField()})})
    def get(self, request):
        return Response({"csrfToken": get_token(request._request)})


class TokenObtainView(PublicAuthView):
    @extend_schema(request=s.CredentialsSerializer, responses={201: s.TokenObtainResponseSerializer})
    def post(self, request):
        data = s.CredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.authenticate_credentials(
            email=data.validated_data["email"],
            password=data.validated_data["password"],
            address=client_address(request),
            request=request,
            channel="token",
        )
        token, key = services.create_token(user=user, name="API token (password exchange)")
        return Response({"token": key, "id": str(token.id), "name": token.name}, status=status.HTTP_201_CREATED)


class MeView(ScopedAPIView):
    queryset = User.objects.all()
    owner_path = "pk"
    serializer_class = s.MeSerializer

    def get(self, request):
        user = self.get_queryset().prefetch_related("memberships__organization").get()
        return Response(self.get_serializer(user).data)


class TokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Personal API tokens: list, create (the key is shown once), revoke."""

    queryset = ApiToken.objects.all()
    owner_path = "user"
    serializer_class = s.ApiTokenSerializer

    @extend_schema(request=s.ApiTokenCreateSerializer, responses={201: s.ApiTokenCreatedSerializer})
    def create(self, request):
        data = s.ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.create_token(user=request.user, name=data.validated_data["name"])
        token.token = key
        return Response(s.ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.ApiTokenSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = services.revoke_token(user=request.user, token=self.get_object())
        return Response(s.ApiTokenSerializer(token).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.revoke_token(user=request.user, token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The organizations the caller belongs to (any role)."""

    queryset = Organization.objects.order_by("name")
    tenant_path = "pk"
    tenant_roles = ALL_ROLES
    serializer_class = s.OrganizationSerializer


class MembershipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    """Members of the caller's organizations. Owners and admins add, re-role and remove members."""

    queryset = Membership.objects.select_related("user", "organization").order_by("organization__name", "user__email")
    tenant_path = "organization"
    serializer_class = s.MembershipSerializer

    def filter_scoped_queryset(self, queryset):
        org = self.kwargs.get("organization_pk")
        return queryset.filter(organization_id=org) if org else queryset

    def _organization(self, *, roles=None) -> Organization:
        orgs = scope_queryset(Organization.objects.all(), user=self.request.user, tenant_path="pk", roles=roles)
        org = orgs.filter(pk=self.kwargs["organization_pk"]).first()
        if org is None:
            raise NotFound("Not found.")
        return org

    def list(self, request, organization_pk=None):
        """An organization the caller does not belong to is 404, like every foreign row (a member
        whose role does not see the studio's people, a client reviewer, gets an empty list)."""
        self._organization(roles=ALL_ROLES)
        return super().list(request)

    @extend_schema(request=s.MembershipCreateSerializer, responses={201: s.MembershipSerializer})
    def create(self, request, organization_pk=None):
        data = s.MembershipCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.add_member(actor=request.user, organization=self._organization(), **data.validated_data)
        return Response(s.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MembershipUpdateSerializer, responses={200: s.MembershipSerializer})
    def partial_update(self, request, organization_pk=None, pk=None):
        data = s.MembershipUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.change_member_role(actor=request.user, membership=self.get_object(), role=data.validated_data["role"])
        return Response(s.MembershipSerializer(membership).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, organization_pk=None, pk=None):
        services.remove_member(actor=request.user, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
