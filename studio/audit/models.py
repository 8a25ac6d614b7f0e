"""The append-only, hash-chained audit log.

One chain per organization (and one `platform` chain for events that belong to no organization,
such as a failed login for an unknown address). Each row stores
`hash = sha256(prev_hash + canonical_json(row))`; the first row of a chain has 64 zeros as its
previous hash. PostgreSQL triggers refuse UPDATE and DELETE (see migration 0001).
"""

from __future__ import annotations

from django.db import models

GENESIS_HASH = "0" * 64
PLATFORM_CHAIN = "platform"


class AuditEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    chain = models.CharField(max_length=64, help_text="The organization id, or 'platform'.")
    seq = models.BigIntegerField()
    organization = models.ForeignKey(
        "tenancy.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField()
    # The actor is kept as plain values, not a foreign key: history outlives accounts.
    actor_id = models.UUIDField(null=True, blank=True)
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=100)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=100, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]
        indexes = [models.Index(fields=["organization", "-occurred_at"], name="audit_org_time")]
        ordering = ["chain", "seq"]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"
