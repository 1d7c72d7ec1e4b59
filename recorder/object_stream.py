"""An object read in order from one position by a single GET, a few pieces ahead of the reader.

Indexing reads an object front to back. Split into ranged GETs, it pays each request's overhead
again (a store whose server reads the whole object for every range pays it in proportion to the
object's size), and a window of GETs waits for the slowest of them. One GET from where the scan
is to the end of the version, read in pieces as they arrive, pays it once; a task on the
driver's event loop keeps up to ``ahead`` pieces queued while the scan works on the last one, so
the transfer and the scan overlap and no more than ``(ahead + 1) * piece`` bytes are held.

The GET names the version it reads (``If-Match`` with the ETag the index was opened with), so a
stream that has to start again after the object was replaced fails with ``ObjectChangedError``
instead of returning another object's bytes at the old offsets. A store driver without an async
S3 client behind it is read by ranged GETs of one piece each, the next one in flight on a thread
while the reader works on the current one.
"""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from recorder.storage import ObjectStorageError, ObjectStore, translated_errors

_END = b""


class ObjectChangedError(ObjectStorageError):
    """The object is no longer the version being read: it was replaced (or cut short) meanwhile."""


def changed(url: str) -> ObjectChangedError:
    return ObjectChangedError(errno.ESTALE, f"{url} was replaced while it was being read; reading it again")


def _precondition_failed(exc: BaseException) -> bool:
    """Whether the store refused an ``If-Match``: the ETag named is not the object's any more."""
    for error in (exc, exc.__cause__):
        response = getattr(error, "response", None)
        if isinstance(response, dict):
            code = str(response.get("Error", {}).get("Code", ""))
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("PreconditionFailed", "412") or status == 412:
                return True
    return False


class ObjectStream:
    """Bytes ``[start, end)`` of ``store``'s object at version ``tag``, handed out in order by ``read``."""

    def __init__(self, store: ObjectStore, start: int, end: int, tag: str, *, piece: int, ahead: int = 2) -> None:
        self.store = store
        self.position = start  # the next byte ``read`` returns
        self.end = end
        self.tag = tag
        self.piece = piece
        self.ahead = ahead
        self.requests = 0
        self.closed = False
        self._left = b""  # what was received past the last read, when the reader asked for less
        self._reader: _Reader = _AsyncReader(self) if _loop_of(store) is not None else _ThreadReader(self)

    def read(self, size: int) -> bytes:
        """The next ``size`` bytes (fewer only at ``end``); the object's errors as the engine's."""
        size = min(size, self.end - self.position)
        if size <= 0:
            return b""
        if self.closed:
            raise ObjectStorageError(errno.EPIPE, f"the read of {self.store.url} was closed")
        parts = [self._left] if self._left else []
        held = len(self._left)
        while held < size:
            piece = self._reader.next_piece()
            if not piece:
                self.close()
                raise changed(self.store.url)  # the body ended before the range did: not this version
            parts.append(piece)
            held += len(piece)
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        self._left = data[size:]
        self.position += size
        return data[:size] if self._left else data

    def close(self) -> None:
        self.closed = True
        self._reader.close()


def read_blocks(store: ObjectStore, ranges: Sequence[tuple[int, int]], tag: str) -> list[bytes]:
    """Byte ranges of the object at version ``tag`` only; ``ObjectChangedError`` once it is another.

    The viewer reads frames by block long after the scan, at offsets that belong to the version
    it indexed. Over S3 each GET says so with ``If-Match``, so a replaced object is refused rather
    than read at the old offsets; a driver without that is read as asked and its version asked
    after, which catches every replacement made before the read.
    """
    if not ranges:
        return []
    loop = _loop_of(store)
    if loop is None or not _is_etag(tag):
        found = store.read_many(ranges)
        if tag and store.version().tag != tag:
            raise changed(store.url)
        return found
    future = asyncio.run_coroutine_threadsafe(_get_blocks(store, ranges, tag), loop)
    try:
        blocks = future.result()
    except Exception as exc:
        if _precondition_failed(exc):
            raise changed(store.url) from None
        with translated_errors(store.url):
            raise
    if any(len(data) != end - start for data, (start, end) in zip(blocks, ranges, strict=True)):
        raise changed(store.url)  # a body shorter than its range: the object was cut meanwhile
    return blocks


def _is_etag(tag: str) -> bool:
    return bool(tag) and "@" not in tag  # not the size@time stand-in of a store without ETags


async def _get_blocks(store: ObjectStore, ranges: Sequence[tuple[int, int]], tag: str) -> list[bytes]:
    fs = store.fs
    bucket, key, version = fs.split_path(store.key)
    extra: dict[str, Any] = {"VersionId": version} if version else {}

    async def one(start: int, end: int) -> bytes:
        response = await fs._call_s3(
            "get_object", Bucket=bucket, Key=key, Range=f"bytes={start}-{end - 1}", IfMatch=tag, **extra
        )
        body = response["Body"]
        try:
            data: bytes = await body.read()
        finally:
            body.close()
        return data

    return list(await asyncio.gather(*(one(start, end) for start, end in ranges)))


class _Reader:
    def next_piece(self) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def _loop_of(store: ObjectStore) -> asyncio.AbstractEventLoop | None:
    """The driver's event loop, when it reaches S3 through an async client we can stream from."""
    fs = store.fs
    loop = getattr(fs, "loop", None)
    if isinstance(loop, asyncio.AbstractEventLoop) and callable(getattr(fs, "_call_s3", None)):
        return loop
    return None


class _AsyncReader(_Reader):
    """One ``get_object`` on the driver's loop; a task reads the body into a bounded queue."""

    def __init__(self, stream: ObjectStream) -> None:
        self._stream = stream
        self._start = stream.position
        loop = _loop_of(stream.store)
        assert loop is not None
        self._loop = loop
        self._queue: asyncio.Queue[bytes | BaseException] = asyncio.Queue(maxsize=max(1, stream.ahead))
        self._task: Future[None] = asyncio.run_coroutine_threadsafe(self._produce(), loop)

    async def _produce(self) -> None:
        stream, queue = self._stream, self._queue
        body: Any = None
        try:
            body = await self._open()
            remaining = stream.end - self._start
            while remaining > 0:
                piece = await _read_exactly(body.read, min(stream.piece, remaining))
                if not piece:
                    break
                remaining -= len(piece)
                await queue.put(piece)
            await queue.put(_END)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            await queue.put(exc)
        finally:
            if body is not None:
                body.close()

    async def _open(self) -> Any:
        stream = self._stream
        fs = stream.store.fs
        bucket, key, version = fs.split_path(stream.store.key)
        extra: dict[str, Any] = {"VersionId": version} if version else {}
        if _is_etag(stream.tag):
            extra["IfMatch"] = stream.tag
        stream.requests += 1
        response = await fs._call_s3(
            "get_object", Bucket=bucket, Key=key, Range=f"bytes={self._start}-{stream.end - 1}", **extra
        )
        return response["Body"]

    def next_piece(self) -> bytes:
        found = asyncio.run_coroutine_threadsafe(self._queue.get(), self._loop).result()
        if isinstance(found, BaseException):
            if _precondition_failed(found):
                raise changed(self._stream.store.url)
            with translated_errors(self._stream.store.url):
                raise found
        return found

    def close(self) -> None:
        self._task.cancel()


async def _read_exactly(read: Callable[[int], Awaitable[bytes]], size: int) -> bytes:
    """``size`` bytes of a body whose ``read(n)`` returns what has arrived, or fewer at its end."""
    parts = []
    held = 0
    while held < size:
        part = await read(size - held)
        if not part:
            break
        parts.append(part)
        held += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


class _ThreadReader(_Reader):
    """Ranged GETs of one piece each, the next one sent before the current one is handed out."""

    def __init__(self, stream: ObjectStream) -> None:
        self._stream = stream
        self._next = stream.position
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vcr-object-read")
        self._pending: list[Future[bytes]] = []
        self._fill()

    def _fill(self) -> None:
        stream = self._stream
        while len(self._pending) < max(1, stream.ahead) and self._next < stream.end:
            end = min(self._next + stream.piece, stream.end)
            stream.requests += 1
            self._pending.append(self._pool.submit(stream.store.read, self._next, end))
            self._next = end

    def next_piece(self) -> bytes:
        if not self._pending:
            return _END
        piece = self._pending.pop(0).result()
        self._fill()
        return piece

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
