"""Part of bench_scale.py (`BENCH_ONLY=kept`): the full shot list of the 2,000-shot show rendered
right after a change, with the studio rows kept (`ShotListRow`, projects/models_shot_rows.py) and with
every row built every time (`SHOT_LIST_KEPT_ROWS=False`, the path before), in alternation so both see
the same machine load; then the database alone (EXPLAIN ANALYZE's execution time of the list's
statement, less sensitive to the load than the whole request).

Cases: the project's change counter moved but no row changed (what most changes do to 1,999 of the
2,000 rows); one shot changed (its kept row is rebuilt and written back each round); every kept row
stale (the first list after a deploy that changes the row's shape, or after a bulk change).
"""

from __future__ import annotations

import statistics
import time

from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from projects.models import Shot, ShotListRow
from studio.realtime.models import EventCounter

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def _line(label: str, timings: list[float], queries: int) -> None:
    print(
        f"  {label:<66} n={len(timings):<3} p50={statistics.median(timings):7.1f} ms  min={min(timings):7.1f} ms"
        f"  p90={sorted(timings)[int(0.9 * (len(timings) - 1))]:7.1f} ms  queries={queries}",
        flush=True,
    )


def bench_kept_rows(show: dict, *, rounds: int) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Token {show['key']}")
    project, shots = show["project"], show["shots"]
    url = f"/api/v1/projects/{project.id}/shots/"
    EventCounter.objects.get_or_create(stream_id=project.pk)
    turn = {"n": 0}

    def changed():
        EventCounter.objects.filter(stream_id=project.pk).update(last_seq=F("last_seq") + 1)

    def one_shot_changed():
        turn["n"] += 1
        shot = shots[turn["n"] % len(shots)]
        Shot.objects.filter(pk=shot.pk).update(status="review" if turn["n"] % 2 else "in_progress")
        changed()

    def all_stale():
        ShotListRow.objects.filter(shot__project=project).delete()
        changed()

    def listed():
        return client.get(url, {"page_size": "all"}, **GZIP)

    print(f"  the full list right after a change, kept rows against every row built (alternating, {rounds} rounds each):", flush=True)
    for label, prepare in (("no row changed", changed), ("one shot changed", one_shot_changed), ("every kept row stale", all_stale)):
        timings, queries = {True: [], False: []}, {True: 0, False: 0}
        for kept in (True, False):  # warm-up, and the kept rows written
            with override_settings(SHOT_LIST_KEPT_ROWS=kept):
                listed()
        for i in range(rounds):
            for kept in (True, False) if i % 2 else (False, True):
                with override_settings(SHOT_LIST_KEPT_ROWS=kept):
                    prepare()
                    with CaptureQueriesContext(connection) as captured:
                        started = time.perf_counter()
                        response = listed()
                        timings[kept].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.content[:300]
                    queries[kept] = max(queries[kept], len(captured.captured_queries))
        _line(f"{label}: kept rows", timings[True], queries[True])
        _line(f"{label}: every row built (before)", timings[False], queries[False])
        paired = [kept - built for kept, built in zip(timings[True], timings[False], strict=True)]  # same round, back to back
        print(
            f"    paired (kept − built, the same round): median {statistics.median(paired):+.1f} ms;"
            f" kept faster in {sum(d < 0 for d in paired)} of {rounds}",
            flush=True,
        )
    bench_database_only(listed, changed, rounds=rounds)


def bench_database_only(listed, changed, *, rounds: int) -> None:
    """EXPLAIN (ANALYZE, TIMING OFF) of the list's statement, both ways, alternating, rolled back."""
    statements = {}
    for kept in (True, False):
        with override_settings(SHOT_LIST_KEPT_ROWS=kept), CaptureQueriesContext(connection) as captured:
            changed()
            listed()
        statements[kept] = max((q["sql"] for q in captured.captured_queries), key=len)
    executions, planning = {True: [], False: []}, {True: [], False: []}
    for i in range(rounds):
        for kept in (True, False) if i % 2 else (False, True):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, TIMING OFF) " + statements[kept])
                lines = [row[0] for row in cursor.fetchall()]
                transaction.set_rollback(True)
            executions[kept].append(float(next(x for x in lines if x.startswith("Execution Time")).split()[2]))
            planning[kept].append(float(next(x for x in lines if x.startswith("Planning Time")).split()[2]))
    print("  the database alone (EXPLAIN ANALYZE, no row changed):", flush=True)
    for kept, label in ((True, "kept rows"), (False, "every row built (before)")):
        print(
            f"    {label:<30} execution p50={statistics.median(executions[kept]):6.1f} ms  min={min(executions[kept]):6.1f} ms"
            f"   planning p50={statistics.median(planning[kept]):5.1f} ms",
            flush=True,
        )
