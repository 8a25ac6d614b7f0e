"""Which media store the settings name: Django 5.2's `STORAGES` from the environment.

Imported by `studio/settings.py`, so it imports nothing from Django's storage machinery.

- `STORAGE_URL=s3://KEY:SECRET@host:port/bucket[/prefix]?region=eu-west-1` (or `s3+http://` for an
  endpoint without TLS, e.g. SeaweedFS or MinIO on a private network; no host = AWS itself); further
  query parameters: `public_endpoint` (the endpoint browsers reach, when it differs from the one
  the pods use), `addressing` (`path`, the default with a custom endpoint, or `virtual`);
- else `AWS_STORAGE_BUCKET_NAME` with the usual `AWS_S3_ENDPOINT_URL`, `AWS_S3_REGION_NAME`,
  `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (or the pod's IAM role);
- else the local folder `MEDIA_ROOT`, the default `make run` uses.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "studio.storage.s3.MediaS3Storage"
STATIC_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"


class StorageConfigError(ValueError):
    pass


def _s3_options(*, bucket: str, endpoint: str | None, access_key: str | None, secret_key: str | None, region: str | None,
                location: str = "", public_endpoint: str | None = None, addressing: str | None = None, expire: int) -> dict:
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": region or None,
        "signature_version": "s3v4",
        "addressing_style": addressing or ("path" if endpoint else None),
        "querystring_auth": True,
        "querystring_expire": expire,
        "file_overwrite": False,  # as the local folder: a taken name gets a suffix, nothing is overwritten
        "default_acl": None,  # objects stay private; browsers get presigned URLs
        "location": location.strip("/"),
        "public_endpoint_url": public_endpoint or None,
    }
    if access_key:
        options.update(access_key=access_key, secret_key=secret_key or "")
    return options


def parse_storage_url(url: str, *, expire: int) -> dict:
    """STORAGES["default"] for an `s3://` or `s3+http(s)://` URL. Raises StorageConfigError naming the problem."""
    parts = urlsplit(url)
    scheme = {"s3": "https", "s3+https": "https", "s3+http": "http"}.get(parts.scheme)
    if scheme is None:
        raise StorageConfigError(f"STORAGE_URL must start with s3://, s3+https:// or s3+http://, not {parts.scheme or '(none)'}://.")
    bucket, _, location = parts.path.lstrip("/").partition("/")
    if not bucket:
        raise StorageConfigError("STORAGE_URL names no bucket: use s3://KEY:SECRET@host:port/BUCKET.")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"region", "public_endpoint", "addressing"}
    if unknown:
        raise StorageConfigError(f"STORAGE_URL has unknown parameters {sorted(unknown)}; use region, public_endpoint, addressing.")
    if query.get("addressing") not in (None, "path", "virtual"):
        raise StorageConfigError("STORAGE_URL addressing= must be path or virtual.")
    host = parts.hostname
    endpoint = f"{scheme}://{host}{f':{parts.port}' if parts.port else ''}" if host else None
    return {"BACKEND": S3_BACKEND, "OPTIONS": _s3_options(
        bucket=bucket, endpoint=endpoint, access_key=unquote(parts.username) if parts.username else None,
        secret_key=unquote(parts.password) if parts.password else None, region=query.get("region"), location=location,
        public_endpoint=query.get("public_endpoint"), addressing=query.get("addressing"), expire=expire,
    )}


def storages_from_env(env, *, expire: int) -> dict:
    """The STORAGES setting: media on S3 when the environment names a bucket, else the local folder."""
    if env.get("STORAGE_URL"):
        default = parse_storage_url(env["STORAGE_URL"], expire=expire)
    elif env.get("AWS_STORAGE_BUCKET_NAME"):
        default = {"BACKEND": S3_BACKEND, "OPTIONS": _s3_options(
            bucket=env["AWS_STORAGE_BUCKET_NAME"], endpoint=env.get("AWS_S3_ENDPOINT_URL"),
            access_key=env.get("AWS_ACCESS_KEY_ID"), secret_key=env.get("AWS_SECRET_ACCESS_KEY"),
            region=env.get("AWS_S3_REGION_NAME") or env.get("AWS_DEFAULT_REGION"), location=env.get("AWS_LOCATION", ""),
            public_endpoint=env.get("AWS_S3_PUBLIC_ENDPOINT_URL"), expire=expire,
        )}
    else:
        default = {"BACKEND": LOCAL_BACKEND}  # MEDIA_ROOT, read when used (tests override it per test)
    return {"default": default, "staticfiles": {"BACKEND": STATIC_BACKEND}}
