"""Give each pytest-xdist worker its own Redis database, channel prefix and media folder.

`make test-fast` runs the suite in two processes (`pytest -n 2 -p tests.support.parallel`).
pytest-django already gives each worker its own PostgreSQL test database (`test_greenlight_gw0`, …);
this plugin does the same for what Greenlight keeps outside PostgreSQL, before Django reads its
settings (a `-p` plugin is imported before pytest-django configures Django):

- Redis: the worker `gwN` uses database `base + 1 + N` of the same server (the session fixture that
  empties the test Redis database would otherwise empty the other worker's), and its own channel
  layer prefix;
- `DATA_DIR`: `DATA_DIR/gwN`, so a test that sweeps or lists the media folder sees only its own
  files; the demo model and the provenance CA made by `make` stay shared (`MODELS_DIR`,
  `PROVENANCE_DIR` point at the base folder).

Without xdist (`make test`, a plain `pytest`) the plugin changes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def worker_redis_url(url: str, index: int) -> str:
    """The same Redis server with database `base + 1 + index` (the base database is the path)."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + 1 + index}"))


def isolate(environ: dict[str, str], worker: str) -> None:
    """Rewrite `environ` for the xdist worker named `worker` ("gw0", "gw1", …)."""
    index = int(worker.removeprefix("gw"))
    environ["REDIS_URL"] = worker_redis_url(environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"), index)
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        environ.pop(name, None)  # both follow REDIS_URL in studio/settings.py
    environ["CHANNELS_PREFIX"] = f"{environ.get('CHANNELS_PREFIX', 'gl-test')}-{worker}"
    base = Path(environ.get("DATA_DIR", "var/test")).resolve()
    environ.setdefault("MODELS_DIR", str(base / "models"))
    environ.setdefault("PROVENANCE_DIR", str(base / "provenance"))
    environ["DATA_DIR"] = str(base / worker)


_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    isolate(os.environ, _worker)
