"""The first frames of a recording, read before its index is built, for a first screen in well
under a second whatever the file's size.

Indexing a 100,000-frame file takes the better part of a second; the first screen needs only the
first few dozen rows. So the opening worker reads the head of the file, classifies its complete
lines with the line index's own classifier (so frame numbers agree), and the screen shows those frames
while the full index is built. The preview answers the same questions as ``FrameStore`` for the
frames it holds, and says ``complete = False``.
"""

from __future__ import annotations

import os
from pathlib import Path

from recorder import Frame, Problem, Session
from recorder.errors import open_for_reading
from recorder.index import classify_line, decode_line
from recorder.models import frame_from_dict
from recorder.nesting import may_nest_deeper
from vcr_tui.logic.frame_rows import FrameRow, row_from_line

HEAD_BYTES = 512 * 1024
MAX_FRAMES = 200
_DIFF_MODE_MARK = b'"state_diff":['


class PreviewStore:
    """Rows and frames of the head of a file; ``complete`` is False."""

    complete = False

    def __init__(self, path: Path, lines: list[tuple[int, bytes]], session: Session | None) -> None:
        self.path = path
        self._lines = lines  # (line number, raw frame line)
        self._session = session
        self._rows: dict[int, FrameRow] = {}
        self._frames: dict[int, Frame] = {}  # parsed exactly as the reader would (nothing mended)

    @classmethod
    def read(cls, path: Path, head_bytes: int = HEAD_BYTES, max_frames: int = MAX_FRAMES) -> PreviewStore:
        """Read and classify the complete lines at the start of ``path`` (raises like the reader)."""
        fd = open_for_reading(path)
        try:
            head = os.pread(fd, head_bytes, 0)
        finally:
            os.close(fd)
        return cls.from_head(path, head, max_frames)

    @classmethod
    def from_head(cls, path: Path, head: bytes, max_frames: int = MAX_FRAMES) -> PreviewStore:
        """Classify the complete lines of ``head``, the first bytes of a recording read elsewhere
        (an object's, fetched while the app started); ``path`` names it on screen."""
        complete_part = head[: head.rfind(b"\n") + 1]
        lines: list[tuple[int, bytes]] = []
        session: Session | None = None
        for number, raw in enumerate(complete_part.splitlines(), 1):
            filed = classify_line(raw)
            if filed.kind == "frame":
                lines.append((number, raw))
                if len(lines) >= max_frames:
                    break
            elif filed.kind == "session" and filed.data is not None:
                session = Session.from_dict(filed.data)
        return cls(path, lines, session)

    def __len__(self) -> int:
        return len(self._lines)

    @property
    def session(self) -> Session:
        if self._session is not None:
            return self._session
        return Session(session_id=self.path.stem, created_at="", updated_at="")

    @property
    def problems(self) -> list[Problem]:
        return []

    def raw(self, index: int) -> bytes:
        return self._lines[index][1]

    def row(self, index: int) -> FrameRow:
        row = self._rows.get(index)
        if row is None:
            row = self._rows[index] = row_from_line(self.raw(index), index)
        return row

    def frame(self, index: int) -> Frame:
        """The frame if the preview can build it alone; else ``LookupError`` (ask again once indexed)."""
        frame = self.try_frame(index)
        if frame is None:
            raise LookupError(f"frame {index} is read once the file is indexed")
        return frame

    def try_frame(self, index: int) -> Frame | None:
        """The frame, unless it needs earlier frames (diff mode) or cannot be read: then None."""
        known = self._frames.get(index)
        if known is not None:
            return known
        line_number, raw = self._lines[index]
        if _DIFF_MODE_MARK in raw:
            return None
        value, _, mended = decode_line(raw)
        data = value.get("data") if isinstance(value, dict) else None
        if not isinstance(data, dict):
            return None
        frame, notes = frame_from_dict(data, index=index, line=line_number)
        if not notes and mended is None and not may_nest_deeper(raw):
            self._frames[index] = frame  # what the reader would make of the line: it may adopt it
        return frame

    def parsed(self) -> list[tuple[int, int, bytes, FrameRow | None, Frame | None]]:
        """What the preview parsed, for the index's store to take over: (index, line number, line,
        row, frame), so a frame seen before the index was built is not parsed again after."""
        indices = sorted(set(self._rows) | set(self._frames))
        return [(i, *self._lines[i], self._rows.get(i), self._frames.get(i)) for i in indices]
