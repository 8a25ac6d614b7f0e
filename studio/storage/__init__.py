"""Media storage through Django's storage API: the local folder (`MEDIA_ROOT`, the default) or an
S3 bucket (`STORAGE_URL`, `studio/storage/config.py`). Nothing else in Greenlight assumes a file has
a local path: code that needs one (ffmpeg, c2pa, zip) asks for a scratch copy here, and code that
makes a file stores it here.

- `local_copy(name)` — a context manager yielding a local `Path` of a stored file: the file itself on
  the local backend (read it, never change it), else a copy downloaded into `DATA_DIR/tmp` and
  removed on exit (what a killed worker leaves there goes with the media sweeper's scratch pass);
- `save_file(path, name, replace=...)` — store a local file under `name`; returns the stored name;
- `stat(name)` — (size, modification timestamp), `FileNotFoundError` when it is gone;
- `local_path(name)` — the path on the local backend, None on an object store;
- `presigned_url(name, ...)` — on an object store, a URL valid for `MEDIA_URL_EXPIRES_SECONDS` that
  the browser fetches the bytes from directly (Range requests included); None on the local backend,
  whose files the web process serves itself (`studio/http/media.py`).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage


def _storage(storage: Storage | None) -> Storage:
    return storage if storage is not None else default_storage


def local_path(name: str, *, storage: Storage | None = None) -> Path | None:
    """The file's path when the storage is a local folder, else None."""
    try:
        return Path(_storage(storage).path(name))
    except NotImplementedError:
        return None


def scratch_dir() -> Path:
    scratch = Path(settings.DATA_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    return scratch


@contextmanager
def local_copy(name: str, *, storage: Storage | None = None) -> Iterator[Path]:
    """A local path holding the stored file `name` for the duration of the block (read-only use).

    Raises FileNotFoundError when the file is not in the storage."""
    storage = _storage(storage)
    path = local_path(name, storage=storage)
    if path is not None:
        if not path.is_file():
            raise FileNotFoundError(f"File does not exist: {name}")
        yield path
        return
    suffix = Path(name).suffix
    with tempfile.TemporaryDirectory(prefix="gl-copy-", dir=scratch_dir()) as tmp:
        copy = Path(tmp) / f"file{suffix}"
        download = getattr(storage, "download_to", None)
        if download is not None:
            download(name, copy)
        else:
            with storage.open(name, "rb") as src, open(copy, "wb") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
        yield copy


def save_file(path: Path | str, name: str, *, storage: Storage | None = None, replace: bool = False) -> str:
    """Store the local file `path` as `name` (replacing what is there when `replace`); the stored name."""
    storage = _storage(storage)
    if replace and storage.exists(name):
        storage.delete(name)
    with open(path, "rb") as handle:
        return storage.save(name, File(handle, name=Path(name).name))


def stat(name: str, *, storage: Storage | None = None) -> tuple[int, float]:
    """(size in bytes, modification time as a timestamp); FileNotFoundError when it is gone."""
    storage = _storage(storage)
    path = local_path(name, storage=storage)
    if path is not None:
        info = path.stat()
        return info.st_size, info.st_mtime_ns / 1e9
    own = getattr(storage, "stat", None)
    if own is not None:
        return own(name)
    if not storage.exists(name):
        raise FileNotFoundError(f"File does not exist: {name}")
    return storage.size(name), storage.get_modified_time(name).timestamp()


def exists(name: str, *, storage: Storage | None = None) -> bool:
    return bool(name) and _storage(storage).exists(name)


def presigned_url(name: str, *, filename: str, content_type: str, attachment: bool = False, cache_control: str | None = None,
                  method: str = "GET", storage: Storage | None = None) -> str | None:
    """A short-lived URL of the stored file for the browser (object stores), None on the local backend.

    The response it gets carries `content_type`, the download `filename` and `cache_control`; the URL
    expires after MEDIA_URL_EXPIRES_SECONDS, so access revoked now means no new URL, and an old one
    stops working within that time."""
    storage = _storage(storage)
    if local_path(name, storage=storage) is not None:
        return None
    disposition = f'{"attachment" if attachment else "inline"}; filename="{filename}"'
    params = {"ResponseContentType": content_type, "ResponseContentDisposition": disposition,
              "ResponseCacheControl": cache_control or f"private, max-age={settings.MEDIA_URL_EXPIRES_SECONDS}"}
    presign = getattr(storage, "presigned_url", None)
    if presign is not None:
        return presign(name, expire=settings.MEDIA_URL_EXPIRES_SECONDS, parameters=params, http_method=method)
    return storage.url(name)
