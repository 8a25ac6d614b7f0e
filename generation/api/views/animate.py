"""Animate a still: `POST /api/v1/shots/{id}/animate/` (thin: parse, one service call, serialise)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from generation import constraints, services
from generation.api import serializers as s
from projects.models import Shot
from rights.models import UseType
from studio.tenancy.api.base import ScopedAPIView


class AnimateSerializer(serializers.Serializer):
    """One first frame (`panel`, `image` or `version` + `frame`) and the render's own values."""

    prompt = serializers.CharField(trim_whitespace=True, allow_blank=True, help_text="What happens from the first frame on.")
    model = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="An image-to-video model; the first registered one when omitted."
    )
    panel = serializers.UUIDField(required=False, help_text="A storyboard panel of this project: its still is the first frame.")
    image = serializers.FileField(required=False, help_text="An uploaded PNG, JPEG or WebP (multipart) as the first frame.")
    version = serializers.UUIDField(required=False, help_text="A version of this project: with `frame`, that frame is the first frame.")
    frame = serializers.IntegerField(
        required=False, help_text="A frame number of `version` (first_frame … last_frame), as the player shows it."
    )
    seed = s.SeedField(help_text=f"0…{constraints.SEED_MAX}; random (and recorded) when omitted.")
    frames = serializers.IntegerField(required=False)
    width = serializers.IntegerField(required=False)
    height = serializers.IntegerField(required=False)
    steps = serializers.IntegerField(required=False)
    guidance = serializers.FloatField(required=False)
    count = serializers.IntegerField(required=False, default=1)
    cast = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=constraints.MAX_CAST)
    use_type = serializers.ChoiceField(choices=UseType.choices, required=False, default=UseType.DIGITAL_REPLICA.value)

    def to_internal_value(self, data):
        unknown = sorted(key for key in getattr(data, "keys", dict)() if key not in self.fields)
        if unknown:
            accepted = ", ".join(sorted(self.fields))
            raise serializers.ValidationError({key: [f"Unknown field '{key}'. Accepted fields: {accepted}."] for key in unknown})
        return super().to_internal_value(data)


RENDER_FIELDS = ("seed", "frames", "width", "height", "steps", "guidance", "count", "cast", "use_type")


class ShotAnimateView(ScopedAPIView):
    """Start an image-to-video render of the shot from a still (panel), an upload or a version's frame."""

    queryset = Shot.objects.select_related("project", "project__organization")
    tenant_path = "project__organization"
    project_path = "project"
    lookup_url_kwarg = "shot_pk"

    @extend_schema(
        request={"multipart/form-data": AnimateSerializer, "application/json": AnimateSerializer},
        responses={
            201: s.GenerationBatchSerializer,
            403: OpenApiResponse(
                description="Role may not render, or consent denied (the image shows a protected "
                "performer without cover; reasons as JSON; audited)"
            ),
        },
    )
    def post(self, request, shot_pk=None):
        shot = self.get_object()
        data = AnimateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        jobs = services.animate_still(
            actor=request.user,
            shot=shot,
            prompt=values["prompt"],
            model=values.get("model") or None,
            panel=values.get("panel"),
            image=values.get("image"),
            version=values.get("version"),
            frame=values.get("frame"),
            **{name: values[name] for name in RENDER_FIELDS if name in values},
        )
        body = {"batch_id": str(jobs[0].batch_id), "jobs": s.GenerationJobSerializer(jobs, many=True).data}
        return Response(body, status=status.HTTP_201_CREATED)
