"""Serializers of the generation API: parse input (types only), represent jobs and models."""

from __future__ import annotations

import difflib

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from generation import constraints, selectors, services, windows
from generation.models import GenerationJob, ModelProfile, Take
from projects.api.serializers import LikenessScanSerializer, scan_view
from rights.models import UseType
from studio.actions import ActionsListSerializer, WithAllowedActions
from studio.http.uploads import UploadField

MAX_INIT_IMAGE_BYTES = services.MAX_INIT_IMAGE_BYTES  # one limit for every init image (generation/services/init_images.py)
MAX_INIT_IMAGE_PIXELS = services.MAX_INIT_IMAGE_PIXELS


@extend_schema_field(OpenApiTypes.STR)
class FpsField(serializers.Field):
    """24, "24", "24000/1001" or 23.976 → an exact Fraction."""

    def to_internal_value(self, data):
        try:
            return constraints.parse_fps(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc))

    def to_representation(self, value):
        return f"{value.numerator}/{value.denominator}"


@extend_schema_field({"type": "integer", "nullable": True, "minimum": 0, "maximum": constraints.SEED_MAX})
class SeedField(serializers.Field):
    """An integer seed (JSON number, or a string of digits from a form), or absent/null/"" for a random,
    recorded one. Anything else (text, fractions, booleans, lists) is refused, never replaced by a random seed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data == "":
            return True, None  # an empty form field: random
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        try:
            return constraints.parse_seed(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc))

    def to_representation(self, value):
        return value


class GenerationSubmitSerializer(serializers.Serializer):
    """What `POST /shots/{id}/generations/` accepts. Omitted values take the model's defaults."""

    prompt = serializers.CharField(trim_whitespace=True, allow_blank=True, help_text="What the shot shows.")
    negative_prompt = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True,
                                            help_text="What to avoid; the model's default when omitted.")
    model = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="Model name; the default model when omitted.")
    seed = SeedField(help_text=f"An integer from 0 to {constraints.SEED_MAX}; random (and recorded) when omitted or null; "
                               "with count > 1: seed, seed+1, …")
    frames = serializers.IntegerField(required=False, help_text="Frame count, e.g. 4k+1 for Wan, 8k+1 for LTX-Video.")
    width = serializers.IntegerField(required=False)
    height = serializers.IntegerField(required=False)
    fps = FpsField(required=False, help_text='Frame rate of the MP4: 16, "24000/1001", 23.976 …')
    steps = serializers.IntegerField(required=False)
    guidance = serializers.FloatField(required=False)
    count = serializers.IntegerField(required=False, default=1, help_text=f"Seeds rendered at once (1–{constraints.MAX_BATCH}).")
    init_image = serializers.ImageField(required=False, help_text="Image-to-video models: the first frame (multipart).")
    cast = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=constraints.MAX_CAST,
                                 help_text="Talent ids appearing in the shot (checked against consent).")
    use_type = serializers.ChoiceField(
        choices=UseType.choices, required=False, default=UseType.DIGITAL_REPLICA.value,
        help_text="How the cast's likeness is used; each cast talent needs an active grant covering it.",
    )
    likeness_asset = serializers.UUIDField(
        required=False, help_text="Image-to-video models: a talent's reference image (from /talent/{id}/assets/) as the first "
                                  "frame, instead of an init_image. Its talent joins the cast.",
    )

    def to_internal_value(self, data):
        known = set(self.fields)
        unknown = [key for key in getattr(data, "keys", dict)() if key not in known]
        if unknown:
            errors = {}
            for key in unknown:
                suggestion = _ALIASES.get(key) or next(iter(difflib.get_close_matches(key, known, n=1)), None)
                hint = f" Did you mean '{suggestion}'?" if suggestion else ""
                errors[key] = [f"Unknown field '{key}'.{hint} Accepted fields: {', '.join(sorted(known))}."]
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def validate_init_image(self, image):
        if image.size > MAX_INIT_IMAGE_BYTES:
            limit = MAX_INIT_IMAGE_BYTES // 2**20
            raise serializers.ValidationError(f"The init image is {image.size / 2**20:.1f} MB; the limit is {limit} MB.")
        dims = getattr(image, "image", None)
        if dims is not None and dims.width * dims.height > MAX_INIT_IMAGE_PIXELS:
            raise serializers.ValidationError("The init image is larger than 4096x4096 pixels; downscale it first.")
        return image


_ALIASES = {
    "num_frames": "frames", "num_inference_steps": "steps", "guidance_scale": "guidance", "negative": "negative_prompt",
    "model_name": "model", "frame_rate": "fps", "n": "count", "batch_size": "count", "image": "init_image",
    "talent": "cast", "asset": "likeness_asset", "reference_image": "likeness_asset",
}


class GenerationUserRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class GenerationVersionRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    label = serializers.CharField()


class JobQueueSerializer(serializers.Serializer):
    released = serializers.BooleanField(help_text="Sent to the gpu queue; starts when a worker takes it.")
    position = serializers.IntegerField(allow_null=True, help_text="1 = released next (fair share across studios).")
    eta_seconds = serializers.IntegerField(allow_null=True, help_text="Estimated seconds until it starts.")


class GenerationJobSerializer(serializers.ModelSerializer):
    project = serializers.UUIDField(source="project_id", read_only=True)
    shot = serializers.UUIDField(source="shot_id", read_only=True, allow_null=True, help_text="null for a still (see `panel`).")
    shot_code = serializers.CharField(source="shot.code", read_only=True, allow_null=True)
    panel = serializers.UUIDField(source="panel_id", read_only=True, allow_null=True,
                                  help_text="A still (text-to-image) render: the storyboard panel it draws; null for a shot's render.")
    model = serializers.CharField(source="model.name", read_only=True)
    fps = serializers.SerializerMethodField()
    has_init_image = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()
    queue = serializers.SerializerMethodField()

    class Meta:
        model = GenerationJob
        fields = [
            "id", "project", "shot", "shot_code", "panel", "batch_id", "batch_index", "model", "state", "prompt", "negative_prompt",
            "seed", "frames", "width", "height", "fps", "steps", "guidance", "has_init_image", "cast", "parameters",
            "progress", "cancel_requested", "attempts", "max_attempts", "worker", "error", "timings", "version", "created_by",
            "created_at", "queued_at", "started_at", "finished_at", "priority", "queue",
        ]
        read_only_fields = fields

    @extend_schema_field(JobQueueSerializer(allow_null=True))
    def get_queue(self, job):
        """A queued job's place: released to a GPU, or its position and ETA among the waiting (null once running)."""
        if job.state != GenerationJob.State.QUEUED:
            return None
        if job.dispatched_at is not None:
            return {"released": True, "position": None, "eta_seconds": None}
        estimates = self.context.get("_queue_estimates")
        if estimates is None:  # once per response: every waiting job of the list at once
            instance = self.root.instance
            estimates = services.queue_estimates(list(instance) if isinstance(instance, list | tuple | QuerySet) else [job])
            self.context["_queue_estimates"] = estimates
        found = estimates.get(job.pk)
        return {"released": False, "position": found.position if found else None, "eta_seconds": found.eta_seconds if found else None}

    @extend_schema_field(OpenApiTypes.STR)
    def get_fps(self, job) -> str:
        return f"{job.fps_num}/{job.fps_den}"

    def get_has_init_image(self, job) -> bool:
        return bool(job.init_image)

    @extend_schema_field(GenerationUserRefSerializer(allow_null=True))
    def get_created_by(self, job):
        user = job.created_by
        return {"id": str(user.pk), "name": user.name} if user else None

    @extend_schema_field(GenerationVersionRefSerializer(allow_null=True))
    def get_version(self, job):
        version = job.version
        return {"id": str(version.pk), "number": version.number, "label": version.label} if version else None


class GenerationBatchSerializer(serializers.Serializer):
    batch_id = serializers.UUIDField()
    jobs = GenerationJobSerializer(many=True)


class IntRangeSerializer(serializers.Serializer):
    min = serializers.IntegerField()
    max = serializers.IntegerField()


class FloatRangeSerializer(serializers.Serializer):
    min = serializers.FloatField()
    max = serializers.FloatField()


class FramesConstraintSerializer(IntRangeSerializer):
    rule = serializers.CharField(help_text="Valid frame counts, e.g. '4k+1' (modulus·k + 1), or 'any'.")
    modulus = serializers.IntegerField()
    windowed_max = serializers.IntegerField(
        allow_null=True, help_text="Image-to-video models: the longest count, rendered above `max` as consecutive windows that each "
                                   "continue from the previous window's last frame; null when the model cannot continue (text-to-video).")


class SizeConstraintSerializer(IntRangeSerializer):
    multiple = serializers.IntegerField(help_text="Width and height must be multiples of this.")


class ModelDefaultsSerializer(serializers.Serializer):
    """What a request gets for each value it omits."""

    frames = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    fps = serializers.CharField(help_text="A ratio, e.g. '16/1' or '24000/1001'.")
    steps = serializers.IntegerField()
    guidance = serializers.FloatField()
    negative_prompt = serializers.CharField(allow_blank=True)


class ModelConstraintsSerializer(serializers.Serializer):
    """What a request may ask of this model (a value outside is refused with the nearest valid one)."""

    frames = FramesConstraintSerializer()
    width = SizeConstraintSerializer()
    height = SizeConstraintSerializer()
    steps = IntRangeSerializer()
    guidance = FloatRangeSerializer()
    prompt_max_chars = serializers.IntegerField()
    count_max = serializers.IntegerField(help_text="Seeds rendered from one request.")
    seed_max = serializers.IntegerField(help_text="The largest seed (the largest integer a JavaScript client holds exactly).")
    init_image = serializers.ChoiceField(choices=["required", "not accepted"], help_text="Image-to-video models need a first frame.")
    max_attempts = serializers.IntegerField(help_text="Deliveries of one job before it is failed.")


class ModelCardSerializer(serializers.Serializer):
    vocabulary = serializers.DictField(help_text="Words the model was trained on, by kind (empty for general models).")
    example_prompts = serializers.ListField(child=serializers.CharField(), help_text="Prompts to start from.")
    notes = serializers.CharField()


class ModelProfileSerializer(serializers.ModelSerializer):
    """A model as callers see it: defaults and constraints (never the server's folder)."""

    defaults = serializers.SerializerMethodField()
    constraints = serializers.SerializerMethodField()
    card = serializers.SerializerMethodField()
    step_cache = serializers.CharField(
        help_text='Step caching the workers apply: "" (off) or "first_block:<threshold>" (faster, frames differ slightly; '
        "recorded in each take's lineage)."
    )

    class Meta:
        model = ModelProfile
        fields = [
            "id", "name", "display_name", "description", "family", "kind", "is_default", "defaults", "constraints", "card", "step_cache",
        ]
        read_only_fields = fields

    @extend_schema_field(ModelDefaultsSerializer)
    def get_defaults(self, profile) -> dict:
        return {
            "frames": profile.default_frames, "width": profile.default_width, "height": profile.default_height,
            "fps": f"{profile.default_fps_num}/{profile.default_fps_den}", "steps": profile.default_steps,
            "guidance": profile.default_guidance, "negative_prompt": profile.default_negative_prompt,
        }

    @extend_schema_field(ModelCardSerializer)
    def get_card(self, profile) -> dict:
        card = profile.card if isinstance(profile.card, dict) else {}
        return {"vocabulary": card.get("vocabulary") or {}, "example_prompts": list(card.get("example_prompts") or []),
                "notes": card.get("notes") or ""}

    @extend_schema_field(ModelConstraintsSerializer)
    def get_constraints(self, profile) -> dict:
        return {
            "frames": {"min": profile.min_frames, "max": profile.max_frames, "rule": profile.frames_rule,
                       "modulus": profile.frames_modulus,
                       "windowed_max": windows.longest(profile) if windows.can_continue(profile) else None},
            "width": {"min": profile.min_width, "max": profile.max_width, "multiple": profile.size_multiple},
            "height": {"min": profile.min_height, "max": profile.max_height, "multiple": profile.size_multiple},
            "steps": {"min": profile.min_steps, "max": profile.max_steps},
            "guidance": {"min": profile.min_guidance, "max": profile.max_guidance},
            "prompt_max_chars": constraints.MAX_PROMPT_CHARS,
            "count_max": constraints.MAX_BATCH,
            "seed_max": constraints.SEED_MAX,
            "init_image": "required" if profile.kind == ModelProfile.Kind.IMAGE_TO_VIDEO else "not accepted",
            "max_attempts": settings.GENERATION_MAX_ATTEMPTS,
        }


class TakeNativeSerializer(serializers.Serializer):
    """The clip as the model made it (ffprobe of the take's file)."""

    fps = serializers.CharField(help_text="A ratio, e.g. '16/1'.")
    frames = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class TakeImportedSerializer(serializers.Serializer):
    """Where an imported take came from (its lineage, as the import recorded it)."""

    tool = serializers.CharField(help_text="The tool that rendered it, e.g. ComfyUI.")
    filename = serializers.CharField(help_text="The file name it was uploaded with.")
    sha256 = serializers.CharField(help_text="SHA-256 of the uploaded file, as received.")
    uploaded_by = GenerationUserRefSerializer(allow_null=True)
    notes = serializers.CharField(allow_blank=True)


class TakeImportSerializer(serializers.Serializer):
    file = UploadField(what="a video", help_text="The render (MP4, MOV, MKV, WebM …). Probed before it is accepted.")
    source = serializers.CharField(
        max_length=100, help_text="The tool that rendered it, e.g. ComfyUI.",
        error_messages={"required": "Say which tool rendered this clip (the form field 'source'), e.g. ComfyUI.",
                        "blank": "Say which tool rendered this clip, e.g. ComfyUI."},
    )
    prompt = serializers.CharField(required=False, allow_blank=True, max_length=10_000, default="")
    seed = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=constraints.SEED_MAX, default=None,
                                    help_text="The seed the other tool used, if known (0 to 2^53−1).")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10_000, default="")


class TakePublishStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["none", "conforming", "published", "failed"],
                                    help_text="none: never asked; conforming: the media worker is conforming it (202 from publish); "
                                              "published: `version` is set; failed: `error` says why, nothing was published.")
    method = serializers.CharField(allow_null=True, help_text="retime or interpolate, as asked.")
    error = serializers.CharField(allow_null=True)
    requested_at = serializers.DateTimeField(allow_null=True)
    attempt = serializers.IntegerField()
    conform = serializers.CharField(allow_null=True, help_text="Once published: what the conform did, e.g. 'native 16 fps, 81 frames "
                                                               "→ conformed 24 fps, 36 frames (…)'.")


class TakeSerializer(WithAllowedActions, serializers.ModelSerializer):
    """A take in a shot's gallery: the native render, what made it, the artist's marks, and the
    version it was published as (if it was)."""

    project = serializers.UUIDField(source="project_id", read_only=True)
    shot = serializers.UUIDField(source="shot_id", read_only=True, allow_null=True, help_text="null for a still take (see `panel`).")
    panel = serializers.UUIDField(source="panel_id", read_only=True, allow_null=True,
                                  help_text="A still take (one PNG frame of a text-to-image model): its storyboard panel.")
    job = serializers.UUIDField(source="job_id", read_only=True, allow_null=True, help_text="null for an imported take.")
    batch_id = serializers.UUIDField(source="job.batch_id", read_only=True, allow_null=True)
    model = serializers.CharField(source="model.name", read_only=True, allow_null=True, help_text="null for an imported take.")
    imported = serializers.SerializerMethodField(
        help_text="An imported take (rendered in another tool): the tool, the original file name, its SHA-256, who uploaded it "
        "and the notes; null for a take rendered here."
    )
    native = serializers.SerializerMethodField()
    media_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    consent_state = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()
    publish = serializers.SerializerMethodField(help_text="Publishing: asked (202), conformed on the media queue, then published or failed")
    likeness_scan = serializers.SerializerMethodField(
        help_text="The likeness scan (pending, running, clear, matched, held, failed): a held take cannot be published; "
        "`request_consent` pre-fills the consent request for the performer it matched."
    )
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Take
        fields = [
            "id", "project", "shot", "panel", "source", "imported", "job", "batch_id", "model", "prompt", "negative_prompt", "seed",
            "parameters", "timings",
            "native", "frames_sha256", "media_url", "poster_url", "media_size", "consent", "consent_state", "starred", "discarded",
            "discarded_at", "version", "published_at", "publish", "likeness_scan", "created_by", "created_at", "allowed_actions",
        ]
        read_only_fields = fields
        list_serializer_class = ActionsListSerializer

    def compute_actions(self, rows, context):
        return selectors.take_actions(rows, user=context["request"].user)

    @extend_schema_field(LikenessScanSerializer)
    def get_likeness_scan(self, take) -> dict:
        return scan_view(take, internal=True)  # takes are studio internals (projects.access.TAKE_ROLES)

    @extend_schema_field(TakeImportedSerializer(allow_null=True))
    def get_imported(self, take) -> dict | None:
        if not take.imported:
            return None
        lineage = take.lineage or {}
        return {"tool": take.source_tool, "filename": lineage.get("filename", ""), "sha256": lineage.get("sha256", ""),
                "uploaded_by": lineage.get("uploaded_by"), "notes": lineage.get("notes", "")}

    @extend_schema_field(TakeNativeSerializer)
    def get_native(self, take) -> dict:
        return {"fps": f"{take.native_fps_num}/{take.native_fps_den}", "frames": take.native_frames, "width": take.native_width,
                "height": take.native_height}

    def get_media_url(self, take) -> str:
        return f"/api/v1/takes/{take.id}/media/"

    def get_poster_url(self, take) -> str | None:
        return f"/api/v1/takes/{take.id}/poster/" if take.poster else None

    @extend_schema_field(serializers.ChoiceField(choices=["none", "pending_review", "approved", "rejected", "invalidated"]))
    def get_consent_state(self, take) -> str:
        states = self.context.get("take_consent_states")
        if states is None:
            states = selectors.consent_states([take.use_key])
        return states.get(take.use_key, "none")

    @extend_schema_field(GenerationUserRefSerializer(allow_null=True))
    def get_created_by(self, take):
        user = take.created_by
        return {"id": str(user.pk), "name": user.name} if user else None

    @extend_schema_field(TakePublishStateSerializer)
    def get_publish(self, take) -> dict:
        conform = ((take.version.lineage or {}).get("conform") or {}).get("summary") if take.version_id else None
        return {"state": take.publish_state or "none", "method": take.publish_method or None, "error": take.publish_error or None,
                "requested_at": take.publish_requested_at, "attempt": take.publish_attempt, "conform": conform}

    @extend_schema_field(GenerationVersionRefSerializer(allow_null=True))
    def get_version(self, take):
        version = take.version
        return {"id": str(version.pk), "number": version.number, "label": version.label} if version else None


class TakeStarSerializer(serializers.Serializer):
    starred = serializers.BooleanField(required=False, default=True, help_text="false unstars.")


class TakeRerunSerializer(serializers.Serializer):
    mode = serializers.CharField(help_text="same_seed, new_seed or vary_prompt.")
    prompt = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True, help_text="vary_prompt: the new prompt.")


class TakePublishSerializer(serializers.Serializer):
    method = serializers.CharField(required=False, default="retime",
                                   help_text="How the frame rate is conformed: retime (fps filter, nearest frame) or interpolate "
                                             "(minterpolate, motion-compensated).")




class _StrictSerializer(serializers.Serializer):
    """Unknown fields are a 400 naming the accepted ones (a typo never silently takes a default)."""

    def to_internal_value(self, data):
        known = set(self.fields)
        unknown = [key for key in getattr(data, "keys", dict)() if key not in known]
        if unknown:
            raise serializers.ValidationError({key: [f"Unknown field '{key}'. Accepted fields: {', '.join(sorted(known))}."]
                                               for key in unknown})
        return super().to_internal_value(data)


class StillSubmitSerializer(_StrictSerializer):
    """What `POST /panels/{id}/stills/` and `POST /sequences/{id}/storyboard/stills/` accept; omitted
    values take the text-to-image model's defaults."""

    prompt = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True,
                                   help_text="One panel only: draw this instead of the panel's prompt (the panel keeps its prompt).")
    negative_prompt = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True)
    model = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                  help_text="A text-to-image model's name; the first registered one when omitted.")
    seed = SeedField(help_text="An integer seed; random (and recorded) when omitted; several stills use seed, seed+1, …")
    count = serializers.IntegerField(required=False, default=1, help_text=f"One panel: stills drawn at once (1–{constraints.MAX_BATCH}).")
    width = serializers.IntegerField(required=False)
    height = serializers.IntegerField(required=False)
    steps = serializers.IntegerField(required=False)
    guidance = serializers.FloatField(required=False)
    cast = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=constraints.MAX_CAST,
                                 help_text="Talent ids appearing in the still (checked against consent).")
    use_type = serializers.ChoiceField(choices=UseType.choices, required=False, default=UseType.DIGITAL_REPLICA.value)

    def service_options(self) -> dict:
        values = dict(self.validated_data)
        values["model"] = values.get("model") or None
        return values


class StillBatchSerializer(serializers.Serializer):
    batch_id = serializers.UUIDField()
    jobs = GenerationJobSerializer(many=True)
    skipped_panels = serializers.ListField(child=serializers.UUIDField(), help_text="Panels without a still that have no prompt.")


class StillChoiceSerializer(_StrictSerializer):
    take = serializers.UUIDField(help_text="One of the panel's still takes (GET /panels/{id}/stills/).")


class PanelStillStateSerializer(serializers.Serializer):
    panel = serializers.UUIDField()
    still_source = serializers.CharField(help_text="'' (none), upload or take.")
    still_take = serializers.UUIDField(allow_null=True)
    still_url = serializers.CharField(allow_null=True)


class PanelStillsSerializer(serializers.Serializer):
    panel = serializers.UUIDField()
    still_take = serializers.UUIDField(allow_null=True, help_text="The still take the panel uses (null: an upload or none).")
    takes = TakeSerializer(many=True)
    jobs = GenerationJobSerializer(many=True, help_text="The panel's still renders queued or running.")
