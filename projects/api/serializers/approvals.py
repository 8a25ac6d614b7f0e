"""Approval lanes, decisions and what the consent policy says about approving."""

from __future__ import annotations

from rest_framework import serializers

from projects import lanes
from projects.models import Approval, Version
from studio.actions import AllowedActionSerializer
from studio.tenancy.api.serializers import UserSummarySerializer


class DecisionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reviewer = UserSummarySerializer()
    decision = serializers.ChoiceField(choices=Approval.Decision.choices)
    note = serializers.CharField()
    decided_at = serializers.DateTimeField()


class LaneSerializer(serializers.Serializer):
    lane = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    state = serializers.ChoiceField(
        choices=[*Version.ApprovalStatus.choices, ("quarantined", "Quarantined")],
        help_text="quarantined: the agency lane only, when a grant stopped covering one of its uses.",
    )
    state_label = serializers.CharField(help_text="The state in words, the same everywhere (studio.vocabulary).")
    decisions = DecisionSerializer(many=True)


class ConsentReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="e.g. quarantined, awaiting_agency_review, revoked, expired, agency_rejected.")
    message = serializers.CharField()
    talent_id = serializers.CharField()
    talent = serializers.CharField()
    agency = serializers.CharField()
    via = serializers.CharField()
    grant_id = serializers.CharField(allow_null=True)


class ConsentStateSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=["allow", "needs_agency_review", "deny"], help_text="What the consent policy says about approving."
    )
    summary = serializers.CharField()
    reasons = ConsentReasonSerializer(many=True, help_text="Why approving is denied.")
    reviews = ConsentReasonSerializer(many=True, help_text="Agency reviews still awaited.")


class ApprovalSummarySerializer(serializers.Serializer):
    version = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Version.ApprovalStatus.choices)
    required_lanes = serializers.ListField(child=serializers.CharField())
    quarantined = serializers.BooleanField(help_text="A likeness grant stopped covering this version: no approval, export or delivery.")
    quarantine_reason = serializers.CharField()
    consent = ConsentStateSerializer()
    lanes = LaneSerializer(many=True)
    allowed_actions = AllowedActionSerializer(
        many=True, help_text="approve / request_changes in each lane for the caller, with the reason when not allowed."
    )


class ApprovalDecisionSerializer(serializers.Serializer):
    lane = serializers.CharField(help_text=f"One of: {', '.join(lanes.LANES)} (agency: the talent's agency, on versions using a likeness).")
    decision = serializers.ChoiceField(choices=Approval.Decision.choices)
    note = serializers.CharField(required=False, allow_blank=True, help_text="Required when requesting changes.")


