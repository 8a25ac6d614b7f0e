"""Greenlight settings. Every value that differs between machines comes from the environment.

Safe local defaults let `make run` work on a fresh machine; production sets the variables
listed in README.md ("Settings").
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from studio.logs import logging_config
from studio.metrics import parse_cidrs
from studio.storage.config import StorageConfigError, storages_from_env

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from exc


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from exc


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or "greenlight-local-development-key-not-for-production-use-0123456789"
if not DEBUG and os.environ.get("GREENLIGHT_ENV") == "production" and "SECRET_KEY" not in os.environ:
    raise ImproperlyConfigured("SECRET_KEY must be set when GREENLIGHT_ENV=production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "var")).resolve()
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media")).resolve()
MODELS_DIR = Path(os.environ.get("MODELS_DIR", DATA_DIR / "models")).resolve()
MEDIA_URL = "/media-not-served-publicly/"  # media goes through permission-checked views only
# Media storage (studio/storage, docs/OPERATIONS.md "Media storage"): the local folder MEDIA_ROOT unless
# STORAGE_URL (s3://KEY:SECRET@host:port/bucket?region=…) or AWS_STORAGE_BUCKET_NAME names a bucket.
# On a bucket the browser gets presigned URLs valid for MEDIA_URL_EXPIRES_SECONDS after the permission check.
MEDIA_URL_EXPIRES_SECONDS = env_int("MEDIA_URL_EXPIRES_SECONDS", 300)
try:
    STORAGES = storages_from_env(os.environ, expire=MEDIA_URL_EXPIRES_SECONDS)
except StorageConfigError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
# Set where pods have no shared folder (the Kubernetes manifests): refuse to start rather than keep
# media on a pod's own disk.
MEDIA_REQUIRE_OBJECT_STORE = env_bool("MEDIA_REQUIRE_OBJECT_STORE", False)
if MEDIA_REQUIRE_OBJECT_STORE and STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage":
    raise ImproperlyConfigured(
        "MEDIA_REQUIRE_OBJECT_STORE is set, but no bucket is configured: set STORAGE_URL "
        "(s3://KEY:SECRET@host/bucket?region=…) or AWS_STORAGE_BUCKET_NAME in the Secret."
    )

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_prometheus",
    "studio.tenancy",
    "studio.audit",
    "studio.realtime",
    "studio.provenance",
    "projects",
    "rights",
    "generation",
    "notifications",
    "frontend",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "studio.logs.RequestIdMiddleware",
    "studio.middleware.OperationalEndpointsMiddleware",  # /livez /readyz /healthz /metrics, before host checks
    "studio.middleware.ServiceUnavailableMiddleware",
    "studio.http.params.QueryParamsMiddleware",  # control characters, over-long values: JSON 400
    "studio.http.compression.JsonGZipMiddleware",  # gzip for JSON bodies; before anything that reads them
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "studio.urls"
WSGI_APPLICATION = "studio.wsgi.application"
ASGI_APPLICATION = "studio.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://greenlight:greenlight@127.0.0.1:5432/greenlight")
if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("DATABASE_URL must be a PostgreSQL URL (postgres://user:pass@host:port/db).")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
# Django's PostgreSQL backend with query counters and timings for /metrics (django-prometheus).
DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"
# Options from the URL (e.g. ?sslmode=require for a managed database) are kept.
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 3)
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
# PostgreSQL's JIT compiler is off for the app's sessions (DB_JIT=1 turns it back on). The app runs short
# queries; JIT starts when a plan's estimated cost passes jit_above_cost, and compiling a wide query such
# as the shot list's JSON (hundreds of expressions) took 5 s for a query that runs in 30 ms (issue 17).
if not env_bool("DB_JIT", False):
    _options = DATABASES["default"]["OPTIONS"]
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
# One transaction per request: a write and the answer built from it commit together, so a request that
# loses its connection after a service committed cannot answer "503, nothing was changed" for a change
# that was made (found by the fault suite, tests/chaos/test_postgres_faults.py). DRF's error handler
# rolls back a request that ends in a 4xx.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Web processes (studio/asgi.py sets GREENLIGHT_ASGI=1) close their connection after each request.
# Django serves each ASGI request on a thread of its own, so a persistent connection was opened per
# request, never reused, and piled up until garbage collection (47 connections for 20 simulated users;
# past max_connections requests failed with 503, found by make load). Workers keep one persistent
# connection per process (DB_CONN_MAX_AGE).
if env_bool("GREENLIGHT_ASGI", False):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Admission control (studio/http/admission.py): HTTP requests a web process runs at once (each holds a
# thread and a database connection while it runs) and how long a request waits for a slot before a 503.
WEB_MAX_CONCURRENT_REQUESTS = env_int("WEB_MAX_CONCURRENT_REQUESTS", 12)
WEB_ADMISSION_TIMEOUT_SECONDS = env_float("WEB_ADMISSION_TIMEOUT_SECONDS", 15.0)
# gzip level for JSON responses (studio/http/compression.py): 1 is the cheapest per byte saved.
JSON_GZIP_LEVEL = env_int("JSON_GZIP_LEVEL", 1)
JSON_BROTLI_QUALITY = env_int("JSON_BROTLI_QUALITY", 1)  # brotli for clients that rank it first (studio/http/compression.py)
# Rendered shot-list pages kept in the cache under the project's change counter (0: off);
# projects/api/views/_rendered_pages.py.
SHOT_LIST_PAGE_CACHE_SECONDS = env_int("SHOT_LIST_PAGE_CACHE_SECONDS", 600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "gl",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "studio.realtime.layers.RealtimeChannelLayer",  # channels_redis core, cancellation-safe receive
        "CONFIG": {"hosts": [REDIS_URL], "prefix": os.environ.get("CHANNELS_PREFIX", "gl-asgi")},
    }
}

# Realtime (studio/realtime, docs/REALTIME.md): presence/room-member expiry, replay bounds, event
# retention, progress coalescing and how often open sockets re-check access.
REALTIME_PRESENCE_TTL_SECONDS = env_int("REALTIME_PRESENCE_TTL_SECONDS", 30)
REALTIME_ROOM_TTL_SECONDS = env_int("REALTIME_ROOM_TTL_SECONDS", 12 * 3600)
REALTIME_REPLAY_LIMIT = env_int("REALTIME_REPLAY_LIMIT", 10000)
REALTIME_EVENT_RETENTION_DAYS = env_int("REALTIME_EVENT_RETENTION_DAYS", 30)
REALTIME_PROGRESS_MAX_PER_SECOND = env_int("REALTIME_PROGRESS_MAX_PER_SECOND", 10)
REALTIME_ACCESS_RECHECK_SECONDS = env_int("REALTIME_ACCESS_RECHECK_SECONDS", 60)
# Check every realtime payload against its registered JSON Schema (studio/realtime/events.py) while
# developing and in tests, so a payload that drifts from its declared type fails there. Under pytest
# it is also put in the environment, so the workers and servers the tests start check theirs too.
if "pytest" in sys.modules:
    os.environ.setdefault("REALTIME_VALIDATE_EVENTS", "1")
REALTIME_VALIDATE_EVENTS = env_bool("REALTIME_VALIDATE_EVENTS", DEBUG)

AUTH_USER_MODEL = "tenancy.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = env_list(
    "PASSWORD_HASHERS",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static")).resolve()
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even before collectstatic
except OSError:
    pass
STATICFILES_DIRS = [p for p in [BASE_DIR / "frontend" / "dist"] if p.exists()]
# The browser app's bundle files carry a content hash in their names (Vite: assets/index-<hash>.js):
# they never change, so browsers may cache them for good. index.html itself is served no-cache.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^/static/assets/.+-[A-Za-z0-9_-]{8}\.(js|css|map|svg|png|woff2?)$"

# Request bodies (studio/http/limits.py): refused with 413 before they are read, per route. JSON
# routes and everything not registered otherwise: MAX_JSON_BODY_BYTES; the sign-in routes (open to
# anyone): MAX_AUTH_BODY_BYTES; version uploads: MAX_UPLOAD_BYTES; CSV/OTIO/EDL imports: MAX_IMPORT_BYTES.
MAX_JSON_BODY_BYTES = env_int("MAX_JSON_BODY_BYTES", 1024 * 1024)
MAX_AUTH_BODY_BYTES = env_int("MAX_AUTH_BODY_BYTES", 16 * 1024)
MAX_IMPORT_BYTES = env_int("MAX_IMPORT_BYTES", 10 * 1024 * 1024)
# Cut imports (.otio/.edl) are read in a child process (projects/interchange/cut_reader.py) limited to
# these CPU seconds and this address space, refusing .otio files nested deeper than CUT_READER_MAX_DEPTH.
CUT_READER_CPU_SECONDS = env_int("CUT_READER_CPU_SECONDS", 10)
CUT_READER_MEMORY_BYTES = env_int("CUT_READER_MEMORY_BYTES", 1024 * 1024 * 1024)
CUT_READER_MAX_DEPTH = env_int("CUT_READER_MAX_DEPTH", 64)
# The same JSON limit inside Django (test client, WSGI): a larger non-file body raises RequestDataTooBig → 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_JSON_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploaded files stream to temporary files with a running cap at the route's body limit (studio/http/uploads.py).
FILE_UPLOAD_HANDLERS = ["studio.http.uploads.CappedTemporaryFileUploadHandler"]
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 2 * 1024 * 1024 * 1024)

# Content Credentials (C2PA; studio/provenance, docs/OPERATIONS.md). Keys live outside the repository:
# by default a CA made at set-up under PROVENANCE_DIR, which issues each organization's certificate.
# Production: a CA from the company PKI (PROVENANCE_CA_CERT_FILE + _KEY_FILE) and/or certificates
# issued elsewhere per organization (PROVENANCE_ORG_CERTS_DIR/<org id>/{chain.pem,key.pem}).
PROVENANCE_DIR = Path(os.environ.get("PROVENANCE_DIR", DATA_DIR / "provenance")).resolve()
PROVENANCE_CA_CERT_FILE = os.environ.get("PROVENANCE_CA_CERT_FILE", "")
PROVENANCE_CA_KEY_FILE = os.environ.get("PROVENANCE_CA_KEY_FILE", "")
PROVENANCE_ORG_CERTS_DIR = os.environ.get("PROVENANCE_ORG_CERTS_DIR", "")
PROVENANCE_TRUST_ANCHORS_FILE = os.environ.get("PROVENANCE_TRUST_ANCHORS_FILE", "")
PROVENANCE_CREATE_CA = env_bool("PROVENANCE_CREATE_CA", os.environ.get("GREENLIGHT_ENV") != "production")
MAX_VERIFY_BYTES = env_int("MAX_VERIFY_BYTES", 512 * 1024 * 1024)
MAX_UPLOAD_SECONDS = env_int("MAX_UPLOAD_SECONDS", 15 * 60)
# Query parameters under /api/ (studio/http/params.py): longer values are refused with 400.
MAX_QUERY_VALUE_CHARS = env_int("MAX_QUERY_VALUE_CHARS", 1000)
# JSON bodies nested deeper than this are refused with 400 (studio/http/parsers.py).
MAX_JSON_DEPTH = env_int("MAX_JSON_DEPTH", 32)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "studio.tenancy.authentication.ApiTokenAuthentication",
        "studio.tenancy.authentication.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "studio.pagination.Pagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "studio.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "studio.http.parsers.JSONParser",  # DRF's, refusing bodies nested deeper than MAX_JSON_DEPTH
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "Greenlight API",
    "DESCRIPTION": "Projects, shots, versions, review, generation and likeness consent for studio teams and agencies.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation's error answers (400/401/403/404/413/429/503, one JSON shape): studio/http/schema.py.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "studio.http.schema.add_error_responses"],
    # One name per choice set where several apps use a field called status/role/… (add yours here).
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "studio.tenancy.models.Role",
        "OrganizationKindEnum": "studio.tenancy.models.Organization.Kind",
        "UseTypeEnum": "rights.models.UseType",
        "LikenessAssetKindEnum": "rights.models.LikenessAsset.Kind",
        "ModelProfileKindEnum": "generation.models.ModelProfile.Kind",
        "TakeSourceEnum": "generation.models.Take.Source",
        "ProjectStatusEnum": "projects.models.Project.Status",
        "ShotStatusEnum": "projects.models.Shot.Status",
        "VersionProcessingStatusEnum": "projects.models.Version.Processing",
        "VersionSourceEnum": "projects.models.Version.Source",
        "VersionApprovalStatusEnum": "projects.models.Version.ApprovalStatus",
        "ProjectMemberRoleEnum": "projects.models.PROJECT_MEMBER_ROLE_CHOICES",
        "PlaylistAudienceEnum": "projects.models.Playlist.Audience",
        "ApprovalDecisionEnum": "projects.models.Approval.Decision",
        "AllowedActionCodeEnum": "studio.actions.CODES",
        "NotificationKindEnum": "notifications.kinds.Kind",
        "WebhookDeliveryStateEnum": "notifications.models.WebhookDelivery.State",
        "LikenessUseStateEnum": "studio.vocabulary.USE_STATE_VALUES",
    },
}

# Login throttling: failures per account and per client address within the window.
LOGIN_THROTTLE_WINDOW_SECONDS = env_int("LOGIN_THROTTLE_WINDOW_SECONDS", 300)
LOGIN_THROTTLE_MAX_PER_ACCOUNT = env_int("LOGIN_THROTTLE_MAX_PER_ACCOUNT", 5)
LOGIN_THROTTLE_MAX_PER_ADDRESS = env_int("LOGIN_THROTTLE_MAX_PER_ADDRESS", 20)
# Share links for people without an account (projects/services/sharing.py, docs/OPERATIONS.md).
SHARE_LINK_MAX_DAYS = env_int("SHARE_LINK_MAX_DAYS", 90)
SHARE_THROTTLE_WINDOW_SECONDS = env_int("SHARE_THROTTLE_WINDOW_SECONDS", 600)
SHARE_THROTTLE_MAX_BAD_TOKENS_PER_ADDRESS = env_int("SHARE_THROTTLE_MAX_BAD_TOKENS_PER_ADDRESS", 20)
SHARE_THROTTLE_MAX_PASSPHRASES_PER_ADDRESS = env_int("SHARE_THROTTLE_MAX_PASSPHRASES_PER_ADDRESS", 10)
SHARE_THROTTLE_MAX_PASSPHRASES_PER_LINK = env_int("SHARE_THROTTLE_MAX_PASSPHRASES_PER_LINK", 50)

# Celery: three queues. gpu renders one job per process; media runs ffmpeg; default the rest.
# Services send media work to MEDIA_QUEUE (studio/queues.py) and renders to GENERATION_QUEUE, read when
# sending; the routes below cover the rest (beat's periodic tasks, a task sent by name).
CELERY_TASK_DEFAULT_QUEUE = "default"
MEDIA_QUEUE = os.environ.get("MEDIA_QUEUE", "media")
GENERATION_QUEUE = os.environ.get("GENERATION_QUEUE", "gpu")
CELERY_TASK_ROUTES = {
    "generation.tasks.render_*": {"queue": GENERATION_QUEUE},
    "generation.tasks.scan_*": {"queue": MEDIA_QUEUE},  # the likeness scan of takes runs beside the version scans
    "generation.tasks.conform_*": {"queue": MEDIA_QUEUE},  # publishing a take: the ffmpeg conform, then the version
    "projects.tasks.*": {"queue": MEDIA_QUEUE},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE["realtime-prune-events"] = {"task": "studio.realtime.tasks.prune_events", "schedule": 3600.0}
CELERY_BEAT_SCHEDULE["generation-reap-stale-jobs"] = {"task": "generation.tasks.reap_stale_jobs", "schedule": 30.0}
CELERY_BEAT_SCHEDULE["generation-dispatch"] = {"task": "generation.tasks.dispatch_generations", "schedule": 15.0}  # safety tick
CELERY_BEAT_SCHEDULE["rights-expire-lapsed-grants"] = {"task": "rights.tasks.expire_lapsed_grants", "schedule": 300.0}
CELERY_BEAT_SCHEDULE["media-sweep-orphans"] = {"task": "studio.tasks.sweep_orphaned_media", "schedule": 3600.0}
# Audit anchors (studio/audit/checkpoints.py): each chain's head, HMAC-keyed, written to the media store.
AUDIT_CHECKPOINT_SECONDS = env_int("AUDIT_CHECKPOINT_SECONDS", 300)
AUDIT_CHECKPOINT_KEY = os.environ.get("AUDIT_CHECKPOINT_KEY", "")  # default: derived from SECRET_KEY
CELERY_BEAT_SCHEDULE["audit-checkpoint-chains"] = {
    "task": "studio.audit.tasks.checkpoint_audit_chains", "schedule": float(AUDIT_CHECKPOINT_SECONDS),
}
CELERY_BEAT_SCHEDULE["media-reap-stuck-processing"] = {"task": "projects.tasks.reap_stuck_media", "schedule": 60.0}

# Notifications (notifications/): the email digest and webhooks. Email goes through Django's email
# backend: the console locally (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend with
# EMAIL_FILE_PATH writes files instead), SMTP with EMAIL_HOST and friends in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("EMAIL_HOST") else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Greenlight <notifications@greenlight.local>")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")  # links in emails, e.g. https://greenlight.example.com
NOTIFICATIONS_DIGEST_INTERVAL_SECONDS = env_int("NOTIFICATIONS_DIGEST_INTERVAL_SECONDS", 900)
CELERY_BEAT_SCHEDULE["notifications-email-digests"] = {
    "task": "notifications.tasks.send_email_digests", "schedule": float(NOTIFICATIONS_DIGEST_INTERVAL_SECONDS),
}
WEBHOOK_QUEUE = os.environ.get("WEBHOOK_QUEUE", "default")
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_RETRY_BASE_SECONDS = env_float("WEBHOOK_RETRY_BASE_SECONDS", 30.0)
WEBHOOK_RETRY_MAX_SECONDS = env_float("WEBHOOK_RETRY_MAX_SECONDS", 3600.0)
WEBHOOK_REQUEUE_AFTER_SECONDS = env_int("WEBHOOK_REQUEUE_AFTER_SECONDS", 300)
# Private, loopback and reserved addresses are refused in production (SSRF); allowed elsewhere, so
# a receiver on localhost works while developing and in tests.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", os.environ.get("GREENLIGHT_ENV") != "production")
CELERY_BEAT_SCHEDULE["notifications-requeue-due-webhooks"] = {"task": "notifications.tasks.requeue_due_webhooks", "schedule": 60.0}

# Media housekeeping (studio/media_sweep.py, projects/processing.py): files no row references are
# removed after the grace period; a version whose media processing lost its worker is re-queued.
MEDIA_SWEEP_GRACE_SECONDS = env_int("MEDIA_SWEEP_GRACE_SECONDS", 24 * 3600)
MEDIA_SWEEP_FOLDERS = env_list("MEDIA_SWEEP_FOLDERS", "versions,rights,generation,storyboards")
MEDIA_PROCESSING_MAX_ATTEMPTS = env_int("MEDIA_PROCESSING_MAX_ATTEMPTS", 3)
MEDIA_REQUEUE_AFTER_SECONDS = env_int("MEDIA_REQUEUE_AFTER_SECONDS", 900)

# Generation (generation/): how workers run renders (their queue: GENERATION_QUEUE above), when a silent worker is given up on.
GENERATION_DEVICE = os.environ.get("GENERATION_DEVICE", "auto")  # auto | cpu | cuda | cuda:N
GENERATION_CPU_THREADS = env_int("GENERATION_CPU_THREADS", 1)  # torch intra-op threads per CPU worker process
GENERATION_PIPELINE_CACHE_SIZE = env_int("GENERATION_PIPELINE_CACHE_SIZE", 2)  # warm pipelines per worker (LRU)
GENERATION_PRELOAD_MODELS = env_list("GENERATION_PRELOAD_MODELS", "")
GENERATION_MAX_ATTEMPTS = env_int("GENERATION_MAX_ATTEMPTS", 3)
GENERATION_HEARTBEAT_SECONDS = env_int("GENERATION_HEARTBEAT_SECONDS", 5)
GENERATION_STALE_AFTER_SECONDS = env_int("GENERATION_STALE_AFTER_SECONDS", 60)
GENERATION_MAX_RUNTIME_SECONDS = env_int("GENERATION_MAX_RUNTIME_SECONDS", 4 * 3600)
GENERATION_MAX_WINDOWS = env_int("GENERATION_MAX_WINDOWS", 8)  # consecutive windows an image-to-video render may chain
# Fair GPU scheduling (generation/services/scheduling.py): the dispatcher releases at most
# GENERATION_GPU_SLOTS jobs (all studios together: the number of gpu worker processes, or `auto` to
# follow the render workers alive, as they announce themselves in Redis: generation/gpu_workers.py)
# and at most a studio's concurrency limit (GpuAllowance, else this default) of one studio's jobs.
_gpu_slots = os.environ.get("GENERATION_GPU_SLOTS", "").strip().lower()
if _gpu_slots == "auto":
    GENERATION_GPU_SLOTS: int | str = "auto"
else:
    GENERATION_GPU_SLOTS = env_int("GENERATION_GPU_SLOTS", 4)
    if GENERATION_GPU_SLOTS < 1:
        raise ImproperlyConfigured("GENERATION_GPU_SLOTS must be a whole number of at least 1, or `auto`.")
GENERATION_DEFAULT_ORG_CONCURRENCY = env_int("GENERATION_DEFAULT_ORG_CONCURRENCY", 4)
GENERATION_REDISPATCH_AFTER_SECONDS = env_int("GENERATION_REDISPATCH_AFTER_SECONDS", 900)  # released, never started: resend
GENERATION_DEFAULT_RENDER_SECONDS = env_int("GENERATION_DEFAULT_RENDER_SECONDS", 60)  # the ETA before any render finished
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Logs (studio/logs.py): one line per record, JSON in production (LOG_FORMAT=json|text), each with the
# request id of the request or task it belongs to. LOG_REQUESTS adds one access record per request.
PRODUCTION = os.environ.get("GREENLIGHT_ENV") == "production"
LOG_FORMAT = os.environ.get("LOG_FORMAT") or ("json" if PRODUCTION else "text")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not a log format; use json or text.")
LOG_REQUESTS = env_bool("LOG_REQUESTS", PRODUCTION)
LOGGING = logging_config(log_format=LOG_FORMAT, level=os.environ.get("LOG_LEVEL", "INFO"))

# Metrics (studio/metrics.py): /metrics answers callers from these address ranges, or with
# `Authorization: Bearer <METRICS_TOKEN>`; everyone else gets 404 (403 for a wrong token).
try:
    METRICS_ALLOWED_CIDRS = parse_cidrs(env_list("METRICS_ALLOWED_CIDRS", "127.0.0.0/8,::1/128"))
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_QUEUES = env_list("METRICS_QUEUES", "")  # empty: every queue the Celery routes name
PROMETHEUS_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, float("inf"))

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
