from rest_framework import serializers

from studio.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id", "organization", "seq", "occurred_at", "actor_id", "actor_label", "action",
            "target_type", "target_id", "data", "prev_hash", "hash",
        ]
        read_only_fields = fields
