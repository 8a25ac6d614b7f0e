"""Row locks that do not block other writers' foreign-key checks.

A service locks the rows it changes with `select_for_update(no_key=True)` (FOR NO KEY UPDATE), and
with `of=("self",)` when the query joins other tables (`select_related`): a plain FOR UPDATE, and
any lock on the joined project or organization row, conflicts with the FOR KEY SHARE lock that
PostgreSQL takes on a referenced row when a transaction that inserted a row pointing at it commits
(the foreign keys are deferred). With the audit chain's lock taken in between, two such
transactions deadlocked in CI: one locked a version with its organization (FOR UPDATE) and waited
for the audit lock; the other held the audit lock and, committing a new API token of that
organization, waited for the organization row.

The first tests read the source (ast) and fail on a lock that breaks the rule; the last shows the
difference on the real PostgreSQL.
"""

from __future__ import annotations

import ast
import threading
from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction

ROOT = Path(__file__).resolve().parents[2]
APPS = ("studio", "projects", "rights", "generation", "notifications")


def _chain(node: ast.AST) -> list[ast.Call]:
    """The method calls of one chain `a.b(...).c(...).d(...)`, outermost first."""
    calls = []
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        calls.append(node)
        node = node.func.value
    return calls


def lock_problems(source: str) -> list[str]:
    """Every select_for_update in the source that breaks the rule, as "line: why"."""
    tree = ast.parse(source)
    inner = {id(call) for node in ast.walk(tree) for call in _chain(node)[1:]}
    problems = []
    for node in ast.walk(tree):
        calls = _chain(node)
        if not calls or id(node) in inner:
            continue  # not a chain, or a part of a longer one
        names = {c.func.attr for c in calls}
        for call in calls:
            if call.func.attr != "select_for_update":
                continue
            given = {k.arg: k.value for k in call.keywords}
            no_key = given.get("no_key")
            if not (isinstance(no_key, ast.Constant) and no_key.value is True):
                problems.append(f"{call.lineno}: select_for_update without no_key=True (FOR UPDATE blocks foreign-key checks)")
            if "select_related" in names and "of" not in given:
                problems.append(f"{call.lineno}: select_for_update joined by select_related without of=(\"self\",) "
                                "(it locks the joined rows too)")
    return problems


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_every_row_lock_in_the_code_is_no_key_and_of_its_own_rows():
    found = {str(p.relative_to(ROOT)): lock_problems(p.read_text()) for p in _sources()}
    assert sum("select_for_update" in p.read_text() for p in _sources()) > 30  # the scan does read the services
    assert {path: problems for path, problems in found.items() if problems} == {}


@pytest.mark.parametrize(("source", "expected"), [
    ("Version.objects.select_for_update().get(pk=1)", ["without no_key"]),
    ("Version.objects.select_for_update(no_key=False).get(pk=1)", ["without no_key"]),
    ("Version.objects.select_for_update(no_key=True).select_related('project').get(pk=1)", ["without of="]),
    ("Version.objects.select_related('project').select_for_update(no_key=True).first()", ["without of="]),
    ("x = (V.objects.select_for_update(skip_locked=True)\n    .select_related('shot').filter(a=1).first())",
     ["without no_key", "without of="]),
    ("V.objects.select_for_update(of=('self',), no_key=True).select_related('shot').get(pk=1)", []),
    ("V.objects.select_for_update(no_key=True).filter(pk=1).values_list('pk', flat=True)", []),
])
def test_the_check_catches_a_lock_that_breaks_the_rule(source, expected):
    problems = lock_problems(source)
    assert len(problems) == len(expected) and all(e in p for e, p in zip(expected, problems, strict=True)), problems


def _commit_a_token_while_locked(world, lock) -> str:
    """Lock the world's version as `lock` does in one transaction; meanwhile another connection
    makes an API token of the studio (a row pointing at the organization row) and commits, waiting at
    most 2 s. Returns what the other connection saw: "committed" or "blocked"."""
    from studio.tenancy import services as tenancy

    held, seen = threading.Event(), {}

    def other():
        held.wait(10)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                tenancy.create_token(user=world.producer, name="while locked")
            seen["outcome"] = "committed"
        except OperationalError as exc:
            seen["outcome"] = "blocked" if "lock timeout" in str(exc) else repr(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    with transaction.atomic():
        lock(world.versions[0].pk)
        held.set()
        thread.join(20)
    return seen.get("outcome", "no answer")


def test_a_no_key_lock_of_its_own_rows_lets_other_writers_commit(transactional_db):
    from projects.models import Version
    from tests.support.world import build_world

    world = build_world(tag="rl", roles=("producer",), versions=True)

    def joined_for_update(pk):
        Version.objects.select_for_update().select_related("project__organization").get(pk=pk)

    def no_key_own_rows(pk):
        Version.objects.select_for_update(of=("self",), no_key=True).select_related("project__organization").get(pk=pk)

    assert _commit_a_token_while_locked(world, joined_for_update) == "blocked"  # the old way: the organization row held
    assert _commit_a_token_while_locked(world, no_key_own_rows) == "committed"
