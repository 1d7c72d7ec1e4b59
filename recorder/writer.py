"""VCRRecorder: append one flushed line per step, keep nothing per frame in memory.

Each ``record_*`` call encodes one line and hands it to the OS with a single ``os.write`` on an
``O_APPEND`` descriptor before returning, so a SIGKILL loses at most the frame being written and
every reader can still open the file. ``fsync=True`` adds a disk flush per frame for power-loss
safety, at the cost of milliseconds. Totals are carried in counters and appended as a fresh
session record by ``save()``; nothing ever rewrites the file.
"""

from __future__ import annotations

import contextvars
import enum
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import orjson

from recorder.coerce import optional_float, optional_int
from recorder.encoding import encode_line, encode_searched, safe_str
from recorder.models import Frame, FrameMetadata, FrameType, Session, frame_from_dict
from recorder.naming import create_exclusive, new_session_id
from recorder.timestamps import now_iso

if TYPE_CHECKING:
    from recorder.fork_totals import ForkTotals
    from recorder.otel import LiveSpans

_active_recorder: contextvars.ContextVar[VCRRecorder | None] = contextvars.ContextVar(
    "vcr_active_recorder", default=None
)
_active_tokens: contextvars.ContextVar[tuple[contextvars.Token[VCRRecorder | None], ...]] = contextvars.ContextVar(
    "vcr_active_tokens", default=()
)


# -- per-frame ids and clock --------------------------------------------------------------------
#
# The budget for recording a 4 KB frame is about 20 µs, most of it the write itself. The standard
# ``str(uuid.uuid4())`` (2 µs) and ``datetime.now(timezone.utc).isoformat()`` (1 µs) would eat a
# third of what is left, so both are produced more cheaply here, with identical results.

_UUID_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
_IDS_PER_BATCH = 128


class _ForkCount:
    """How many times this process is a fork child; lets random batches notice they were copied."""

    value = 0

    @classmethod
    def bump(cls) -> None:
        cls.value += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_ForkCount.bump)


class _FrameIds:
    """Random version-4 UUID strings, as ``str(uuid.uuid4())`` gives, at a fraction of the cost.

    Randomness for 128 ids is drawn from ``os.urandom`` at once and all 128 are cut from its hex
    form in one go, with the version and variant digits set; handing one out is then a ``pop``.
    Cutting them together costs less per id than cutting each when it is asked for, in between
    an agent's own work, when this code has left the cache. A forked child never continues its
    parent's batch (the two would hand out the same ids): the batch is dropped after a fork.
    """

    def __init__(self) -> None:
        self._batch: list[str] = []
        self._forks = _ForkCount.value

    def next(self) -> str:
        batch = self._batch
        if not batch or self._forks != _ForkCount.value:
            batch = self._batch = _id_batch()
            self._forks = _ForkCount.value
        return batch.pop()


def _id_batch() -> list[str]:
    digits = os.urandom(16 * _IDS_PER_BATCH).hex()
    variant = _UUID_VARIANT
    return [
        f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant[h[16]]}{h[17:20]}-{h[20:]}"
        for h in (digits[start : start + 32] for start in range(0, len(digits), 32))
    ]


class _UtcClock:
    """``datetime.now(timezone.utc).isoformat(timespec="microseconds")``, four times faster.

    Same clock, same truncation to microseconds. The date-and-time part is formatted once per
    second and reused; the microseconds are put together from a table of three-digit strings
    rather than formatted, since the formatting code has left the cache by the time an agent's
    step ends and costs more than the rest of the timestamp. The cache is one tuple, replaced
    whole, so threads never see half of it.
    """

    def __init__(self) -> None:
        self._second: tuple[int, str] = (-1, "")

    def now_iso(self) -> str:
        ns = time.time_ns()
        second = ns // 1_000_000_000
        cached = self._second
        if cached[0] != second:
            cached = (second, datetime.fromtimestamp(second, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S."))
            self._second = cached
        micro = ns // 1000 % 1_000_000
        return cached[1] + _THREE_DIGITS[micro // 1000] + _THREE_DIGITS[micro % 1000] + "+00:00"


_THREE_DIGITS = tuple(f"{number:03d}" for number in range(1000))
_now_iso = _UtcClock().now_iso


def _fragment(line: bytes) -> orjson.Fragment:
    """A state ``encode_line`` wrote, to embed as it is (without the line's newline)."""
    return orjson.Fragment(line[:-1] if line.endswith(b"\n") else line)


def _as_text(value: Any) -> str:
    """A node name or id given as something else (an enum member, a number) as the str it means.

    The format says these are strings; the peer's loaders reject a frame whose node name is not.
    """
    if isinstance(value, enum.Enum):
        value = value.value
    return value if isinstance(value, str) else safe_str(value)


_SCALARS_AND_SEQUENCES = (str, bytes, int, float, list, tuple, set, frozenset)


def _as_state(value: Any) -> Any:
    """A state given as something other than a dict, in a form every reader accepts as a state.

    The format says states are objects: the peer's loaders reject a frame (0.5.0: the whole file)
    whose state is a list or a number, and our reader would show it empty. Such a value is kept
    whole under ``"value"``, as the tool-call helper does. Mappings, dataclasses and models stay
    as they are: they are written as JSON objects.
    """
    if value is None:
        return {}
    if isinstance(value, _SCALARS_AND_SEQUENCES):
        return {"value": value}
    return value


def tool_state(tool_input: Any) -> Any:
    """A tool call's input state: its argument object, or any other argument under ``"value"``."""
    return tool_input if isinstance(tool_input, dict) else {"value": tool_input}


def _metadata(value: FrameMetadata | dict[str, Any]) -> FrameMetadata:
    return value if type(value) is FrameMetadata else FrameMetadata.coerce(value)


# A frame for ``record_ready_frames``: node name, frame type, input, output, metadata, searched.
ReadyFrame = tuple[str, str, Any, Any, dict[str, Any], bool]

# The record of a step recorded without metadata; shared by those lines, and never changed.
_DEFAULT_METADATA_RECORD: dict[str, Any] = FrameMetadata().to_dict()
_FRAME_TYPE_VALUES: dict[FrameType, str] = {member: member.value for member in FrameType}


def _frame_record(
    frame_id: str,
    session_id: str,
    parent_frame_id: str | None,
    timestamp: str,
    frame_type: str,
    node_name: str,
    input_state: Any,
    output_state: Any,
    metadata: dict[str, Any],
) -> dict[str, Any]:
    """A frame's line as a record, in the key order of ``Frame.to_record``: every path that writes
    a step builds it here, so the lines they write cannot drift apart."""
    return {
        "type": "frame",
        "data": {
            "frame_id": frame_id,
            "session_id": session_id,
            "parent_frame_id": parent_frame_id,
            "timestamp": timestamp,
            "frame_type": frame_type,
            "node_name": node_name,
            "input_state": input_state,
            "output_state": output_state,
            "metadata": metadata,
            "state_diff": None,
        },
    }


def ready_metadata(
    model: str | None = None,
    latency_ms: float = 0.0,
    tokens_input: int | None = None,
    tokens_output: int | None = None,
    cost_usd: float | None = None,
    error_type: str | None = None,
    error_message: str | None = None,
    custom: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A frame's metadata record for ``record_ready``, in ``FrameMetadata.to_dict`` order.

    ``tokens_used`` is the sum of the two counts (None when neither is known), as the peer's
    helpers write it. Every value must already be of its field's type: nothing is coerced.
    """
    return {
        "model": model,
        "latency_ms": latency_ms,
        "tokens_used": None
        if tokens_input is None and tokens_output is None
        else (tokens_input or 0) + (tokens_output or 0),
        "tokens_input": tokens_input,
        "tokens_output": tokens_output,
        "cost_usd": cost_usd,
        "error_type": error_type,
        "error_message": error_message,
        "custom": {} if custom is None else custom,
    }


def active_recorder() -> VCRRecorder | None:
    """The recorder made active by ``with recorder:`` in this thread or task, if any."""
    return _active_recorder.get()


_session_start_lock = threading.Lock()


def with_session(recorder: VCRRecorder, metadata: dict[str, Any] | None = None) -> VCRRecorder:
    """``recorder``, with a session started (with ``metadata``) if the caller has not started one.

    For integrations handed a recorder to record into (``VCRLangGraph(recorder)``,
    ``@vcr_record(recorder)``): the first frame starts the session, once, whichever thread
    records it.
    """
    if recorder.session is None:
        with _session_start_lock:
            if recorder.session is None:
                recorder.start_session(metadata=metadata)
    return recorder


_NOT_OPEN = "no open session: call start_session() first"


class RecorderClosedError(RuntimeError):
    """Raised when recording is attempted before ``start_session`` or after ``close``."""


class VCRRecorder:
    """Records an agent run into ``<output_dir>/<session_id>.vcr``.

    Use it as a context manager to save the totals on exit (and make it the active recorder for
    ``@vcr_record``); ``close()`` releases the file. It is safe to call from several threads;
    lines never interleave.
    """

    def __init__(
        self,
        output_dir: str | os.PathLike[str] = ".vcr",
        buffer_size: int = 100,
        auto_save: bool = True,
        diff_mode: bool = False,
        on_frame_recorded: Callable[[Frame], object] | None = None,
        *,
        fsync: bool = False,
        upload_to: str | None = None,
        storage_options: dict[str, Any] | None = None,
        otel_endpoint: str | None = None,
    ) -> None:
        """``buffer_size``, ``auto_save`` and ``diff_mode`` are the peer's, accepted and kept for
        code written against it, and change nothing: every frame reaches the OS as it is recorded
        (no buffer to size, nothing to save later) and holds full states (files written in diff
        mode are still read). ``on_frame_recorded`` is called with each step's frame after it is
        written; an exception it raises is swallowed, as the agent must go on.

        ``upload_to`` (an object storage URL; ending in ``/``, a prefix) receives a copy of the
        recording on every ``save()``, so a run on a short-lived machine outlives it.
        ``otel_endpoint`` (an OTLP/HTTP collector, ``http://host:4318``) receives a span per frame
        as it is recorded, sent in the background; ``close()`` sends the rest.
        """
        self.output_dir = Path(output_dir)
        self.fsync = fsync
        self.buffer_size = buffer_size
        self.auto_save = auto_save
        self.diff_mode = diff_mode
        self.on_frame_recorded = on_frame_recorded
        self.upload_to = upload_to
        self.storage_options = storage_options
        self.live_spans: LiveSpans | None = None
        self.tally: ForkTotals | None = None  # counts each frame as it is written (a resume's fork)
        if otel_endpoint is not None:
            from recorder.otel import LiveSpans

            self.live_spans = LiveSpans(otel_endpoint)
        self._session: Session | None = None
        self._path: Path | None = None
        self._fd: int | None = None
        self._lock = threading.Lock()
        self._ids = _FrameIds()
        self._torn = False  # a failed write left part of a line: end it before the next one
        self._held: list[bytes] | None = None  # lines waiting for the end of ``lines_together``
        self._holding = 0  # how many ``lines_together`` blocks are open

    # -- session lifecycle -------------------------------------------------------------------

    def start_session(
        self,
        session_id: str | None = None,
        parent_session_id: str | None = None,
        forked_from_frame: int | None = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
    ) -> Session:
        """Create the session's file (never an existing one) and write its header."""
        if self._fd is not None:
            self.close()
        self.output_dir.mkdir(parents=True, exist_ok=True)
        session = Session(
            session_id=_as_text(session_id) if session_id else new_session_id(),
            parent_session_id=_as_text(parent_session_id) if parent_session_id is not None else None,
            forked_from_frame=forked_from_frame,
            metadata=dict(metadata or {}),
            tags=list(tags or []),
        )
        header = encode_line(session.to_record())  # before the file exists: nothing half-made is left
        path, fd = create_exclusive(self.output_dir, session.session_id)
        self._session, self._path, self._fd = session, path, fd
        with self._lock:
            try:
                self._write_locked(header)
            except OSError:
                # Not even the header fits (a full disk): leave no empty recording behind.
                os.close(fd)
                path.unlink(missing_ok=True)
                self._session, self._path, self._fd = None, None, None
                raise
        return session

    @property
    def path(self) -> Path | None:
        """The file being written, once a session has started."""
        return self._path

    @property
    def session(self) -> Session | None:
        """The header as it stands, with running totals."""
        return self._session

    def get_session(self) -> Session | None:
        return self._session

    def save(self) -> Path:
        """Append a session record with the current totals; readers take the last one.

        With ``upload_to``, the file is then uploaded (replacing the previous copy); a failed
        upload raises, the local file is complete either way.
        """
        with self._lock:
            session, path = self._require_open()
            session.updated_at = now_iso()
            self._write_locked(encode_line(session.to_record()))
            self._release_locked()  # a saved recording is complete on disk, inside a block or not
        if self.upload_to is not None:
            from recorder.storage import upload_recording

            upload_recording(path, self.upload_to, self.storage_options)
        return path

    def close(self) -> None:
        """Save the totals and release the file. Idempotent."""
        if self._fd is None:
            return
        try:
            self.save()
        finally:
            with self._lock:
                if self._fd is not None:
                    os.close(self._fd)
                    self._fd = None
            if self.live_spans is not None:
                self.live_spans.close()

    def __enter__(self) -> VCRRecorder:
        tokens = _active_tokens.get()
        _active_tokens.set((*tokens, _active_recorder.set(self)))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        tokens = _active_tokens.get()
        if tokens:
            _active_recorder.reset(tokens[-1])
            _active_tokens.set(tokens[:-1])
        if self._fd is not None:
            self.save()

    def lines_together(self) -> _LinesTogether:
        """Hand every line recorded inside the block to the OS in one ``write`` when it ends.

        For an integration that writes several frames at one moment (a task and the model calls
        inside it, a message and the model call that made it): a system call costs about as much
        as encoding a frame, so one for all of them saves a call per frame. Until the block ends
        readers do not see those frames (``on_frame_recorded`` hears of each as it is recorded);
        ``save()`` inside it writes them at once. Blocks nest (the outermost one writes) and hold
        the lines of every thread recording meanwhile.
        """
        return _LinesTogether(self)

    def write_held(self) -> None:
        """Hand the lines the open ``lines_together`` block holds so far to the OS now, in one call.

        The block stays open and goes on holding. For an integration that keeps a block open for
        a whole run and writes what it holds every few milliseconds: one system call for all the
        frames of that stretch, and a frame still reaches the OS moments after it is recorded.
        """
        with self._lock:
            self._release_locked()

    def _hold_lines(self) -> None:
        with self._lock:
            self._holding += 1
            if self._held is None:
                self._held = []

    def _release_lines(self) -> None:
        with self._lock:
            self._holding -= 1
            if self._holding == 0:
                try:
                    self._release_locked()
                finally:
                    self._held = None

    # -- recording ---------------------------------------------------------------------------

    def record_step(
        self,
        node_name: str,
        input_state: dict[str, Any],
        output_state: dict[str, Any],
        metadata: FrameMetadata | dict[str, Any] | None = None,
        frame_type: FrameType | str = FrameType.NODE_EXECUTION,
        parent_frame_id: str | None = None,
    ) -> Frame:
        """Append one step and return it; the line has reached the OS when this returns."""
        if type(input_state) is not dict:
            input_state = _as_state(input_state)
        if type(output_state) is not dict:
            output_state = _as_state(output_state)
        meta = FrameMetadata() if metadata is None else _metadata(metadata)
        kind = frame_type if type(frame_type) is FrameType else FrameType(frame_type)
        if type(node_name) is not str:
            node_name = _as_text(node_name)
        if parent_frame_id is not None and type(parent_frame_id) is not str:
            parent_frame_id = _as_text(parent_frame_id)
        frame_id, session_id, timestamp, index = self._append_step(
            node_name, kind, input_state, None, output_state, meta, metadata is not None, parent_frame_id
        )
        frame = Frame(
            frame_id=frame_id,
            session_id=session_id,
            node_name=node_name,
            frame_type=kind,
            input_state=input_state,
            output_state=output_state,
            metadata=meta,
            parent_frame_id=parent_frame_id,
            timestamp=timestamp,
            index=index,
        )
        if self.on_frame_recorded is not None:
            self._tell(frame)
        return frame

    def record_encoded_step(
        self,
        node_name: str,
        input_json: bytes,
        output_state: dict[str, Any] | bytes,
        metadata: FrameMetadata | dict[str, Any] | None = None,
        frame_type: FrameType | str = FrameType.NODE_EXECUTION,
        *,
        output_checked: bool = False,
    ) -> str:
        """``record_step`` for states already serialised by ``encode_line``; its frame id.

        An integration that must copy the input before the node runs (the node may change it in
        place) holds it as JSON already; this embeds those bytes in the line instead of parsing
        and serialising them again, which costs more than the rest of the step for a long chat.
        ``input_json`` must be one JSON object exactly as ``encode_line`` wrote it; so must
        ``output_state`` when it is bytes rather than a dict. ``output_checked`` says the caller
        has searched a dict ``output_state`` for enum members and found none (``may_hold_enum``).
        """
        meta = FrameMetadata() if metadata is None else _metadata(metadata)
        kind = frame_type if type(frame_type) is FrameType else FrameType(frame_type)
        if type(node_name) is not str:
            node_name = _as_text(node_name)
        output: Any
        if type(output_state) is bytes:
            output = _fragment(output_state)
            output_checked = True  # searched when it was encoded
        elif type(output_state) is not dict:
            output = _as_state(output_state)
        else:
            output = output_state
        encoded = _fragment(input_json)
        frame_id, session_id, timestamp, index = self._append_step(
            node_name, kind, encoded, encoded, output, meta, metadata is not None, None, output_checked
        )
        if self.on_frame_recorded is not None:
            output_value = orjson.loads(output_state) if type(output_state) is bytes else output
            self._tell(
                Frame(
                    frame_id=frame_id,
                    session_id=session_id,
                    node_name=node_name,
                    frame_type=kind,
                    input_state=orjson.loads(input_json),
                    output_state=output_value,
                    metadata=meta,
                    timestamp=timestamp,
                    index=index,
                )
            )
        return frame_id

    def record_ready(
        self,
        node_name: str,
        frame_type: str,
        input_state: Any,
        output_state: Any,
        metadata: dict[str, Any],
        *,
        searched: bool = False,
    ) -> str:
        """Append a frame whose parts the caller built ready for the line; its frame id.

        The fast path for an integration's hot loop, where building a ``FrameMetadata``, checking
        it and turning it back into a dict costs more than writing the frame. The caller vouches
        for what it passes: ``node_name`` a str, ``frame_type`` a ``FrameType`` value,
        ``metadata`` the complete metadata record in ``FrameMetadata.to_dict`` order holding only
        str, int, float, bool, None and dicts of those (no enum member to look for), each state a
        dict or an ``orjson.Fragment`` of one JSON object as ``encode_line`` writes it. The states
        are searched for enum members unless ``searched`` says the caller did (or both are
        fragments). The line is the one ``record_step`` writes for the same frame.
        """
        with self._lock:
            session = self._session
            if session is None or self._fd is None:
                raise RecorderClosedError(_NOT_OPEN)
            frame_id = self._ids.next()
            record = _frame_record(
                frame_id,
                session.session_id,
                None,
                _now_iso(),
                frame_type,
                node_name,
                input_state,
                output_state,
                metadata,
            )
            line = (
                encode_searched(record, newline=True)
                if searched
                else encode_line(record, caller_parts=(input_state, output_state))
            )
            self._write_locked(line)
            index = session.frame_count
            _count_frame(session, metadata["tokens_used"], metadata["cost_usd"])
            if self.tally is not None:
                self.tally.frame(node_name, FrameType(frame_type), FrameMetadata.from_dict(metadata))
        if self.on_frame_recorded is not None:
            self._tell(frame_from_dict(orjson.loads(line)["data"], index=index)[0])
        return frame_id

    def record_ready_frames(self, frames: list[ReadyFrame]) -> None:
        """``record_ready`` for several frames at one moment, their lines handed to the OS in one call.

        For an integration that writes what a step produced when the step ends (a task and the
        model calls inside it): one lock, one clock reading and one ``write`` for all of them
        rather than one each, which is most of what recording those frames costs the agent.
        Each frame is ``(node_name, frame_type, input_state, output_state, metadata, searched)``
        as ``record_ready`` takes them; they share the timestamp of the moment they are written.
        Inside a ``lines_together`` block the lines are held like any other.
        """
        if not frames:
            return
        with self._lock:
            session = self._session
            if session is None or self._fd is None:
                raise RecorderClosedError(_NOT_OPEN)
            session_id = session.session_id
            timestamp = _now_iso()
            ids = self._ids
            first_index = session.frame_count
            lines: list[bytes] = []
            for node_name, frame_type, input_state, output_state, metadata, searched in frames:
                record = _frame_record(
                    ids.next(), session_id, None, timestamp, frame_type, node_name, input_state, output_state, metadata
                )
                lines.append(
                    encode_searched(record, newline=True)
                    if searched
                    else encode_line(record, caller_parts=(input_state, output_state))
                )
                _count_frame(session, metadata["tokens_used"], metadata["cost_usd"])
                if self.tally is not None:
                    self.tally.frame(node_name, FrameType(frame_type), FrameMetadata.from_dict(metadata))
            held = self._held
            if held is not None:
                held.extend(lines)
            else:
                self._write_out(lines[0] if len(lines) == 1 else b"".join(lines))
                if self.live_spans is not None:
                    for line in lines:
                        self.live_spans.line(line)
        if self.on_frame_recorded is not None:
            for offset, line in enumerate(lines):
                self._tell(frame_from_dict(orjson.loads(line)["data"], index=first_index + offset)[0])

    def _tell(self, frame: Frame) -> None:
        """Hand a recorded frame to ``on_frame_recorded``; the agent goes on whatever it does."""
        callback = self.on_frame_recorded
        if callback is None:
            return
        try:
            callback(frame)
        except Exception:  # a viewer's callback must never stop the agent it watches
            pass

    def _append_step(
        self,
        node_name: str,
        kind: FrameType,
        input_state: Any,
        encoded_input: orjson.Fragment | None,
        output_state: Any,
        meta: FrameMetadata,
        meta_from_caller: bool,
        parent_frame_id: str | None,
        output_checked: bool = False,
    ) -> tuple[str, str, str, int]:
        """Write one frame line and count it in the totals: (frame id, session id, timestamp, index).

        The record is built here in the key order of ``Frame.to_record`` rather than through a
        ``Frame``: this runs once per step and its cost is set against a bare write of the line.
        """
        with self._lock:
            session = self._session
            if session is None or self._fd is None:
                raise RecorderClosedError(_NOT_OPEN)
            frame_id = self._ids.next()
            timestamp = _now_iso()
            metadata_record = meta.to_dict() if meta_from_caller else _DEFAULT_METADATA_RECORD
            record = _frame_record(
                frame_id,
                session.session_id,
                parent_frame_id,
                timestamp,
                _FRAME_TYPE_VALUES[kind],
                node_name,
                input_state,
                output_state,
                metadata_record,
            )
            # Every other value of the record is a str or None made here; only these come from
            # the caller and can hide an enum member (encoded states were checked when encoded).
            caller_parts: list[Any] = []
            if encoded_input is None:
                caller_parts.append(input_state)
            if not output_checked:
                caller_parts.append(output_state)
            if meta_from_caller:
                caller_parts.append(metadata_record)
            self._write_locked(encode_line(record, caller_parts=caller_parts))
            index = session.frame_count
            _count_frame(session, meta.tokens_used, meta.cost_usd)
            if self.tally is not None:
                self.tally.frame(node_name, kind, meta)
            return frame_id, session.session_id, timestamp, index

    def record_llm_call(
        self,
        model: str,
        messages: list[Any],
        response: Any,
        tokens_input: int | None = None,
        tokens_output: int | None = None,
        latency_ms: float = 0.0,
        cost_usd: float | None = None,
        custom: dict[str, Any] | None = None,
    ) -> Frame:
        """An LLM call in the peer's shape: node ``llm:<model>``, messages in, response out."""
        used = None if tokens_input is None and tokens_output is None else (tokens_input or 0) + (tokens_output or 0)
        return self.record_step(
            node_name=f"llm:{model}",
            input_state={"messages": messages},
            output_state={"response": response},
            metadata=FrameMetadata(
                model=model,
                latency_ms=latency_ms,
                tokens_input=tokens_input,
                tokens_output=tokens_output,
                tokens_used=used,
                cost_usd=cost_usd,
                custom=dict(custom or {}),
            ),
            frame_type=FrameType.LLM_CALL,
        )

    def record_tool_call(
        self,
        tool_name: str,
        tool_input: Any,
        tool_output: Any,
        latency_ms: float = 0.0,
        error: str | None = None,
        custom: dict[str, Any] | None = None,
    ) -> Frame:
        """A tool call in the peer's shape: node ``tool:<name>``, ``{"result", "error"}`` out."""
        return self.record_step(
            node_name=f"tool:{tool_name}",
            input_state=tool_state(tool_input),
            output_state={"result": tool_output, "error": error},
            metadata=FrameMetadata(
                latency_ms=latency_ms,
                error_type="ToolError" if error else None,
                error_message=error,
                custom=dict(custom or {}),
            ),
            frame_type=FrameType.TOOL_CALL,
        )

    def record_error(
        self,
        node_name: str,
        input_state: dict[str, Any],
        error: BaseException | str,
        latency_ms: float = 0.0,
        model: str | None = None,
    ) -> Frame:
        """A failed step: ``{"error": message}`` out, the exception's class as ``error_type``."""
        message = safe_str(error)
        error_type = type(error).__name__ if isinstance(error, BaseException) else "Error"
        return self.record_step(
            node_name=node_name,
            input_state=input_state,
            output_state={"error": message},
            metadata=FrameMetadata(model=model, latency_ms=latency_ms, error_type=error_type, error_message=message),
            frame_type=FrameType.ERROR,
        )

    def record_checkpoint(self, state: dict[str, Any], label: str = "checkpoint") -> Frame:
        """A named restore point: the same state in and out, ``checkpoint:<label>``."""
        return self.record_step(
            node_name=f"checkpoint:{label}",
            input_state=state,
            output_state=state,
            metadata=FrameMetadata(custom={"checkpoint_label": label}),
            frame_type=FrameType.CHECKPOINT,
        )

    def record_frame(self, frame: Frame) -> Frame:
        """Append an existing frame (copied from another recording) under this session."""
        with self._lock:
            session, _ = self._require_open()
            frame.session_id = session.session_id
            frame.index = session.frame_count
            self._write_locked(encode_line(frame.to_record(), copied=True))
            _count_frame(session, frame.metadata.tokens_used, frame.metadata.cost_usd)
            if self.tally is not None:
                self.tally.frame(frame.node_name, frame.frame_type, frame.metadata)
            return frame

    def record_copied(self, data: dict[str, Any]) -> None:
        """Append a frame record's ``data`` copied from another recording, under this session.

        A fork's prefix is copied this way: re-encoding the parsed record costs a fraction of
        building a ``Frame`` for it, and keeps any field this version does not know.
        """
        with self._lock:
            session, _ = self._require_open()
            data["session_id"] = session.session_id
            self._write_locked(encode_line({"type": "frame", "data": data}, copied=True))
            metadata = data.get("metadata")
            if not isinstance(metadata, dict):
                metadata = {}
            _count_frame(session, optional_int(metadata.get("tokens_used")), optional_float(metadata.get("cost_usd")))
            if self.tally is not None:
                self.tally.copied(data)

    def fork(
        self,
        from_frame: int,
        new_session_id: str | None = None,
        state_overrides: dict[str, Any] | None = None,
    ) -> VCRRecorder:
        """A new recorder whose session continues this one from ``from_frame``; see ``fork_recording``."""
        from recorder.forking import fork_recording

        with self._lock:
            _, path = self._require_open()
        return fork_recording(
            path,
            from_frame,
            new_session_id=new_session_id,
            state_overrides=state_overrides,
            output_dir=self.output_dir,
            fsync=self.fsync,
        )

    # -- internals ---------------------------------------------------------------------------

    def _require_open(self) -> tuple[Session, Path]:
        if self._session is None or self._path is None or self._fd is None:
            raise RecorderClosedError(_NOT_OPEN)
        return self._session, self._path

    def _write_locked(self, line: bytes) -> None:
        """Hand the line to the OS now, or keep it for the end of the ``lines_together`` block."""
        held = self._held
        if held is not None:
            held.append(line)
            return
        self._write_out(line)
        if self.live_spans is not None:
            self.live_spans.line(line)

    def _release_locked(self) -> None:
        """Write the lines kept so far by ``lines_together``, in one call."""
        held = self._held
        if not held or self._fd is None:
            return
        self._held = []
        self._write_out(held[0] if len(held) == 1 else b"".join(held))
        if self.live_spans is not None:
            for line in held:
                self.live_spans.line(line)

    def _write_out(self, line: bytes) -> None:
        """Hand the whole line to the OS; one ``write`` call unless the OS takes only part of it.

        When a write fails after part of a line went out (a full disk), the next line starts with
        a newline of its own, so the torn line stays a single unreadable line instead of gluing
        itself to the next frame.
        """
        fd = self._fd
        assert fd is not None
        if self._torn:
            line = b"\n" + line
        written = 0
        try:
            written = os.write(fd, line)
            if written != len(line):
                view = memoryview(line)[written:]
                while view:
                    count = os.write(fd, view)
                    written += count
                    view = view[count:]
        except OSError as exc:
            self._torn = self._torn or written > 0
            if exc.filename is not None:
                raise
            # A full disk says only "No space left on device": name the recording it could not extend.
            raise OSError(exc.errno, exc.strerror, str(self._path)) from exc
        except BaseException:
            self._torn = self._torn or written > 0
            raise
        self._torn = False
        if self.fsync:
            os.fsync(fd)

    def __repr__(self) -> str:
        return f"VCRRecorder(path={str(self._path)!r}, frames={self._session.frame_count if self._session else 0})"

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass


class _LinesTogether:
    """The block of ``VCRRecorder.lines_together``: a plain context manager, since a generator-based
    one costs more than the write it saves when an integration opens one per message."""

    __slots__ = ("_recorder",)

    def __init__(self, recorder: VCRRecorder) -> None:
        self._recorder = recorder

    def __enter__(self) -> None:
        self._recorder._hold_lines()

    def __exit__(self, *exc: object) -> None:
        self._recorder._release_lines()


def _count_frame(session: Session, tokens: int | None, cost: float | None) -> None:
    """One more frame in the running totals that ``save()`` writes."""
    session.frame_count += 1
    if tokens:
        session.total_tokens += tokens
    if cost:
        session.total_cost_usd += cost
