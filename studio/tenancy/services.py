"""Writes for tenancy: sign-in, tokens, organizations and memberships. Each one audits."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import authenticate, logout
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from rest_framework.exceptions import AuthenticationFailed, NotFound, PermissionDenied, ValidationError

from studio.audit import services as audit
from studio.realtime.publish import recheck_access
from studio.tenancy import throttling
from studio.tenancy.models import (
    MANAGER_ROLES,
    ROLES_BY_KIND,
    ApiToken,
    Membership,
    Organization,
    Role,
    User,
)
from studio.tenancy.selectors import require_membership

TOKEN_PREFIX = "glt_"


def hash_token_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- sign-in

def authenticate_credentials(*, email: str, password: str, address: str, request=None, channel: str) -> User:
    """Check email and password with throttling; audit success and failure. Returns the user.

    The attempt is counted before the password is checked (`throttling.count_attempt`, atomic), so
    parallel guesses cannot all slip under the limit."""
    email = (email or "").strip().lower()
    throttling.count_attempt(email=email, address=address)
    user = authenticate(request, email=email, password=password)
    if user is None or not user.is_active:
        known = User.objects.filter(email__iexact=email).first()
        with transaction.atomic():
            if known is not None:
                audit.record_for_user(
                    user=known, actor=known, action="auth.login_failed", data={"channel": channel, "address": address}
                )
            else:
                audit.record(
                    organization=None,
                    actor_label=email[:254] or "(empty)",
                    action="auth.login_failed",
                    data={"channel": channel, "address": address, "unknown_account": True},
                )
        raise AuthenticationFailed("Email or password is incorrect.")
    throttling.succeeded(email=email, address=address)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
        audit.record_for_user(user=user, action="auth.login", data={"channel": channel, "address": address})
    return user


def sign_out(*, request) -> None:
    """End the browser session: audit, forget the session, and close the sockets it opened (after commit)."""
    user = request.user
    with transaction.atomic():
        if getattr(user, "is_authenticated", False):
            audit.record_for_user(user=user, action="auth.logout")
            recheck_access(user_id=user.pk)  # sockets of this session fail the re-check; others stay
        logout(request)


# ---------------------------------------------------------------- tokens

def create_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal token. Returns the row and the key, which is never retrievable again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Give the token a name, e.g. 'render farm script'."]})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:100], prefix=key[:12], key_hash=hash_token_key(key))
        audit.record_for_user(user=user, action="token.created", target=token, data={"name": token.name, "prefix": token.prefix})
    return token, key


def revoke_token(*, user: User, token: ApiToken) -> ApiToken:
    if token.user_id != user.pk:
        raise NotFound("Not found.")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update(no_key=True).get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record_for_user(user=user, action="token.revoked", target=token, data={"name": token.name, "prefix": token.prefix})
            recheck_access(user_id=user.pk)  # the token's open sockets close at once
    return token


# ---------------------------------------------------------------- organizations and members

def create_organization(*, name: str, kind: str, owner: User, slug: str | None = None) -> Organization:
    if kind not in Organization.Kind.values:
        raise ValidationError({"kind": [f"Use one of: {', '.join(Organization.Kind.values)}."]})
    slug = slugify(slug or name)[:80]
    if not slug:
        raise ValidationError({"name": ["The name needs at least one letter or digit."]})
    with transaction.atomic():
        org = Organization.objects.create(name=name, kind=kind, slug=slug)
        membership = Membership.objects.create(user=owner, organization=org, role=Role.OWNER)
        audit.record(organization=org, actor=owner, action="organization.created", target=org, data={"name": name, "kind": kind})
        audit.record(
            organization=org, actor=owner, action="membership.created", target=membership,
            data={"user": owner.email, "role": Role.OWNER},
        )
    return org


def _check_role_for(org: Organization, role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": [f"Unknown role '{role}'. Use one of: {', '.join(Role.values)}."]})
    if role not in ROLES_BY_KIND[org.kind]:
        allowed = ", ".join(sorted(ROLES_BY_KIND[org.kind]))
        raise ValidationError({"role": [f"A {org.kind} has no '{role}' role. Use one of: {allowed}."]})


def add_member(*, actor: User, organization: Organization, email: str, role: str) -> Membership:
    require_membership(user=actor, organization=organization, roles=MANAGER_ROLES, action="manage members")
    _check_role_for(organization, role)
    if role == Role.OWNER and not Membership.objects.filter(user=actor, organization=organization, role=Role.OWNER).exists():
        raise PermissionDenied("Only an owner may make someone an owner.")
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        raise ValidationError({"email": ["No Greenlight account has this email; ask them to sign up first."]})
    with transaction.atomic():
        if Membership.objects.filter(user=user, organization=organization).exists():
            raise ValidationError({"email": [f"{user.email} is already a member; change their role instead."]})
        membership = Membership.objects.create(user=user, organization=organization, role=role)
        audit.record(
            organization=organization, actor=actor, action="membership.created", target=membership,
            data={"user": user.email, "role": role},
        )
    return membership


def _ensure_an_owner_remains(membership: Membership, new_role: str | None) -> None:
    if membership.role == Role.OWNER and new_role != Role.OWNER:
        owners = Membership.objects.filter(organization=membership.organization, role=Role.OWNER).count()
        if owners <= 1:
            raise ValidationError({"role": ["An organization needs at least one owner; appoint another owner first."]})


def change_member_role(*, actor: User, membership: Membership, role: str) -> Membership:
    organization = membership.organization
    actor_membership = require_membership(user=actor, organization=organization, roles=MANAGER_ROLES, action="manage members")
    _check_role_for(organization, role)
    if Role.OWNER in (role, membership.role) and actor_membership.role != Role.OWNER:
        raise PermissionDenied("Only an owner may grant or remove the owner role.")
    with transaction.atomic():
        membership = Membership.objects.select_for_update(no_key=True).get(pk=membership.pk)
        _ensure_an_owner_remains(membership, role)
        old = membership.role
        if old != role:
            membership.role = role
            membership.save(update_fields=["role"])
            audit.record(
                organization=organization, actor=actor, action="membership.role_changed", target=membership,
                data={"user": membership.user.email, "from": old, "to": role},
            )
            recheck_access(user_id=membership.user_id)  # e.g. to a client reviewer: their sockets narrow or close
    return membership


def remove_member(*, actor: User, membership: Membership) -> None:
    organization = membership.organization
    actor_membership = require_membership(user=actor, organization=organization, roles=MANAGER_ROLES, action="manage members")
    if membership.role == Role.OWNER and actor_membership.role != Role.OWNER:
        raise PermissionDenied("Only an owner may remove an owner.")
    with transaction.atomic():
        membership = Membership.objects.select_for_update(no_key=True).get(pk=membership.pk)
        _ensure_an_owner_remains(membership, None)
        audit.record(
            organization=organization, actor=actor, action="membership.removed", target=membership,
            data={"user": membership.user.email, "role": membership.role},
        )
        membership.delete()
        recheck_access(user_id=membership.user_id)  # their sockets on the organization's projects close at once
