"""The real-model-shaped GPU benchmark keeps working on CPU at its reduced size (issue: CI keeps it working).

Runs `tests/bench/gpu_render.py` as a user would, end to end: a Wan2.1-T2V-1.3B-shaped pipeline
(reduced on CPU) rendered bare and through a real worker, and checks that it reports its figures.
It asserts no speed: the figures (and the worker / bare ratio) are `make bench`'s to report
(tests/bench/gpu_render.py, docs/PERFORMANCE.md); a warm run is recognised by the worker's own
`warm` flag (the pipeline came from its cache), not by how long loading took.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.worker, pytest.mark.slow]  # runs the benchmark, with its own worker process


def test_gpu_render_benchmark_runs_on_cpu_and_reports_its_figures(tmp_path):
    env = os.environ.copy()
    env.update({"REDIS_URL": settings.REDIS_URL, "DATA_DIR": str(tmp_path), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1",
                "CHANNELS_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]})
    result = subprocess.run([sys.executable, "tests/bench/gpu_render.py", "--device", "cpu", "--runs", "1"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "REDUCED" in out  # honest about not being the full render on CPU
    assert float(re.search(r"worker / bare: ([0-9.]+)x", out).group(1)) > 0  # reported; its size is a figure, not a test
    raw = re.search(r"raw figures: (\S+)", out).group(1)
    figures = json.loads(Path(raw).read_text())
    assert figures["config"]["device"] == "cpu"
    assert figures["bare"] and all(run["total"] > 0 and run["peak_memory_mb"] > 0 for run in figures["bare"])
    assert figures["worker"] and all(run["e2e"] > 0 for run in figures["worker"])
    # The reported runs follow the worker's warm-up job, so each reuses the pipeline it loaded.
    assert all(run["warm"] for run in figures["worker"]), "the runs after the warm-up should reuse the warm pipeline"
