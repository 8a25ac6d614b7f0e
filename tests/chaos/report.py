"""Print the figures the fault suite recorded (var/chaos/report.jsonl), one scenario per line.

    .venv/bin/python tests/chaos/report.py      # make chaos runs it at the end
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPORT = Path(__file__).resolve().parents[2] / "var" / "chaos" / "report.jsonl"


def main() -> int:
    if not REPORT.exists():
        print(f"no figures: {REPORT} does not exist (run make chaos)")
        return 1
    print(f"\nFault suite figures ({os.cpu_count()} CPUs; load average at the end of each scenario):\n")
    for line in REPORT.read_text().splitlines():
        entry = json.loads(line)
        head = f"{entry.pop('at')}  {entry.pop('scenario')} [{entry.pop('scale')}] load {entry.pop('loadavg')}"
        print(head)
        for key, value in entry.items():
            print(f"    {key}: {json.dumps(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
