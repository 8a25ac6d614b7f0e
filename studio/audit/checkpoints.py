"""Anchoring the audit chains outside the database: keyed checkpoints of each chain's head.

The chain proves that no row was altered or removed *inside* it, but a truncated tail (the newest
events deleted, by `TRUNCATE` or by someone owning the table) leaves a shorter chain that still
verifies. So, periodically (Celery beat, `studio.audit.tasks.checkpoint_audit_chains`, every
`AUDIT_CHECKPOINT_SECONDS`), the head of each chain — its sequence number and hash — is written to
the media store (`default_storage`: the local media folder or the S3 bucket, outside PostgreSQL),
under `audit-checkpoints/<chain>/`, with an HMAC-SHA256 over it keyed by a server secret
(`AUDIT_CHECKPOINT_KEY`, by default derived from `SECRET_KEY`). Somebody who can write the
database but not the store or the secret cannot make a shortened chain match its checkpoint.

`python manage.py verify_audit` checks each chain against its latest checkpoint: a chain that ends
before the checkpointed sequence number (a missing tail), a chain whose event at that number has
another hash (a rewritten chain), a checkpointed chain that is gone, or a checkpoint whose HMAC does
not verify are all reported as broken. The media sweeper never touches this folder.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Max

from studio.audit.models import AuditEvent

FOLDER = "audit-checkpoints"
_SAFE_CHAIN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Checkpoint:
    chain: str
    seq: int
    hash: str
    at: str  # when it was written (UTC, ISO 8601)
    name: str = ""  # where it is stored

    def payload(self) -> dict:
        return {"chain": self.chain, "seq": self.seq, "hash": self.hash, "at": self.at}


def _key() -> bytes:
    configured = getattr(settings, "AUDIT_CHECKPOINT_KEY", "") or ""
    if configured:
        return configured.encode()
    # A key of its own, derived from SECRET_KEY, so the checkpoint MAC is not reusable elsewhere.
    return hmac.new(settings.SECRET_KEY.encode(), b"greenlight audit checkpoint", hashlib.sha256).digest()


def sign(payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hmac.new(_key(), canonical.encode(), hashlib.sha256).hexdigest()


def _folder(chain: str) -> str:
    if not _SAFE_CHAIN.match(chain):
        raise ValueError(f"Unexpected audit chain name {chain!r}.")
    return f"{FOLDER}/{chain}"


def heads() -> dict[str, tuple[int, str]]:
    """chain -> (seq, hash) of its newest event."""
    last = AuditEvent.objects.values("chain").annotate(seq=Max("seq"))
    rows = AuditEvent.objects.filter(chain__in=[r["chain"] for r in last]).values_list("chain", "seq", "hash")
    wanted = {r["chain"]: r["seq"] for r in last}
    return {chain: (seq, digest) for chain, seq, digest in rows if wanted.get(chain) == seq}


def write_checkpoints(*, now: datetime.datetime | None = None) -> list[Checkpoint]:
    """Write a checkpoint for each chain whose head moved since its latest checkpoint. Returns them."""
    now = now or datetime.datetime.now(datetime.UTC)
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    written = []
    for chain, (seq, digest) in sorted(heads().items()):
        latest = latest_checkpoint(chain=chain)
        if latest is not None and latest[0] is not None and latest[0].seq == seq and latest[0].hash == digest:
            continue
        checkpoint = Checkpoint(chain=chain, seq=seq, hash=digest, at=now.astimezone(datetime.UTC).isoformat())
        body = {**checkpoint.payload(), "hmac": sign(checkpoint.payload())}
        name = default_storage.save(f"{_folder(chain)}/{stamp}-{seq:012d}.json", ContentFile(json.dumps(body).encode()))
        written.append(Checkpoint(**checkpoint.payload(), name=name))
    return written


def checkpointed_chains() -> list[str]:
    if not default_storage.exists(FOLDER):
        return []
    folders, _files = default_storage.listdir(FOLDER)
    return sorted(f for f in folders if _SAFE_CHAIN.match(f))


def latest_checkpoint(*, chain: str) -> tuple[Checkpoint | None, str | None] | None:
    """(checkpoint, None) for the newest checkpoint of `chain`; (None, problem) when it does not
    verify; None when the chain has none. Names sort by time, so the newest is the last."""
    folder = _folder(chain)
    if not default_storage.exists(folder):
        return None
    _dirs, files = default_storage.listdir(folder)
    names = sorted(f for f in files if f.endswith(".json"))
    if not names:
        return None
    name = f"{folder}/{names[-1]}"
    try:
        with default_storage.open(name, "rb") as fh:
            body = json.loads(fh.read())
        checkpoint = Checkpoint(chain=body["chain"], seq=int(body["seq"]), hash=body["hash"], at=body["at"], name=name)
    except (OSError, ValueError, KeyError, TypeError):
        return None, f"checkpoint {name} is unreadable"
    if checkpoint.chain != chain or not hmac.compare_digest(str(body.get("hmac", "")), sign(checkpoint.payload())):
        return None, f"checkpoint {name} does not verify (its HMAC is wrong: altered, or written without the server's key)"
    return checkpoint, None
