"""The shot list's fast path: a page of shots rendered to JSON by PostgreSQL, in one query.

The full shot list of a show (thousands of rows) is the page production lives in. Building its rows
as model instances and dicts in Python cost ~0.2 ms a shot; here PostgreSQL builds the JSON array
itself (each row's text by concatenation, `string_agg` over the page) from the same scoped, filtered, ordered queryset the
view hands in, and Python passes the text through. Fields, formats and visibility are exactly
`ShotSerializer`'s (tests/projects/test_shot_list_fast_path.py compares the two):

- datetimes as DRF writes them (ISO 8601 in UTC, `Z`, microseconds only when not zero);
- `current_version.label` is `v%03d`, `duration` is inclusive, `version_count` is
  `next_version_number - 1`, thumbnails are the media URL of the version's list-size thumbnail, else of its poster;
- client reviewers (`ProjectAccess.is_client`) get no assignees, and their open-note count leaves
  internal notes out (`selectors.open_notes_count`, shared with the serializer path); they see only
  what was submitted to them (`_client_rows` at the end of this module; docs/RIGHTS.md);
- the current version's consent badges: `quarantined`, `held` (the likeness scan) and `likeness`
  (its uses' worst state, `selectors.worst_likeness_use`, shared too; null for client reviewers).

Tenancy is not decided here: the queryset comes from the tenancy base (foreign rows absent).
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.db import connections
from django.db.models import F, OuterRef, QuerySet, Subquery, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber

from projects.access import ProjectAccess
from projects.api.serializers.common import _media_url_prefix
from projects.models import Shot, ShotListRow
from projects.selectors import open_notes_count, worst_likeness_use
from studio.tenancy.models import User

# Shot columns read from the inner query, by their column names (each field's column is its attname).
_SHOT_FIELDS = (
    "id",
    "project_id",
    "code",
    "order",
    "description",
    "prompt_notes",
    "frame_in",
    "frame_out",
    "status",
    "retake_count",
    "next_version_number",
    "created_at",
    "updated_at",
    "sequence_id",
    "current_version_id",
)
_JOINED = {
    "gl_seq_code": "sequence__code",
    "gl_v_number": "current_version__number",
    "gl_v_source": "current_version__source",
    "gl_v_processing": "current_version__processing_status",
    "gl_v_approval": "current_version__approval_status",
    "gl_v_frames": "current_version__frame_count",
    "gl_v_first": "current_version__first_frame",
    "gl_v_poster": "current_version__poster",
    "gl_v_thumb": "current_version__thumb",
    "gl_v_created": "current_version__created_at",
    "gl_v_quarantined": "current_version__quarantined_at",
    "gl_v_scan": "current_version__scan_state",
}


def _iso(column: str) -> str:
    """A timestamptz as DRF's DateTimeField writes it in UTC, quoted: "2026-12-02T17:27:20.123456Z" (…:20Z)."""
    text = f"""replace(to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '.000000Z', 'Z')"""
    return f"""('"' || {text} || '"')"""


def _num(column: str) -> str:
    return f"coalesce(({column})::text, 'null')"


def _str(column: str) -> str:
    return f"coalesce(to_json({column})::text, 'null')"


def _thumbnail_url(version_column: str) -> str:
    """`serializers.common.thumbnail_url` in SQL: the media URL of the version's list-size thumbnail, else of
    its poster, else null. One placeholder: the media URL prefix."""
    has_thumb = "coalesce(t.gl_v_thumb, '') <> ''"
    return (
        f"CASE WHEN {has_thumb} OR coalesce(t.gl_v_poster, '') <> '' THEN to_json(%s || {version_column}::text"
        f" || CASE WHEN {has_thumb} THEN '/media/thumb/' ELSE '/media/poster/' END)::text ELSE 'null' END"
    )


def _assignees_join(*, client: bool, among: str = "SELECT id FROM t") -> str:
    """Each listed shot's assignees (by email) as a JSON list, aggregated once for the page (a hash
    join, not a subquery per row). Client reviewers do not see who works on what: no join."""
    if client:
        return ""
    through = Shot.assignees.through._meta.db_table
    users = User._meta.db_table
    person = _fields([("id", "to_json(u.id)::text"), ("email", _str("u.email")), ("display_name", _str("u.display_name"))])
    people = f"'[' || string_agg({person}, ',' ORDER BY u.email) || ']'"
    return (  # table names from the models' metadata
        f" LEFT JOIN (SELECT a.shot_id, {people} AS people FROM {through} a JOIN {users} u ON u.id = a.user_id"  # noqa: S608
        f" WHERE a.shot_id IN ({among}) GROUP BY a.shot_id) asg ON asg.shot_id = t.id"
    )


def _fields(pairs: list[tuple[str, str]]) -> str:
    """A JSON object's text from (key, SQL expression giving the value's JSON text) pairs, by concatenation
    (about half the cost of json_build_object over thousands of rows)."""
    parts = [f"'{'{' if i == 0 else ','}\"{key}\":' || {value}" for i, (key, value) in enumerate(pairs)]
    return "(" + " || ".join(parts) + " || '}')"


def _version_sql() -> str:
    label = "'\"v' || CASE WHEN t.gl_v_number BETWEEN 0 AND 999 THEN lpad(t.gl_v_number::text, 3, '0') ELSE t.gl_v_number::text END || '\"'"
    version = _fields(
        [
            ("id", "to_json(t.gl_v_id)::text"),
            ("number", _num("t.gl_v_number")),
            ("label", label),
            ("source", _str("t.gl_v_source")),
            ("processing_status", _str("t.gl_v_processing")),
            ("approval_status", _str("t.gl_v_approval")),
            ("frame_count", _num("t.gl_v_frames")),
            ("first_frame", _num("t.gl_v_first")),
            ("thumbnail", _thumbnail_url("t.gl_v_id")),
            ("created_at", _iso("t.gl_v_created")),
            # The consent badges (issue 13): CurrentVersionSerializer's three fields.
            ("quarantined", "CASE WHEN t.gl_v_quarantined IS NULL THEN 'false' ELSE 'true' END"),
            ("held", "CASE WHEN t.gl_v_scan = 'held' THEN 'true' ELSE 'false' END"),
            ("likeness", _str("t.gl_v_likeness")),
        ]
    )
    return f"CASE WHEN t.gl_v_id IS NULL THEN 'null' ELSE {version} END"


def _row_sql(*, client: bool) -> str:
    """One shot row's JSON text. Placeholders: the media URL prefix, twice (the version's thumbnail, then the shot's)."""
    sequence = _fields([("id", "to_json(t.sequence_id)::text"), ("code", _str("t.gl_seq_code"))])
    return _fields(
        [
            ("id", "to_json(t.id)::text"),
            ("project", "to_json(t.project_id)::text"),
            ("code", _str("t.code")),
            ("sequence", f"CASE WHEN t.sequence_id IS NULL THEN 'null' ELSE {sequence} END"),
            ("order", _num('t."order"')),
            ("description", _str("t.description")),
            ("prompt_notes", "'\"\"'" if client else _str("t.prompt_notes")),
            ("frame_in", _num("t.frame_in")),
            ("frame_out", _num("t.frame_out")),
            ("duration", _num("t.frame_out - t.frame_in + 1")),
            ("status", _str("t.status")),
            ("assignees", "'[]'" if client else "coalesce(asg.people, '[]')"),
            ("retake_count", _num("t.retake_count")),
            ("current_version", _version_sql()),
            ("thumbnail", _thumbnail_url("t.gl_v_id")),
            ("version_count", _num("t.gl_client_versions" if client else "t.next_version_number - 1")),
            ("open_notes", _num("t.gl_open_notes")),
            ("created_at", _iso("t.created_at")),
            ("updated_at", _iso("t.updated_at")),
        ]
    )


def shot_rows_json(
    queryset: QuerySet, *, access: ProjectAccess | None, bottom: int = 0, top: int | None = None, project_id=None
) -> tuple[str, int]:
    """Rows `bottom:top` of `queryset` (tenancy-scoped, filtered and ordered: `selectors.filter_shots`)
    as the JSON text of a list of shot rows, and how many rows `queryset` holds in all (the page's
    count, so the paginator needs no COUNT query). One query.

    Studio people's rows come from the kept rows (`ShotListRow`) where those are still current, and
    are built and written back where not (`project_id` names the lock that keeps two requests from
    writing the same project's rows at once; `SHOT_LIST_KEPT_ROWS=False` builds every row every
    time); client reviewers' rows are built every time."""
    client = access is not None and access.is_client
    window = Window(RowNumber(), order_by=list(queryset.query.order_by))
    if not client and project_id is not None and getattr(settings, "SHOT_LIST_KEPT_ROWS", True):
        listed = queryset.annotate(  # the joins the row versions are read from, not their columns
            gl_v_id=F("current_version_id"),
            gl_v_number=F("current_version__number"),
            gl_seq_code=F("sequence__code"),
            gl_open_notes=open_notes_count(access=access),
        ).annotate(gl_v_likeness=worst_likeness_use(version_column="gl_v_id", access=access), gl_rn=window)
        listed = _with_row_versions(listed)
        listed = listed.values("id", "gl_v_id", "gl_open_notes", "gl_v_likeness", "gl_rn", *_ROW_VERSIONS)
        listed = listed[bottom:top] if top is not None else listed[bottom:]
        sql, params = _kept_rows_sql(listed, project_id=project_id, counted=queryset)
    else:
        if client:
            rows, extra = (
                _client_rows(queryset).annotate(gl_v_likeness=worst_likeness_use(version_column="gl_v_id", access=access)),
                ("gl_client_versions",),
            )
        else:
            rows, extra = _studio_rows(queryset, access=access), ()
        rows = rows.annotate(gl_rn=window).values(*_ROW_COLUMNS, "gl_rn", *extra)
        rows = rows[bottom:top] if top is not None else rows[bottom:]
        inner, params = rows.query.get_compiler(using=rows.db).as_sql()
        # Placeholders in order: the inner query's, then the version's thumbnail and the shot's.
        # Fixed text and Django's compiled SQL; every value is a parameter.
        rows_json = f"'[' || coalesce(string_agg({_row_sql(client=client)}, ',' ORDER BY t.gl_rn), '') || ']'"
        total, total_params = _total_sql(_client_rows(queryset) if client else queryset)
        sql = f"WITH t AS ({inner}) SELECT {rows_json}, {total} FROM t{_assignees_join(client=client)}"  # noqa: S608
        params = (*params, _media_url_prefix(), _media_url_prefix(), *total_params)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        text, count = cursor.fetchone()
    return text, count


def _total_sql(queryset: QuerySet) -> tuple[str, tuple]:
    """How many rows `queryset` holds, as a scalar subquery (the paginator's count, in the same statement)."""
    inner, params = queryset.order_by().values("pk").query.get_compiler(using=queryset.db).as_sql()
    return f"(SELECT count(*) FROM ({inner}) gl_all)", tuple(params)  # noqa: S608


_ROW_COLUMNS = (*_SHOT_FIELDS, "gl_v_id", "gl_open_notes", "gl_v_likeness", *_JOINED)


def _studio_rows(queryset: QuerySet, *, access: ProjectAccess | None) -> QuerySet:
    """`queryset` with every column a studio row shows (`_ROW_COLUMNS`), joined or as subqueries."""
    return queryset.annotate(
        gl_v_id=F("current_version_id"),
        gl_open_notes=open_notes_count(access=access),
        **{alias: F(path) for alias, path in _JOINED.items()},
    ).annotate(gl_v_likeness=worst_likeness_use(version_column="gl_v_id", access=access))


# ---------------------------------------------------------------- studio rows kept (ShotListRow)
# Each studio row is kept with the row versions it was built from (projects/models_shot_rows.py says
# why that is exact). The inner query also reads the shot's, current version's and sequence's `xmin`
# and `ctid`; the statement then, in order (CTEs):
#   af    each listed shot's assignments with its people's row versions (the assignee stamp);
#   k     the listed rows, each with `gl_hit`: its kept row exists and every row version still matches;
#   fresh the JSON of the rows not hit, built as for client reviewers' rows (assignees joined for them only);
#   kept  those written back (upsert), only by the request holding the project's advisory lock (a
#         concurrent request renders the same rows without writing them: no waits, no deadlocks), with
#         `synchronous_commit` off for that transaction (a GET that writes kept rows does not wait for a
#         WAL flush; the shot list's GET writes nothing else);
# and answers the page: kept text for hits, fresh text for the rest, in the list's order.
ROW_SHAPE = 2  # bump with the shot row's shape: every kept row is rebuilt
ROW_LOCK_CLASS = 17017  # pg_try_advisory_xact_lock(ROW_LOCK_CLASS, hashtext(project id))
_ROW_VERSIONS = ("gl_s_x", "gl_s_c", "gl_vr_x", "gl_vr_c", "gl_q_x", "gl_q_c")
_STAMP = (  # ShotListRow column, the listed row's value
    ("shot_xmin", "t.gl_s_x"),
    ("shot_ctid", "t.gl_s_c"),
    ("version_xmin", "t.gl_vr_x"),
    ("version_ctid", "t.gl_vr_c"),
    ("sequence_xmin", "t.gl_q_x"),
    ("sequence_ctid", "t.gl_q_c"),
    ("open_notes", "t.gl_open_notes"),
    ("likeness", "t.gl_v_likeness"),
    ("assignments", "t.gl_a_stamp"),
)


def _join_alias(query, model, field: str) -> str:
    """The alias under which `query` joined `field`'s target (the F() annotations made the join)."""
    target = model._meta.get_field(field)
    for alias, join in query.alias_map.items():
        if getattr(join, "join_field", None) is target:
            return alias
    raise LookupError(f"the shot list query has no join for {model.__name__}.{field}")


def _with_row_versions(rows: QuerySet) -> QuerySet:
    """`rows` with the row versions (`xmin`, `ctid`) of each shot, its current version and its sequence."""
    query, qn = rows.query, connections[rows.db].ops.quote_name
    tables = {
        "s": qn(query.get_initial_alias()),
        "vr": qn(_join_alias(query, Shot, "current_version")),
        "q": qn(_join_alias(query, Shot, "sequence")),
    }
    columns = {}
    for key, table in tables.items():
        columns[f"gl_{key}_x"] = RawSQL(f"{table}.xmin", ())  # noqa: S611 - aliases from Django's own join map
        columns[f"gl_{key}_c"] = RawSQL(f"{table}.ctid", ())  # noqa: S611
    return rows.annotate(**columns)


def _kept_rows_sql(listed: QuerySet, *, project_id, counted: QuerySet) -> tuple[str, tuple]:
    """The statement for studio rows (see above). `listed`: the page's ids, order and row versions."""
    t, t_params = listed.query.get_compiler(using=listed.db).as_sql()
    total, total_params = _total_sql(counted)
    middle, tail, m_params = _kept_rows_statement(listed.db)
    prefix = _media_url_prefix()
    params = (*t_params, ROW_SHAPE, prefix, *m_params, prefix, prefix, ROW_SHAPE, prefix, str(project_id), *total_params)
    return f"WITH t AS ({t}){middle}{total}{tail}", params


@functools.cache
def _kept_rows_statement(db: str) -> tuple[str, str, tuple]:
    """The fixed part of the statement (the same for every page and caller): the text after `t` up to
    the count, the text after the count, and the parameters of the rows-to-build query `m`."""
    through, users, kept = Shot.assignees.through._meta.db_table, User._meta.db_table, ShotListRow._meta.db_table
    # The rows to build: every column, for the shots not hit only (their ids come from `k`).
    # `= ANY(ARRAY(…))`, not `IN (…)`: the planner then expects a few rows and looks each one's version and
    # sequence up by key; with `IN` it expected thousands and read every version of the database.
    where = f"{Shot._meta.db_table}.id = ANY(ARRAY(SELECT id FROM k WHERE NOT gl_hit))"  # noqa: S608 - the table name
    missed = _studio_rows(Shot.objects.extra(where=[where]), access=None)  # noqa: S610
    m, m_params = missed.values(*_ROW_COLUMNS).query.get_compiler(using=db).as_sql()
    columns = ", ".join(column for column, _ in _STAMP)
    af = (
        f"SELECT a.shot_id, string_agg(a.id::text || ':' || u.xmin::text || ':' || u.ctid::text, ',') AS stamp"  # noqa: S608
        f" FROM {through} a JOIN {users} u ON u.id = a.user_id WHERE a.shot_id IN (SELECT id FROM t) GROUP BY a.shot_id"
    )
    now = ", ".join(value.replace("t.gl_a_stamp", "af.stamp") for _, value in _STAMP)
    k = (
        f"SELECT t.*, af.stamp AS gl_a_stamp, (c.shot_id IS NOT NULL AND (c.shape, c.media_prefix, {columns})"  # noqa: S608
        f" IS NOT DISTINCT FROM (%s, %s, {now})) AS gl_hit FROM t LEFT JOIN af ON af.shot_id = t.id"
        f" LEFT JOIN {kept} c ON c.shot_id = t.id"
    )
    fresh = f"SELECT t.id, {_row_sql(client=False)} AS body FROM m t{_assignees_join(client=False, among='SELECT id FROM m')}"  # noqa: S608
    values = ", ".join(value for _, value in _STAMP)
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in ("shape", "media_prefix", *(c for c, _ in _STAMP), "body"))
    write = (
        f"INSERT INTO {kept} (shot_id, shape, media_prefix, {columns}, body)"  # noqa: S608
        f" SELECT t.id, %s, %s, {values}, f.body FROM fresh f JOIN k t ON t.id = f.id"
        f" WHERE pg_try_advisory_xact_lock({ROW_LOCK_CLASS}, hashtext(%s))"
        # A kept row is derived data: its transaction need not wait for the WAL flush (lost in a crash, it is rebuilt).
        " AND set_config('synchronous_commit', 'off', true) IS NOT NULL ORDER BY t.id"
        f" ON CONFLICT (shot_id) DO UPDATE SET {updates}"
    )
    middle = (
        f", af AS ({af}), k AS ({k}), m AS ({m}), fresh AS ({fresh}), kept AS ({write})"
        " SELECT '[' || coalesce(string_agg(coalesce(f.body, c.body), ',' ORDER BY t.gl_rn), '') || ']', "
    )
    tail = f" FROM k t LEFT JOIN fresh f ON f.id = t.id LEFT JOIN {kept} c ON t.gl_hit AND c.shot_id = t.id"
    return middle, tail, tuple(m_params)


# ---------------------------------------------------------------- what a client sees
# Client reviewers (docs/RIGHTS.md, "What a client sees"; projects.client_view): only shots with a
# version submitted to them, and a shot's "current version" is their latest submitted one (`gl_v_id`
# and every `current_version__…` column of `_JOINED` read from it), its version count the number
# submitted (`gl_client_versions`), its open notes those on that version; no prompt notes, no assignees.


def _client_rows(queryset: QuerySet) -> QuerySet:
    """`queryset` narrowed and annotated for a client reviewer (the same aliases as the studio's rows)."""
    from projects.client_view import client_open_notes, client_version_count, client_versions, latest_client_version

    def column(path: str):
        if not path.startswith("current_version__"):
            return F(path)
        latest = client_versions().filter(shot_id=OuterRef("pk")).order_by("-number")
        return Subquery(latest.values(path.removeprefix("current_version__"))[:1])

    return (
        queryset.filter(pk__in=client_versions().values("shot_id"))
        .annotate(gl_v_id=latest_client_version(), gl_client_versions=client_version_count())
        .annotate(gl_open_notes=client_open_notes(version="gl_v_id"), **{alias: column(path) for alias, path in _JOINED.items()})
    )
