"""Serializers for talent, likeness assets, consent grants, likeness uses and the ledger."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rights import selectors
from rights.models import ConsentGrant, ConsentRequest, LikenessAsset, LikenessUse, Talent
from studio.actions import ActionsListSerializer, WithAllowedActions
from studio.http.uploads import UploadField
from studio.vocabulary import use_state_label


class OrgRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ProjectRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()


class TalentSerializer(serializers.ModelSerializer):
    agency = OrgRefSerializer(source="organization", read_only=True)
    can_edit = serializers.SerializerMethodField(help_text="Whether the caller's agency represents this talent.")

    class Meta:
        model = Talent
        fields = [
            "id", "agency", "name", "aliases", "life_status", "date_of_death", "estate_name", "estate_contact",
            "can_edit", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_can_edit(self, obj: Talent) -> bool:
        return obj.organization_id in self.context.get("agency_ids", set())


class TalentCreateSerializer(serializers.Serializer):
    agency = serializers.UUIDField(required=False, help_text="Your agency; optional when you belong to exactly one.")
    name = serializers.CharField(max_length=200)
    aliases = serializers.ListField(child=serializers.CharField(max_length=200, allow_blank=True), required=False, max_length=50)
    life_status = serializers.ChoiceField(choices=Talent.LifeStatus.choices, required=False, default=Talent.LifeStatus.LIVING)
    date_of_death = serializers.DateField(required=False, allow_null=True)
    estate_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    estate_contact = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")


class TalentUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    aliases = serializers.ListField(child=serializers.CharField(max_length=200, allow_blank=True), required=False, max_length=50)
    life_status = serializers.ChoiceField(choices=Talent.LifeStatus.choices, required=False)
    date_of_death = serializers.DateField(required=False, allow_null=True)
    estate_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    estate_contact = serializers.CharField(max_length=254, required=False, allow_blank=True)


class LikenessAssetSerializer(serializers.ModelSerializer):
    talent = serializers.UUIDField(source="talent_id", read_only=True)
    # Whether the likeness scan matches against this image; the descriptor itself is never serialised.
    face_detected = serializers.SerializerMethodField(help_text="A frontal face was found: every likeness scan compares with it.")

    class Meta:
        model = LikenessAsset
        fields = [
            "id", "talent", "kind", "description", "original_name", "content_type", "size_bytes", "sha256",
            "width", "height", "face_detected", "created_at",
        ]
        read_only_fields = fields

    def get_face_detected(self, obj) -> bool:
        return obj.face_descriptor is not None


class LikenessAssetUploadSerializer(serializers.Serializer):
    file = UploadField(what="a PNG, JPEG or WebP image", help_text="A PNG, JPEG or WebP reference image (multipart).")
    kind = serializers.ChoiceField(choices=LikenessAsset.Kind.choices, required=False, default=LikenessAsset.Kind.FACE)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class UserRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class GrantTalentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    agency = OrgRefSerializer()


class ConsentGrantSerializer(WithAllowedActions, serializers.ModelSerializer):
    talent = serializers.SerializerMethodField()
    studio = OrgRefSerializer(source="grantee", read_only=True)
    project = ProjectRefSerializer(read_only=True, allow_null=True)
    requested_by = UserRefSerializer(read_only=True, allow_null=True)
    granted_by = UserRefSerializer(read_only=True, allow_null=True)
    covers_now = serializers.SerializerMethodField(help_text="Active and within its term at this moment.")
    allowed_actions = serializers.SerializerMethodField(
        help_text="grant, suspend, resume, revoke: whether the caller may, and why not (the grant's state machine, the caller's role)."
    )

    class Meta:
        model = ConsentGrant
        fields = [
            "id", "talent", "studio", "project", "use_types", "media", "territories", "valid_from", "valid_until",
            "intended_use", "content_restrictions", "content_restrictions_note", "requires_per_use_approval",
            "document_sha256", "signed_at", "signed_by", "signer_capacity", "survives_death",
            "state", "state_reason", "state_changed_at", "covers_now", "request_note", "requested_by", "granted_by", "granted_at",
            "allowed_actions", "created_at", "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = ActionsListSerializer

    def compute_actions(self, rows: list, context: dict) -> dict:
        return selectors.grant_actions(rows, user=context["request"].user, now=context.get("now"))

    @extend_schema_field(GrantTalentSerializer)
    def get_talent(self, obj: ConsentGrant) -> dict:
        return {
            "id": str(obj.talent_id), "name": obj.talent.name,
            "agency": {"id": str(obj.talent.organization_id), "name": obj.talent.organization.name},
        }

    def get_covers_now(self, obj: ConsentGrant) -> bool:
        now = self.context["now"]
        return obj.state == ConsentGrant.State.ACTIVE and obj.valid_from <= now < obj.valid_until


class GrantRequestSerializer(serializers.Serializer):
    talent = serializers.UUIDField()
    studio = serializers.UUIDField(required=False, help_text="Your studio; optional when a project is given or you belong to one studio.")
    project = serializers.UUIDField(required=False, allow_null=True, help_text="Empty: every project of the studio.")
    use_types = serializers.ListField(child=serializers.CharField(max_length=40), max_length=10)
    media = serializers.ListField(child=serializers.CharField(max_length=20), max_length=20)
    territories = serializers.ListField(child=serializers.CharField(max_length=10), max_length=300)
    valid_from = serializers.DateTimeField(required=False, allow_null=True)
    valid_until = serializers.DateTimeField()
    intended_use = serializers.CharField(max_length=10_000)
    content_restrictions = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20, default=list)
    content_restrictions_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)
    requires_per_use_approval = serializers.BooleanField(required=False, default=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5_000)


class GrantActionSerializer(serializers.Serializer):
    """Grant a pending request: the signed instrument, and optionally the final terms."""

    document_sha256 = serializers.CharField(max_length=64, min_length=64)
    signed_at = serializers.DateTimeField()
    signed_by = serializers.CharField(max_length=200)
    signer_capacity = serializers.ChoiceField(choices=ConsentGrant.SignerCapacity.choices)
    survives_death = serializers.BooleanField(required=False, default=False)
    use_types = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=10)
    media = serializers.ListField(child=serializers.CharField(max_length=20), required=False, max_length=20)
    territories = serializers.ListField(child=serializers.CharField(max_length=10), required=False, max_length=300)
    valid_from = serializers.DateTimeField(required=False)
    valid_until = serializers.DateTimeField(required=False)
    intended_use = serializers.CharField(required=False, max_length=10_000)
    content_restrictions = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
    content_restrictions_note = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    requires_per_use_approval = serializers.BooleanField(required=False)

    TERM_FIELDS = (
        "use_types", "media", "territories", "valid_from", "valid_until", "intended_use", "content_restrictions",
        "content_restrictions_note", "requires_per_use_approval",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5_000, help_text="Why; the studio sees it.")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class UseTalentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    agency = serializers.CharField(help_text="The representing agency's name.")
    agency_id = serializers.UUIDField(help_text="The representing agency.")


class UseVersionSerializer(serializers.Serializer):
    """What the agency may know of the version a use produced: enough to play and step its proxy at the
    right rate and number its frames (frames, not seconds), nothing else of the studio's version."""

    id = serializers.UUIDField()
    label = serializers.CharField()
    has_proxy = serializers.BooleanField(help_text="A review proxy can be played at /likeness-uses/{id}/proxy/.")
    first_frame = serializers.IntegerField(help_text="Frame number of the media's first frame.")
    frame_count = serializers.IntegerField(allow_null=True, help_text="Null until the media is processed.")
    fps_num = serializers.IntegerField(allow_null=True, help_text="Frame rate numerator (24000 for 23.976).")
    fps_den = serializers.IntegerField(allow_null=True, help_text="Frame rate denominator (1001 for 23.976).")
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    timecode_fps_num = serializers.IntegerField(
        help_text="The project's frame rate, which timecode is shown in (a 16 fps render in a 24 fps project is conformed "
        "frame for frame), so the agency and the studio read the same timecode for a frame."
    )
    timecode_fps_den = serializers.IntegerField()


class LikenessUseSerializer(WithAllowedActions, serializers.ModelSerializer):
    """The same fields for the agency and the studio, except `created_by`, which only the studio sees."""

    talent = serializers.SerializerMethodField()
    studio = OrgRefSerializer(read_only=True)
    project = ProjectRefSerializer(read_only=True)
    shot_code = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()
    grant = serializers.UUIDField(source="grant_id", read_only=True)
    decided_by = UserRefSerializer(read_only=True, allow_null=True)
    state_label = serializers.SerializerMethodField(
        help_text="The state in words, the same for the agency and the studio (studio.vocabulary).")
    created_by = serializers.SerializerMethodField(help_text="Who rendered it; only the studio sees it (null for the agency).")
    allowed_actions = serializers.SerializerMethodField(
        help_text="approve, reject: whether the caller may decide this use, and why not (the representing agency decides "
        "uses awaiting review)."
    )

    class Meta:
        model = LikenessUse
        fields = [
            "id", "talent", "studio", "project", "shot_code", "job_id", "version", "grant", "use_type", "via",
            "prompt", "negative_prompt", "prompt_sha256", "requires_review", "state", "state_label", "decided_by",
            "decided_at", "decision_note", "invalidated_at", "invalidated_reason", "created_by", "allowed_actions", "created_at",
        ]
        read_only_fields = fields
        list_serializer_class = ActionsListSerializer

    def compute_actions(self, rows: list, context: dict) -> dict:
        return selectors.use_actions(rows, user=context["request"].user)

    @extend_schema_field(UseTalentSerializer)
    def get_talent(self, obj: LikenessUse) -> dict:
        return {
            "id": str(obj.talent_id), "name": obj.talent.name,
            "agency": obj.talent.organization.name, "agency_id": str(obj.talent.organization_id),
        }

    def get_state_label(self, obj: LikenessUse) -> str:
        return use_state_label(obj.state)

    def get_shot_code(self, obj: LikenessUse) -> str | None:
        return obj.shot.code if obj.shot_id else None

    @extend_schema_field(UseVersionSerializer(allow_null=True))
    def get_version(self, obj: LikenessUse) -> dict | None:
        if obj.version_id is None:
            return None
        version = obj.version
        return {
            "id": str(version.pk), "label": version.label, "has_proxy": bool(version.proxy),
            "first_frame": version.first_frame, "frame_count": version.frame_count,
            "fps_num": version.fps_num, "fps_den": version.fps_den, "width": version.width, "height": version.height,
            "timecode_fps_num": obj.project.fps_num, "timecode_fps_den": obj.project.fps_den,
        }

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_created_by(self, obj: LikenessUse) -> dict | None:
        if obj.studio_id not in self.context.get("studio_ids", set()) or obj.created_by_id is None:
            return None
        return {"id": str(obj.created_by_id), "name": obj.created_by.name}


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class LedgerRowSerializer(serializers.Serializer):
    month = serializers.CharField()
    studio = OrgRefSerializer()
    project = ProjectRefSerializer()
    state = serializers.CharField()
    uses = serializers.IntegerField()


class LedgerSerializer(serializers.Serializer):
    talent = serializers.DictField()
    rows = LedgerRowSerializer(many=True)
    totals = serializers.DictField()


class ConsentRequestSerializer(WithAllowedActions, serializers.ModelSerializer):
    talent = serializers.SerializerMethodField()
    studio = OrgRefSerializer(read_only=True)
    project = ProjectRefSerializer(read_only=True)
    requested_by = UserRefSerializer(read_only=True, allow_null=True)
    answered_by = UserRefSerializer(read_only=True, allow_null=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text="grant, refuse (the agency), withdraw (the studio): whether the caller may, and why not."
    )

    class Meta:
        model = ConsentRequest
        fields = [
            "id", "talent", "studio", "project", "use_types", "media", "territories", "description", "valid_from", "valid_until",
            "origin", "origin_reason", "state", "grant", "answer_reason", "requested_by", "answered_by", "answered_at",
            "allowed_actions", "created_at", "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = ActionsListSerializer

    def compute_actions(self, rows: list, context: dict) -> dict:
        return selectors.request_actions(rows, user=context["request"].user)

    @extend_schema_field(GrantTalentSerializer)
    def get_talent(self, obj: ConsentRequest) -> dict:
        return {"id": str(obj.talent_id), "name": obj.talent.name, "agency": {"id": str(obj.agency_id), "name": obj.agency.name}}


class ConsentRequestCreateSerializer(serializers.Serializer):
    talent = serializers.UUIDField(help_text="From the refusal's reason (`talent_id`).")
    project = serializers.UUIDField(help_text="The project that needs the consent (the refusal's `project`).")
    use_types = serializers.ListField(child=serializers.CharField(max_length=40), max_length=10)
    description = serializers.CharField(max_length=10_000, help_text="The intended use, reasonably specific.")
    valid_from = serializers.DateTimeField(required=False, allow_null=True)
    valid_until = serializers.DateTimeField()
    media = serializers.ListField(child=serializers.CharField(max_length=20), max_length=20, required=False, default=list)
    territories = serializers.ListField(child=serializers.CharField(max_length=10), max_length=300, required=False, default=list)
    origin = serializers.ChoiceField(choices=ConsentRequest.Origin.choices, required=False, default=ConsentRequest.Origin.DIRECT)
    origin_reason = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
