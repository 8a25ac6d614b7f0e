"""The real-model-shaped GPU benchmark keeps working on CPU at its reduced size (issue: CI keeps it working).

Runs `tests/bench/gpu_render.py` as a user would, end to end: a Wan2.1-T2V-1.3B-shaped pipeline
(reduced on CPU) rendered bare and through a real worker, and checks the figures it reports.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_gpu_render_benchmark_runs_on_cpu_and_reports_its_figures(tmp_path):
    env = os.environ.copy()
    env.update({"REDIS_URL": settings.REDIS_URL, "DATA_DIR": str(tmp_path), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1",
                "CHANNELS_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]})
    result = subprocess.run([sys.executable, "tests/bench/gpu_render.py", "--device", "cpu", "--runs", "1"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "REDUCED" in out  # honest about not being the full render on CPU
    ratio = float(re.search(r"worker / bare: ([0-9.]+)x", out).group(1))
    assert 0.3 < ratio < 3.0
    raw = re.search(r"raw figures: (\S+)", out).group(1)
    figures = json.loads(Path(raw).read_text())
    assert figures["config"]["device"] == "cpu"
    assert figures["bare"] and all(run["total"] > 0 and run["peak_memory_mb"] > 0 for run in figures["bare"])
    assert figures["worker"] and all(run["e2e"] > 0 for run in figures["worker"])
    assert any(run["warm"] and run["load"] < 0.05 for run in figures["worker"]), "the warm run should skip loading"
