"""Builders for hand-made recording lines, so tests can say exactly what a file holds."""

from __future__ import annotations

from typing import Any

import orjson


def header(session_id: str = "s1", **fields: Any) -> bytes:
    data = {
        "session_id": session_id,
        "parent_session_id": None,
        "forked_from_frame": None,
        "created_at": "2026-01-01T00:00:00.000000+00:00",
        "updated_at": "2026-01-01T00:00:00.000000+00:00",
        "metadata": {},
        "tags": [],
        "frame_count": 0,
        "total_tokens": 0,
        "total_cost_usd": 0.0,
        **fields,
    }
    return orjson.dumps({"type": "session", "data": data}) + b"\n"


def frame(node: str = "n", i: int = 0, **fields: Any) -> bytes:
    data = {
        "frame_id": f"00000000-0000-4000-8000-{i:012d}",
        "session_id": "s1",
        "parent_frame_id": None,
        "timestamp": "2026-01-01T00:00:00.000000+00:00",
        "frame_type": "node",
        "node_name": node,
        "input_state": {"i": i},
        "output_state": {"i": i + 1},
        "metadata": {"model": None, "latency_ms": 1.0, "custom": {}},
        "state_diff": None,
        **fields,
    }
    return orjson.dumps({"type": "frame", "data": data}) + b"\n"
