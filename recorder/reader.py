"""VCRReader: frames of one recording, parsed when asked for and cached.

Sits on the line index. Parsing one 4 KB frame costs microseconds, so a viewer can jump anywhere
in a file of any size; the few hundred frames around the cursor stay parsed. Diff-mode frames
(whose states are ``{}`` plus ``state_diff`` ops) are rebuilt into full states here, so nothing
above this layer ever sees the difference.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path

from recorder.encoding import MAX_DEPTH
from recorder.index import IndexUpdate, LineIndex, decode_line
from recorder.models import Frame, FrameMetadata, FrameType, Problem, ProblemKind, Session, frame_from_dict
from recorder.nesting import may_nest_deeper, shallow_copy_deep_parts
from recorder.state_patch import apply_ops

_CACHE_SIZE = 512


def _open_index(path: str | os.PathLike[str]) -> LineIndex:
    """A file's index, or an object's when ``path`` is an object storage URL."""
    from recorder.object_urls import is_object_url

    if is_object_url(path):
        from recorder.object_index import ObjectIndex

        return ObjectIndex(str(path))
    return LineIndex(Path(path))


def incomplete_last_line(line: int, size: int) -> Problem:
    """The one wording of an unfinished last line: this reader's, and a stream's held-back tail's."""
    return Problem(
        line,
        f"last line incomplete ({size} bytes without a newline): still being written, or cut off",
        ProblemKind.INCOMPLETE,
    )


class VCRReader:
    """Random access to the frames of a ``.vcr`` file, tolerant of everything but a missing path."""

    def __init__(
        self, path: str | os.PathLike[str], *, cache_size: int = _CACHE_SIZE, index: LineIndex | None = None
    ) -> None:
        """``path`` is a file, or an object storage URL (``s3://bucket/run.vcr``, read by ranges);
        ``index`` an index already open on it (say, an object index built step by step)."""
        self._index = index if index is not None else _open_index(path)
        self.path = self._index.path
        self.location = getattr(self._index, "url", None) or str(path)
        self._cache: OrderedDict[int, Frame] = OrderedDict()
        self._cache_size = cache_size
        self._late_problems: dict[int, Problem] = {}
        self._validated = 0  # frames [0, _validated) have been parsed at least once
        self._owns_index = True  # a reader made by ``sharing`` leaves the index to its owner
        self._index.update()

    # -- file-level facts --------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._index)

    @property
    def session(self) -> Session:
        """The last session header; one made up from the file name when there is none."""
        if self._index.sessions:
            return self._index.sessions[-1][1]
        return Session(session_id=self.path.stem, created_at="", updated_at="", frame_count=len(self))

    @property
    def sessions(self) -> list[Session]:
        """Every header in file order (forks and re-saves append new ones)."""
        return [session for _, session in self._index.sessions]

    @property
    def totals_written(self) -> bool:
        """The writer recorded the run's totals: it saved, rather than stopping mid-run.

        Ours appends a session record after the last frame on ``save()``; writers that rewrite the
        whole file on save put a header first whose ``frame_count`` matches the frames.
        """
        if not self._index.sessions:
            return False
        line, session = self._index.sessions[-1]
        count = len(self._index)
        return not count or line > self._index.lines[-1] or session.frame_count == count

    @property
    def problems(self) -> list[Problem]:
        """Every line skipped or mended, by line number, including a last line still incomplete.

        Complete means every frame has been parsed once, so the first call on a large file costs
        a full pass (about a second per 100,000 frames); later calls only look at new frames. A
        viewer that must not wait uses ``problems_so_far``.
        """
        for position in range(self._validated, len(self._index)):
            if position not in self._cache:
                self._parse(position)
        self._validated = max(self._validated, len(self._index))
        return self.problems_so_far

    @property
    def problems_so_far(self) -> list[Problem]:
        """Problems found while indexing and in the frames parsed so far: free to ask for."""
        found = list(self._index.problems)
        if not self._index.sessions:
            found.append(Problem(0, "no session header: the id is taken from the file name", ProblemKind.NO_HEADER))
        found.extend(self._late_problems.values())
        if self._index.pending_tail:
            found.append(incomplete_last_line(self._index.line_count + 1, self._index.pending_tail))
        found.sort(key=lambda problem: problem.line)
        return found

    @property
    def line_count(self) -> int:
        """Whole lines indexed so far (headers, frames and bad lines alike)."""
        return self._index.line_count

    @property
    def size(self) -> int:
        """Bytes indexed so far."""
        return self._index.end

    def update(self) -> IndexUpdate:
        """Pick up frames appended since the last call (or start over if the file was replaced)."""
        result = self._index.update()
        if result.reset:
            self._cache.clear()
            self._late_problems.clear()
            self._validated = 0
        return result

    def sharing(self) -> VCRReader:
        """A second reader on this one's index, with a cache of its own: for another thread.

        Nothing is indexed again, which for a large file is most of what opening it costs (a
        viewer hands this to a resume instead of the path). The parsed-frame cache is not shared
        (it is not thread-safe); the index is, for reading. Only this reader, the owner, should
        ``update`` it; closing the sharer leaves the index open.
        """
        twin = object.__new__(VCRReader)
        twin._index = self._index
        twin.path = self.path
        twin.location = self.location
        twin._cache = OrderedDict()
        twin._cache_size = self._cache_size
        twin._late_problems = {}
        twin._validated = 0
        twin._owns_index = False
        return twin

    def close(self) -> None:
        if self._owns_index:
            self._index.close()

    # -- what a viewer may ask without parsing ---------------------------------------------------

    def parsed(self, index: int) -> Frame | None:
        """The frame at ``index`` if this reader has it parsed already, else None; never parses.

        A background pass over the file (a viewer's survey of errors) takes what a visit learned
        instead of parsing the same line again.
        """
        return self._cache.get(index)

    def remember(self, frame: Frame) -> None:
        """Keep a frame parsed elsewhere from this file's own line ``frame.index`` (a viewer's
        preview, read before the index was built), so the line is not parsed again.

        The caller vouches that the line is the same (bytes and line number) and that nothing in
        it was mended: a frame that needed repairs must be parsed here, where its problem is kept.
        """
        if frame.index not in self._cache and 0 <= frame.index < len(self._index):
            self._remember(frame)

    def problem_on(self, line: int) -> Problem | None:
        """What was wrong with ``line`` when its frame was parsed (mended, unreadable), if anything."""
        return self._late_problems.get(line)

    def __enter__(self) -> VCRReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- frames ------------------------------------------------------------------------------

    def line_number(self, index: int) -> int:
        """The 1-based line of the file that holds frame ``index``."""
        return self._index.lines[self._position(index)]

    def raw(self, index: int) -> bytes:
        """The frame's line exactly as stored."""
        return self._index.read_line(self._position(index))

    def frame(self, index: int) -> Frame:
        """The frame at ``index`` (negative counts from the end), with full states."""
        position = self._position(index)
        cached = self._cache.get(position)
        if cached is not None:
            self._cache.move_to_end(position)
            return cached
        frame = self._parse(position)
        if frame.state_diff is not None and (not frame.input_state or not frame.output_state):
            self._rebuild_diff_chain(frame)
        self._remember(frame)
        return frame

    def _position(self, index: int) -> int:
        count = len(self._index)
        position = index + count if index < 0 else index
        if not 0 <= position < count:
            raise IndexError(f"frame {index} out of range: the recording has {count} frames")
        return position

    def _remember(self, frame: Frame) -> None:
        self._cache[frame.index] = frame
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _parse(self, position: int) -> Frame:
        line = self._index.lines[position]
        raw = self._index.read_line(position)
        value, error, reason = decode_line(raw)
        data = value.get("data") if isinstance(value, dict) else None
        if not isinstance(data, dict):
            why = error or "frame record without a data object"
            self._late_problems[line] = Problem(line, why)
            return _unreadable_frame(position, line, why)
        cut = False
        if may_nest_deeper(raw):
            data, cut = shallow_copy_deep_parts(data)
        frame, notes = frame_from_dict(data, index=position, line=line)
        if cut:
            notes.insert(0, f"nested more than {MAX_DEPTH} levels deep: the deeper levels are shown as JSON text")
        if reason:
            notes.insert(0, reason)
        if notes:
            self._late_problems[line] = Problem(line, "; ".join(notes), ProblemKind.MENDED)
        return frame

    def _rebuild_diff_chain(self, frame: Frame) -> None:
        """Fill a diff-mode frame's empty states from the frames before it.

        Walks back to the nearest frame whose output is whole (or already rebuilt), then applies
        the ops forward, caching every frame on the way so stepping stays O(1).
        """
        chain = [frame]
        base: dict[str, object] = {}
        position = frame.index - 1
        while position >= 0:
            known = self._cache.get(position)
            if known is not None:
                base = known.output_state
                break
            earlier = self._parse(position)
            if earlier.state_diff is None or earlier.output_state:
                base = earlier.output_state
                self._remember(earlier)
                break
            chain.append(earlier)
            position -= 1
        for step in reversed(chain):
            if not step.input_state and step.index > 0:
                step.input_state = base
            if not step.output_state and step.state_diff:
                step.output_state = apply_ops(base, step.state_diff)
            base = step.output_state
            if step is not frame:
                self._remember(step)


def _unreadable_frame(position: int, line: int, reason: str) -> Frame:
    """A stand-in that keeps frame numbers stable when a frame line turns out to be unreadable."""
    return Frame(
        frame_id="",
        session_id="",
        node_name=f"<unreadable line {line}>",
        frame_type=FrameType.ERROR,
        metadata=FrameMetadata(error_type="UnreadableLine", error_message=reason),
        timestamp="",
        index=position,
        line=line,
    )
