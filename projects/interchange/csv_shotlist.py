"""The shot list as CSV: export for spreadsheets, import back (round-trips).

Columns: sequence, code, order, status, frame_in, frame_out, duration, description, prompt_notes,
assignees (emails separated by ';'), retake_count, current_version. On import `code` is required;
duration, retake_count and current_version are computed and ignored; unknown columns are ignored
and reported. Cells that a spreadsheet would run as a formula (starting with = + - @) are written
with a leading apostrophe, which the importer removes again.
"""

from __future__ import annotations

import csv
import io

from rest_framework.exceptions import ValidationError

from projects.access import ProjectAccess
from projects.client_view import client_stack
from projects.interchange import MAX_IMPORT_BYTES
from projects.models import Project, Shot
from projects.selectors import shot_list
from projects.services import ShotSpec

COLUMNS = [
    "sequence",
    "code",
    "order",
    "status",
    "frame_in",
    "frame_out",
    "duration",
    "description",
    "prompt_notes",
    "assignees",
    "retake_count",
    "current_version",
]
WRITABLE = {"sequence", "order", "status", "frame_in", "frame_out", "description", "prompt_notes", "assignees"}
READ_ONLY = {"duration", "retake_count", "current_version"}
MAX_ROWS = 20_000
MAX_HEADER_CHARS = 4096
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _uncell(text: str) -> str:
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def export_shot_list(*, project: Project, access: ProjectAccess) -> str:
    shots = shot_list(Shot.objects.filter(project=project), access=access)
    columns = [c for c in COLUMNS if c != "assignees" or access.internal]
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for shot in shots:
        current = shot.current_version
        if access.is_client:  # what a client sees (projects.client_view): their latest submitted version, no prompt
            stack = client_stack(shot)
            current = stack[0] if stack else None
        row = {
            "sequence": shot.sequence.code if shot.sequence else "",
            "code": shot.code,
            "order": shot.order,
            "status": shot.status,
            "frame_in": shot.frame_in,
            "frame_out": shot.frame_out,
            "duration": shot.duration_frames,
            "description": shot.description,
            "prompt_notes": shot.prompt_notes if access.internal else "",
            "assignees": ";".join(u.email for u in shot.assignees.all()) if access.internal else "",
            "retake_count": shot.retake_count,
            "current_version": current.label if current else "",
        }
        writer.writerow([_cell(row[c]) for c in columns])
    return out.getvalue()


def _header_line(text: str) -> str:
    """The header row, refused past MAX_HEADER_CHARS (a shot list has a dozen short column names)."""
    end = text.find("\n", 0, MAX_HEADER_CHARS + 1)
    if end < 0 and len(text) > MAX_HEADER_CHARS:
        raise ValidationError(
            {"file": [f"The CSV's header row is longer than {MAX_HEADER_CHARS:,} characters; the first row holds only column names."]}
        )
    return text if end < 0 else text[:end]


def _delimiter(header: str) -> str:
    """',' unless the header row is split by ';' or tabs (spreadsheets in some locales): the most
    frequent of the three outside quotes, in one pass (csv.Sniffer grew super-linearly)."""
    counts = dict.fromkeys(",;\t", 0)
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def read_shot_list(data: bytes) -> tuple[list[ShotSpec], list[str]]:
    """Parse a CSV upload into shot specs. Returns (specs, ignored column names)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError({"file": [f"The CSV is larger than {MAX_IMPORT_BYTES // 2**20} MiB; split it."]})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": ["The CSV is not UTF-8 text; save it as 'CSV UTF-8' and upload it again."]})
    if not text.strip():
        raise ValidationError({"file": ["The CSV is empty; it needs a header row with at least a 'code' column."]})
    delimiter = _delimiter(_header_line(text))
    reader = csv.reader(io.StringIO(text, newline=""), dialect=csv.excel, delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ValidationError({"file": [f"Could not read the CSV header: {exc}"]})
    if "code" not in header:
        found = ", ".join(h[:40] for h in header[:20]) + (", …" if len(header) > 20 else "")
        raise ValidationError({"file": [f"The CSV needs a 'code' column (found: {found or 'none'}). Columns: {', '.join(COLUMNS)}."]})
    duplicates = sorted({h for h in header if header.count(h) > 1 and h})
    if duplicates:
        raise ValidationError({"file": [f"Column(s) {', '.join(duplicates)} appear more than once."]})
    ignored = [h for h in header if h and h not in WRITABLE and h not in READ_ONLY and h != "code"]
    specs: list[ShotSpec] = []
    try:
        for line_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(specs) >= MAX_ROWS:
                raise ValidationError({"file": [f"At most {MAX_ROWS} shots per import."]})
            if len(row) > len(header):
                raise ValidationError({"file": [f"Line {line_no}: {len(row)} cells but the header has {len(header)} columns."]})
            cells = {h: _uncell(row[i].strip()) if i < len(row) else "" for i, h in enumerate(header)}
            values: dict = {}
            for name in WRITABLE & set(header):
                cell = cells[name]
                if name in {"description", "prompt_notes"}:
                    values[name] = cell
                elif name == "assignees":
                    values[name] = [e.strip() for e in cell.replace(",", ";").split(";") if e.strip()]
                elif name in {"frame_in", "frame_out"}:
                    values[name] = cell or None
                elif cell:
                    values[name] = cell
            specs.append(ShotSpec(code=cells["code"], values=values, line=f"Line {line_no} ({cells['code'] or 'no code'})"))
    except csv.Error as exc:
        raise ValidationError({"file": [f"The CSV is malformed: {exc}"]})
    if not specs:
        raise ValidationError({"file": ["The CSV has a header but no shot rows."]})
    return specs, ignored
