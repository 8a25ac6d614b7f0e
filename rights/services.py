"""Writes for rights: talent, likeness assets, consent grants and likeness uses.

Each service checks permission, writes, audits (`studio.audit.services.record`) and publishes
(`consent.changed`, deferred to commit) in one transaction.

Who may do what:
- the representing agency (owner, admin, agent, legal) edits its talent and their assets,
  grants, suspends, resumes and revokes consent, and decides likeness uses;
- a studio (owner, admin, producer, legal) requests grants for itself.

Grant transitions: pending → active (grant) ⇄ suspended (suspend / resume); pending, active or
suspended → revoked (revoke; from pending it declines the request); active or suspended →
expired (when valid_until passes: `expire_lapsed_grants`). Anything else is a 409 that says why.

When a grant stops covering (suspended, revoked, expired, or the talent died and the grant does
not survive death), `on_grant_stopped_covering` invalidates its likeness uses and sends the
`grant_stopped_covering` signal (rights.signals) inside the same transaction, so that the
generation and review apps can cancel jobs and quarantine versions atomically with it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from rights import names, signals, transitions
from rights.models import ConsentGrant, ContentRestriction, LikenessAsset, LikenessUse, Medium, Talent, TalentNameKey, UseType
from rights.policy import PolicyDecision
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.realtime.publish import publish
from studio.tenancy.models import Organization, Role, User
from studio.tenancy.selectors import require_membership

AGENCY_ROLES = transitions.AGENCY_ROLES
STUDIO_REQUEST_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.PRODUCER, Role.LEGAL})

MAX_ALIASES = 20
MIN_INTENDED_USE_CHARS = 40
MIN_INTENDED_USE_WORDS = 8
VAGUE_USE = re.compile(
    r"^\s*(any|all|every|unlimited|general|various|whatever|tbd|n/?a|misc\w*)\b.{0,40}$", re.IGNORECASE | re.DOTALL
)
# Blanket-licence boilerplate: the opposite of a "reasonably specific description of the intended use".
BLANKET_PHRASES = re.compile(
    r"\b(any and all|any uses?|all uses|any purposes?|all purposes|any (?:project|production|film|picture)s?|"
    r"throughout the universe|in perpetuity|now known or hereafter (?:known|devised))\b",
    re.IGNORECASE,
)
ISO_COUNTRIES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD
    CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF
    GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI
    SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW""".split()
)
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")

DEADLOCK_RETRIES = 3

MAX_ASSET_BYTES = 25 * 1024 * 1024
MAX_ASSET_PIXELS = 8192
ASSET_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


# ---------------------------------------------------------------- helpers

def _require_agency_member(*, actor: User, talent: Talent, action: str):
    return require_membership(user=actor, organization=talent.organization_id, roles=AGENCY_ROLES, action=action)


def _audit_both(*, grant: ConsentGrant, actor, action: str, data: dict, target=None, actor_label: str = "") -> None:
    """Consent events belong to both parties: the agency's chain and the studio's chain."""
    target = target if target is not None else grant
    audit.record(organization=grant.talent.organization, actor=actor, actor_label=actor_label, action=action, target=target, data=data)
    audit.record(organization=grant.grantee, actor=actor, actor_label=actor_label, action=action, target=target, data=data)


def _project_ids_for(grant: ConsentGrant) -> list:
    """Projects to notify: the grant's project, or every live project of the studio for a studio-wide grant."""
    if grant.project_id is not None:
        return [grant.project_id]
    from projects.models import Project

    return list(
        Project.objects.filter(organization_id=grant.grantee_id)
        .exclude(status=Project.Status.ARCHIVED)
        .values_list("pk", flat=True)
    )


def grant_summary(grant: ConsentGrant) -> dict:
    return {
        "id": str(grant.pk),
        "talent": {"id": str(grant.talent_id), "name": grant.talent.name},
        "agency": {"id": str(grant.talent.organization_id), "name": grant.talent.organization.name},
        "studio": {"id": str(grant.grantee_id), "name": grant.grantee.name},
        "project": str(grant.project_id) if grant.project_id else None,
        "state": grant.state,
        "use_types": list(grant.use_types),
        "valid_from": grant.valid_from.isoformat(),
        "valid_until": grant.valid_until.isoformat(),
        "requires_per_use_approval": grant.requires_per_use_approval,
    }


def _publish_grant(grant: ConsentGrant, *, change: str, previous: str | None = None, reason: str = "") -> None:
    data = {"kind": "consent_grant", "change": change, "previous_state": previous, "reason": reason, "grant": grant_summary(grant)}
    for project_id in _project_ids_for(grant):
        publish(type="consent.changed", project_id=project_id, data=data, audience="internal")


def _lock_grant(grant: ConsentGrant) -> ConsentGrant:
    return ConsentGrant.objects.select_for_update(of=("self",)).select_related(
        "talent__organization", "grantee", "project"
    ).get(pk=grant.pk)


def _lock_uses(grant: ConsentGrant) -> None:
    """Lock the grant's uses and their versions right after the grant, before anything is audited or
    published (audit chains are locked per organization until commit). A worker storing a version
    locks its job's uses first too (`lock_job_uses`), and an approval locks the version before it
    audits, so each waits for the revocation instead of deadlocking with it."""
    uses = LikenessUse.objects.select_for_update(of=("self",)).filter(grant=grant).order_by("pk")
    version_ids = {v for v in uses.values_list("version_id", flat=True) if v is not None}
    if version_ids:
        version_model = LikenessUse._meta.get_field("version").related_model
        list(version_model.objects.select_for_update(of=("self",)).filter(pk__in=version_ids).order_by("pk").values_list("pk", flat=True))


def _retry_on_deadlock(func):
    """Run a grant change again when PostgreSQL chose it as a deadlock victim (it then wrote
    nothing). Only at the outermost transaction: inside someone else's, the error propagates."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for attempt in range(DEADLOCK_RETRIES):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                deadlock = getattr(exc.__cause__, "sqlstate", None) == "40P01"
                if not deadlock or connection.in_atomic_block or attempt == DEADLOCK_RETRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    return wrapper


# ---------------------------------------------------------------- talent

def _clean_names(*, name: str, aliases: Iterable[str] | None) -> tuple[str, list[str]]:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Give the talent's professional name."]})
    if problem := names.name_problem(name):
        raise ValidationError({"name": [problem]})
    cleaned: list[str] = []
    seen = {"".join(names.tokens(name))}
    for alias in aliases or []:
        if not isinstance(alias, str):
            raise ValidationError({"aliases": ["Each alias must be a string."]})
        alias = alias.strip()
        if not alias:
            continue
        if problem := names.name_problem(alias):
            raise ValidationError({"aliases": [problem]})
        key = "".join(names.tokens(alias))
        if key in seen:
            continue
        seen.add(key)
        cleaned.append(alias[:200])
    if len(cleaned) > MAX_ALIASES:
        raise ValidationError({"aliases": [f"At most {MAX_ALIASES} aliases; keep the names people actually use."]})
    return name[:200], cleaned


def _write_name_keys(talent: Talent) -> None:
    """(Re)write the normalised name and alias keys the prompt name guard looks up."""
    TalentNameKey.objects.filter(talent=talent).delete()
    TalentNameKey.objects.bulk_create(
        [TalentNameKey(talent=talent, key=key) for key in names.talent_keys(talent.name, talent.aliases)]
    )


def _check_life(*, life_status: str, date_of_death: dt.date | None, estate_name: str) -> None:
    if life_status not in Talent.LifeStatus.values:
        raise ValidationError({"life_status": [f"Use one of: {', '.join(Talent.LifeStatus.values)}."]})
    if life_status == Talent.LifeStatus.LIVING and date_of_death is not None:
        raise ValidationError({"date_of_death": ["A living talent has no date of death; set life_status to deceased or clear it."]})
    if date_of_death is not None and date_of_death > timezone.now().date():
        raise ValidationError({"date_of_death": ["The date of death cannot be in the future."]})
    if life_status == Talent.LifeStatus.DECEASED and not estate_name.strip():
        raise ValidationError(
            {"estate_name": ["A deceased talent needs the estate (or authorised representative) that now gives consent."]}
        )


def create_talent(
    *,
    actor: User,
    agency: Organization,
    name: str,
    aliases: Iterable[str] | None = None,
    life_status: str = Talent.LifeStatus.LIVING,
    date_of_death: dt.date | None = None,
    estate_name: str = "",
    estate_contact: str = "",
) -> Talent:
    require_membership(user=actor, organization=agency, roles=AGENCY_ROLES, action="register talent")
    if agency.kind != Organization.Kind.AGENCY:
        raise ValidationError({"agency": ["Only a talent agency registers talent."]})
    name, aliases = _clean_names(name=name, aliases=aliases)
    _check_life(life_status=life_status, date_of_death=date_of_death, estate_name=estate_name or "")
    with transaction.atomic():
        if Talent.objects.filter(organization=agency, name__iexact=name).exists():
            raise ValidationError({"name": [f"{agency.name} already represents a talent named '{name}'."]})
        talent = Talent.objects.create(
            organization=agency, name=name, aliases=aliases, life_status=life_status, date_of_death=date_of_death,
            estate_name=(estate_name or "").strip()[:200], estate_contact=(estate_contact or "").strip()[:254],
            created_by=actor,
        )
        _write_name_keys(talent)
        audit.record(
            organization=agency, actor=actor, action="talent.created", target=talent,
            data={"name": name, "aliases": aliases, "life_status": life_status},
        )
    return talent


_UNSET = object()


def update_talent(
    *,
    actor: User,
    talent: Talent,
    name=_UNSET,
    aliases=_UNSET,
    life_status=_UNSET,
    date_of_death=_UNSET,
    estate_name=_UNSET,
    estate_contact=_UNSET,
) -> Talent:
    """Edit a talent (representing agency only). A talent who becomes deceased stops being covered by
    grants that were neither signed by the estate nor survive death: their uses are invalidated."""
    _require_agency_member(actor=actor, talent=talent, action="edit talent")
    with transaction.atomic():
        talent = Talent.objects.select_for_update().select_related("organization").get(pk=talent.pk)
        before = {
            "name": talent.name, "aliases": list(talent.aliases), "life_status": talent.life_status,
            "date_of_death": talent.date_of_death.isoformat() if talent.date_of_death else None,
            "estate_name": talent.estate_name, "estate_contact": talent.estate_contact,
        }
        new_name = talent.name if name is _UNSET else name
        new_aliases = talent.aliases if aliases is _UNSET else aliases
        new_name, new_aliases = _clean_names(name=new_name, aliases=new_aliases)
        new_life = talent.life_status if life_status is _UNSET else life_status
        new_death = talent.date_of_death if date_of_death is _UNSET else date_of_death
        if life_status is not _UNSET and new_life == Talent.LifeStatus.LIVING and date_of_death is _UNSET:
            new_death = None
        new_estate = talent.estate_name if estate_name is _UNSET else (estate_name or "").strip()[:200]
        _check_life(life_status=new_life, date_of_death=new_death, estate_name=new_estate)
        if new_name.lower() != talent.name.lower() and Talent.objects.filter(
            organization_id=talent.organization_id, name__iexact=new_name
        ).exclude(pk=talent.pk).exists():
            raise ValidationError({"name": [f"{talent.organization.name} already represents a talent named '{new_name}'."]})
        became_deceased = talent.life_status != Talent.LifeStatus.DECEASED and new_life == Talent.LifeStatus.DECEASED
        talent.name, talent.aliases, talent.life_status, talent.date_of_death = new_name, new_aliases, new_life, new_death
        talent.estate_name = new_estate
        if estate_contact is not _UNSET:
            talent.estate_contact = (estate_contact or "").strip()[:254]
        talent.save()
        _write_name_keys(talent)
        after = {
            "name": talent.name, "aliases": list(talent.aliases), "life_status": talent.life_status,
            "date_of_death": talent.date_of_death.isoformat() if talent.date_of_death else None,
            "estate_name": talent.estate_name, "estate_contact": talent.estate_contact,
        }
        changes = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
        if changes:
            audit.record(organization=talent.organization, actor=actor, action="talent.updated", target=talent, data={"changes": changes})
        if became_deceased:
            from rights.policy import _covers_deceased

            grants = ConsentGrant.objects.filter(
                talent=talent, state__in=[ConsentGrant.State.ACTIVE, ConsentGrant.State.SUSPENDED]
            ).select_related("talent__organization", "grantee", "project")
            for grant in grants:
                if not _covers_deceased(grant, talent):
                    on_grant_stopped_covering(
                        grant, cause="deceased", actor=actor,
                        reason=f"{talent.name} died and this grant was neither signed by the estate nor survives death.",
                    )
                    _publish_grant(grant, change="talent_deceased", previous=grant.state)
    return talent


def delete_talent(*, actor: User, talent: Talent) -> None:
    """Delete a talent registered by mistake. Refused once any grant or use exists (revoke grants instead)."""
    _require_agency_member(actor=actor, talent=talent, action="delete talent")
    with transaction.atomic():
        talent = Talent.objects.select_for_update().select_related("organization").get(pk=talent.pk)
        if ConsentGrant.objects.filter(talent=talent).exists() or LikenessUse.objects.filter(talent=talent).exists():
            raise Conflict(f"{talent.name} has consent grants or likeness uses on record, which must be kept; revoke the grants instead.")
        files = [a.file.name for a in talent.assets.all()]
        audit.record(organization=talent.organization, actor=actor, action="talent.deleted", target=talent, data={"name": talent.name})
        talent.delete()
        storage = LikenessAsset._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(f) for f in files])


# ---------------------------------------------------------------- likeness assets

def upload_asset(
    *, actor: User, talent: Talent, file: UploadedFile, kind: str = LikenessAsset.Kind.FACE, description: str = ""
) -> LikenessAsset:
    """Store a reference image of `talent` privately (PNG, JPEG or WebP, verified by decoding it)."""
    from PIL import Image, UnidentifiedImageError

    _require_agency_member(actor=actor, talent=talent, action="upload likeness assets")
    if kind not in LikenessAsset.Kind.values:
        raise ValidationError({"kind": [f"Use one of: {', '.join(LikenessAsset.Kind.values)}."]})
    if file is None:
        raise ValidationError({"file": ["Attach the image as multipart field 'file'."]})
    if file.size > MAX_ASSET_BYTES:
        raise ValidationError({"file": [f"The image is larger than {MAX_ASSET_BYTES // (1024 * 1024)} MB."]})
    if file.size == 0:
        raise ValidationError({"file": ["The file is empty."]})
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    try:
        file.seek(0)
        with Image.open(file) as image:
            fmt = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"file": ["This is not a readable image; upload a PNG, JPEG or WebP reference image."]})
    if fmt not in ASSET_FORMATS:
        raise ValidationError({"file": [f"{fmt} images are not accepted; upload PNG, JPEG or WebP."]})
    if width > MAX_ASSET_PIXELS or height > MAX_ASSET_PIXELS or width < 16 or height < 16:
        raise ValidationError({"file": [f"The image is {width}×{height}; use between 16 and {MAX_ASSET_PIXELS} pixels per side."]})
    file.seek(0)
    asset = LikenessAsset(
        id=uuid.uuid4(), talent=talent, kind=kind, description=(description or "").strip()[:500],
        storage_token=secrets.token_urlsafe(24), original_name=(getattr(file, "name", "") or "")[:255],
        content_type=ASSET_FORMATS[fmt], size_bytes=file.size, sha256=digest.hexdigest(), width=width, height=height,
        uploaded_by=actor,
    )
    ext = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}[fmt]
    with transaction.atomic():
        asset.file.save(f"asset.{ext}", file, save=False)
        storage, stored = asset.file.storage, asset.file.name
        try:
            asset.save(force_insert=True)
            audit.record(
                organization=talent.organization, actor=actor, action="likeness_asset.uploaded", target=asset,
                data={"talent": str(talent.pk), "kind": kind, "sha256": asset.sha256, "bytes": asset.size_bytes},
            )
        except Exception:
            storage.delete(stored)
            raise
    return asset


def delete_asset(*, actor: User, asset: LikenessAsset) -> None:
    talent = asset.talent
    _require_agency_member(actor=actor, talent=talent, action="delete likeness assets")
    with transaction.atomic():
        name = asset.file.name
        storage = asset.file.storage
        audit.record(
            organization=talent.organization, actor=actor, action="likeness_asset.deleted", target=asset,
            data={"talent": str(talent.pk), "sha256": asset.sha256},
        )
        asset.delete()
        transaction.on_commit(lambda: storage.delete(name))


# ---------------------------------------------------------------- grant terms

@dataclass
class GrantTerms:
    use_types: list[str]
    media: list[str]
    territories: list[str]
    valid_from: dt.datetime
    valid_until: dt.datetime
    intended_use: str
    content_restrictions: list[str]
    content_restrictions_note: str
    requires_per_use_approval: bool


def _clean_terms(
    *,
    use_types,
    media,
    territories,
    valid_from,
    valid_until,
    intended_use,
    content_restrictions,
    content_restrictions_note,
    requires_per_use_approval,
) -> GrantTerms:
    errors: dict[str, list[str]] = {}

    def choices(field: str, values, allowed: list[str], *, required: bool) -> list[str]:
        if values is None:
            values = []
        if not isinstance(values, list | tuple):
            errors[field] = [f"Send a list, e.g. [\"{allowed[0]}\"]."]
            return []
        out = []
        for value in values:
            if value not in allowed:
                errors[field] = [f"Unknown value '{value}'. Use any of: {', '.join(allowed)}."]
                return []
            if value not in out:
                out.append(value)
        if required and not out:
            errors[field] = [f"Name at least one, from: {', '.join(allowed)}."]
        return out

    use_types = choices("use_types", use_types, UseType.values, required=True)
    media = choices("media", media, Medium.values, required=True)
    content_restrictions = choices("content_restrictions", content_restrictions, ContentRestriction.values, required=False)
    clean_territories: list[str] = []
    if not isinstance(territories, list | tuple) or not territories:
        errors["territories"] = ["Name at least one territory: ISO 3166-1 alpha-2 codes such as US or FR, or WORLD."]
    else:
        for t in territories:
            code = str(t).strip().upper()
            if code != "WORLD" and code not in ISO_COUNTRIES:
                errors["territories"] = [f"'{t}' is not a territory; use ISO 3166-1 alpha-2 codes such as US or FR, or WORLD."]
                break
            if code not in clean_territories:
                clean_territories.append(code)
        if "WORLD" in clean_territories:
            clean_territories = ["WORLD"]
    if valid_from is None:
        errors["valid_from"] = ["Give the moment the grant starts (ISO 8601 with a time zone)."]
    if valid_until is None:
        errors["valid_until"] = ["Give the moment the grant ends; consent is never open-ended."]
    if valid_from is not None and valid_until is not None and valid_until <= valid_from:
        errors["valid_until"] = ["valid_until must be after valid_from."]
    text = (intended_use or "").strip()
    words = len(re.findall(r"\w+", text))
    blanket = BLANKET_PHRASES.search(text)
    if blanket:
        errors["intended_use"] = [
            f"The description reads as a blanket grant ('{blanket.group(0)}'); describe the reasonably specific intended use "
            "instead: which character, scenes or shots, and what the replica does."
        ]
    elif len(text) < MIN_INTENDED_USE_CHARS or words < MIN_INTENDED_USE_WORDS or VAGUE_USE.match(text):
        errors["intended_use"] = [
            "Describe the intended use reasonably specifically (at least "
            f"{MIN_INTENDED_USE_WORDS} words): which character, scenes or shots, and what the replica does "
            "— e.g. 'Digital replica of Ava Reyes as Mara in the harbour night exteriors of Moonrise (seq 010), "
            "no dialogue changes.' A grant without one is invalid."
        ]
    if not isinstance(requires_per_use_approval, bool):
        errors["requires_per_use_approval"] = ["Send true or false."]
    if errors:
        raise ValidationError(errors)
    return GrantTerms(
        use_types=use_types, media=media, territories=clean_territories, valid_from=valid_from, valid_until=valid_until,
        intended_use=text, content_restrictions=content_restrictions,
        content_restrictions_note=(content_restrictions_note or "").strip(), requires_per_use_approval=requires_per_use_approval,
    )


# ---------------------------------------------------------------- grant transitions

def request_grant(
    *,
    actor: User,
    talent: Talent,
    studio: Organization,
    project=None,
    use_types: list[str],
    media: list[str],
    territories: list[str],
    valid_until: dt.datetime | None,
    intended_use: str,
    valid_from: dt.datetime | None = None,
    content_restrictions: list[str] | None = None,
    content_restrictions_note: str = "",
    requires_per_use_approval: bool = True,
    note: str = "",
) -> ConsentGrant:
    """A studio asks the talent's agency for consent (state `pending`)."""
    require_membership(user=actor, organization=studio, roles=STUDIO_REQUEST_ROLES, action="request consent")
    if studio.kind != Organization.Kind.STUDIO:
        raise ValidationError({"studio": ["Only a studio requests consent grants."]})
    if project is not None and project.organization_id != studio.pk:
        raise ValidationError({"project": ["This project belongs to another studio."]})
    terms = _clean_terms(
        use_types=use_types, media=media, territories=territories, valid_from=valid_from or timezone.now(),
        valid_until=valid_until, intended_use=intended_use, content_restrictions=content_restrictions,
        content_restrictions_note=content_restrictions_note, requires_per_use_approval=requires_per_use_approval,
    )
    if terms.valid_until <= timezone.now():
        raise ValidationError({"valid_until": ["The requested term has already ended; pick a future end."]})
    with transaction.atomic():
        # One open request per talent, studio and project: lock the talent row so two clicks cannot race.
        Talent.objects.select_for_update().filter(pk=talent.pk).first()
        duplicate = ConsentGrant.objects.filter(talent=talent, grantee=studio, project=project, state=ConsentGrant.State.PENDING).first()
        if duplicate is not None:
            raise Conflict(
                f"{studio.name} already has a pending request for {talent.name} on this "
                f"{'project' if project else 'studio'} (grant {duplicate.pk}); wait for {talent.organization.name} to answer it."
            )
        grant = ConsentGrant.objects.create(
            talent=talent, grantee=studio, project=project, requested_by=actor, request_note=(note or "").strip(),
            state=ConsentGrant.State.PENDING, state_changed_at=timezone.now(), **terms.__dict__,
        )
        grant = ConsentGrant.objects.select_related("talent__organization", "grantee", "project").get(pk=grant.pk)
        _audit_both(grant=grant, actor=actor, action="consent.requested", data=_grant_audit_data(grant))
        _publish_grant(grant, change="requested")
    return grant


def _grant_audit_data(grant: ConsentGrant, **extra) -> dict:
    data = {
        "talent": {"id": str(grant.talent_id), "name": grant.talent.name},
        "studio": {"id": str(grant.grantee_id), "name": grant.grantee.name},
        "project": {"id": str(grant.project_id), "code": grant.project.code} if grant.project_id else None,
        "state": grant.state,
        "use_types": list(grant.use_types),
        "media": list(grant.media),
        "territories": list(grant.territories),
        "valid_from": grant.valid_from.isoformat(),
        "valid_until": grant.valid_until.isoformat(),
        "intended_use": grant.intended_use,
        "content_restrictions": list(grant.content_restrictions),
        "requires_per_use_approval": grant.requires_per_use_approval,
    }
    if grant.document_sha256:
        data["document_sha256"] = grant.document_sha256
        data["signed_at"] = grant.signed_at.isoformat() if grant.signed_at else None
        data["signed_by"] = grant.signed_by
        data["signer_capacity"] = grant.signer_capacity
        data["survives_death"] = grant.survives_death
    data.update(extra)
    return data


def grant_consent(
    *,
    actor: User,
    grant: ConsentGrant,
    document_sha256: str,
    signed_at: dt.datetime | None,
    signed_by: str,
    signer_capacity: str,
    survives_death: bool = False,
    terms: dict | None = None,
) -> ConsentGrant:
    """The agency grants a pending request, recording the signed instrument. It may narrow or set the
    terms (`terms`: any of use_types, media, territories, valid_from, valid_until, intended_use,
    content_restrictions, content_restrictions_note, requires_per_use_approval)."""
    _require_agency_member(actor=actor, talent=grant.talent, action="grant consent")
    errors: dict[str, list[str]] = {}
    digest = (document_sha256 or "").strip().lower()
    if not SHA256_HEX.match(digest):
        errors["document_sha256"] = ["Give the SHA-256 of the signed consent document: 64 hexadecimal characters."]
    now = timezone.now()
    if signed_at is None:
        errors["signed_at"] = ["Give when the consent document was signed."]
    elif signed_at > now + dt.timedelta(minutes=5):
        errors["signed_at"] = ["The signing time cannot be in the future."]
    if not (signed_by or "").strip():
        errors["signed_by"] = ["Give the name of the person who signed."]
    if signer_capacity not in ConsentGrant.SignerCapacity.values:
        errors["signer_capacity"] = [f"Use one of: {', '.join(ConsentGrant.SignerCapacity.values)}."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        grant = _lock_grant(grant)
        if conflict := transitions.grant_step_conflict(grant, "grant"):
            raise Conflict(conflict)
        talent = grant.talent
        if talent.is_deceased and signer_capacity not in ("estate", "union"):
            raise ValidationError({"signer_capacity": [
                f"{talent.name} is deceased: consent must be signed by the estate ({talent.estate_name}) or the union."
            ]})
        current = {f: getattr(grant, f) for f in GrantTerms.__dataclass_fields__}
        unknown = set(terms or {}) - set(current)
        if unknown:
            raise ValidationError({"terms": [f"Unknown terms {sorted(unknown)}; use any of {sorted(current)}."]})
        clean = _clean_terms(**{**current, **(terms or {})})
        if clean.valid_until <= now:
            raise ValidationError({"valid_until": ["The grant's term has already ended; set a future valid_until."]})
        changed = {k: v for k, v in clean.__dict__.items() if v != current[k]}
        for key, value in clean.__dict__.items():
            setattr(grant, key, value)
        grant.document_sha256 = digest
        grant.signed_at = signed_at
        grant.signed_by = signed_by.strip()[:200]
        grant.signer_capacity = signer_capacity
        grant.survives_death = bool(survives_death)
        grant.state = ConsentGrant.State.ACTIVE
        grant.state_changed_at = now
        grant.state_reason = ""
        grant.granted_by = actor
        grant.granted_at = now
        grant.save()
        _audit_both(
            grant=grant, actor=actor, action="consent.granted",
            data=_grant_audit_data(grant, previous_state="pending", changed_terms=sorted(changed)),
        )
        _publish_grant(grant, change="granted", previous="pending")
    return grant


@_retry_on_deadlock
def suspend_grant(*, actor: User, grant: ConsentGrant, reason: str) -> ConsentGrant:
    """Active → suspended (e.g. a strike suspension or a dispute hold). Uses stop being covered at once."""
    _require_agency_member(actor=actor, talent=grant.talent, action="suspend consent")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the grant is suspended; the studio sees it."]})
    with transaction.atomic():
        grant = _lock_grant(grant)
        if conflict := transitions.grant_step_conflict(grant, "suspend"):
            raise Conflict(conflict)
        _lock_uses(grant)
        previous = grant.state
        grant.state, grant.state_reason, grant.state_changed_at = ConsentGrant.State.SUSPENDED, reason, timezone.now()
        grant.save(update_fields=["state", "state_reason", "state_changed_at", "updated_at"])
        _audit_both(
            grant=grant, actor=actor, action="consent.suspended", data=_grant_audit_data(grant, previous_state=previous, reason=reason)
        )
        on_grant_stopped_covering(grant, cause="suspended", actor=actor, reason=f"{grant.talent.name}'s grant was suspended: {reason}")
        _publish_grant(grant, change="suspended", previous=previous, reason=reason)
    return grant


def resume_grant(*, actor: User, grant: ConsentGrant, note: str = "") -> ConsentGrant:
    """Suspended → active. Uses invalidated by the suspension whose render finished are restored."""
    _require_agency_member(actor=actor, talent=grant.talent, action="resume consent")
    with transaction.atomic():
        grant = _lock_grant(grant)
        now = timezone.now()
        if conflict := transitions.grant_step_conflict(grant, "resume") or transitions.grant_blocked(grant, "resume", now=now):
            raise Conflict(conflict)
        previous = grant.state
        grant.state, grant.state_reason, grant.state_changed_at = ConsentGrant.State.ACTIVE, (note or "").strip(), now
        grant.save(update_fields=["state", "state_reason", "state_changed_at", "updated_at"])
        restored = _restore_suspended_uses(grant)
        _audit_both(
            grant=grant, actor=actor, action="consent.resumed",
            data=_grant_audit_data(grant, previous_state=previous, note=grant.state_reason, restored_uses=[str(u.pk) for u in restored]),
        )
        if restored:
            signals.grant_resumed_covering.send(sender=ConsentGrant, grant=grant, uses=restored)
        _publish_grant(grant, change="resumed", previous=previous)
    return grant


@_retry_on_deadlock
def revoke_grant(*, actor: User, grant: ConsentGrant, reason: str) -> ConsentGrant:
    """Pending, active or suspended → revoked (from pending: the request is declined). Takes effect at once."""
    _require_agency_member(actor=actor, talent=grant.talent, action="revoke consent")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the grant is revoked; the studio sees it."]})
    with transaction.atomic():
        grant = _lock_grant(grant)
        if conflict := transitions.grant_step_conflict(grant, "revoke"):
            raise Conflict(conflict)
        _lock_uses(grant)
        previous = grant.state
        grant.state, grant.state_reason, grant.state_changed_at = ConsentGrant.State.REVOKED, reason, timezone.now()
        grant.save(update_fields=["state", "state_reason", "state_changed_at", "updated_at"])
        action = "consent.declined" if previous == ConsentGrant.State.PENDING else "consent.revoked"
        _audit_both(grant=grant, actor=actor, action=action, data=_grant_audit_data(grant, previous_state=previous, reason=reason))
        if previous != ConsentGrant.State.PENDING:
            on_grant_stopped_covering(grant, cause="revoked", actor=actor, reason=f"{grant.talent.name}'s grant was revoked: {reason}")
        _publish_grant(grant, change="declined" if previous == ConsentGrant.State.PENDING else "revoked", previous=previous, reason=reason)
    return grant


def expire_lapsed_grants(*, at: dt.datetime | None = None) -> list[ConsentGrant]:
    """Active or suspended grants whose valid_until has passed → expired (run periodically; the policy
    already treats them as expired from that moment, this records it and invalidates their uses)."""
    at = at or timezone.now()
    expired: list[ConsentGrant] = []
    ids = list(
        ConsentGrant.objects.filter(
            state__in=[ConsentGrant.State.ACTIVE, ConsentGrant.State.SUSPENDED], valid_until__lte=at
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        grant = _expire_one(pk=pk, at=at)
        if grant is not None:
            expired.append(grant)
    return expired


@_retry_on_deadlock
def _expire_one(*, pk, at: dt.datetime) -> ConsentGrant | None:
    with transaction.atomic():
        grant = ConsentGrant.objects.select_for_update(of=("self",)).select_related(
            "talent__organization", "grantee", "project"
        ).get(pk=pk)
        if grant.state not in (ConsentGrant.State.ACTIVE, ConsentGrant.State.SUSPENDED) or grant.valid_until > at:
            return None
        _lock_uses(grant)
        previous = grant.state
        grant.state, grant.state_changed_at = ConsentGrant.State.EXPIRED, at
        grant.state_reason = f"The term ended on {grant.valid_until.isoformat()}."
        grant.save(update_fields=["state", "state_reason", "state_changed_at", "updated_at"])
        _audit_both(
            grant=grant, actor=None, actor_label="system", action="consent.expired",
            data=_grant_audit_data(grant, previous_state=previous),
        )
        on_grant_stopped_covering(grant, cause="expired", actor=None, reason=f"{grant.talent.name}'s grant expired.")
        _publish_grant(grant, change="expired", previous=previous)
    return grant


# ---------------------------------------------------------------- the hook for jobs and versions

@dataclass(frozen=True)
class StoppedCovering:
    grant: ConsentGrant
    uses: list[LikenessUse]

    @property
    def job_ids(self) -> list[uuid.UUID]:
        return sorted({u.job_id for u in self.uses}, key=str)

    @property
    def version_ids(self) -> list[uuid.UUID]:
        return sorted({u.version_id for u in self.uses if u.version_id}, key=str)


def on_grant_stopped_covering(grant: ConsentGrant, *, cause: str, reason: str, actor=None) -> StoppedCovering:
    """`grant` no longer covers new or existing uses. Invalidates its pending and approved likeness
    uses (rejected ones stay rejected), audits it in both chains, publishes `consent.changed` to each
    affected project, and sends `rights.signals.grant_stopped_covering` in this transaction with the
    job and version ids, for the generation engine (cancel queued/running jobs) and the review app
    (quarantine versions). Call inside the transaction that changed the grant."""
    now = timezone.now()
    uses = list(
        LikenessUse.objects.select_for_update()
        .filter(grant=grant)
        .exclude(state=LikenessUse.State.REJECTED)
        .exclude(state=LikenessUse.State.INVALIDATED, invalidated_cause=cause)
    )
    for use in uses:
        if use.state != LikenessUse.State.INVALIDATED:
            use.state_before_invalidation = use.state
        use.state = LikenessUse.State.INVALIDATED
        use.invalidated_at, use.invalidated_reason, use.invalidated_cause = now, reason, cause
    if uses:
        LikenessUse.objects.bulk_update(
            uses, ["state", "state_before_invalidation", "invalidated_at", "invalidated_reason", "invalidated_cause", "updated_at"]
        )
    result = StoppedCovering(grant=grant, uses=uses)
    if uses:
        data = {
            "grant": str(grant.pk), "cause": cause, "reason": reason, "uses": [str(u.pk) for u in uses],
            "jobs": [str(j) for j in result.job_ids], "versions": [str(v) for v in result.version_ids],
        }
        _audit_both(grant=grant, actor=actor, actor_label="" if actor else "system", action="likeness_use.invalidated", data=data)
        by_project: dict = {}
        for use in uses:
            by_project.setdefault(use.project_id, []).append(use)
        for project_id, project_uses in by_project.items():
            publish(
                type="consent.changed", project_id=project_id, audience="internal",
                data={
                    "kind": "likeness_use", "change": "invalidated", "cause": cause, "reason": reason, "grant": str(grant.pk),
                    "uses": [str(u.pk) for u in project_uses],
                    "jobs": sorted({str(u.job_id) for u in project_uses}),
                    "versions": sorted({str(u.version_id) for u in project_uses if u.version_id}),
                },
            )
    signals.grant_stopped_covering.send(sender=ConsentGrant, grant=grant, cause=cause, result=result)
    return result


def _restore_suspended_uses(grant: ConsentGrant) -> list[LikenessUse]:
    """On resume: uses invalidated by the suspension come back to their earlier state when their
    render finished (a version exists); uses whose job was cancelled stay invalidated."""
    uses = list(
        LikenessUse.objects.select_for_update().filter(
            grant=grant, state=LikenessUse.State.INVALIDATED, invalidated_cause="suspended", version__isnull=False
        )
    )
    for use in uses:
        use.state = use.state_before_invalidation or LikenessUse.State.PENDING_REVIEW
        use.state_before_invalidation = ""
        use.invalidated_at, use.invalidated_reason, use.invalidated_cause = None, "", ""
    if uses:
        LikenessUse.objects.bulk_update(
            uses, ["state", "state_before_invalidation", "invalidated_at", "invalidated_reason", "invalidated_cause", "updated_at"]
        )
    return uses


# ---------------------------------------------------------------- likeness uses

def record_likeness_uses(
    *,
    decision: PolicyDecision,
    job_id: uuid.UUID,
    shot=None,
    version=None,
    actor: User | None = None,
) -> list[LikenessUse]:
    """Record one `LikenessUse` per covered talent of a permitted generation decision (idempotent per
    job and talent: a re-check at render time does not duplicate them). Uses of grants that need
    per-use approval start `pending_review`; the others start `approved`."""
    if not decision.permits or decision.purpose not in ("generation", "render"):
        raise ValueError("record_likeness_uses needs a permitting generation decision.")
    if not decision.covered:
        return []
    from projects.models import Project

    project = Project.objects.select_related("organization").get(pk=decision.project_id)
    if shot is not None and shot.project_id != project.pk:
        raise ValueError("The shot is not in the decision's project.")
    digest = decision.prompt_sha256
    out: list[LikenessUse] = []
    with transaction.atomic():
        existing = {u.talent_id: u for u in LikenessUse.objects.filter(job_id=job_id)}
        for coverage in decision.covered:
            if coverage.talent.pk in existing:
                out.append(existing[coverage.talent.pk])
                continue
            try:
                with transaction.atomic():
                    use = LikenessUse.objects.create(
                        talent=coverage.talent, grant=coverage.grant, studio=project.organization, project=project, shot=shot,
                        job_id=job_id, version=version, use_type=coverage.use_type, via=coverage.via,
                        prompt=decision.prompt, negative_prompt=decision.negative_prompt, prompt_sha256=digest,
                        requires_review=coverage.requires_agency_review,
                        state=LikenessUse.State.PENDING_REVIEW if coverage.requires_agency_review else LikenessUse.State.APPROVED,
                        created_by=actor,
                    )
            except IntegrityError:
                out.append(LikenessUse.objects.get(job_id=job_id, talent=coverage.talent))
                continue
            out.append(use)
            data = {
                "talent": {"id": str(coverage.talent.pk), "name": coverage.talent.name},
                "studio": {"id": str(project.organization_id), "name": project.organization.name},
                "project": {"id": str(project.pk), "code": project.code, "name": project.name},
                "shot": shot.code if shot is not None else None, "job_id": str(job_id), "grant": str(coverage.grant.pk),
                "use_type": coverage.use_type, "via": coverage.via, "state": use.state, "prompt_sha256": digest,
                "policy_version": decision.policy_version,
            }
            audit.record(organization=coverage.talent.organization, actor=actor, action="likeness_use.recorded", target=use, data=data)
            audit.record(organization=project.organization, actor=actor, action="likeness_use.recorded", target=use, data=data)
            publish(
                type="consent.changed", project_id=project.pk, audience="internal",
                data={"kind": "likeness_use", "change": "recorded", "use": str(use.pk), "talent": str(coverage.talent.pk),
                      "job_id": str(job_id), "state": use.state},
            )
    return out


def attach_version(*, job_id: uuid.UUID, version) -> int:
    """Link the version a job produced to the job's likeness uses. Returns how many were linked."""
    with transaction.atomic():
        uses = list(LikenessUse.objects.select_for_update().filter(job_id=job_id).select_related("talent__organization", "studio"))
        for use in uses:
            if use.project_id != version.project_id:
                raise ValueError("The version is not in the job's project.")
        if not uses:
            return 0
        LikenessUse.objects.filter(pk__in=[u.pk for u in uses]).update(version=version, updated_at=timezone.now())
        by_org: dict = {uses[0].studio_id: (uses[0].studio, [str(u.pk) for u in uses])}
        for use in uses:
            by_org.setdefault(use.talent.organization_id, (use.talent.organization, []))[1].append(str(use.pk))
        for org, use_ids in by_org.values():
            audit.record(
                organization=org, actor_label="system", action="likeness_use.version_attached",
                target_type="projects.version", target_id=str(version.pk), data={"job_id": str(job_id), "uses": use_ids},
            )
    return len(uses)


def decide_use(*, actor: User, use: LikenessUse, decision: str, note: str = "") -> LikenessUse:
    """The representing agency approves or rejects a use awaiting review (409 otherwise)."""
    if decision not in ("approve", "reject"):
        raise ValidationError({"decision": ["Use 'approve' or 'reject'."]})
    note = (note or "").strip()
    require_membership(user=actor, organization=use.talent.organization_id, roles=AGENCY_ROLES, action="decide likeness uses")
    if decision == "reject" and not note:
        raise ValidationError({"note": ["Say why the use is rejected; the studio sees it."]})
    with transaction.atomic():
        use = LikenessUse.objects.select_for_update(of=("self",)).select_related(
            "talent__organization", "studio", "project", "shot"
        ).get(pk=use.pk)
        if conflict := transitions.use_decision_conflict(use):
            raise Conflict(conflict)
        use.state = LikenessUse.State.APPROVED if decision == "approve" else LikenessUse.State.REJECTED
        use.decided_by, use.decided_at, use.decision_note = actor, timezone.now(), note
        use.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "updated_at"])
        data = {
            "decision": decision, "note": note, "talent": {"id": str(use.talent_id), "name": use.talent.name},
            "studio": {"id": str(use.studio_id), "name": use.studio.name},
            "project": {"id": str(use.project_id), "code": use.project.code},
            "shot": use.shot.code if use.shot_id else None, "job_id": str(use.job_id),
            "version": str(use.version_id) if use.version_id else None, "grant": str(use.grant_id),
        }
        action = "likeness_use.approved" if decision == "approve" else "likeness_use.rejected"
        audit.record(organization=use.talent.organization, actor=actor, action=action, target=use, data=data)
        audit.record(organization=use.studio, actor=actor, action=action, target=use, data=data)
        publish(
            type="consent.changed", project_id=use.project_id, audience="internal",
            data={"kind": "likeness_use", "change": use.state, "use": str(use.pk), "talent": str(use.talent_id),
                  "version": str(use.version_id) if use.version_id else None, "job_id": str(use.job_id), "note": note},
        )
        signals.likeness_use_decided.send(sender=LikenessUse, use=use, actor=actor, decision=decision, note=note)
    return use


def lock_job_uses(*, job_id: uuid.UUID) -> list[LikenessUse]:
    """Lock a job's likeness uses (call inside a transaction). A worker storing the job's version takes
    these locks *before* the job row, in the same order as a revocation (grant → uses → jobs →
    versions), so the two never deadlock."""
    return list(LikenessUse.objects.select_for_update(of=("self",)).filter(job_id=job_id).order_by("pk"))

