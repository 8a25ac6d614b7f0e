"""CSV for the GPU usage ledger (`/api/v1/organizations/{id}/gpu-usage/?format=csv`)."""

from __future__ import annotations

import csv
import io

from rest_framework.renderers import BaseRenderer

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text  # never a spreadsheet formula


class GpuUsageCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    HEADER = ["month", "organization_id", "project_id", "project_code", "user_id", "user_email", "model", "renders", "gpu_seconds"]

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        if isinstance(data, dict) and "rows" in data:
            writer.writerow(self.HEADER)
            for row in data["rows"]:
                writer.writerow([data["month"], data["organization"]["id"], row["project"]["id"] or "", _cell(row["project"]["code"]),
                                 row["user"]["id"] or "", _cell(row["user"]["email"]), _cell(row["model"]), row["renders"],
                                 f'{row["gpu_seconds"]:.3f}'])
        else:  # an error body
            writer.writerow(["error", "detail"])
            body = data if isinstance(data, dict) else {"detail": data}
            writer.writerow([_cell(body.get("error", "")), _cell(body.get("detail", ""))])
        return out.getvalue().encode("utf-8")
