"""What leaves Greenlight, signed: version downloads, delivery packages, and the verify endpoint."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from projects import delivery, selectors
from projects.access import client_visible_versions_q
from projects.api.views._base import ProjectRowsMixin, _JsonErrorsOnly, _path_uuid
from projects.models import Playlist, Sequence, SignedCopy, Version
from studio import provenance
from studio.http.media import REDIRECT_TO_STORE, stored_file_response
from studio.tenancy.api.base import ScopedAPIView

# What a signed download answers with (c2pa signs MP4 and QuickTime; other formats are a 409).
SIGNED_TYPES = ("video/mp4", "video/quicktime", "application/octet-stream")


def signed_download(request, version: Version, kind: str):
    """The signed copy of `version`'s file as an attachment (consent checked, audited), with Range."""
    download = delivery.download_copy(version=version, kind=kind, actor=request.user)
    response = stored_file_response(
        request, download.name, content_type=download.copy.media_type, filename=download.copy.filename, attachment=True,
        missing=f"The signed {kind} file is missing from storage; ask again.",
    )
    response["X-Content-Credentials"] = f"c2pa; credential={download.copy.pk}; sha256={download.copy.sha256}"
    return response


@extend_schema(
    tags=["versions"],
    parameters=[
        _path_uuid("id", "The version."),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=list(delivery.KINDS),
                         description="original (default; the upload or render) or proxy (the conformed H.264 copy)."),
    ],
    responses={
        **{(code, media): OpenApiTypes.BINARY for code in (200, 206) for media in SIGNED_TYPES},
        302: REDIRECT_TO_STORE,
        403: OpenApiResponse(description="Delivery refused by the consent policy (reasons as JSON)"),
        404: OpenApiResponse(description="No such version for you, or no such file"),
        409: OpenApiResponse(description="The original's format cannot carry Content Credentials; download kind=proxy"),
    },
    summary="Download a version's file, signed with Content Credentials (C2PA)",
)
class VersionDownloadView(_JsonErrorsOnly, ProjectRowsMixin, ScopedAPIView):
    queryset = Version.objects.select_related("shot", "project__organization")

    def filter_scoped_queryset(self, queryset):
        return queryset.filter(client_visible_versions_q(user=self.request.user))  # clients: submitted versions only

    def get(self, request, pk=None):
        kind = request.query_params.get("kind") or SignedCopy.Kind.ORIGINAL
        if kind not in delivery.KINDS:
            raise ValidationError({"kind": [f"Use one of: {', '.join(delivery.KINDS)}."]})
        return signed_download(request, self.get_object(), kind)


def _package_response(package: delivery.Package) -> FileResponse:
    handle = open(package.path, "rb")  # noqa: SIM115 - FileResponse closes it
    package.path.unlink(missing_ok=True)  # the open handle keeps the bytes until the response is sent
    response = FileResponse(handle, content_type="application/zip", as_attachment=True, filename=package.filename)
    response["X-Package-SHA256"] = package.sha256
    response["Cache-Control"] = "private, no-store"
    return response


PACKAGE_RESPONSES = {
    (200, "application/zip"): OpenApiTypes.BINARY,
    403: OpenApiResponse(description="Your role may not make delivery packages"),
    404: OpenApiResponse(description="No such playlist or sequence for you"),
    409: OpenApiResponse(description="package_refused: the shots that are not cleared, each with its reasons ('shots')"),
}


@extend_schema(tags=["delivery"], parameters=[_path_uuid("id", "The playlist.")], request=None, responses=PACKAGE_RESPONSES,
               summary="Delivery package of an approved playlist (signed media, OTIO/EDL, consent summary, SHA-256 manifest)")
class PlaylistPackageView(_JsonErrorsOnly, ProjectRowsMixin, ScopedAPIView):
    queryset = Playlist.objects.select_related("project__organization")

    def filter_scoped_queryset(self, queryset):
        return selectors.playlist_queryset(queryset, user=self.request.user)

    def post(self, request, pk=None):
        return _package_response(delivery.build_package(actor=request.user, playlist=self.get_object()))


@extend_schema(tags=["delivery"], parameters=[_path_uuid("id", "The sequence.")], request=None, responses=PACKAGE_RESPONSES,
               summary="Delivery package of a sequence's approved cut (latest approved version of each shot)")
class SequencePackageView(_JsonErrorsOnly, ProjectRowsMixin, ScopedAPIView):
    queryset = Sequence.objects.select_related("project__organization")

    def post(self, request, pk=None):
        return _package_response(delivery.build_package(actor=request.user, sequence=self.get_object()))


class VerifyUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Any file: MP4, MOV, JPEG, PNG … (up to MAX_VERIFY_BYTES).")


class _Signer(serializers.Serializer):
    """What the manifest says of its signer; a field the file's manifest does not carry is absent."""

    name = serializers.CharField(required=False, help_text="The signing certificate's common name: the organization.")
    issuer = serializers.CharField(required=False)
    serial = serializers.CharField(required=False)
    algorithm = serializers.CharField(required=False)
    time = serializers.CharField(required=False)


class _Failure(serializers.Serializer):
    code = serializers.CharField(help_text="C2PA validation code, e.g. assertion.bmffHash.mismatch.")
    explanation = serializers.CharField()


class _Named(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField(required=False)
    name = serializers.CharField(required=False)
    label = serializers.CharField(required=False)
    number = serializers.IntegerField(required=False)


class _Origin(serializers.Serializer):
    project = _Named()
    shot = _Named()
    version = _Named()
    kind = serializers.ChoiceField(list(delivery.KINDS))
    signed_at = serializers.DateTimeField()
    identical_to_signed_copy = serializers.BooleanField(help_text="The file is byte for byte the copy Greenlight signed.")


class VerificationSerializer(serializers.Serializer):
    has_credentials = serializers.BooleanField()
    state = serializers.ChoiceField(["none", "trusted", "valid", "invalid"])
    tampered = serializers.BooleanField()
    trusted = serializers.BooleanField()
    signer_trusted = serializers.BooleanField()
    signature_valid = serializers.BooleanField()
    signer = _Signer(required=False)
    failures = _Failure(many=True)
    actions = serializers.ListField(child=serializers.DictField(), help_text="The manifest's C2PA actions.")
    claim_generator = serializers.CharField()
    manifest_label = serializers.CharField()
    manifests = serializers.IntegerField()
    sha256 = serializers.CharField()
    issued_by_greenlight = serializers.BooleanField()
    summary = serializers.CharField()
    origin = _Origin(allow_null=True, help_text="Project, shot and version: only for people who may see them.")


@extend_schema(
    tags=["delivery"],
    request={"multipart/form-data": VerifyUploadSerializer},
    responses={
        200: VerificationSerializer,
        400: OpenApiResponse(description="No file, a file too large, or a type c2pa cannot read"),
        415: OpenApiResponse(description="Send the file as multipart/form-data, in the field 'file'"),
    },
    summary="Verify a file's Content Credentials (C2PA): present, valid, tampered, who signed, and where it came from",
)
class VerifyView(ScopedAPIView):
    """Anyone signed in may verify a file; its origin is shown only to people who may see it."""

    queryset = SignedCopy.objects.all()
    tenant_path = "organization"
    project_path = "project"
    parser_classes = [MultiPartParser]
    serializer_class = VerifyUploadSerializer

    def post(self, request):
        data = VerifyUploadSerializer(data=request.data)
        if not data.is_valid():
            raise ValidationError({"file": ["Attach the file as the multipart form field 'file' (Content-Type: multipart/form-data)."]})
        upload = data.validated_data["file"]
        if upload.size > settings.MAX_VERIFY_BYTES:
            raise ValidationError({"file": [f"The file is {upload.size:,} bytes; verify accepts up to {settings.MAX_VERIFY_BYTES:,}."]})
        try:
            answer = delivery.verify_file(stream=upload.file, name=upload.name or "", user=request.user)
        except provenance.UnsupportedFile as exc:
            raise ValidationError({"file": [str(exc)]}) from exc
        return Response(answer)
