"""A recording (and its forks) turned into the data a bundle page shows.

The page must open fast however long the run, and the file must stay small enough to attach to a
bug report. So the frame list is embedded as plain rows (a few short strings per frame), and the
frames themselves (states and what each step changed) go in gzip chunks of consecutive frames: a
step's output is mostly its input, and its input mostly the previous output, so gzip's window
finds most of each frame in the one before it. The page inflates a chunk only when one of its
frames is shown.

Every string from the recording passes through ``clean`` here, as in the terminal: control
characters and bidi overrides become visible stand-ins. Markup needs nothing more, since the page
only ever sets text, never HTML.
"""

from __future__ import annotations

import base64
import gzip
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from recorder import VCRReader
from recorder.models import Frame, FrameType, Session
from vcr_tui.logic.diff_model import change_line, state_changes, summarize
from vcr_tui.logic.formatting import format_cost, format_latency, format_tokens
from vcr_tui.logic.frame_rows import FrameRow, row_from_line
from vcr_tui.logic.safe_text import clean, shorten
from vcr_tui.logic.sessions import nest_forks, recording_files
from vcr_tui.logic.sessions import summarize as summarize_session
from vcr_tui.logic.step_change import step_comparison
from vcr_tui.theme import FAILED_TOOL_GLYPH, TYPE_LOOKS

PARALLEL_FROM = 2000  # frames: below this, starting worker processes costs more than it saves
CHUNK_FRAMES = 64  # frames per gzip chunk: big enough for gzip to find repeats, small to inflate
MAX_CHANGE_LINES = 300  # per frame; the rest is counted
NODE_WIDTH = 200


@dataclass(frozen=True, slots=True)
class RunPayload:
    """One recording as the page needs it; ``depth`` places a fork under its parent."""

    data: dict[str, Any]
    frames: int


def run_payload(path: Path, *, depth: int = 0, on_frames: Callable[[int], None] | None = None) -> RunPayload:
    """Rows, gzip chunks of frames and the session's facts for one ``.vcr`` file.

    ``on_frames(n)`` is told each time another ``n`` frames are done.
    """
    with VCRReader(path) as reader:
        count = len(reader)  # a file still being written is bundled as it is now
        session = reader.session
        rows = [_row(row_from_line(reader.raw(index), index)) for index in range(count)]
        problems = [f"line {problem.line}: {clean(problem.reason)}" for problem in reader.problems]
        spans = [(start, min(start + CHUNK_FRAMES, count)) for start in range(0, count, CHUNK_FRAMES)]
        workers = min(os.cpu_count() or 1, len(spans))
        parallel = count >= PARALLEL_FROM and workers >= 2
        chunks = [] if parallel else _chunks_here(reader, spans, count, on_frames)
    if parallel:
        chunks = _chunks_in_parallel(path, spans, count, workers, on_frames)
    data = {
        "session": _session(session, path),
        "depth": depth,
        "problems": problems,
        "rows": rows,
        "chunk": CHUNK_FRAMES,
        "chunks": chunks,
    }
    return RunPayload(data, count)


def fork_family(path: Path) -> list[tuple[Path, int]]:
    """``path`` and the recordings beside it that fork from it (at any depth), in tree order."""
    entries = nest_forks([summarize_session(candidate) for candidate in recording_files(path.parent)])
    resolved = path.resolve()
    family: list[tuple[Path, int]] = []
    root_depth: int | None = None
    for entry in entries:
        if root_depth is None:
            if entry.path.resolve() == resolved:
                root_depth = entry.depth
                family.append((path, 0))
            continue
        if entry.depth <= root_depth:
            break  # past the subtree of forks under this recording
        family.append((entry.path, entry.depth - root_depth))
    return family or [(path, 0)]


def _session(session: Session, path: Path) -> dict[str, Any]:
    return {
        "id": clean(session.session_id or path.stem),
        "file": clean(path.name),
        "parent": clean(session.parent_session_id) if session.parent_session_id else None,
        "forked_from": session.forked_from_frame,
        "created": clean(session.created_at),
        "tokens": format_tokens(session.total_tokens) if session.total_tokens else "",
        "cost": format_cost(session.total_cost_usd) if session.total_cost_usd else "",
        "tags": [clean(str(tag)) for tag in session.tags],
    }


def _row(row: FrameRow) -> list[Any]:
    """``[glyph, type word, node, latency, tokens, cost, is error]``: what the frame list shows."""
    look = TYPE_LOOKS[row.frame_type]
    name = shorten(clean(row.node_name), NODE_WIDTH)
    if row.is_error and row.frame_type is not FrameType.ERROR:
        name = f"{FAILED_TOOL_GLYPH} {name}"  # as the frame list marks a failed tool or model call
    return [
        look.glyph,
        look.word,
        name,
        format_latency(row.latency_ms),
        format_tokens(row.tokens),
        format_cost(row.cost_usd),
        1 if row.is_error else 0,
    ]


def _chunks_here(
    reader: VCRReader, spans: list[tuple[int, int]], count: int, on_frames: Callable[[int], None] | None
) -> list[str]:
    chunks = []
    for start, end in spans:
        chunks.append(_chunk(reader, start, end, count))
        if on_frames is not None:
            on_frames(end - start)
    return chunks


def _chunks_in_parallel(
    path: Path, spans: list[tuple[int, int]], count: int, workers: int, on_frames: Callable[[int], None] | None
) -> list[str]:
    """The chunks computed by one process per core: each step's diff costs milliseconds."""
    chunks = []
    with ProcessPoolExecutor(workers) as pool:
        jobs = [(path, start, end, count) for start, end in spans]
        for (start, end), packed in zip(spans, pool.map(_chunk_in_worker, jobs, chunksize=4), strict=True):
            chunks.append(packed)
            if on_frames is not None:
                on_frames(end - start)
    return chunks


_WORKER_READERS: dict[Path, VCRReader] = {}


def _chunk_in_worker(job: tuple[Path, int, int, int]) -> str:
    path, start, end, count = job
    reader = _WORKER_READERS.get(path)
    if reader is None:
        reader = _WORKER_READERS[path] = VCRReader(path)
    return _chunk(reader, start, end, count)


def _chunk(reader: VCRReader, start: int, end: int, count: int) -> str:
    frames = [_frame(reader, index, count) for index in range(start, end)]
    packed = gzip.compress(orjson.dumps(frames), compresslevel=9, mtime=0)
    return base64.b64encode(packed).decode("ascii")


def _frame(reader: VCRReader, index: int, count: int) -> dict[str, Any]:
    frame = reader.frame(index)
    meta = frame.metadata
    step = step_comparison(frame, reader.frame, count, _recorded_state)
    changes = state_changes(step.before, step.after)
    lines = [change_line(change).plain for change in changes[:MAX_CHANGE_LINES]]
    if len(changes) > MAX_CHANGE_LINES:
        lines.append(f"  … {len(changes) - MAX_CHANGE_LINES:,} more changes")
    facts = {
        "time": frame.timestamp,
        "model": meta.model,
        "error": meta.error_type,
        "message": meta.error_message,
    }
    return {
        "in": inert(frame.input_state),
        "out": inert(frame.output_state),
        "facts": {key: clean(str(value), multiline=key == "message") for key, value in facts.items() if value},
        "step": [clean(step.before_label), clean(step.after_label), summarize(changes)],
        "changes": lines,
    }


def _recorded_state(frame: Frame, side: str) -> dict[str, Any]:
    return frame.input_state if side == "input" else frame.output_state


def inert(value: Any) -> Any:
    """``value`` with every string (keys too) cleaned of control characters, as JSON can hold it."""
    if isinstance(value, str):
        return clean(value, multiline=True)
    if isinstance(value, dict):
        shown: dict[str, Any] = {}
        for key, item in value.items():
            name = clean(key if isinstance(key, str) else str(key))
            while name in shown:  # two keys that differ only in control characters
                name += "′"
            shown[name] = inert(item)
        return shown
    if isinstance(value, (list, tuple)):
        return [inert(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return clean(repr(value))


def iter_family(path: Path, with_forks: bool) -> Iterator[tuple[Path, int]]:
    """The recordings a bundle holds: ``path``, and its forks when asked for."""
    yield from fork_family(path) if with_forks else [(path, 0)]
