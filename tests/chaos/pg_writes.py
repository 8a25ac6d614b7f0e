"""Writes under PostgreSQL faults: writers, and the checks that nothing is half-written.

Writers post frame comments over HTTP to a real uvicorn process, as fast as one request at a time
each allows; every answer is recorded. A comment is one service call: the row, its audit event
and its realtime event commit together or not at all. The checks read the database directly (SQL),
so they work against the shared test database and against a private cluster alike.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import psycopg


@dataclass
class Writes:
    statuses: Counter = field(default_factory=Counter)
    created: list[str] = field(default_factory=list)  # ids of comments answered 201
    bad: list[str] = field(default_factory=list)  # anything but 201 or a 503 JSON answer
    timeline: list[tuple[float, int]] = field(default_factory=list)  # (monotonic time, status)

    def first_success_after(self, moment: float) -> float | None:
        later = [t for t, status in self.timeline if t > moment and status == 201]
        return min(later) - moment if later else None


async def write_comments(*, base: str, token: str, version_id, writers: int, stop: asyncio.Event, frame: int = 1001) -> Writes:
    out = Writes()

    async def writer(n: int) -> None:
        async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Token {token}"}, timeout=30) as http:
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    response = await http.post(f"/api/v1/versions/{version_id}/comments/",
                                               json={"body": f"writer {n} note {i}", "frame": frame + (i % 40)})
                except httpx.HTTPError as exc:
                    out.bad.append(f"transport: {exc!r}")
                    continue
                out.statuses[response.status_code] += 1
                out.timeline.append((time.monotonic(), response.status_code))
                if response.status_code == 201:
                    out.created.append(response.json()["id"])
                elif response.status_code == 503 and response.headers.get("content-type", "").startswith("application/json") \
                        and response.json().get("error") == "service_unavailable" and response.headers.get("Retry-After"):
                    await asyncio.sleep(0.1)
                else:
                    out.bad.append(f"{response.status_code}: {response.text[:300]}")

    await asyncio.gather(*(writer(n) for n in range(writers)))
    return out


def terminate_backends(dsn: str, *, keep: set[int] = frozenset()) -> int:
    """pg_terminate_backend every other session on the database (the app's pooled connections)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                            "AND backend_type = 'client backend'")
        pids = [row[0] for row in rows if row[0] not in keep]
        for pid in pids:
            conn.execute("SELECT pg_terminate_backend(%s)", [pid])
    return len(pids)


def check_nothing_half_written(dsn: str, *, version_id, project_id, writes: Writes) -> dict:
    """Every answered comment exists with its audit and realtime events; nothing else was written;
    the project's event numbers have no gap."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        comments = {str(r[0]) for r in conn.execute("SELECT id FROM projects_comment WHERE version_id = %s", [str(version_id)])}
        audited = Counter(r[0] for r in conn.execute(
            "SELECT target_id FROM audit_auditevent WHERE action = 'comment.created' AND target_id = ANY(%s)", [list(comments)]))
        events = Counter(r[0] for r in conn.execute(
            "SELECT data->>'id' FROM realtime_event WHERE stream_id = %s AND type = 'comment.created'", [str(project_id)]))
        seqs = [r[0] for r in conn.execute("SELECT seq FROM realtime_event WHERE stream_id = %s ORDER BY seq", [str(project_id)])]
        counter = conn.execute("SELECT last_seq FROM realtime_eventcounter WHERE stream_id = %s", [str(project_id)]).fetchone()
    assert set(writes.created) <= comments, set(writes.created) - comments
    extra = comments - set(writes.created)
    assert not extra, f"{len(extra)} comments exist that no 201 announced (a 503 after commit?)"
    assert all(audited[c] == 1 for c in comments), "a comment without exactly one audit event"
    assert all(events[c] == 1 for c in comments) and set(events) == comments, "a comment without exactly one event"
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else True, "a gap in the event numbers"
    assert counter is None or counter[0] == (seqs[-1] if seqs else 0)
    return {"comments": len(comments), "events": len(seqs)}
