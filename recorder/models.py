"""The records a `.vcr` file holds, as plain dataclasses.

They mirror the public ``ai-agent-vcr`` schema field for field, so a file either tool writes loads
in the other. Unknown fields are kept in ``extra`` and written back, because a recording is
evidence and a newer writer's fields must survive a round trip through an older reader.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from recorder.coerce import optional_float, optional_int, optional_str, str_or
from recorder.timestamps import now_iso, parse_timestamp
from recorder.vocabulary import SOURCE


class FrameType(str, enum.Enum):
    """What kind of step a frame records; the values are the on-disk strings."""

    NODE_EXECUTION = "node"
    LLM_CALL = "llm"
    TOOL_CALL = "tool"
    ERROR = "error"
    CHECKPOINT = "checkpoint"

    @classmethod
    def parse(cls, value: Any) -> FrameType | None:
        """The member for an on-disk value, or None when the value is unknown."""
        if type(value) is str:  # the usual case: a dict lookup instead of the enum machinery
            member: FrameType | None = cls._value2member_map_.get(value)  # type: ignore[assignment]
            return member
        try:
            return cls(value)
        except ValueError:
            return None


class ProblemKind(str, enum.Enum):
    """What became of a line that could not be used as it stands: what a viewer filters on.

    The reason is a sentence for people; the kind is what code asks, so no caller matches words.
    """

    UNREADABLE = "unreadable"  # skipped: not JSON, not an object, or a record without data
    IGNORED = "ignored"  # skipped on purpose: a record type this version does not know
    MENDED = "mended"  # used after a repair (a BOM, invalid UTF-8, a field of the wrong type)
    NO_HEADER = "no-header"  # the file has no session header: the id comes from its name
    INCOMPLETE = "incomplete"  # the last line has no newline: still being written, or cut off


class Problem(tuple[int, str]):
    """One line of a recording that could not be used as it stands, why, and what became of it.

    It is the plain ``(line, reason)`` pair callers unpack and compare; ``kind`` rides along
    outside the pair, so two reports of one line in other words still compare by what they say.
    """

    kind: ProblemKind

    def __new__(cls, line: int, reason: str, kind: ProblemKind = ProblemKind.UNREADABLE) -> Problem:
        problem = super().__new__(cls, (line, reason))
        problem.kind = kind
        return problem

    def __getnewargs__(self) -> tuple[int, str, ProblemKind]:
        return self[0], self[1], self.kind

    @property
    def line(self) -> int:
        """The 1-based line of the file (0 for the file as a whole)."""
        return self[0]

    @property
    def reason(self) -> str:
        """What is wrong with it, in a sentence."""
        return self[1]

    def __repr__(self) -> str:
        return f"Problem(line={self[0]!r}, reason={self[1]!r}, kind={self.kind.value!r})"


_METADATA_FIELDS = frozenset(
    (
        "model",
        "latency_ms",
        "tokens_used",
        "tokens_input",
        "tokens_output",
        "cost_usd",
        "error_type",
        "error_message",
        "custom",
    )
)


@dataclass(slots=True)
class FrameMetadata:
    """Cost, timing and error facts of one step."""

    model: str | None = None
    latency_ms: float = 0.0
    tokens_used: int | None = None
    tokens_input: int | None = None
    tokens_output: int | None = None
    cost_usd: float | None = None
    error_type: str | None = None
    error_message: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def coerce(cls, value: FrameMetadata | dict[str, Any] | None) -> FrameMetadata:
        """Accept what callers naturally pass: nothing, a dict, or an instance."""
        if value is None:
            return cls()
        if isinstance(value, FrameMetadata):
            return value
        if isinstance(value, dict):
            return cls.from_dict(value)
        raise TypeError(f"metadata must be a dict or FrameMetadata, not {type(value).__name__}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FrameMetadata:
        """Build from a record, keeping unknown keys and tolerating wrong types."""
        custom = data.get("custom")
        latency = data.get("latency_ms")
        return cls(
            model=optional_str(data.get("model")),
            latency_ms=float(latency) if isinstance(latency, (int, float)) else 0.0,
            tokens_used=optional_int(data.get("tokens_used")),
            tokens_input=optional_int(data.get("tokens_input")),
            tokens_output=optional_int(data.get("tokens_output")),
            cost_usd=optional_float(data.get("cost_usd")),
            error_type=optional_str(data.get("error_type")),
            error_message=optional_str(data.get("error_message")),
            custom=custom if isinstance(custom, dict) else {},
            extra={k: v for k, v in data.items() if k not in _METADATA_FIELDS},
        )

    def to_dict(self) -> dict[str, Any]:
        """The record form, in the peer's key order."""
        out: dict[str, Any] = {
            "model": self.model,
            "latency_ms": self.latency_ms,
            "tokens_used": self.tokens_used,
            "tokens_input": self.tokens_input,
            "tokens_output": self.tokens_output,
            "cost_usd": self.cost_usd,
            "error_type": self.error_type,
            "error_message": self.error_message,
            "custom": self.custom,
        }
        if self.extra:
            out.update(self.extra)
        return out


_FRAME_FIELDS = frozenset(
    (
        "frame_id",
        "session_id",
        "parent_frame_id",
        "timestamp",
        "frame_type",
        "node_name",
        "input_state",
        "output_state",
        "metadata",
        "state_diff",
        "schema_version",
    )
)


@dataclass(slots=True)
class Frame:
    """One recorded step: the state a node received and the state it returned.

    ``timestamp`` stays the string the file holds (parsing 100,000 of them up front would cost
    more than the rest of loading); ``time`` parses it on demand. ``index`` and ``line`` locate
    the frame in its file; they are not part of the record.
    """

    frame_id: str
    session_id: str
    node_name: str
    frame_type: FrameType = FrameType.NODE_EXECUTION
    input_state: dict[str, Any] = field(default_factory=dict)
    output_state: dict[str, Any] = field(default_factory=dict)
    metadata: FrameMetadata = field(default_factory=FrameMetadata)
    parent_frame_id: str | None = None
    timestamp: str = field(default_factory=now_iso)
    state_diff: list[Any] | None = None
    schema_version: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    index: int = -1
    line: int = 0

    @property
    def time(self) -> datetime | None:
        """The timestamp as an aware datetime (a zone-less one is read as UTC), or None."""
        return parse_timestamp(self.timestamp)

    @property
    def is_error(self) -> bool:
        """An error frame, or any step that recorded an error type."""
        return self.frame_type is FrameType.ERROR or bool(self.metadata.error_type)

    @property
    def source(self) -> str | None:
        """Where the frame came from in a fork (``fork``, ``replayed``, ``live``...), if said."""
        value = self.metadata.custom.get(SOURCE)
        return value if isinstance(value, str) else None

    def to_record(self) -> dict[str, Any]:
        """The ``{"type": "frame", "data": ...}`` record, in the peer's key order."""
        # One dict display, not a chain of updates: this runs once per recorded frame.
        data: dict[str, Any] = {
            "frame_id": self.frame_id,
            "session_id": self.session_id,
            "parent_frame_id": self.parent_frame_id,
            "timestamp": self.timestamp,
            "frame_type": self.frame_type.value,
            "node_name": self.node_name,
            "input_state": self.input_state,
            "output_state": self.output_state,
            "metadata": self.metadata.to_dict(),
            "state_diff": self.state_diff,
        }
        if self.schema_version is not None:
            data = {"schema_version": self.schema_version, **data}
        if self.extra:
            data.update(self.extra)
        return {"type": "frame", "data": data}


_SESSION_FIELDS = frozenset(
    (
        "session_id",
        "parent_session_id",
        "forked_from_frame",
        "created_at",
        "updated_at",
        "metadata",
        "tags",
        "frame_count",
        "total_tokens",
        "total_cost_usd",
        "schema_version",
    )
)


@dataclass(slots=True)
class Session:
    """The header of a recording. A file may hold several; the last one carries the totals."""

    session_id: str
    parent_session_id: str | None = None
    forked_from_frame: int | None = None
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    metadata: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    frame_count: int = 0
    total_tokens: int = 0
    total_cost_usd: float = 0.0
    schema_version: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_fork(self) -> bool:
        return self.parent_session_id is not None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        """Build from a record, tolerating missing and mistyped fields."""
        metadata = data.get("metadata")
        tags = data.get("tags")
        sid = data.get("session_id")
        return cls(
            session_id=sid if isinstance(sid, str) else "",
            parent_session_id=optional_str(data.get("parent_session_id")),
            forked_from_frame=optional_int(data.get("forked_from_frame")),
            created_at=str_or(data.get("created_at"), ""),
            updated_at=str_or(data.get("updated_at"), ""),
            metadata=metadata if isinstance(metadata, dict) else {},
            tags=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
            frame_count=optional_int(data.get("frame_count")) or 0,
            total_tokens=optional_int(data.get("total_tokens")) or 0,
            total_cost_usd=optional_float(data.get("total_cost_usd")) or 0.0,
            schema_version=optional_str(data.get("schema_version")),
            extra={k: v for k, v in data.items() if k not in _SESSION_FIELDS},
        )

    def to_record(self) -> dict[str, Any]:
        """The ``{"type": "session", "data": ...}`` record, in the peer's key order."""
        data: dict[str, Any] = {}
        if self.schema_version is not None:
            data["schema_version"] = self.schema_version
        data.update(
            session_id=self.session_id,
            parent_session_id=self.parent_session_id,
            forked_from_frame=self.forked_from_frame,
            created_at=self.created_at,
            updated_at=self.updated_at,
            metadata=self.metadata,
            tags=self.tags,
            frame_count=self.frame_count,
            total_tokens=self.total_tokens,
            total_cost_usd=self.total_cost_usd,
        )
        data.update(self.extra)
        return {"type": "session", "data": data}


def frame_from_dict(data: dict[str, Any], *, index: int = -1, line: int = 0) -> tuple[Frame, list[str]]:
    """Build a frame from a record's ``data``, with a note for each field that had to be mended.

    A frame with a missing or mistyped field is still shown (with the field emptied) rather than
    dropped: the rest of the step is evidence worth seeing.
    """
    notes: list[str] = []

    def state(name: str) -> dict[str, Any]:
        value = data.get(name)
        if isinstance(value, dict):
            return value
        if value is None and name not in data:
            notes.append(f"frame has no {name}")
        else:
            notes.append(f"{name} is {type(value).__name__}, not an object")
        return {}

    raw_type = data.get("frame_type", "node")
    frame_type = FrameType.parse(raw_type)
    if frame_type is None:
        notes.append(f"unknown frame_type {raw_type!r}, shown as node")
        frame_type = FrameType.NODE_EXECUTION
    node_name = data.get("node_name")
    if not isinstance(node_name, str):
        notes.append("frame has no node_name")
        node_name = "?"
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        notes.append("metadata is not an object")
        metadata = None
    state_diff = data.get("state_diff")
    if state_diff is not None and not isinstance(state_diff, list):
        notes.append("state_diff is not a list")
        state_diff = None
    timestamp = data.get("timestamp")
    if not isinstance(timestamp, str):
        timestamp = ""
    elif timestamp:
        parsed = parse_timestamp(timestamp)
        if parsed is None:
            notes.append(f"unreadable timestamp {timestamp[:40]!r}")
        elif not _has_zone(timestamp):
            notes.append("timestamp without a time zone, read as UTC")
    frame = Frame(
        frame_id=str_or(data.get("frame_id"), ""),
        session_id=str_or(data.get("session_id"), ""),
        node_name=node_name,
        frame_type=frame_type,
        input_state=state("input_state"),
        output_state=state("output_state"),
        metadata=FrameMetadata.from_dict(metadata or {}),
        parent_frame_id=optional_str(data.get("parent_frame_id")),
        timestamp=timestamp,
        state_diff=state_diff,
        schema_version=optional_str(data.get("schema_version")),
        extra={k: v for k, v in data.items() if k not in _FRAME_FIELDS},
        index=index,
        line=line,
    )
    if isinstance(raw_type, str) and frame_type.value != raw_type:
        frame.extra["frame_type_recorded"] = raw_type
    return frame, notes


def _has_zone(timestamp: str) -> bool:
    tail = timestamp[10:]  # past the date, whose dashes are not zone offsets
    return tail.endswith(("Z", "z")) or "+" in tail or "-" in tail
