"""CSV for the usage ledger (`/api/v1/talent/{id}/ledger/?format=csv`)."""

from __future__ import annotations

import csv
import io

from rest_framework.renderers import BaseRenderer

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    # Names come from other organizations: never let a spreadsheet run them as formulas.
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class LedgerCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    HEADER = ["month", "studio_id", "studio", "project_id", "project_code", "project", "state", "uses"]

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        if isinstance(data, dict) and "rows" in data:
            writer.writerow(self.HEADER)
            for row in data["rows"]:
                writer.writerow([
                    _cell(row["month"]), row["studio"]["id"], _cell(row["studio"]["name"]), row["project"]["id"],
                    _cell(row["project"]["code"]), _cell(row["project"]["name"]), row["state"], row["uses"],
                ])
        else:  # an error body
            writer.writerow(["error", "detail"])
            body = data if isinstance(data, dict) else {"detail": data}
            writer.writerow([_cell(body.get("error", "")), _cell(body.get("detail", ""))])
        return out.getvalue().encode("utf-8")
