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


def verify_against_checkpoint(*, chain: str) -> BrokenLink | None:
    """Compare the chain with its latest checkpoint outside the database (studio/audit/checkpoints.py):
    a missing tail, a rewritten chain or a checkpoint that does not verify is a broken link."""
    from studio.audit import checkpoints

    found = checkpoints.latest_checkpoint(chain=chain)
    if found is None:
        return None  # not checkpointed yet
    checkpoint, problem = found
    if checkpoint is None:
        return BrokenLink(chain, 0, 0, problem or "checkpoint does not verify")
    head = AuditEvent.objects.filter(chain=chain).order_by("-seq").values("seq").first()
    last = head["seq"] if head else 0
    if last < checkpoint.seq:
        gone = checkpoint.seq - last
        return BrokenLink(
            chain, last + 1, 0,
            f"missing tail: the checkpoint of {checkpoint.at} records event {checkpoint.seq}, but the chain ends at "
            f"{last} ({gone} {'event' if gone == 1 else 'events'} gone)",
        )
    event = AuditEvent.objects.filter(chain=chain, seq=checkpoint.seq).values("id", "hash").first()
    if event["hash"] != checkpoint.hash:
        return BrokenLink(chain, checkpoint.seq, event["id"],
                          f"event {checkpoint.seq} does not match the checkpoint of {checkpoint.at} (the chain was rewritten)")
    return None


def all_chains() -> list[str]:
    return list(AuditEvent.objects.order_by("chain").values_list("chain", flat=True).distinct())


def verify_all() -> tuple[int, list[BrokenLink]]:
    """Every chain in the database or in the checkpoints: its links, then its latest checkpoint."""
    from studio.audit import checkpoints

    chains = sorted(set(all_chains()) | set(checkpoints.checkpointed_chains()))
    broken = [
        link for chain in chains
        if (link := verify_chain(chain=chain) or verify_against_checkpoint(chain=chain)) is not None
    ]
    return len(chains), broken
