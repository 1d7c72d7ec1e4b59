"""One frame list row from one raw line, without parsing the frame's states.

A row needs the type, node name, latency, tokens and error flag: a few hundred bytes of a line
that may hold megabytes of state. Small lines are parsed whole (orjson is fastest there). For big
lines the fields before ``input_state`` and the ``metadata`` object after ``output_state`` are
parsed on their own: in a JSON line, ``,"input_state":`` cannot occur inside a string (a quote in a
string is always escaped), so the first occurrence is the record's key. Anything unexpected falls
back to a full parse, so a row is never wrong, only sometimes slower.
"""

from __future__ import annotations

from typing import Any, Final

import orjson

from recorder.coerce import optional_float, optional_int, optional_str
from recorder.index import decode_line
from recorder.models import FrameType
from recorder.slotted import Slotted
from recorder.vocabulary import SOURCE
from vcr_tui.logic.workspace_facts import snapshot_commit

_WHOLE_PARSE_LIMIT = 16 * 1024
_HEAD_MARK = b',"input_state":'
_META_MARK = b',"metadata":{'


class FrameRow(Slotted):
    """What the frame list shows for one frame."""

    __slots__ = (
        "cost_usd",
        "error_type",
        "frame_type",
        "has_snapshot",
        "index",
        "latency_ms",
        "model",
        "node_name",
        "source",
        "timestamp",
        "tokens",
        "unreadable",
    )

    def __init__(
        self,
        index: int,
        frame_type: FrameType,
        node_name: str,
        timestamp: str = "",
        latency_ms: float | None = None,
        tokens: int | None = None,
        cost_usd: float | None = None,
        model: str | None = None,
        error_type: str | None = None,
        source: str | None = None,
        unreadable: str | None = None,
        has_snapshot: bool = False,
    ) -> None:
        self.index: Final = index
        self.frame_type: Final = frame_type
        self.node_name: Final = node_name
        self.timestamp: Final = timestamp
        self.latency_ms: Final = latency_ms
        self.tokens: Final = tokens
        self.cost_usd: Final = cost_usd
        self.model: Final = model
        self.error_type: Final = error_type
        self.source: Final = source
        self.unreadable: Final = unreadable
        self.has_snapshot: Final = has_snapshot  # names a snapshot of the workspace's files (an ACID savepoint)

    @property
    def is_error(self) -> bool:
        return self.frame_type is FrameType.ERROR or bool(self.error_type) or self.unreadable is not None


def row_from_line(raw: bytes, index: int) -> FrameRow:
    """The row for a frame line, reading as little of it as it can."""
    if len(raw) > _WHOLE_PARSE_LIMIT:
        row = _row_from_parts(raw, index)
        if row is not None:
            return row
    value, reason, _ = decode_line(raw)
    data = value.get("data") if isinstance(value, dict) else None
    if not isinstance(data, dict):
        return FrameRow(index, FrameType.ERROR, "<unreadable line>", unreadable=reason or "no data object")
    metadata = data.get("metadata")
    return _row(index, data, metadata if isinstance(metadata, dict) else {})


def _row_from_parts(raw: bytes, index: int) -> FrameRow | None:
    head_end = raw.find(_HEAD_MARK)
    meta_start = raw.rfind(_META_MARK)
    if head_end < 0 or meta_start < head_end:
        return None
    try:
        head = orjson.loads(raw[:head_end] + b"}}")
        tail = orjson.loads(b"{" + raw[meta_start + 1 :].rstrip()[:-1])
    except orjson.JSONDecodeError:
        return None
    data = head.get("data") if isinstance(head, dict) else None
    metadata = tail.get("metadata") if isinstance(tail, dict) else None
    if not isinstance(data, dict) or not isinstance(metadata, dict):
        return None
    return _row(index, data, metadata)


def _row(index: int, data: dict[str, Any], metadata: dict[str, Any]) -> FrameRow:
    frame_type = FrameType.parse(data.get("frame_type", "node")) or FrameType.NODE_EXECUTION
    node_name = data.get("node_name")
    custom = metadata.get("custom")
    source = custom.get(SOURCE) if isinstance(custom, dict) else None
    return FrameRow(
        index=index,
        frame_type=frame_type,
        node_name=node_name if isinstance(node_name, str) else "?",
        timestamp=optional_str(data.get("timestamp")) or "",
        latency_ms=optional_float(metadata.get("latency_ms")),
        tokens=optional_int(metadata.get("tokens_used")),
        cost_usd=optional_float(metadata.get("cost_usd")),
        model=optional_str(metadata.get("model")),
        error_type=optional_str(metadata.get("error_type")),
        source=source if isinstance(source, str) else None,
        has_snapshot=isinstance(custom, dict) and snapshot_commit(custom) is not None,
    )
