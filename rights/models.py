"""Talent, their reference likeness, consent grants and the record of every likeness use.

- `Talent` belongs to the agency that represents them (`organization`, an agency). Only that
  agency edits them.
- `LikenessAsset` is a private reference image of a talent (image-to-video conditioning), stored
  in the media storage (local folder or private bucket) at an unguessable name and served only through permission-checked views.
- `ConsentGrant` is one machine-checkable scope of consent: talent × grantee studio × project
  (or every project of the studio) × use types × media × territory × term. States:
  `pending → active ⇄ suspended → revoked | expired`; transitions happen only in
  `rights.services`.
- `LikenessUse` records one use of a talent's likeness by one generation job, the grant that
  covered it, and the agency's review: `pending_review → approved | rejected`, or `invalidated`
  when its grant stops covering it.

Whether a generation, approval or delivery may happen is decided in `rights.policy`, nowhere else.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class UseType(models.TextChoices):
    DIGITAL_REPLICA = "digital_replica", "Digital replica (a replica of the performer)"
    DIGITAL_ALTERATION = "digital_alteration", "Digital alteration (changing a recorded performance)"
    NAME_OR_LIKENESS_IN_PROMPT = "name_or_likeness_in_prompt", "Name or likeness in a prompt"


class Medium(models.TextChoices):
    THEATRICAL = "theatrical", "Theatrical"
    STREAMING = "streaming", "Streaming (SVOD/AVOD)"
    BROADCAST = "broadcast", "Broadcast TV"
    MARKETING = "marketing", "Marketing and trailers"
    SOCIAL = "social", "Social media"
    FESTIVAL = "festival", "Festivals and awards screeners"
    INTERACTIVE = "interactive", "Games and interactive"


class ContentRestriction(models.TextChoices):
    NO_NUDITY_SEXUAL = "no_nudity_sexual", "No nudity or sexual content"
    NO_VIOLENCE_GORE = "no_violence_gore", "No graphic violence or gore"
    NO_POLITICAL = "no_political", "No political content"
    NO_ENDORSEMENT = "no_endorsement", "No product or brand endorsement"
    NO_DIALOGUE_MEANING_CHANGE = "no_dialogue_meaning_change", "No change to the meaning of dialogue"
    NO_APPEARANCE_CHANGE = "no_appearance_change", "No change to the talent's appearance"


class Talent(models.Model):
    class LifeStatus(models.TextChoices):
        LIVING = "living", "Living"
        DECEASED = "deceased", "Deceased (consent comes from the estate)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="talent",
        help_text="The agency that represents this talent; only its members edit them.",
    )
    name = models.CharField(max_length=200)
    aliases = ArrayField(models.CharField(max_length=200), default=list, blank=True, help_text="Stage names, former names.")
    life_status = models.CharField(max_length=16, choices=LifeStatus.choices, default=LifeStatus.LIVING)
    date_of_death = models.DateField(null=True, blank=True)
    estate_name = models.CharField(max_length=200, blank=True, help_text="The estate or authorised representative.")
    estate_contact = models.CharField(max_length=254, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="talent_name_unique_per_agency"),
            models.CheckConstraint(
                condition=models.Q(life_status="deceased") | models.Q(date_of_death__isnull=True),
                name="talent_death_date_only_if_deceased",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_deceased(self) -> bool:
        return self.life_status == self.LifeStatus.DECEASED


class TalentNameKey(models.Model):
    """One normalised key of a talent's name or alias (see rights.names), for the prompt name guard:
    a folded form of the name (either order, initials) or a fragment key for misspellings.

    Written by rights.services whenever a talent's name or aliases change; rebuilt by a data migration
    when the key scheme changes (0003). The B-tree index on `key` lets one query find every talent a
    prompt may name, whatever the size of the registry; rights.names then decides which it does name.
    """

    id = models.BigAutoField(primary_key=True)
    talent = models.ForeignKey(Talent, on_delete=models.CASCADE, related_name="name_keys")
    key = models.CharField(max_length=100, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["talent", "key"], name="talent_name_key_unique")]

    def __str__(self) -> str:
        return self.key


def likeness_asset_upload_to(instance: LikenessAsset, filename: str) -> str:
    # Unguessable path (random token); never served by URL, only through permission-checked views.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"rights/talent/{instance.talent_id}/{instance.storage_token}/{instance.id}.{ext}"


class LikenessAsset(models.Model):
    class Kind(models.TextChoices):
        FACE = "face", "Face reference"
        FULL_BODY = "full_body", "Full-body reference"
        OTHER = "other", "Other reference"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    talent = models.ForeignKey(Talent, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FACE)
    description = models.CharField(max_length=500, blank=True)
    storage_token = models.CharField(max_length=64, editable=False)
    file = models.FileField(upload_to=likeness_asset_upload_to, max_length=500)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The likeness scan's reference (rights.faces): the 128-d descriptor of the image's main face,
    # computed at upload; null when the image shows no frontal face. Agency-owned, never serialised.
    face_descriptor = ArrayField(models.FloatField(), size=128, null=True, blank=True)
    face_descriptor_model = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.talent} {self.kind} {self.id}"


class ConsentGrant(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending (requested, not yet granted)"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    class SignerCapacity(models.TextChoices):
        SELF = "self", "The talent"
        AUTHORIZED_REPRESENTATIVE = "authorized_representative", "Authorised representative"
        ESTATE = "estate", "Estate"
        UNION = "union", "Union"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    talent = models.ForeignKey(Talent, on_delete=models.PROTECT, related_name="consent_grants")
    grantee = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="consent_grants_received",
        help_text="The studio this grant is for.",
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="consent_grants",
        help_text="The one project covered; empty means every project of the grantee studio.",
    )
    use_types = ArrayField(models.CharField(max_length=40, choices=UseType.choices))
    media = ArrayField(models.CharField(max_length=20, choices=Medium.choices), default=list, blank=True)
    territories = ArrayField(models.CharField(max_length=5), default=list, blank=True, help_text="ISO 3166-1 alpha-2 codes or WORLD.")
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    intended_use = models.TextField(help_text="A reasonably specific description of the intended use.")
    content_restrictions = ArrayField(models.CharField(max_length=40, choices=ContentRestriction.choices), default=list, blank=True)
    content_restrictions_note = models.TextField(blank=True)
    requires_per_use_approval = models.BooleanField(default=True)
    # The signed instrument (set when the agency grants).
    document_sha256 = models.CharField(max_length=64, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.CharField(max_length=200, blank=True)
    signer_capacity = models.CharField(max_length=32, choices=SignerCapacity.choices, blank=True)
    survives_death = models.BooleanField(default=False, help_text="Lifetime consent that continues after the talent's death.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    state_reason = models.TextField(blank=True, help_text="Why it was last suspended, resumed, revoked or expired.")
    state_changed_at = models.DateTimeField(null=True, blank=True)
    request_note = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["talent", "grantee"], name="grant_talent_grantee"),
            models.Index(fields=["grantee", "state"], name="grant_grantee_state"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_until__gt=models.F("valid_from")), name="grant_valid_until_after_from"),
            models.CheckConstraint(
                condition=~models.Q(state__in=["active", "suspended"]) | (
                    ~models.Q(document_sha256="") & models.Q(signed_at__isnull=False) & ~models.Q(signer_capacity="")
                ),
                name="grant_active_needs_signature",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.talent} → {self.grantee} ({self.state})"


class LikenessUse(models.Model):
    class State(models.TextChoices):
        PENDING_REVIEW = "pending_review", "Awaiting the agency's review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected by the agency"
        INVALIDATED = "invalidated", "Invalidated (the grant stopped covering it)"

    class Via(models.TextChoices):
        CAST = "cast", "Cast in the generation"
        PROMPT = "prompt", "Named in the prompt"
        SCAN = "scan", "Seen by the likeness scan"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    talent = models.ForeignKey(Talent, on_delete=models.PROTECT, related_name="likeness_uses")
    grant = models.ForeignKey(ConsentGrant, on_delete=models.PROTECT, related_name="uses")
    studio = models.ForeignKey("tenancy.Organization", on_delete=models.PROTECT, related_name="likeness_uses")
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="likeness_uses")
    shot = models.ForeignKey("projects.Shot", null=True, blank=True, on_delete=models.SET_NULL, related_name="likeness_uses")
    # generation.GenerationJob did not exist when this app was built: the job is referenced by id.
    # A use the likeness scan found in an uploaded version (no job) is keyed by the version's id.
    job_id = models.UUIDField(db_index=True)
    version = models.ForeignKey("projects.Version", null=True, blank=True, on_delete=models.SET_NULL, related_name="likeness_uses")
    use_type = models.CharField(max_length=40, choices=UseType.choices)
    via = models.CharField(max_length=8, choices=Via.choices, default=Via.CAST)
    prompt = models.TextField(blank=True)
    negative_prompt = models.TextField(blank=True)
    prompt_sha256 = models.CharField(max_length=64)
    requires_review = models.BooleanField(help_text="The grant required the agency's approval of each use.")
    state = models.CharField(max_length=16, choices=State.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidated_reason = models.TextField(blank=True)
    invalidated_cause = models.CharField(max_length=16, blank=True, help_text="suspended | revoked | expired | deceased")
    state_before_invalidation = models.CharField(max_length=16, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["talent", "-created_at"], name="use_talent_time"),
            models.Index(fields=["studio", "-created_at"], name="use_studio_time"),
            models.Index(fields=["grant", "state"], name="use_grant_state"),
        ]
        constraints = [models.UniqueConstraint(fields=["job_id", "talent"], name="likeness_use_one_per_job_and_talent")]

    def __str__(self) -> str:
        return f"{self.talent} in job {self.job_id} ({self.state})"


class ConsentRequest(models.Model):
    """A studio's request to an agency for consent it lacks, usually sent from a refusal (the name
    guard or the cast check at submit; later the likeness scan). The agency answers with a grant
    (a `ConsentGrant` made from the request's terms, `grant`) or a refusal with a reason; the studio
    may withdraw it while it is open. States: `open → granted | refused | withdrawn`; transitions
    happen only in `rights.services` (rule: `rights.transitions.request_step_conflict`)."""

    class State(models.TextChoices):
        OPEN = "open", "Open (awaiting the agency)"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused by the agency"
        WITHDRAWN = "withdrawn", "Withdrawn by the studio"

    class Origin(models.TextChoices):
        GENERATION_REFUSAL = "generation_refusal", "A generation refused by the consent policy"
        LIKENESS_SCAN = "likeness_scan", "A take or version held by the likeness scan"
        DIRECT = "direct", "Asked directly"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    talent = models.ForeignKey(Talent, on_delete=models.PROTECT, related_name="consent_requests")
    agency = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="consent_requests_received",
        help_text="The talent's agency when the request was made: the one that answers.",
    )
    studio = models.ForeignKey("tenancy.Organization", on_delete=models.PROTECT, related_name="consent_requests_sent")
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="consent_requests")
    use_types = ArrayField(models.CharField(max_length=40, choices=UseType.choices))
    media = ArrayField(models.CharField(max_length=20, choices=Medium.choices), default=list, blank=True)
    territories = ArrayField(models.CharField(max_length=5), default=list, blank=True)
    description = models.TextField(help_text="The intended use, reasonably specific: it becomes the grant's intended use.")
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    origin = models.CharField(max_length=24, choices=Origin.choices, default=Origin.DIRECT)
    origin_reason = models.CharField(max_length=40, blank=True, help_text="The policy's reason code of the refusal, if any.")
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    grant = models.ForeignKey(ConsentGrant, null=True, blank=True, on_delete=models.PROTECT, related_name="requests")
    answer_reason = models.TextField(blank=True, help_text="Why the agency refused, or why the studio withdrew.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "state", "-created_at"], name="consentreq_agency_queue"),
            models.Index(fields=["studio", "-created_at"], name="consentreq_studio_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_until__gt=models.F("valid_from")), name="consentreq_until_after_from"),
            models.UniqueConstraint(
                fields=["talent", "studio", "project"], condition=models.Q(state="open"), name="consentreq_one_open_per_project",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="granted") | models.Q(grant__isnull=False), name="consentreq_granted_has_grant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.studio} asks {self.agency} for {self.talent} ({self.state})"
