"""`make bench`: run every benchmark script in this folder (bench_*.py) one after another.

Each script prints its own measured figures; this runner only sequences them and reports failures.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def main() -> int:
    only = set(sys.argv[1:])
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not only or p.stem in only or p.stem.removeprefix("bench_") in only)
    failed = []
    for script in scripts:
        print(f"\n===== {script.stem} =====", flush=True)
        rc = subprocess.call([sys.executable, str(script)], cwd=ROOT)
        if rc != 0:
            failed.append(script.stem)
    if failed:
        print(f"\nbenchmarks failed: {', '.join(failed)}")
        return 1
    print(f"\n{len(scripts)} benchmark scripts ran.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
