"""Recordings kept in object storage (S3 and compatible stores, GCS, Azure), reached through fsspec.

fsspec and the store's driver (``s3fs`` for ``s3://``) are imported only when such an address is
used, so recording and reading local files never need them: ``pip install 'vcr-tui[cloud]'``.
Credentials and endpoints come from where the driver looks for them (for S3: the usual AWS
variables and files, ``AWS_ENDPOINT_URL`` for a compatible store), or from ``storage_options``.

Every failure of the store becomes one of the engine's errors with a one-line message, so a
caller handles a missing object exactly like a missing file.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recorder.errors import RecordingNotFoundError, RecordingUnreadableError
from recorder.object_urls import is_object_url, object_name

_DRIVERS = {
    "s3": "s3fs",
    "s3a": "s3fs",
    "gs": "gcsfs",
    "gcs": "gcsfs",
    "az": "adlfs",
    "abfs": "adlfs",
    "abfss": "adlfs",
}


class ObjectStorageError(RecordingUnreadableError):
    """The store could not be reached or would not answer; the message says why in one line."""


@dataclass(frozen=True, slots=True)
class ObjectVersion:
    """Size and version tag (the ETag, else the modification time) of one object as last seen."""

    size: int
    tag: str


@dataclass(frozen=True, slots=True)
class ObjectEntry:
    """One object found under a prefix."""

    url: str
    size: int
    tag: str

    @property
    def name(self) -> str:
        return object_name(self.url)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@contextmanager
def translated_errors(url: str) -> Iterator[None]:
    """Turn whatever the driver raises into the engine's errors, each one line."""
    try:
        yield
    except (RecordingNotFoundError, RecordingUnreadableError):
        raise
    except FileNotFoundError:
        raise RecordingNotFoundError(errno.ENOENT, f"no such object: {url}") from None
    except IsADirectoryError:
        raise RecordingUnreadableError(errno.EISDIR, f"{url} is a prefix, not a .vcr object") from None
    except PermissionError:
        raise ObjectStorageError(errno.EACCES, f"no permission to read {url}") from None
    except Exception as exc:  # botocore & co. raise their own classes: report them, never a traceback
        raise ObjectStorageError(errno.EIO, f"cannot reach {url}: {_one_line(exc)}") from None


class ObjectStore:
    """One object (or prefix) on a store, and the few calls the engine makes on it."""

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        if not is_object_url(url):
            raise ValueError(f"{url!r} is not an object storage address")
        self.url = url
        self.fs, self.key = _filesystem(url, storage_options or {})

    @property
    def name(self) -> str:
        return object_name(self.url)

    def version(self) -> ObjectVersion:
        """Size and tag as the store says now (never from a listing cached earlier)."""
        with translated_errors(self.url):
            self.fs.invalidate_cache(self.key)
            info = self.fs.info(self.key)
        if info.get("type") == "directory":
            raise RecordingUnreadableError(errno.EISDIR, f"{self.url} is a prefix, not a .vcr object")
        return ObjectVersion(int(info.get("size") or 0), _tag(info))

    def read(self, start: int, end: int) -> bytes:
        """Bytes ``[start, end)`` with one ranged GET."""
        if end <= start:
            return b""
        with translated_errors(self.url):
            data: bytes = self.fs.cat_file(self.key, start=start, end=end)
        return data

    def read_many(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        """Several ranges at once: the driver sends the GETs concurrently."""
        if not ranges:
            return []
        if len(ranges) == 1:
            return [self.read(*ranges[0])]
        with translated_errors(self.url):
            found: list[bytes] = self.fs.cat_ranges(
                [self.key] * len(ranges), [start for start, _ in ranges], [end for _, end in ranges], on_error="raise"
            )
        return found

    def list(self, suffix: str = ".vcr") -> list[ObjectEntry]:
        """The objects directly under this prefix whose names end with ``suffix``, by name."""
        with translated_errors(self.url):
            self.fs.invalidate_cache(self.key)
            listed = self.fs.ls(self.key, detail=True)
        protocol = self.url.split("://", 1)[0]
        found = []
        for info in listed:
            key = str(info.get("name", ""))
            if info.get("type") != "file" or not key.endswith(suffix) or object_name(key).startswith("."):
                continue
            found.append(ObjectEntry(f"{protocol}://{key}", int(info.get("size") or 0), _tag(info)))
        return sorted(found, key=lambda entry: entry.name)

    def download(self, local: Path) -> None:
        """Copy the object to a local file (streamed by the driver, not held in memory)."""
        with translated_errors(self.url):
            self.fs.get_file(self.key, str(local))

    def upload(self, local: Path) -> None:
        """Put a local file at this address, replacing the object there."""
        with translated_errors(self.url):
            self.fs.put_file(str(local), self.key)
            self.fs.invalidate_cache(self.key)


def _filesystem(url: str, options: dict[str, Any]) -> tuple[Any, str]:
    scheme = url.split("://", 1)[0].lower()
    driver = _DRIVERS.get(scheme, "fsspec")
    try:
        import fsspec.core
    except ImportError:
        raise ObjectStorageError(
            errno.ENOPKG, f"{scheme}:// addresses need fsspec and {driver}: pip install 'vcr-tui[cloud]'"
        ) from None
    try:
        fs, key = fsspec.core.url_to_fs(url, **options)
    except ImportError:
        raise ObjectStorageError(errno.ENOPKG, f"{scheme}:// addresses need {driver}: pip install {driver}") from None
    except Exception as exc:
        raise ObjectStorageError(errno.EINVAL, f"cannot use {url}: {_one_line(exc)}") from None
    return fs, str(key)


def _tag(info: dict[str, Any]) -> str:
    """The object's version tag: ETag where the store gives one, else size and modification time."""
    for key in ("ETag", "etag", "md5Hash", "generation", "version_id"):
        value = info.get(key)
        if value:
            return str(value).strip('"')
    return f"{info.get('size')}@{info.get('LastModified') or info.get('mtime') or info.get('last_modified')}"


def upload_recording(local: str | os.PathLike[str], url: str, storage_options: dict[str, Any] | None = None) -> str:
    """Copy a recording to ``url``; a URL ending in ``/`` gets the file's own name. Returns the object's URL."""
    path = Path(local)
    if not path.is_file():
        raise RecordingNotFoundError(errno.ENOENT, f"no such recording: {path}")
    target = url + path.name if url.endswith("/") else url
    ObjectStore(target, storage_options).upload(path)
    return target
