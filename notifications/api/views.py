"""Thin API views of the inbox, preferences and webhooks: parse, call one service or selector, serialise."""

from __future__ import annotations

import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from notifications import selectors, services
from notifications.api import serializers as s
from notifications.kinds import Kind
from notifications.models import Notification, NotificationPreference, WebhookDelivery, WebhookEndpoint
from studio.tenancy.api.base import ScopedAPIView, ScopedViewSet
from studio.tenancy.models import Organization
from studio.tenancy.selectors import scope_queryset


def _validated(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The caller's inbox. Only the recipient ever sees a notification (another's is 404)."""

    queryset = Notification.objects.all()
    owner_path = "recipient"
    serializer_class = s.NotificationSerializer

    def filter_scoped_queryset(self, queryset):
        queryset = queryset.filter(in_app=True)
        unread = self.request.query_params.get("unread")
        if unread not in (None, ""):
            if unread not in ("true", "false"):
                raise ValidationError({"unread": ["Use unread=true or unread=false."]})
            queryset = queryset.filter(read_at__isnull=unread == "true")
        kinds = self.request.query_params.get("kind")
        if kinds:
            wanted = [k.strip() for k in kinds.split(",") if k.strip()]
            bad = [k for k in wanted if k not in Kind.values]
            if bad:
                raise ValidationError({"kind": [f"Unknown kind '{bad[0]}'. Use one of: {', '.join(Kind.values)}."]})
            queryset = queryset.filter(kind__in=wanted)
        return queryset

    @extend_schema(parameters=[
        OpenApiParameter("unread", OpenApiTypes.BOOL, description="true: only unread; false: only read."),
        OpenApiParameter("kind", OpenApiTypes.STR, description="Kinds, comma-separated (mention, reply, …)."),
    ])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.MarkOneSerializer, responses={200: s.NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        read = _validated(s.MarkOneSerializer, request.data)["read"]
        services.mark_read(user=request.user, ids=[notification.pk], read=read)
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=s.MarkReadSerializer, responses={200: s.UnreadSerializer})
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        data = _validated(s.MarkReadSerializer, request.data)
        if data["all"] == ("ids" in data):
            raise ValidationError({"ids": ["Give either ids (a list of notification ids) or all: true."]})
        changed = services.mark_read(user=request.user, ids=None if data["all"] else data["ids"], read=data["read"])
        return Response({"unread": selectors.unread_count(user_id=request.user.pk), "changed": changed})

    @extend_schema(responses={200: s.UnreadSerializer})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(user_id=request.user.pk)})


class NotificationPreferencesView(ScopedAPIView):
    """The caller's choices: for each kind, the inbox and/or the email digest."""

    queryset = NotificationPreference.objects.all()
    owner_path = "user"
    serializer_class = s.PreferenceSerializer
    pagination_class = None

    @extend_schema(responses={200: s.PreferenceSerializer(many=True)})
    def get(self, request):
        return Response(s.PreferenceSerializer(selectors.preferences(user=request.user), many=True).data)

    @extend_schema(request=s.PreferencesUpdateSerializer, responses={200: s.PreferenceSerializer(many=True)})
    def patch(self, request):
        if not isinstance(request.data, dict) or "preferences" not in request.data:
            raise ValidationError({"preferences": ["Send {\"preferences\": [{\"kind\": \"mention\", \"email\": false}, …]}."]})
        result = services.set_preferences(user=request.user, changes=request.data["preferences"])
        return Response(s.PreferenceSerializer(result, many=True).data)


class WebhookEndpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Webhooks of the organizations where the caller is an owner or admin (others' are 404)."""

    queryset = WebhookEndpoint.objects.select_related("organization")
    tenant_path = "organization"
    tenant_roles = selectors.WEBHOOK_ROLES
    serializer_class = s.WebhookEndpointSerializer

    def filter_scoped_queryset(self, queryset):
        organization = self.request.query_params.get("organization")
        if organization:
            queryset = queryset.filter(organization_id=_uuid(organization, field="organization"))
        return queryset

    @extend_schema(parameters=[OpenApiParameter("organization", OpenApiTypes.UUID, description="Only this organization's webhooks.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=s.WebhookEndpointCreateSerializer, responses={201: s.WebhookEndpointCreatedSerializer})
    def create(self, request):
        data = _validated(s.WebhookEndpointCreateSerializer, request.data)
        mine = scope_queryset(Organization.objects.all(), user=request.user, tenant_path="pk")
        organization = mine.filter(pk=data["organization"]).first()
        if organization is None:
            raise ValidationError({"organization": ["You are not a member of this organization; pass the id of one of yours."]})
        endpoint, secret = services.create_endpoint(
            actor=request.user, organization=organization, url=data["url"], event_types=data["event_types"],
            description=data.get("description"),
        )
        endpoint.secret = secret
        return Response(s.WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.WebhookEndpointUpdateSerializer, responses={200: s.WebhookEndpointSerializer})
    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        if not isinstance(request.data, dict) or not request.data:
            raise ValidationError({"url": ["Send the fields to change: url, event_types, description and/or active."]})
        endpoint = services.update_endpoint(actor=request.user, endpoint=endpoint, changes=dict(request.data))
        return Response(s.WebhookEndpointSerializer(endpoint).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.delete_endpoint(actor=request.user, endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: s.WebhookEndpointCreatedSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint, secret = services.rotate_secret(actor=request.user, endpoint=self.get_object())
        endpoint.secret = secret
        return Response(s.WebhookEndpointCreatedSerializer(endpoint).data)

    @extend_schema(request=None, responses={202: s.WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def ping(self, request, pk=None):
        delivery = services.send_ping(actor=request.user, endpoint=self.get_object())
        return Response(s.WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: s.WebhookDeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        page = self.paginate_queryset(selectors.deliveries_of(endpoint=self.get_object()))
        return self.get_paginated_response(s.WebhookDeliverySerializer(page, many=True).data)


class WebhookDeliveryViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    """One delivery with its attempts (response codes); redeliver it."""

    queryset = WebhookDelivery.objects.select_related("endpoint__organization").prefetch_related("attempt_log")
    tenant_path = "endpoint__organization"
    tenant_roles = selectors.WEBHOOK_ROLES
    serializer_class = s.WebhookDeliverySerializer

    @extend_schema(request=None, responses={202: s.WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        delivery = services.redeliver(actor=request.user, delivery=self.get_object())
        return Response(s.WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookEventTypesView(ScopedAPIView):
    """The event types a webhook may subscribe to (every durable project event, and webhook.ping)."""

    queryset = Organization.objects.all()
    tenant_path = "pk"
    serializer_class = s.WebhookEventTypesSerializer

    def get(self, request):
        return Response({"event_types": services.webhook_event_types()})


def _uuid(value: str, *, field: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValidationError({field: [f"'{value[:40]}' is not a valid id; pass a UUID."]})
