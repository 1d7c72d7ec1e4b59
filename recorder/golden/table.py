"""The steps of golden runs, by key, and one run's walk through them.

``StepTable`` reads golden files once, frame by frame, and keeps for each step key the places
(file, frame) where that step was recorded, in recording order: a few dozen bytes per step, so
a table over 100,000 steps stays small. Outputs are read back from the file only when a call is
answered. ``Matcher`` is one live run's cursor over a table: the n-th call with a key takes the
n-th recorded answer, so identical repeated calls replay in recorded order, and a call with no
answer left runs live.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from recorder.coerce import optional_float, optional_int, optional_str, str_or
from recorder.golden.keys import (
    IDENTITY_KEY,
    Normalize,
    StepKey,
    answers_steps,
    frame_identity,
    is_answering_step,
    step_key,
)
from recorder.index import decode_line
from recorder.models import Frame, FrameMetadata, FrameType
from recorder.reader import VCRReader

_READER_CACHE = 512
_KEPT_BYTES = 64 << 20  # frame lines kept decoded from the first read, per table; beyond, read again on a hit


class GoldenStep:
    """A recorded step that answers a call: the golden run it belongs to, and its frame.

    The frame is built when first asked for, so a lookup costs only the match itself.
    """

    __slots__ = ("_frame", "_place", "_table", "fingerprint")

    def __init__(self, fingerprint: str, table: StepTable | None, place: tuple[int, int], frame: Frame | None = None):
        self.fingerprint = fingerprint
        self._table = table
        self._place = place
        self._frame = frame

    @property
    def frame(self) -> Frame:
        if self._frame is None:
            assert self._table is not None
            self._frame = self._table.frame_at(self._place)
        return self._frame


class StepTable:
    """Step key -> where golden runs recorded that step, in order."""

    def __init__(self, normalize: Normalize | None = None) -> None:
        self.normalize = normalize
        self._files: list[tuple[str, VCRReader]] = []
        self._steps: dict[StepKey, list[tuple[int, int]]] = {}
        self._kept: dict[tuple[int, int], dict[str, Any]] = {}
        self._kept_bytes = 0
        self.step_count = 0

    def add_file(self, fp: str, path: Path) -> None:
        """Index every answering step of one golden file (its frames are parsed once, here)."""
        reader = VCRReader(path, cache_size=_READER_CACHE)
        source = len(self._files)
        self._files.append((fp, reader))
        steps = self._steps
        for index in range(len(reader)):
            found = _step_of(reader, index)
            if found is None:
                continue
            node, state, identity, data, size = found
            key = step_key(node, state, identity, self.normalize)
            places = steps.get(key)
            if places is None:
                steps[key] = [(source, index)]
            else:
                places.append((source, index))
            if data is not None and self._kept_bytes + size <= _KEPT_BYTES:
                self._kept[(source, index)] = data  # answering it then costs no second parse
                self._kept_bytes += size
            self.step_count += 1

    def places(self, key: StepKey) -> list[tuple[int, int]] | None:
        return self._steps.get(key)

    def step_at(self, place: tuple[int, int]) -> GoldenStep:
        return GoldenStep(self._files[place[0]][0], self, place)

    def frame_at(self, place: tuple[int, int]) -> Frame:
        reader = self._files[place[0]][1]
        data = self._kept.get(place)
        if data is not None:
            return _answer_frame(data, place[1])
        return reader.frame(place[1])

    def close(self) -> None:
        for _, reader in self._files:
            reader.close()
        self._files.clear()

    def __len__(self) -> int:
        return self.step_count


def _step_of(reader: VCRReader, index: int) -> tuple[str, dict[str, Any], str, dict[str, Any] | None, int] | None:
    """(node, input, identity, decoded record, line size) of a frame that can answer calls.

    The common frame line is decoded without building a ``Frame`` (the decoded record comes
    back so a table can keep it); diff-mode and mended lines go through the reader, which
    rebuilds and repairs them (no record then).
    """
    raw = reader.raw(index)
    value, error, note = decode_line(raw)
    data = value.get("data") if isinstance(value, dict) else None
    if error is None and note is None and isinstance(data, dict) and data.get("state_diff") is None:
        node = data.get("node_name")
        state = data.get("input_state")
        meta = data.get("metadata")
        if isinstance(node, str) and isinstance(state, dict) and isinstance(meta, dict):
            custom = meta.get("custom")
            custom = custom if isinstance(custom, dict) else {}
            kind = FrameType.parse(data.get("frame_type", "node"))
            if not is_answering_step(node, kind, bool(meta.get("error_type"))):
                return None
            identity = custom.get(IDENTITY_KEY)
            return node, state, identity if isinstance(identity, str) else "", data, len(raw)
    frame = reader.frame(index)
    if not answers_steps(frame):
        return None
    return frame.node_name, frame.input_state, frame_identity(frame), None, 0


def _answer_frame(data: dict[str, Any], index: int) -> Frame:
    """A ``Frame`` from a record ``_step_of`` checked: only what answering a call reads is built.

    The full ``frame_from_dict`` also validates the timestamp and every field, which the first
    read already did for this record's shape; an answer needs the states, the cost figures and
    the custom facts (its line in the file is not looked up).
    """
    output = data.get("output_state")
    meta = data["metadata"]
    custom = meta.get("custom")
    latency = optional_float(meta.get("latency_ms"))
    return Frame(
        frame_id=str_or(data.get("frame_id"), ""),
        session_id=str_or(data.get("session_id"), ""),
        node_name=data["node_name"],
        frame_type=FrameType.parse(data.get("frame_type", "node")) or FrameType.NODE_EXECUTION,
        input_state=data["input_state"],
        output_state=output if isinstance(output, dict) else {},
        metadata=FrameMetadata(
            model=optional_str(meta.get("model")),
            latency_ms=latency if latency is not None else 0.0,
            tokens_used=optional_int(meta.get("tokens_used")),
            cost_usd=optional_float(meta.get("cost_usd")),
            custom=custom if isinstance(custom, dict) else {},
        ),
        parent_frame_id=optional_str(data.get("parent_frame_id")),
        timestamp=str_or(data.get("timestamp"), ""),
        index=index,
    )


class Matcher:
    """One run's cursor over a table; safe to share between the threads of one run."""

    def __init__(self, table: StepTable) -> None:
        self.table = table
        self._taken: dict[StepKey, int] = {}
        self._lock = threading.Lock()

    def take(self, node_name: str, state: dict[str, Any], identity: str = "") -> GoldenStep | None:
        """The next recorded answer to this call, or None when it must run live."""
        key = step_key(node_name, state, identity, self.table.normalize)
        places = self.table.places(key)
        if places is None:
            return None
        with self._lock:
            taken = self._taken.get(key, 0)
            if taken >= len(places):
                return None
            self._taken[key] = taken + 1
        return self.table.step_at(places[taken])
