"""The line index of a recording kept in object storage, read by ranged GETs.

Same index as a local file (``LineIndex`` does the scanning), fed by a different ``_pread``:
the object is streamed in chunks, several ranged GETs in flight at once, and never held whole
in memory. Frames are then read on demand from a small cache of blocks, so stepping through
neighbouring frames costs one request per block, not one per frame.

A store cannot append, so a "growing" recording is a writer that uploads it again, bigger. Each
``update()`` once caught up asks for the object's version: the same tag means nothing new; a new
tag whose first bytes and last indexed line are unchanged is an append (only the new bytes are
read); anything else was replaced and is indexed from the start. A complete index is saved in
the local cache under the object's tag, and an open that finds it there reads no data at all.
"""

from __future__ import annotations

import errno
import os
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from recorder import index_cache
from recorder.errors import RecordingUnreadableError
from recorder.index import _CHUNK, IndexUpdate, LineIndex
from recorder.storage import ObjectStore, ObjectVersion

_BLOCK = 512 << 10
_BLOCKS_KEPT = 64
_SCAN_READ = 1 << 20  # reads this big or bigger are the scanner's: fetched ahead, not cached
_FETCH = 32 << 20  # one ranged GET while scanning; sliced into the scanner's chunks
_AHEAD = 2  # GETs sent together: one window; the next window travels while this one is scanned


class ObjectIndex(LineIndex):
    """A ``LineIndex`` over an object; ``step_bytes`` bounds how much one ``update()`` scans.

    Without ``step_bytes`` the constructor's first ``update()`` indexes the whole object, as
    ``VCRReader`` expects. With it, each call indexes about that many more bytes, so a viewer can
    show the first frames while the rest streams in (see ``complete``).
    """

    def __init__(
        self,
        url: str,
        *,
        storage_options: dict[str, Any] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        step_bytes: int | None = None,
        use_cache: bool = True,
    ) -> None:
        self.url = url
        self.store = ObjectStore(url, storage_options)
        self.path = Path(self.store.name)
        self.fd = -1
        self.step_bytes = step_bytes
        self.cache_dir = Path(cache_dir) if cache_dir is not None else index_cache.default_cache_dir()
        self.use_cache = use_cache
        self.version: ObjectVersion = self.store.version()
        self.from_cache = False
        self.requests = 0  # ranged GETs sent: how a caller tells a cached open from a streamed one
        self._limit = 0
        self._blocks: OrderedDict[int, bytes] = OrderedDict()
        self._ahead: dict[int, bytes] = {}
        self._next: tuple[int, int, list[tuple[int, int]], Future[list[bytes]]] | None = None
        self._scanned: dict[int, bytes] = {}  # the first and the latest slice the scanner took, by offset
        self._fetcher: ThreadPoolExecutor | None = None
        self._saved_tag: str | None = None
        self._reset_state()
        if use_cache:
            self._restore()

    def _open_identity(self) -> tuple[int, int]:
        return (0, 0)  # an object's identity is its version tag, checked in ``_changed_underneath``

    def _stamp(self) -> tuple[int, int, int]:
        return (self.version.size, 0, 0)  # an object has no times worth comparing: its tag is checked

    def _sample_positions(self) -> tuple[int, ...]:
        """None: a file samples frame lines because its times can miss a rewrite in place; an
        object's tag never does, and each sampled line would cost a ranged GET of its own."""
        return ()

    def close(self) -> None:
        self._blocks.clear()
        self._ahead.clear()
        self._next = None
        self._scanned = {}
        if self._fetcher is not None:
            self._fetcher.shutdown(wait=False, cancel_futures=True)
            self._fetcher = None

    @property
    def complete(self) -> bool:
        """Whether every byte of the version last seen has been indexed."""
        return self.end + self.pending_tail >= self.version.size

    # -- following ---------------------------------------------------------------------------

    def update(self) -> IndexUpdate:
        result = super().update()
        if self.complete and self.use_cache and self._saved_tag != self.version.tag:
            index_cache.save(self.cache_dir, self.url, self._snapshot())
            self._saved_tag = self.version.tag
        return result

    def _changed_underneath(self) -> bool:
        if not self.complete:
            return False  # still reading the version we have: no need to ask yet
        latest = self.store.version()
        if latest.tag == self.version.tag and latest.size == self.version.size:
            return False
        self.version = latest
        self._blocks.clear()
        self._ahead.clear()
        self._next = None
        self._scanned = {}
        if latest.size < self.end:
            return True
        self._limit = latest.size
        if self._read_fingerprint() != self._fingerprint:
            return True
        if self.use_cache and not self.pending_tail:
            self._restore()  # someone may have indexed this newer version already
        return False

    def _reopen(self) -> None:
        self._reset_state()
        if self.use_cache:
            self._restore()

    def _scan(self) -> None:
        if self._fingerprint and self.end + self.pending_tail >= self.version.size:
            return  # every byte of this version is indexed already (say, from the cache)
        self._limit = self._next_limit()
        super()._scan()

    # -- reading -----------------------------------------------------------------------------

    def _pread(self, size: int, offset: int) -> bytes:
        size = min(size, self._limit - offset)
        if size <= 0:
            return b""
        if size >= _SCAN_READ:
            return self._scan_read(size, offset)
        for start, data in self._scanned.items():  # the fingerprint's reads: what the scan just saw
            if start <= offset and offset + size <= start + len(data):
                return data[offset - start : offset - start + size]
        first, last = offset // _BLOCK, (offset + size - 1) // _BLOCK
        missing = [block for block in range(first, last + 1) if block not in self._blocks]
        if missing:
            ranges = [(block * _BLOCK, min((block + 1) * _BLOCK, self._limit)) for block in missing]
            self.requests += len(ranges)
            for block, data in zip(missing, self.store.read_many(ranges), strict=True):
                self._keep(block, data)
        parts = []
        for block in range(first, last + 1):
            self._blocks.move_to_end(block)
            parts.append(self._blocks[block])
        joined = b"".join(parts) if len(parts) > 1 else parts[0]
        skip = offset - first * _BLOCK
        return joined[skip : skip + size]

    def _keep(self, block: int, data: bytes) -> None:
        self._blocks[block] = data
        while len(self._blocks) > _BLOCKS_KEPT:
            self._blocks.popitem(last=False)

    def _scan_read(self, size: int, offset: int) -> bytes:
        """A scanner's chunk: served from what was fetched ahead, else fetched with what follows."""
        ready = self._ahead.pop(offset, None)
        if ready is None or len(ready) < size:
            self._fetch_ahead(offset, size)
            ready = self._ahead.pop(offset, b"")
        ready = ready[:size]
        first = self._scanned.get(0)
        scanned = {0: first} if first is not None and offset else {}
        scanned[offset] = ready
        self._scanned = scanned  # replaced whole: a reader in another thread never sees it change
        return ready

    def prefetch(self) -> None:
        """Fetch what the next ``update()`` will scan, so that it only scans: a follower calls this
        outside the reader's lock, and the screen keeps reading frames while the bytes travel."""
        if self.complete:
            return
        self._limit = self._next_limit()
        if self.end not in self._ahead and self.end < self._limit:
            self._fetch_ahead(self.end, _CHUNK)

    def _next_limit(self) -> int:
        size = self.version.size
        return size if self.step_bytes is None else min(size, self.end + self.pending_tail + self.step_bytes)

    def _fetch_ahead(self, offset: int, size: int) -> None:
        """The window from ``offset`` (at most ``_AHEAD`` GETs of ``_FETCH`` bytes, sent together, or
        taken from the GETs already sent for it), kept in slices of ``size`` keyed by where each
        starts; then the GETs for the window after it are sent from a worker thread, so the
        network and the scan of this window overlap."""
        self._ahead.clear()
        pending, self._next = self._next, None
        if pending is not None and pending[0] == offset and pending[1] == self._limit:
            ranges, chunks = pending[2], pending[3].result()
        else:
            ranges = self._window(offset)
            if not ranges:
                return
            self.requests += len(ranges)
            chunks = self.store.read_many(ranges)
        for (start, end), chunk in zip(ranges, chunks, strict=True):
            if len(chunk) != end - start:
                raise RecordingUnreadableError(errno.EIO, f"{self.url} changed while it was being read")
            for at in range(0, len(chunk), size):
                self._ahead[start + at] = chunk[at : at + size]
        following = self._window(ranges[-1][1])
        if following and size >= _SCAN_READ:
            if self._fetcher is None:
                self._fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vcr-object-read")
            self.requests += len(following)
            future = self._fetcher.submit(self.store.read_many, following)
            self._next = (following[0][0], self._limit, following, future)

    def _window(self, offset: int) -> list[tuple[int, int]]:
        ranges: list[tuple[int, int]] = []
        start = offset
        while start < self._limit and len(ranges) < _AHEAD:
            ranges.append((start, min(start + _FETCH, self._limit)))
            start += _FETCH
        return ranges

    # -- the local cache ---------------------------------------------------------------------

    def _snapshot(self) -> index_cache.IndexSnapshot:
        return index_cache.IndexSnapshot(
            size=self.version.size,
            tag=self.version.tag,
            end=self.end,
            line_count=self.line_count,
            pending_tail=self.pending_tail,
            last_line_start=self._last_line_start,
            fingerprint=self._fingerprint,
            starts=self.starts,
            ends=self.ends,
            lines=self.lines,
            sessions=self.sessions,
            problems=self.problems,
        )

    def _restore(self) -> None:
        found = index_cache.load(self.cache_dir, self.url, self.version.size, self.version.tag)
        if found is None:
            return
        self.starts, self.ends, self.lines = found.starts, found.ends, found.lines
        self.sessions, self.problems = found.sessions, found.problems
        self.end, self.line_count, self.pending_tail = found.end, found.line_count, found.pending_tail
        self._last_line_start, self._fingerprint = found.last_line_start, found.fingerprint
        self._limit = self.version.size
        self._saved_tag = found.tag
        self.from_cache = True
