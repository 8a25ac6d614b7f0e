"""`allowed_actions`: what the caller may do to a row, and why not, in the caller's terms.

API responses for rows people act on (versions, likeness uses, consent grants) carry a list of
`{action, lane, allowed, code, reason}`, so the browser shows the buttons the server would accept
and says why the others are not there, instead of copying the server's rules. Each app computes its
actions in its selectors from the same rule functions its services enforce.

`code` says why an action is not allowed (empty when it is):
- `not_permitted` — not this person's to do (their role or organization): the request would be a 403;
- `not_applicable` — the row's state has no such step (already decided, already revoked): a 409;
- `blocked` — it would be this person's step, but something must happen first (the media is still
  processing, the term ended): a 409 until that changes. Screens show these disabled, with the reason.

The consent policy is not part of it: it is decided when the request is made, and the approval
summary's `consent` block says what it would answer now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Manager
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

NOT_PERMITTED = "not_permitted"
NOT_APPLICABLE = "not_applicable"
BLOCKED = "blocked"
CODES = (NOT_PERMITTED, NOT_APPLICABLE, BLOCKED)


@dataclass(frozen=True)
class Action:
    action: str
    allowed: bool
    code: str = ""
    reason: str = ""
    lane: str | None = None

    def as_dict(self) -> dict:
        return {"action": self.action, "lane": self.lane, "allowed": self.allowed, "code": self.code, "reason": self.reason}


def allow(action: str, *, lane: str | None = None) -> Action:
    return Action(action=action, allowed=True, lane=lane)


def refuse(action: str, *, code: str, reason: str, lane: str | None = None) -> Action:
    if code not in CODES:
        raise ValueError(f"code must be one of {CODES}, not {code!r}")
    return Action(action=action, allowed=False, code=code, reason=reason, lane=lane)


def first_refusal(action: str, checks: Iterable[tuple[str, str | None]], *, lane: str | None = None) -> Action:
    """The action, refused with the first (code, reason) whose reason is set; allowed when none is."""
    for code, reason in checks:
        if reason:
            return refuse(action, code=code, reason=reason, lane=lane)
    return allow(action, lane=lane)


class AllowedActionSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="e.g. approve, request_changes, comment, grant, suspend, revoke.")
    lane = serializers.CharField(allow_null=True, help_text="For approval decisions: the lane (producer, client, agency).")
    allowed = serializers.BooleanField()
    code = serializers.ChoiceField(
        choices=["", *CODES], allow_blank=True,
        help_text="Why not: not_permitted (not yours to do), not_applicable (no such step from this state), "
        "blocked (yours, once something else has happened). Empty when allowed.",
    )
    reason = serializers.CharField(allow_blank=True, help_text="Why not, in words for the person; empty when allowed.")


ACTIONS_CONTEXT_KEY = "allowed_actions"


class ActionsListSerializer(serializers.ListSerializer):
    """Computes every row's actions in one pass (a few queries for the whole list, not per row)."""

    def to_representation(self, data):
        rows = list(data.all() if isinstance(data, Manager) else data)
        self._context = {**getattr(self, "_context", {}), ACTIONS_CONTEXT_KEY: self.child.actions_for(rows)}
        return super().to_representation(rows)


class WithAllowedActions:
    """Serializer mixin: declare `allowed_actions = serializers.SerializerMethodField()`, set
    `Meta.list_serializer_class = ActionsListSerializer`, and implement
    `compute_actions(rows, context) -> {pk: [Action]}` (one pass for any number of rows)."""

    def compute_actions(self, rows: list, context: dict) -> dict:
        raise NotImplementedError

    def actions_for(self, rows: list) -> dict:
        return self.compute_actions(rows, self.context) if rows else {}

    @extend_schema_field(AllowedActionSerializer(many=True))
    def get_allowed_actions(self, obj) -> list[dict]:
        computed = self.context.get(ACTIONS_CONTEXT_KEY)
        if computed is None or obj.pk not in computed:
            computed = self.actions_for([obj])
        return [action.as_dict() for action in computed.get(obj.pk, [])]
