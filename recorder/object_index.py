"""The line index of a recording kept in object storage, read by ranged GETs.

Same index as a local file (``LineIndex`` does the scanning), fed by a different ``_pread``:
the scan reads one GET from where it is to the end of the object (``ObjectStream``), a few
pieces ahead of it, so the transfer and the scan overlap, one request's overhead is paid once,
and the object is never held whole in memory. Frames are then read on demand from a small cache
of blocks, so stepping through neighbouring frames costs one request per block, not one per frame;
those reads name the version indexed, so a replaced object is refused rather than read at offsets
that are no longer its lines'.

A store cannot append, so a "growing" recording is a writer that uploads it again, bigger. Each
``update()`` once caught up asks for the object's version: the same tag means nothing new; a new
tag whose first bytes and last indexed line are unchanged is an append (only the new bytes are
read); anything else was replaced and is indexed from the start, as is an object found replaced
in the middle of a read. A read that fails leaves the index as it was before that ``update()``,
so trying again loses and repeats no frame. A complete index is saved in the local cache under
the object's tag, and an open that finds it there reads no data at all.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

from recorder import index_cache
from recorder.index import _CHUNK, IndexUpdate, LineIndex
from recorder.object_stream import ObjectChangedError, ObjectStream, changed, read_blocks
from recorder.storage import ObjectStore, ObjectVersion

_BLOCK = 512 << 10
_BLOCKS_KEPT = 64
_SCAN_READ = 1 << 20  # reads this big or bigger are the scanner's: streamed, not cached
_HEAD_KEPT = 64 << 10  # of the first chunk, what the fingerprint reads again (its first bytes)
# Where ``LineIndex`` keeps how far its scans got, besides the lists they append to.
_SCAN_STATE = (
    "end",
    "line_count",
    "pending_tail",
    "_last_line_start",
    "_fingerprint",
    "_sample",
    "_seen",
    "_separator",
    "_separator_known",
)
_AHEAD = 2  # the scanner's chunks a stream keeps received ahead of it: the bytes in flight are bounded


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
        self._stream: ObjectStream | None = None
        self._scanned: dict[int, bytes] = {}  # the first and the latest slice the scanner took, by offset
        self._unconsumed: list[tuple[int, bytes]] = []  # slices from ``end`` to the stream: a line read again
        self._scanning = False  # reads of the scanner's size come from the stream only while it scans
        self._stale = False  # a read found the object replaced: the next ``update()`` starts over
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
        self._forget_bytes()

    def _forget_bytes(self) -> None:
        """Drop every byte read so far and the stream: they belong to the version last seen."""
        self._blocks.clear()
        self._scanned = {}
        self._unconsumed = []
        if self._stream is not None:
            self._stream.close()
            self._stream = None

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
        if self._stale:
            self.version = self.store.version()
            self._forget_bytes()
            self._stale = False
            return True
        if not self.complete:
            return False  # still reading the version we have: no need to ask yet
        latest = self.store.version()
        if latest.tag == self.version.tag and latest.size == self.version.size:
            return False
        self.version = latest
        self._forget_bytes()
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
        kept = self._progress()
        self._scanning = True
        try:
            super()._scan()
            self._unconsumed = [(start, data) for start, data in self._unconsumed if start + len(data) > self.end]
        except BaseException as exc:
            self._roll_back(kept)  # the lines of this scan are read again next time, not twice
            if isinstance(exc, ObjectChangedError):
                self._stale = True
            raise
        finally:
            self._scanning = False

    def _progress(self) -> tuple[Any, ...]:
        """What a scan changes, to put back when one fails half-way."""
        counts = (len(self.starts), len(self.sessions), len(self.problems))
        return (*counts, *(getattr(self, name) for name in _SCAN_STATE))

    def _roll_back(self, kept: tuple[Any, ...]) -> None:
        frames, sessions, problems = kept[:3]
        del self.starts[frames:], self.ends[frames:], self.lines[frames:]
        del self.sessions[sessions:], self.problems[problems:]
        for name, value in zip(_SCAN_STATE, kept[3:], strict=True):
            setattr(self, name, value)
        self._forget_bytes()

    # -- reading -----------------------------------------------------------------------------

    def _pread(self, size: int, offset: int) -> bytes:
        scanner = self._scanning and size >= _SCAN_READ  # the scan's chunks, however short the last
        size = min(size, self._limit - offset)
        if size <= 0:
            return b""
        if scanner:
            return self._scan_read(size, offset)
        for start, data in (*self._scanned.items(), *self._unconsumed):  # the fingerprint's: what the scan saw
            if start <= offset and offset + size <= start + len(data):
                return data[offset - start : offset - start + size]
        first, last = offset // _BLOCK, (offset + size - 1) // _BLOCK
        missing = [block for block in range(first, last + 1) if block not in self._blocks]
        if missing:
            ranges = [(block * _BLOCK, min((block + 1) * _BLOCK, self._limit)) for block in missing]
            self.requests += len(ranges)
            try:
                found = read_blocks(self.store, ranges, self.version.tag)
            except ObjectChangedError:
                self._stale = True  # the next ``update()`` indexes the version there now
                raise
            for block, data in zip(missing, found, strict=True):
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
        """A scanner's chunk, from the stream (opened at ``offset`` unless it is there already).

        A scan that stopped at its step's limit left an unfinished line behind, which the next
        scan reads again: those bytes are the end of the slice taken last, and the stream goes on
        after them.
        """
        again = self._read_again(offset)
        stream = self._streamed(offset + len(again))
        ready = again + stream.read(size - len(again)) if len(again) < size else again[:size]
        if len(ready) != size:
            raise changed(self.url)
        first = self._scanned.get(0)
        scanned = {0: first} if first is not None and offset else {}
        scanned[offset] = ready
        if not offset:
            scanned[0] = ready[:_HEAD_KEPT]
        self._scanned = scanned  # replaced whole: a reader in another thread never sees it change
        if len(again) < size:  # kept from the last complete line on (its start is known by now)
            kept = [(start, data) for start, data in self._unconsumed if start + len(data) > self._last_line_start]
            self._unconsumed = [*kept, (offset + len(again), ready[len(again) :])]
        return ready

    def _read_again(self, offset: int) -> bytes:
        """The bytes from ``offset`` to where the stream is, when the slices not yet consumed hold
        them (a line longer than a step is read again by each step until it ends)."""
        stream, kept = self._stream, self._unconsumed
        if stream is None or stream.tag != self.version.tag or not offset < stream.position or not kept:
            return b""
        if kept[0][0] > offset or kept[-1][0] + len(kept[-1][1]) != stream.position:
            return b""
        parts = [data[max(0, offset - start) :] for start, data in kept if start + len(data) > offset]
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _streamed(self, offset: int) -> ObjectStream:
        stream = self._stream
        if stream is None or stream.position != offset or stream.tag != self.version.tag:
            if stream is not None:
                stream.close()
            stream = self._stream = ObjectStream(
                self.store, offset, self.version.size, self.version.tag, piece=_CHUNK, ahead=_AHEAD
            )
            self.requests += 1
        return stream

    def prefetch(self) -> None:
        """Start the GET the next ``update()`` reads, so that it only scans: a follower calls this
        outside the reader's lock, and the screen keeps reading frames while the bytes travel."""
        if self.complete or self._stale:
            return
        self._limit = self._next_limit()
        if self.end < self._limit:
            self._streamed(self.end + len(self._read_again(self.end)))

    def _next_limit(self) -> int:
        size = self.version.size
        return size if self.step_bytes is None else min(size, self.end + self.pending_tail + self.step_bytes)

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
