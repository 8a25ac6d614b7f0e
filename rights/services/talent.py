"""Talent: the people an agency represents, their names and aliases (for the name guard), life status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from rights import names
from rights.models import ConsentGrant, LikenessAsset, LikenessUse, Talent, TalentNameKey
from rights.services._common import AGENCY_ROLES, _publish_grant, _require_agency_member
from rights.services.uses import on_grant_stopped_covering
from studio.audit import services as audit
from studio.exceptions import Conflict
from studio.tenancy.models import Organization, User
from studio.tenancy.selectors import require_membership

MAX_ALIASES = 20


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
        talent = Talent.objects.select_for_update(of=("self",), no_key=True).select_related("organization").get(pk=talent.pk)
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
            from rights.policy._grants import _covers_deceased

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
        talent = Talent.objects.select_for_update(of=("self",), no_key=True).select_related("organization").get(pk=talent.pk)
        if ConsentGrant.objects.filter(talent=talent).exists() or LikenessUse.objects.filter(talent=talent).exists():
            raise Conflict(f"{talent.name} has consent grants or likeness uses on record, which must be kept; revoke the grants instead.")
        files = [a.file.name for a in talent.assets.all()]
        audit.record(organization=talent.organization, actor=actor, action="talent.deleted", target=talent, data={"name": talent.name})
        talent.delete()
        storage = LikenessAsset._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(f) for f in files])
