"""Two recorded runs compared step by step: aligned pairs, the first place they part, the totals.

The question a person asks of two runs is "where did they go different ways, and what was
different there?". Pairing frames by index answers it wrongly as soon as one run has an extra
step, so the runs are aligned (``recorder.alignment``) on each step's shape (node name and frame
type) with its input as the tie-breaker. A fork is aligned with its parent at the frame it forked
from: the copied prefix pairs with the parent's frames, the fork's starting checkpoint stands on
its own, and what ran after it aligns with the parent's rest.

States are compared by a digest of their canonical JSON (keys sorted), so a difference in key
order is no difference and two runs of 100,000 steps compare without holding either in memory.
The nested changes of one pair (``RunComparison.changes``) are computed when asked for.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from recorder.alignment import Pair, align
from recorder.diffing import StateChange, diff_states
from recorder.models import Frame, FrameType, Session
from recorder.outcome import RunOutcome, run_outcome
from recorder.reader import VCRReader

_CANONICAL = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
_PROGRESS_EVERY = 2000
FORK_NODE_PREFIX = "fork:"


class ComparisonCancelled(Exception):
    """The caller's cancel event was set while the runs were being read."""


@dataclass(frozen=True, slots=True)
class StepDigest:
    """What the alignment and the summary need of one frame: its shape, state digests and costs."""

    index: int
    node_name: str
    frame_type: FrameType
    input_digest: bytes
    output_digest: bytes
    tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    is_error: bool = False
    is_fork_point: bool = False  # a fork's starting checkpoint, not a step of the agent


def state_digest(state: Any) -> bytes:
    """A digest of a state's canonical JSON; equal digests mean equal states (key order aside)."""
    try:
        canonical = orjson.dumps(state, option=_CANONICAL)
    except (TypeError, orjson.JSONEncodeError):  # integers past 64 bits, NaN kept as floats...
        canonical = json.dumps(state, sort_keys=True, default=repr, allow_nan=True).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(canonical, digest_size=16).digest()


def digest_frame(frame: Frame) -> StepDigest:
    metadata = frame.metadata
    tokens = metadata.tokens_used
    if tokens is None and (metadata.tokens_input is not None or metadata.tokens_output is not None):
        tokens = (metadata.tokens_input or 0) + (metadata.tokens_output or 0)
    return StepDigest(
        index=frame.index,
        node_name=frame.node_name,
        frame_type=frame.frame_type,
        input_digest=state_digest(frame.input_state),
        output_digest=state_digest(frame.output_state),
        tokens=tokens or 0,
        cost_usd=metadata.cost_usd or 0.0,
        latency_ms=metadata.latency_ms,
        is_error=frame.is_error,
        is_fork_point=frame.frame_type is FrameType.CHECKPOINT
        and frame.node_name.startswith(FORK_NODE_PREFIX)
        and frame.source == "fork",
    )


def digest_steps(
    reader: VCRReader,
    *,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[StepDigest]:
    """One digest per frame, in file order, reading each frame once."""
    count = len(reader)
    steps: list[StepDigest] = []
    for index in range(count):
        if index % _PROGRESS_EVERY == 0:
            if cancel is not None and cancel.is_set():
                raise ComparisonCancelled
            if progress is not None:
                progress(index, count)
        steps.append(digest_frame(reader.frame(index)))
    return steps


class PairKind(str, enum.Enum):
    """How the two sides of an aligned pair relate; the values are what ``--json`` prints."""

    SAME = "same"  # same step, same input and output
    CHANGED = "changed"  # same step (node and type), another input or output
    ONLY_A = "only_a"  # a step the first run has and the second does not
    ONLY_B = "only_b"
    FORK_POINT = "fork_point"  # a fork's starting checkpoint: where the edit entered, not a step


@dataclass(frozen=True, slots=True)
class AlignedPair:
    a: int | None
    b: int | None
    kind: PairKind
    input_differs: bool = False
    output_differs: bool = False

    @property
    def differs(self) -> bool:
        return self.kind is not PairKind.SAME and self.kind is not PairKind.FORK_POINT


@dataclass(frozen=True, slots=True)
class RunTotals:
    """The summary line of one run."""

    steps: int
    errors: int
    tokens: int
    cost_usd: float
    latency_ms: float
    outcome: RunOutcome

    @classmethod
    def of(cls, steps: list[StepDigest], outcome: RunOutcome) -> RunTotals:
        real = [step for step in steps if not step.is_fork_point]
        return cls(
            steps=len(real),
            errors=sum(step.is_error for step in real),
            tokens=sum(step.tokens for step in real),
            cost_usd=sum(step.cost_usd for step in real),
            latency_ms=sum(step.latency_ms for step in real),
            outcome=outcome,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": self.steps,
            "errors": self.errors,
            "tokens": self.tokens,
            "cost_usd": self.cost_usd,
            "latency_ms": self.latency_ms,
            "outcome": self.outcome.value,
        }


@dataclass(frozen=True, slots=True)
class RunSide:
    """One of the two runs: where it is, its header, its steps and totals."""

    path: Path
    session: Session
    steps: list[StepDigest] = field(repr=False)
    totals: RunTotals

    @property
    def session_id(self) -> str:
        return self.session.session_id or self.path.stem


@dataclass(frozen=True, slots=True)
class PairChanges:
    """The nested differences of one pair: its inputs, and its outputs."""

    input: list[StateChange]
    output: list[StateChange]


@dataclass
class RunComparison:
    """The aligned runs. Holds the two readers so a pair's nested changes can be read on demand."""

    a: RunSide
    b: RunSide
    pairs: list[AlignedPair]
    fork_of: str | None = None  # "a" or "b": which side is a fork of the other, aligned at its fork point
    _readers: tuple[VCRReader, VCRReader] | None = field(default=None, repr=False)
    _to_close: tuple[VCRReader, ...] = field(default=(), repr=False)

    @property
    def differing(self) -> list[int]:
        """Indices of the pairs that differ, in order."""
        return [position for position, pair in enumerate(self.pairs) if pair.differs]

    @property
    def first_divergence(self) -> int | None:
        """The first aligned pair whose steps, inputs or outputs differ; None for equivalent runs."""
        return next((position for position, pair in enumerate(self.pairs) if pair.differs), None)

    @property
    def equivalent(self) -> bool:
        return self.first_divergence is None

    def next_difference(self, position: int, step: int = 1) -> int | None:
        """The next (``step=1``) or previous (``-1``) differing pair from ``position``, exclusive."""
        position += step
        while 0 <= position < len(self.pairs):
            if self.pairs[position].differs:
                return position
            position += step
        return None

    def frames(self, position: int) -> tuple[Frame | None, Frame | None]:
        pair = self.pairs[position]
        reader_a, reader_b = self._open_readers()
        return (
            reader_a.frame(pair.a) if pair.a is not None else None,
            reader_b.frame(pair.b) if pair.b is not None else None,
        )

    def changes(self, position: int) -> PairChanges:
        """What differs between the two frames of a pair (against empty states for a one-sided pair)."""
        frame_a, frame_b = self.frames(position)
        input_a = frame_a.input_state if frame_a is not None else {}
        input_b = frame_b.input_state if frame_b is not None else {}
        output_a = frame_a.output_state if frame_a is not None else {}
        output_b = frame_b.output_state if frame_b is not None else {}
        return PairChanges(diff_states(input_a, input_b), diff_states(output_a, output_b))

    def _open_readers(self) -> tuple[VCRReader, VCRReader]:
        if self._readers is None:
            self._readers = (VCRReader(self.a.path), VCRReader(self.b.path))
            self._to_close = self._readers
        return self._readers

    def close(self) -> None:
        """Close the readers this comparison opened (not those it was handed)."""
        for reader in self._to_close:
            reader.close()
        self._to_close = ()
        self._readers = None

    def __enter__(self) -> RunComparison:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def to_dict(self, *, pairs: bool = True, changes_limit: int = 50) -> dict[str, Any]:
        """The comparison as plain JSON: totals, deltas, the first divergence with its changes, pairs."""
        first = self.first_divergence
        out: dict[str, Any] = {
            "a": _side_dict(self.a),
            "b": _side_dict(self.b),
            "equivalent": first is None,
            "fork_of": self.fork_of,
            "delta": _delta(self.a.totals, self.b.totals),
            "differing_pairs": len(self.differing),
            "first_divergence": None if first is None else self._pair_dict(first, changes_limit=changes_limit),
        }
        if pairs:
            out["pairs"] = [_plain_pair(self, pair) for pair in self.pairs]
        return out

    def _pair_dict(self, position: int, *, changes_limit: int) -> dict[str, Any]:
        found = self.changes(position)
        return {
            "pair": position,
            **_plain_pair(self, self.pairs[position]),
            "input_changes": [_change_dict(change) for change in found.input[:changes_limit]],
            "output_changes": [_change_dict(change) for change in found.output[:changes_limit]],
            "more_changes": max(0, len(found.input) - changes_limit) + max(0, len(found.output) - changes_limit),
        }


def compare_runs(
    a: str | os.PathLike[str] | VCRReader,
    b: str | os.PathLike[str] | VCRReader,
    *,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunComparison:
    """Align run ``b`` with run ``a``. Paths are opened (and closed with the result); readers are
    used as they are and left open.

    ``progress(done, total)`` is called as frames are read; setting ``cancel`` stops the work
    with ``ComparisonCancelled``.
    """
    opened: list[VCRReader] = []

    def open_reader(source: str | os.PathLike[str] | VCRReader) -> VCRReader:
        if isinstance(source, VCRReader):
            return source
        reader = VCRReader(source)
        opened.append(reader)
        return reader

    try:
        reader_a, reader_b = open_reader(a), open_reader(b)
        count_a, total = len(reader_a), len(reader_a) + len(reader_b)

        def report(offset: int) -> Callable[[int, int], None]:
            return lambda done, _count: progress(offset + done, total) if progress is not None else None

        steps_a = digest_steps(reader_a, cancel=cancel, progress=report(0))
        steps_b = digest_steps(reader_b, cancel=cancel, progress=report(count_a))
        side_a = RunSide(reader_a.path, reader_a.session, steps_a, RunTotals.of(steps_a, run_outcome(reader_a)))
        side_b = RunSide(reader_b.path, reader_b.session, steps_b, RunTotals.of(steps_b, run_outcome(reader_b)))
        fork_of, raw_pairs = _align_runs(side_a, side_b)
        pairs = [_classify(pair, steps_a, steps_b) for pair in raw_pairs]
    except BaseException:
        for reader in opened:
            reader.close()
        raise
    return RunComparison(side_a, side_b, pairs, fork_of, (reader_a, reader_b), tuple(opened))


def _align_runs(a: RunSide, b: RunSide) -> tuple[str | None, list[Pair]]:
    """Pairs of indices; a fork is cut at its fork point and each part aligned on its own."""
    if _is_fork_of(b, a):
        return "b", _align_at_fork(a.steps, b.steps, b.session.forked_from_frame or 0, swap=False)
    if _is_fork_of(a, b):
        return "a", _align_at_fork(b.steps, a.steps, a.session.forked_from_frame or 0, swap=True)
    return None, _align_slices(a.steps, b.steps)


def _is_fork_of(child: RunSide, parent: RunSide) -> bool:
    point = child.session.forked_from_frame
    return (
        bool(child.session.parent_session_id)
        and child.session.parent_session_id == parent.session.session_id
        and point is not None
        and 0 <= point <= len(parent.steps)
    )


def _align_at_fork(parent: list[StepDigest], fork: list[StepDigest], point: int, *, swap: bool) -> list[Pair]:
    """The fork's prefix against the parent's first ``point`` frames, its marker, then the rest."""
    marker = next((step.index for step in fork if step.is_fork_point), None)
    cut = marker if marker is not None else min(point, len(fork))
    pairs = _align_slices(parent[:point], fork[:cut])
    rest_start = cut
    if marker is not None:
        pairs.append((None, marker))
        rest_start = marker + 1
    pairs.extend(_align_slices(parent[point:], fork[rest_start:], a_offset=point, b_offset=rest_start))
    return [(j, i) for i, j in pairs] if swap else pairs


def _align_slices(a: list[StepDigest], b: list[StepDigest], *, a_offset: int = 0, b_offset: int = 0) -> list[Pair]:
    tokens: dict[object, int] = {}

    def token(value: object) -> int:
        return tokens.setdefault(value, len(tokens))

    a_shape = [token((step.node_name, step.frame_type)) for step in a]
    b_shape = [token((step.node_name, step.frame_type)) for step in b]
    a_key = [token((shape, step.input_digest)) for shape, step in zip(a_shape, a, strict=True)]
    b_key = [token((shape, step.input_digest)) for shape, step in zip(b_shape, b, strict=True)]
    return [
        (None if i is None else i + a_offset, None if j is None else j + b_offset)
        for i, j in align(a_shape, a_key, b_shape, b_key)
    ]


def _classify(pair: Pair, a: list[StepDigest], b: list[StepDigest]) -> AlignedPair:
    i, j = pair
    if i is None:
        assert j is not None
        return AlignedPair(None, j, PairKind.FORK_POINT if b[j].is_fork_point else PairKind.ONLY_B)
    if j is None:
        return AlignedPair(i, None, PairKind.FORK_POINT if a[i].is_fork_point else PairKind.ONLY_A)
    input_differs = a[i].input_digest != b[j].input_digest
    output_differs = a[i].output_digest != b[j].output_digest
    kind = PairKind.CHANGED if input_differs or output_differs else PairKind.SAME
    return AlignedPair(i, j, kind, input_differs, output_differs)


def _side_dict(side: RunSide) -> dict[str, Any]:
    return {"path": str(side.path), "session_id": side.session_id, **side.totals.to_dict()}


def _delta(a: RunTotals, b: RunTotals) -> dict[str, Any]:
    return {
        "steps": b.steps - a.steps,
        "errors": b.errors - a.errors,
        "tokens": b.tokens - a.tokens,
        "cost_usd": round(b.cost_usd - a.cost_usd, 10),
        "latency_ms": round(b.latency_ms - a.latency_ms, 3),
    }


def _plain_pair(comparison: RunComparison, pair: AlignedPair) -> dict[str, Any]:
    step = comparison.a.steps[pair.a] if pair.a is not None else comparison.b.steps[pair.b or 0]
    return {
        "a": pair.a,
        "b": pair.b,
        "kind": pair.kind.value,
        "node": step.node_name,
        "type": step.frame_type.value,
        "input_differs": pair.input_differs,
        "output_differs": pair.output_differs,
    }


def _change_dict(change: StateChange) -> dict[str, Any]:
    return {"path": change.path_text, "kind": change.kind, "old": _jsonable(change.old), "new": _jsonable(change.new)}


def _jsonable(value: Any) -> Any:
    """A value from a state, as JSON can print it (anything odd as its repr)."""
    try:
        orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return repr(value)
    return value


def iter_pair_lines(comparison: RunComparison) -> Iterator[tuple[AlignedPair, StepDigest | None, StepDigest | None]]:
    """Each pair with the digests of its two sides, for printing or drawing."""
    for pair in comparison.pairs:
        yield (
            pair,
            comparison.a.steps[pair.a] if pair.a is not None else None,
            comparison.b.steps[pair.b] if pair.b is not None else None,
        )
