"""Production tracking: projects, their members, sequences, shots, versions and playlists.

Frames, not seconds: every position is an integer frame; fps is a rational (fps_num/fps_den).
"""

from __future__ import annotations

import uuid
from fractions import Fraction

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from studio.tenancy.models import Role


class Project(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        WRAPPED = "wrapped", "Wrapped"
        ARCHIVED = "archived", "Archived"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("tenancy.Organization", on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=32)
    description = models.TextField(blank=True)
    fps_num = models.PositiveIntegerField(default=24)
    fps_den = models.PositiveIntegerField(default=1)
    width = models.PositiveIntegerField(default=1920)
    height = models.PositiveIntegerField(default=1080)
    start_frame = models.IntegerField(default=1001)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    required_lanes = models.JSONField(default=list, blank=True, help_text="Approval lanes that must approve, e.g. ['producer', 'client'].")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="project_code_unique_per_org"),
            models.CheckConstraint(condition=models.Q(fps_num__gt=0, fps_den__gt=0), name="project_fps_positive"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def fps(self) -> Fraction:
        return Fraction(self.fps_num, self.fps_den)


# Roles a person can hold on one project (client reviewers; vendors as artists or supervisors; a
# freelance producer). Organization-wide roles (owner, admin, legal) are never granted per project.
PROJECT_MEMBER_ROLES = (Role.REVIEWER, Role.ARTIST, Role.SUPERVISOR, Role.PRODUCER)
PROJECT_MEMBER_ROLE_CHOICES = [(r.value, r.label) for r in PROJECT_MEMBER_ROLES]


class ProjectMember(models.Model):
    """A person added to one project. Client reviewers and vendors see only their projects."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships")
    role = models.CharField(max_length=16, choices=PROJECT_MEMBER_ROLE_CHOICES, default=Role.REVIEWER)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="project_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} on {self.project} ({self.role})"


class Sequence(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sequences")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True)
    order = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="sequence_code_unique_per_project")]
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.code


class Shot(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        IN_PROGRESS = "in_progress", "In progress"
        REVIEW = "review", "In review"
        APPROVED = "approved", "Approved"
        FINAL = "final", "Final"
        OMITTED = "omitted", "Omitted"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="shots")
    sequence = models.ForeignKey(Sequence, null=True, blank=True, on_delete=models.SET_NULL, related_name="shots")
    code = models.CharField(max_length=64)
    order = models.IntegerField(default=0)
    description = models.TextField(blank=True)
    prompt_notes = models.TextField(blank=True, help_text="Action / prompt notes for generation.")
    frame_in = models.IntegerField(null=True, blank=True)
    frame_out = models.IntegerField(null=True, blank=True, help_text="Inclusive last frame.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="assigned_shots")
    retake_count = models.PositiveIntegerField(default=0)
    current_version = models.ForeignKey("Version", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Next version number; taken under a row lock so numbers are never reused, even when concurrent.
    next_version_number = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="shot_code_unique_per_project"),
            models.CheckConstraint(
                condition=models.Q(frame_in__isnull=True)
                | models.Q(frame_out__isnull=True)
                | models.Q(frame_out__gte=models.F("frame_in")),
                name="shot_frame_out_after_in",
            ),
        ]
        indexes = [models.Index(fields=["project", "status"], name="shot_project_status_idx")]
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def duration_frames(self) -> int | None:
        if self.frame_in is None or self.frame_out is None:
            return None
        return self.frame_out - self.frame_in + 1


def version_media_dir(instance: Version) -> str:
    # Unguessable (random UUIDs), tenant-prefixed folder; media is only ever served through
    # permission-checked views (MEDIA_URL is not routed).
    return f"versions/{instance.project_id}/{instance.id}"


def version_upload_to(instance: Version, filename: str) -> str:
    return f"{version_media_dir(instance)}/original/{filename}"


class LikenessScanned(models.Model):
    """The likeness scan's state and result on a scanned row (a version here, a take in generation).

    `pending → running → clear | matched | held | failed`: `clear` no protected face; `matched` every
    face seen belongs to a performer whose grant covers it (the uses are recorded for the agency);
    `held` a face of a performer no grant of the studio covers: the row is not publishable,
    approvable or exportable until a grant covers it (a grant change re-scans it). `scan_talent`
    holds every talent the scan matched (the consent policy checks them like cast).
    """

    class ScanState(models.TextChoices):
        PENDING = "pending", "Waiting for the likeness scan"
        RUNNING = "running", "Being scanned"
        CLEAR = "clear", "No protected face"
        MATCHED = "matched", "Protected faces, covered by consent"
        HELD = "held", "Held: a protected face without consent"
        FAILED = "failed", "The scan failed"

    scan_state = models.CharField(max_length=8, choices=ScanState.choices, default=ScanState.PENDING)
    scan_talent = ArrayField(models.UUIDField(), default=list, blank=True, help_text="Talent the likeness scan matched.")
    scan_result = models.JSONField(default=dict, blank=True, help_text="Frames sampled, faces, matches, why it is held.")
    scan_attempt = models.PositiveIntegerField(default=0, help_text="Bumped by each (re-)scan request: a stale scan does not store.")
    scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def scan_held(self) -> bool:
        return self.scan_state == self.ScanState.HELD


class Version(LikenessScanned):
    class Source(models.TextChoices):
        UPLOAD = "upload", "Upload"
        GENERATION = "generation", "Generation"

    class Processing(models.TextChoices):
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class ApprovalStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="versions")
    shot = models.ForeignKey(Shot, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.CharField(max_length=16, choices=Source.choices)
    original = models.FileField(upload_to=version_upload_to, max_length=500, blank=True)
    original_name = models.CharField(max_length=255, blank=True, help_text="The file name as uploaded.")
    original_size = models.BigIntegerField(null=True, blank=True)
    proxy = models.FileField(max_length=500, blank=True)
    poster = models.FileField(max_length=500, blank=True)
    # The poster at list size (media.THUMB_WIDTH); versions processed before it existed have none until
    # `manage.py build_thumbnails` makes theirs (their lists show the poster meanwhile).
    thumb = models.FileField(max_length=500, blank=True, db_default="")  # db_default: code from before it can still insert
    sprite = models.FileField(max_length=500, blank=True)
    sprite_columns = models.PositiveIntegerField(default=0)
    sprite_tile_width = models.PositiveIntegerField(default=0)
    sprite_tile_height = models.PositiveIntegerField(default=0)
    sprite_frames = models.JSONField(default=list, blank=True, help_text="Frame index (0-based, into the media) of each sprite tile.")
    first_frame = models.IntegerField(
        default=1001, help_text="Frame number of the media's first frame (the shot's frame in, else the project's start frame)."
    )
    frame_count = models.PositiveIntegerField(null=True, blank=True)
    fps_num = models.PositiveIntegerField(null=True, blank=True)
    fps_den = models.PositiveIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    lineage = models.JSONField(default=dict, blank=True, help_text="For generated versions: prompt, seed, model, parameters, timings.")
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    processing_status = models.CharField(max_length=16, choices=Processing.choices, default=Processing.PROCESSING)
    failure_reason = models.TextField(blank=True)
    # The media worker's claim on the processing (projects/processing.py): the attempt number is a
    # fencing token, the claim's start and worker tell the reaper whether the attempt is still alive.
    processing_attempts = models.PositiveSmallIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processing_worker = models.CharField(max_length=255, blank=True, help_text="host:pid of the media worker holding the claim.")
    processing_queued_at = models.DateTimeField(null=True, blank=True, help_text="When the processing was last (re-)queued.")
    approval_status = models.CharField(max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    # Set when a consent grant the version's likeness use relied on stopped covering it (suspended,
    # revoked, expired): it cannot be approved, exported or delivered until the grant covers it again.
    quarantined_at = models.DateTimeField(null=True, blank=True)
    quarantine_reason = models.TextField(blank=True, help_text="Why the version is quarantined (the grant's change and its reason).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shot", "number"], name="version_number_unique_per_shot")]
        indexes = [models.Index(fields=["shot", "approval_status", "-number"], name="version_shot_approval_idx")]
        ordering = ["shot", "-number"]

    def __str__(self) -> str:
        return f"{self.shot.code} {self.label}"

    @property
    def label(self) -> str:
        return f"v{self.number:03d}"

    @property
    def fps(self) -> Fraction | None:
        if not self.fps_num or not self.fps_den:
            return None
        return Fraction(self.fps_num, self.fps_den)

    @property
    def is_quarantined(self) -> bool:
        return self.quarantined_at is not None

    @property
    def last_frame(self) -> int | None:
        if self.frame_count is None:
            return None
        return self.first_frame + self.frame_count - 1

    @property
    def duration_seconds(self) -> float | None:
        """For display only; positions are always frames."""
        if self.frame_count is None or self.fps is None:
            return None
        return float(self.frame_count / self.fps)


class Comment(models.Model):
    """A note on a version at a frame (or an inclusive frame range). Replies hang off a root comment.

    `internal` notes are for the studio's own people; client reviewers never see them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    frame = models.IntegerField(help_text="Frame number in the version's frame space (first_frame … last_frame).")
    frame_end = models.IntegerField(null=True, blank=True, help_text="Inclusive last frame of a range comment.")
    internal = models.BooleanField(default=False, help_text="Internal notes are hidden from client reviewers.")
    # A note written by a talent agency reviewing a likeness use of this version (always internal:
    # the studio sees it, client reviewers never do; projects/services/agency_notes.py).
    agency = models.ForeignKey(
        "tenancy.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The talent agency that wrote this note (reviewing a likeness use of the version); null for the studio's notes.",
    )
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in_comments")
    resolved = models.BooleanField(default=False)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["frame", "created_at"]
        indexes = [models.Index(fields=["version", "frame"], name="comment_version_frame_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(frame_end__isnull=True) | models.Q(frame_end__gte=models.F("frame")),
                name="comment_frame_end_after_frame",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version_id}@{self.frame}"


class CommentRevision(models.Model):
    """The body of a comment before an edit: the edit history is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    edited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["edited_at"]

    def __str__(self) -> str:
        return f"{self.comment_id} before {self.edited_at:%Y-%m-%d %H:%M}"


class Annotation(models.Model):
    """Shapes drawn on one frame, in resolution-independent 0..1 coordinates (see projects.annotations)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="annotations")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="annotations")
    frame = models.IntegerField()
    shapes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["frame", "created_at"]

    def __str__(self) -> str:
        return f"{len(self.shapes or [])} shapes @ {self.frame}"


class Approval(models.Model):
    """One reviewer's decision in one lane of one version (their latest; history is in the audit chain)."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="approvals")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="approvals")
    lane = models.CharField(max_length=32, help_text="An approval lane of projects.lanes.LANES.")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    note = models.TextField(blank=True)
    decided_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lane", "decided_at"]
        constraints = [models.UniqueConstraint(fields=["version", "lane", "reviewer"], name="approval_one_per_reviewer_lane")]

    def __str__(self) -> str:
        return f"{self.version_id} {self.lane}: {self.decision}"


class Playlist(models.Model):
    """Dailies: an ordered list of shot versions for a review session."""

    class Audience(models.TextChoices):
        INTERNAL = "internal", "Studio only"
        CLIENT = "client", "Shared with client reviewers"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="playlists")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.INTERNAL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class PlaylistItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="items")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    order = models.IntegerField(default=0)
    note = models.TextField(blank=True, help_text="The producer's note on this item for the session (what to look at).")

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["playlist", "version"], name="playlist_item_unique")]

    def __str__(self) -> str:
        return f"{self.playlist_id}#{self.order}"


class SignedCopy(models.Model):
    """A version's file as it left Greenlight: signed with Content Credentials (C2PA) naming its
    origin, consent and approvals (projects/delivery). Cached: the same version, kind, file and
    manifest inputs (`source_key`) give back the same signed copy instead of signing again. Its id
    is the credential id the manifest carries, so a verified file resolves to its version here."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", "Original"
        PROXY = "proxy", "Conformed H.264 (the proxy)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("tenancy.Organization", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="signed_copies")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="signed_copies")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    source_key = models.CharField(max_length=64, help_text="SHA-256 of the source file's identity and the manifest's inputs.")
    file = models.FileField(max_length=500)
    filename = models.CharField(max_length=255)
    media_type = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the signed file.")
    size = models.BigIntegerField()
    certificate_serial = models.CharField(max_length=64)
    manifest = models.JSONField(default=dict, help_text="The Greenlight assertion as signed.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["version", "kind", "source_key"], name="signed_copy_unique_source")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.kind}, signed)"


class ShareLink(models.Model):
    """A link to a version or a playlist for people without an account (projects/services/sharing.py).

    Only the SHA-256 of the token is stored (the token is shown once, at creation); the optional
    passphrase is kept with Django's password hashers. A link answers until it expires, is revoked
    or has been opened by `max_views` identified viewers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("tenancy.Organization", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="share_links")
    version = models.ForeignKey(Version, null=True, blank=True, on_delete=models.CASCADE, related_name="share_links")
    playlist = models.ForeignKey(Playlist, null=True, blank=True, on_delete=models.CASCADE, related_name="share_links")
    label = models.CharField(max_length=200, blank=True, help_text="Who the link is for, e.g. 'Festival screening committee'.")
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the link token (the token itself is never stored).")
    passphrase_hash = models.CharField(max_length=256, blank=True)
    allow_download = models.BooleanField(default=False)
    max_views = models.PositiveIntegerField(null=True, blank=True, help_text="Identified viewers allowed; empty for no limit.")
    view_count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(version__isnull=False, playlist__isnull=True) | models.Q(version__isnull=True, playlist__isnull=False),
                name="share_link_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"share link {self.id}"


class ShareView(models.Model):
    """One identified viewer's session on a share link: who, when, from where (the view log)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="views")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    viewer_name = models.CharField(max_length=120)
    viewer_email = models.EmailField(max_length=254)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    session_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the viewer's session secret (a cookie).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.viewer_name} <{self.viewer_email}> on {self.link_id}"


class ShareRender(models.Model):
    """The watermarked copy of one version made for one viewer's session (the media queue)."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "Preparing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    view = models.ForeignKey(ShareView, on_delete=models.CASCADE, related_name="renders")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    order = models.IntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREPARING)
    watermark = models.CharField(max_length=300)
    file = models.FileField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    streamed_at = models.DateTimeField(null=True, blank=True, help_text="First time the viewer streamed it.")
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["view", "version"], name="share_render_one_per_view_version")]

    def __str__(self) -> str:
        return f"{self.version_id} for {self.view_id} ({self.status})"


class WatermarkMark(models.Model):
    """One viewer's forensically watermarked review proxy of one version (studio/watermark).

    The row's integer id is the payload hidden in every frame of `file`; a leaked still or clip read
    back to an id resolves here to the viewer and version ("Trace a frame", projects/watermarks.py).
    Made on the media queue the first time that viewer streams the version; cached afterwards."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.BigAutoField(primary_key=True)  # the payload: 1 .. 2**32-1 (studio/watermark/payload.py)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="The id the API shows.")
    organization = models.ForeignKey("tenancy.Organization", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="watermark_marks")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="watermark_marks")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               help_text="The signed-in viewer; empty for a share link's guest (share_view).")
    share_view = models.ForeignKey(ShareView, null=True, blank=True, on_delete=models.CASCADE, related_name="watermark_marks",
                                   help_text="The share link guest (name, email) the copy was made for.")
    audience = models.CharField(max_length=16, help_text="client, agency or external: why this viewer gets a marked copy.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREPARING)
    file = models.FileField(max_length=500, blank=True)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When its media task was last sent.")
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "viewer"], name="watermark_mark_one_per_viewer"),
            models.UniqueConstraint(fields=["version", "share_view"], name="watermark_mark_one_per_share_view"),
            models.CheckConstraint(condition=models.Q(viewer__isnull=False) ^ models.Q(share_view__isnull=False),
                                   name="watermark_mark_one_kind_of_viewer"),
        ]

    def __str__(self) -> str:
        return f"mark {self.pk} ({self.version_id} for {self.viewer_id})"


# Kept in its own module (this one is at the size limit); imported here so Django registers it.
# Pre-vis (storyboards, panels, animatics) lives in its own module of this app.
from projects.models_shot_rows import ShotListRow  # noqa: E402,F401
from projects.models_storyboard import Animatic, Panel, PanelComment, Storyboard  # noqa: E402, F401
from projects.submission_models import Submission  # noqa: E402,F401
