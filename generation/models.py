"""The model registry (`ModelProfile`), generation jobs (`GenerationJob`) and their takes (`Take`).

A job moves `queued → running → succeeded | failed | cancelled`. Whatever happens to its worker,
one job yields at most one take: `Take.job` is one-to-one, and the worker creates the take only
while it holds the job row lock *and* still owns the current attempt. A take is the native render
(the model's own frame rate, length and size) in the shot's gallery; publishing it conforms it to
the shot and makes the shot's next version (`Take.version`, also `GenerationJob.version`). Only
versions enter review and approval.
"""

from __future__ import annotations

import uuid
from fractions import Fraction
from pathlib import Path

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from projects.models import LikenessScanned

MODEL_NAME_RE = r"^[a-z0-9][a-z0-9._-]{0,99}$"
# A job (and its take) renders for exactly one of: a shot (video), a storyboard panel (a still).
SHOT_OR_PANEL = models.Q(shot__isnull=False, panel__isnull=True) | models.Q(shot__isnull=True, panel__isnull=False)


class ModelProfile(models.Model):
    """One diffusers pipeline folder that workers can load, with its defaults and constraints.

    Registered by operators (`manage.py register_model`, `manage.py build_demo_model`); available to
    every studio. Loading is always `DiffusionPipeline.from_pretrained(folder, local_files_only=True)`.
    """

    class Family(models.TextChoices):
        WAN21 = "wan2.1", "Wan 2.1"
        WAN22 = "wan2.2", "Wan 2.2"
        LTX = "ltx-video", "LTX-Video"
        COGVIDEOX = "cogvideox", "CogVideoX"
        STABLE_DIFFUSION = "stable-diffusion", "Stable Diffusion"
        PIXART_SIGMA = "pixart-sigma", "PixArt-Σ"

    class Kind(models.TextChoices):
        TEXT_TO_VIDEO = "t2v", "Text to video"
        IMAGE_TO_VIDEO = "i2v", "Image to video"
        TEXT_TO_IMAGE = "t2i", "Text to image (stills)"

    class Dtype(models.TextChoices):
        AUTO = "auto", "Auto (bf16 where supported, else fp16)"
        BFLOAT16 = "bfloat16", "bfloat16"
        FLOAT16 = "float16", "float16"
        FLOAT32 = "float32", "float32"

    class Offload(models.TextChoices):
        NONE = "none", "None (whole pipeline on the GPU)"
        MODEL = "model", "Model CPU offload (one component on the GPU at a time)"
        SEQUENTIAL = "sequential", "Sequential CPU offload (lowest memory, slowest)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(
        max_length=100,
        unique=True,
        validators=[RegexValidator(MODEL_NAME_RE, "Use lower-case letters, digits, dots, hyphens and underscores.")],
        help_text="What API callers pass as `model`, e.g. wan2.1-t2v-1.3b.",
    )
    display_name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    family = models.CharField(max_length=16, choices=Family.choices)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TEXT_TO_VIDEO)
    pipeline_class = models.CharField(max_length=100, help_text="diffusers pipeline class named in model_index.json.")
    folder = models.CharField(max_length=1000, help_text="Pipeline folder; relative paths are inside MODELS_DIR.")

    # How a GPU worker loads it (CPU workers always use float32).
    dtype = models.CharField(max_length=16, choices=Dtype.choices, default=Dtype.AUTO)
    vae_float32 = models.BooleanField(default=False, help_text="Keep the VAE in float32 on the GPU (recommended for Wan).")
    cpu_offload = models.CharField(max_length=16, choices=Offload.choices, default=Offload.NONE)
    vae_tiling = models.BooleanField(default=False, help_text="Decode in tiles to save GPU memory at large sizes.")
    attention_backend = models.CharField(max_length=32, default="native", help_text="diffusers attention backend; native = PyTorch SDPA.")
    step_cache = models.CharField(
        max_length=32, blank=True, default="", db_default="",
        help_text='Step caching (generation/step_cache.py): "" (off) or "first_block:<threshold>", e.g. first_block:0.1.',
    )

    # Defaults.
    default_frames = models.PositiveIntegerField()
    default_width = models.PositiveIntegerField()
    default_height = models.PositiveIntegerField()
    default_fps_num = models.PositiveIntegerField(default=16)
    default_fps_den = models.PositiveIntegerField(default=1)
    default_steps = models.PositiveIntegerField()
    default_guidance = models.FloatField()
    default_negative_prompt = models.TextField(blank=True)
    max_sequence_length = models.PositiveIntegerField(help_text="Text-encoder tokens the pipeline is called with.")

    # Constraints. Valid frame counts are frames_modulus·k + 1 within [min_frames, max_frames].
    frames_modulus = models.PositiveIntegerField(default=4)
    min_frames = models.PositiveIntegerField()
    max_frames = models.PositiveIntegerField()
    size_multiple = models.PositiveIntegerField(default=16)
    min_width = models.PositiveIntegerField()
    max_width = models.PositiveIntegerField()
    min_height = models.PositiveIntegerField()
    max_height = models.PositiveIntegerField()
    min_steps = models.PositiveIntegerField(default=1)
    max_steps = models.PositiveIntegerField(default=100)
    min_guidance = models.FloatField(default=0.0)
    max_guidance = models.FloatField(default=20.0)

    # The model card shown to callers: {"vocabulary": {...}, "example_prompts": [...], "notes": "..."}.
    card = models.JSONField(default=dict, blank=True, help_text="What the model knows (vocabulary) and example prompts.")

    is_default = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="one_default_model_profile"),
            models.CheckConstraint(condition=models.Q(min_frames__lte=models.F("max_frames")), name="model_frames_range"),
            models.CheckConstraint(condition=models.Q(min_steps__gte=1, min_steps__lte=models.F("max_steps")), name="model_steps_range"),
            models.CheckConstraint(condition=models.Q(size_multiple__gte=1, frames_modulus__gte=1), name="model_multiples_positive"),
            models.CheckConstraint(condition=models.Q(default_fps_num__gt=0, default_fps_den__gt=0), name="model_fps_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.display_name or self.name

    @property
    def default_fps(self) -> Fraction:
        return Fraction(self.default_fps_num, self.default_fps_den)

    def resolved_folder(self) -> Path:
        path = Path(self.folder)
        return path if path.is_absolute() else Path(settings.MODELS_DIR) / path

    @property
    def frames_rule(self) -> str:
        return f"{self.frames_modulus}k+1" if self.frames_modulus > 1 else "any"

    @property
    def makes_stills(self) -> bool:
        """A text-to-image model: its renders are one frame, stills for storyboard panels."""
        return self.kind == self.Kind.TEXT_TO_IMAGE


def init_image_upload_to(instance: GenerationJob, filename: str) -> str:
    return f"generation/{instance.organization_id}/{instance.batch_id}/init/{filename}"


class GenerationJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    TERMINAL_STATES = frozenset({State.SUCCEEDED, State.FAILED, State.CANCELLED})
    ACTIVE_STATES = frozenset({State.QUEUED, State.RUNNING})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("tenancy.Organization", on_delete=models.PROTECT, related_name="generation_jobs")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="generation_jobs")
    # What it renders for: a shot (video), or a storyboard panel (a still from a text-to-image model).
    shot = models.ForeignKey("projects.Shot", null=True, blank=True, on_delete=models.CASCADE, related_name="generation_jobs")
    panel = models.ForeignKey("projects.Panel", null=True, blank=True, on_delete=models.CASCADE, related_name="generation_jobs")
    model = models.ForeignKey(ModelProfile, on_delete=models.PROTECT, related_name="jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    batch_id = models.UUIDField(default=uuid.uuid4, help_text="Jobs submitted together (count > 1) share it.")
    batch_index = models.PositiveIntegerField(default=0)

    # What to render. `parameters` holds the full resolved call (what the lineage records).
    prompt = models.TextField()
    negative_prompt = models.TextField(blank=True)
    seed = models.BigIntegerField()
    frames = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    fps_num = models.PositiveIntegerField()
    fps_den = models.PositiveIntegerField()
    steps = models.PositiveIntegerField()
    guidance = models.FloatField()
    init_image = models.FileField(upload_to=init_image_upload_to, max_length=500, blank=True)
    cast = models.JSONField(default=list, blank=True, help_text="Talent ids cast in this render (checked by rights.policy).")
    parameters = models.JSONField(default=dict, blank=True)

    # Where it is.
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    # Fair scheduling (generation.services.scheduling): a queued job waits in PostgreSQL until the
    # dispatcher releases it to the `gpu` queue (`dispatched_at`); higher `priority` goes first
    # within its organization.
    priority = models.SmallIntegerField(default=0, help_text="0 (normal) to 10; higher is released first within the studio.")
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="When the dispatcher sent it to the gpu queue.")
    cancel_requested = models.BooleanField(default=False)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Renders started; also the fencing token of the current attempt.")
    max_attempts = models.PositiveIntegerField(default=3)
    worker = models.CharField(max_length=255, blank=True, help_text="Celery node that runs (or ran) the current attempt.")
    worker_host = models.CharField(max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    progress = models.JSONField(default=dict, blank=True, help_text="Latest step: {step, total, elapsed, eta}.")
    error = models.TextField(blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds: queue_wait, load, denoise, decode, encode, store, total.")
    version = models.OneToOneField(
        "projects.Version", null=True, blank=True, on_delete=models.SET_NULL, related_name="generation_job"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "batch_index"]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="genjob_project_recent"),
            models.Index(fields=["shot", "-created_at"], name="genjob_shot_recent"),
            models.Index(fields=["state", "heartbeat_at"], name="genjob_state_heartbeat"),
            models.Index(fields=["organization", "state"], name="genjob_org_state"),  # the active-jobs limit
            models.Index(fields=["organization", "-priority", "queued_at"], name="genjob_waiting",
                         condition=models.Q(state="queued", dispatched_at__isnull=True)),  # the dispatcher's pick
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(fps_num__gt=0, fps_den__gt=0), name="genjob_fps_positive"),
            models.CheckConstraint(condition=SHOT_OR_PANEL, name="genjob_shot_or_panel"),
            models.CheckConstraint(condition=models.Q(seed__gte=0), name="genjob_seed_non_negative"),
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "running"]) | models.Q(finished_at__isnull=False),
                name="genjob_finished_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shot_id or self.panel_id} seed {self.seed} ({self.state})"

    @property
    def is_still(self) -> bool:
        return self.panel_id is not None

    @property
    def fps(self) -> Fraction:
        return Fraction(self.fps_num, self.fps_den)

    @property
    def is_terminal(self) -> bool:
        return self.state in self.TERMINAL_STATES


def take_upload_to(instance: Take, filename: str) -> str:
    return f"generation/{instance.organization_id}/takes/{instance.id}/{filename}"


class Take(LikenessScanned):
    """One finished render of a shot, as the model made it, waiting in the shot's gallery.

    Most takes are rendered here (`source` render: `job` and `model` set). A take can also be
    *imported* (`source` import): a clip rendered in another tool (ComfyUI on a workstation, a
    vendor) brought into the gallery to compare; it has no job or model, its `lineage` records the
    tool, the original file name, its SHA-256 and who uploaded it, and it goes through the same
    likeness scan, consent state and publish path as a rendered take
    (`generation.services.take_import`).

    Starred and discarded are the artist's marks (a discarded take is hidden from the gallery by
    default and cannot be published until restored). Published once: `version` is the version it
    became, with the take's lineage and how it was conformed.
    """

    class PublishState(models.TextChoices):
        NONE = "", "Not published"
        CONFORMING = "conforming", "Conforming"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Publish failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("tenancy.Organization", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="takes")
    shot = models.ForeignKey("projects.Shot", null=True, blank=True, on_delete=models.CASCADE, related_name="takes")
    # A still take (a text-to-image render for a storyboard panel): `panel` instead of `shot`; its
    # media is a PNG of one frame, never published as a version (the panel uses it as its still).
    panel = models.ForeignKey("projects.Panel", null=True, blank=True, on_delete=models.CASCADE, related_name="still_takes")

    class Source(models.TextChoices):
        RENDER = "render", "Rendered here"
        IMPORT = "import", "Imported from another tool"

    source = models.CharField(max_length=8, choices=Source.choices, default=Source.RENDER)
    source_tool = models.CharField(max_length=100, blank=True, help_text="Imported takes: the tool that rendered it, e.g. ComfyUI.")
    job = models.OneToOneField(GenerationJob, null=True, blank=True, on_delete=models.CASCADE, related_name="take")
    model = models.ForeignKey(ModelProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="takes")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    # What was rendered (copied from the job, so the gallery needs no join) and everything to redo it.
    prompt = models.TextField()
    negative_prompt = models.TextField(blank=True)
    seed = models.BigIntegerField(null=True, blank=True, help_text="Empty only for an imported take whose seed was not given.")
    parameters = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    lineage = models.JSONField(default=dict, blank=True, help_text="The render's full lineage; a published version gets it.")
    consent = models.JSONField(default=dict, blank=True, help_text="Cast and the consent decision at submission.")

    # The native clip, as probed (ffprobe) after encoding.
    media = models.FileField(upload_to=take_upload_to, max_length=500)
    poster = models.FileField(upload_to=take_upload_to, max_length=500, blank=True)
    media_size = models.BigIntegerField(default=0)
    native_frames = models.PositiveIntegerField()
    native_fps_num = models.PositiveIntegerField()
    native_fps_den = models.PositiveIntegerField()
    native_width = models.PositiveIntegerField()
    native_height = models.PositiveIntegerField()
    frames_sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the decoded uint8 frames the model returned.")

    starred = models.BooleanField(default=False)
    discarded = models.BooleanField(default=False)
    discarded_at = models.DateTimeField(null=True, blank=True)
    version = models.OneToOneField("projects.Version", null=True, blank=True, on_delete=models.SET_NULL, related_name="take")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Publishing runs on the media queue (generation/services/publishing.py): the request sets `conforming`
    # and bumps `publish_attempt` (the fencing token); the media worker conforms and makes the version
    # (`published`), or records why it could not (`failed`, `publish_error`; nothing is published).
    publish_state = models.CharField(max_length=12, choices=PublishState.choices, default=PublishState.NONE, blank=True)
    publish_attempt = models.PositiveIntegerField(default=0)
    publish_method = models.CharField(max_length=16, blank=True)
    publish_error = models.TextField(blank=True)
    publish_requested_at = models.DateTimeField(null=True, blank=True)
    publish_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                             related_name="+")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["shot", "discarded", "-created_at"], name="take_shot_gallery")]
        constraints = [
            models.CheckConstraint(condition=models.Q(native_fps_num__gt=0, native_fps_den__gt=0), name="take_fps_positive"),
            models.CheckConstraint(condition=SHOT_OR_PANEL, name="take_shot_or_panel"),
            models.CheckConstraint(condition=models.Q(panel__isnull=True) | models.Q(version__isnull=True),
                                   name="take_still_not_published"),
            models.CheckConstraint(condition=~models.Q(discarded=True, version__isnull=False), name="take_published_not_discarded"),
            models.CheckConstraint(
                condition=models.Q(source="import") | models.Q(job__isnull=False, model__isnull=False, seed__isnull=False),
                name="take_rendered_has_job_model_seed",
            ),
        ]

    def __str__(self) -> str:
        return f"take {self.id} of {self.shot_id or self.panel_id} ({self.label})"

    @property
    def is_still(self) -> bool:
        return self.panel_id is not None

    @property
    def native_fps(self) -> Fraction:
        return Fraction(self.native_fps_num, self.native_fps_den)

    @property
    def imported(self) -> bool:
        return self.source == self.Source.IMPORT

    @property
    def use_key(self) -> uuid.UUID:
        """The usage ledger's key of this take's likeness uses: its job, or (imported) the take itself."""
        return self.job_id or self.id

    @property
    def label(self) -> str:
        """How people tell takes apart: 'seed 42', or 'imported from ComfyUI' without a seed."""
        if self.seed is not None:
            return f"seed {self.seed}"
        return f"imported from {self.source_tool}" if self.source_tool else "imported"


class GpuAllowance(models.Model):
    """An organization's GPU limits (set by an owner) and its place in the dispatcher's round-robin.

    No row means the defaults (settings.GENERATION_DEFAULT_ORG_CONCURRENCY, no monthly quota)."""

    organization = models.OneToOneField("tenancy.Organization", primary_key=True, on_delete=models.CASCADE, related_name="gpu_allowance")
    max_concurrent = models.PositiveIntegerField(null=True, blank=True, help_text="Renders released at once; empty: the default.")
    monthly_gpu_seconds = models.PositiveBigIntegerField(null=True, blank=True,
                                                         help_text="GPU seconds per calendar month (UTC); empty: no quota.")
    last_dispatched_at = models.DateTimeField(null=True, blank=True, help_text="The dispatcher's round-robin: least recent goes first.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(max_concurrent__gte=1) | models.Q(max_concurrent__isnull=True),
                                              name="gpu_allowance_concurrency_positive")]

    def __str__(self) -> str:
        return f"GPU allowance of {self.organization_id}"


class GpuUsage(models.Model):
    """The usage ledger: one row per render that reached a GPU, with the GPU seconds it used."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("tenancy.Organization", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    model = models.ForeignKey(ModelProfile, on_delete=models.PROTECT, related_name="+")
    job = models.OneToOneField(GenerationJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="gpu_usage")
    outcome = models.CharField(max_length=16, choices=GenerationJob.State.choices)
    gpu_seconds = models.FloatField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ["-finished_at"]
        indexes = [models.Index(fields=["organization", "finished_at"], name="gpuusage_org_month")]
        constraints = [models.CheckConstraint(condition=models.Q(gpu_seconds__gte=0), name="gpuusage_seconds_non_negative")]

    def __str__(self) -> str:
        return f"{self.gpu_seconds:.1f} GPU s for job {self.job_id}"
