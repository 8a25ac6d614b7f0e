"""The Celery application. Queues: `gpu` (renders, one job per process), `media` (ffmpeg), `default`.

Observability (docs/OPERATIONS.md): every task message carries the request id bound when it was
sent and the time it was sent (headers `gl_request_id`, `gl_sent_at`); the process that runs the
task binds the request id for its log records, events and further tasks, and records queue wait,
run time and outcome. A worker started with `WORKER_METRICS_PORT` serves its metrics there; its pool
processes write prometheus_client's multiprocess files into a private folder made here, before
prometheus_client is first imported (it decides its mode once, from the environment).
"""

import atexit
import os
import shutil
import tempfile

if os.environ.get("WORKER_METRICS_PORT") and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="greenlight-metrics-")
    _maker = os.getpid()
    # Removed when the process that made it exits (pool processes inherit this handler: not them).
    atexit.register(lambda: os.getpid() == _maker and shutil.rmtree(_metrics_dir, ignore_errors=True))

from celery import Celery, signals  # noqa: E402

from studio import logs, metrics  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")

app = Celery("studio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.imports = ("studio.tasks",)


@signals.setup_logging.connect
def _django_logging(**_kwargs) -> None:
    """Workers log through settings.LOGGING (LOG_FORMAT, the request-id filter), not Celery's own set-up."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def _stamp_headers(headers=None, **_kwargs) -> None:
    logs.add_task_headers(headers)
    metrics.stamp_task_headers(headers)


@signals.task_prerun.connect
def _task_prerun(task=None, **_kwargs) -> None:
    logs.bind_task_context(task)
    metrics.task_started(task)


@signals.task_postrun.connect
def _task_postrun(task=None, state=None, **_kwargs) -> None:
    metrics.task_finished(task, state)


@signals.worker_ready.connect
def _serve_worker_metrics(**_kwargs) -> None:
    port = os.environ.get("WORKER_METRICS_PORT")
    if port:
        metrics.start_worker_server(port=int(port), address=os.environ.get("WORKER_METRICS_ADDRESS", "127.0.0.1"))


@signals.worker_process_shutdown.connect
def _forget_pool_process(pid=None, **_kwargs) -> None:
    if metrics.multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())
