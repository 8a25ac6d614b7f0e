"""Reads of the audit log, including chain verification."""

from __future__ import annotations

from dataclasses import dataclass

from studio.audit.models import GENESIS_HASH, AuditEvent
from studio.audit.services import event_hash


@dataclass(frozen=True)
class BrokenLink:
    chain: str
    seq: int
    event_id: int
    problem: str


def verify_chain(*, chain: str) -> BrokenLink | None:
    """Walk one chain in order; return the first broken link, or None when intact."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for event in AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return BrokenLink(chain, event.seq, event.id, f"sequence gap: expected {expected_seq}, found {event.seq}")
        if event.prev_hash != expected_prev:
            return BrokenLink(chain, event.seq, event.id, "prev_hash does not match the previous event's hash")
        if event_hash(event) != event.hash:
            return BrokenLink(chain, event.seq, event.id, "content does not match its hash (the row was altered)")
        expected_prev = event.hash
        expected_seq += 1
    return None


def all_chains() -> list[str]:
    return list(AuditEvent.objects.order_by("chain").values_list("chain", flat=True).distinct())


def verify_all() -> tuple[int, list[BrokenLink]]:
    chains = all_chains()
    broken = [link for chain in chains if (link := verify_chain(chain=chain)) is not None]
    return len(chains), broken
