"""The studio's shot-list rows, kept as JSON text (`projects.shot_list_json`; issue 17).

A row of the full shot list costs PostgreSQL more to write out as JSON (dates, quoting, the
assignees) than to find. So each shot's row, as studio people see it, is kept here with the
*row versions* it was built from: PostgreSQL's `xmin` and `ctid` of the shot, of its current version
and of its sequence, the open-note count and the worst likeness-use state as they were, and a stamp
of its assignments and the assigned people's rows. Every UPDATE writes a new row version (a new
`ctid`, and a new `xmin` in a new transaction), so a kept row is used only while all of those are
still the same ones: any change to what the row shows — through a service, a bulk `update()`, a
migration or psql — makes it stale at once, with nothing to remember to invalidate. Stale and missing
rows are rebuilt by the list's query itself and written back (`shot_list_json`).

Client reviewers' rows (a different current version, no assignees) are not kept: they are built
every time. Nothing here is ever shown through the ORM; the table is written and read by raw SQL.
"""

from __future__ import annotations

from django.db import models


class XidField(models.Field):
    """A PostgreSQL `xid` (a row version's `xmin`), compared in SQL only."""

    def db_type(self, connection) -> str:
        return "xid"


class TidField(models.Field):
    """A PostgreSQL `tid` (a row version's `ctid`), compared in SQL only."""

    def db_type(self, connection) -> str:
        return "tid"


class ShotListRow(models.Model):
    shot = models.OneToOneField("projects.Shot", primary_key=True, on_delete=models.CASCADE, related_name="+")
    shape = models.PositiveSmallIntegerField(help_text="The row's representation version (shot_list_json.ROW_SHAPE).")
    media_prefix = models.TextField(help_text="The media URL prefix the thumbnails were written with.")
    shot_xmin = XidField()
    shot_ctid = TidField()
    version_xmin = XidField(null=True)
    version_ctid = TidField(null=True)
    sequence_xmin = XidField(null=True)
    sequence_ctid = TidField(null=True)
    open_notes = models.IntegerField()
    likeness = models.TextField(null=True)
    assignments = models.TextField(null=True, help_text="Each assignment's id with its person's xmin and ctid.")
    body = models.TextField(help_text="The row's JSON text.")

    class Meta:
        db_table = "projects_shotlistrow"

    def __str__(self) -> str:
        return f"shot list row {self.shot_id}"
