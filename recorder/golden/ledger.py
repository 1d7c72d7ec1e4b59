"""CostLedger: what a run spent and what its answered steps saved, read from its frames.

The ledger is computed from the frames alone, so the engine, the CLI and the app always agree.
A frame answered without a call (``custom.source`` ``golden_cache`` from a golden run, or
``replayed`` by a resume) spent nothing; what the call cost when it was recorded travels with
it in ``custom.recorded_tokens``, ``recorded_cost_usd`` and ``recorded_latency_ms``. Every other
frame spent what its metadata says.

A model call recorded inside a step that is itself recorded (a LangChain model inside a
LangGraph node) is marked ``custom.inner_call``: the enclosing step's frame already carries its
tokens and time, so they are counted there once, and only what the inner call saved is counted
on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from recorder.coerce import optional_float, optional_int
from recorder.models import Frame, FrameType
from recorder.vocabulary import (
    ANSWERED_SOURCES,
    INNER_CALL,
    RECORDED_COST,
    RECORDED_LATENCY,
    RECORDED_TOKENS,
    SOURCE,
    USAGE,
    FrameSource,
)


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One frame's line in the ledger."""

    index: int
    node_name: str
    source: str  # "golden", "replayed" or "live"
    tokens: int
    cost_usd: float
    latency_ms: float
    saved_tokens: int
    saved_cost_usd: float
    saved_ms: float


@dataclass(slots=True)
class CostLedger:
    """Original (as if every step ran) against replay (what this run spent), and what that saved."""

    original_tokens: int = 0
    original_cost_usd: float = 0.0
    original_latency_ms: float = 0.0
    replay_tokens: int = 0
    replay_cost_usd: float = 0.0
    replay_latency_ms: float = 0.0
    steps_replayed: int = 0
    steps_rerun: int = 0
    rows: list[LedgerRow] = field(default_factory=list, repr=False, compare=False)

    @property
    def tokens_saved(self) -> int:
        return self.original_tokens - self.replay_tokens

    @property
    def cost_saved_usd(self) -> float:
        return self.original_cost_usd - self.replay_cost_usd

    @property
    def time_saved_ms(self) -> float:
        return self.original_latency_ms - self.replay_latency_ms

    @property
    def savings_percent(self) -> float:
        """Share of the original cost saved; by tokens when nothing was priced, then by time."""
        for original, saved in (
            (self.original_cost_usd, self.cost_saved_usd),
            (float(self.original_tokens), float(self.tokens_saved)),
            (self.original_latency_ms, self.time_saved_ms),
        ):
            if original > 0:
                return saved / original * 100.0
        return 0.0

    def summary(self) -> dict[str, Any]:
        """The ledger as plain data, in the peer's shape (``--json`` prints this)."""
        return {
            "original": {
                "tokens": self.original_tokens,
                "cost_usd": round(self.original_cost_usd, 6),
                "latency_ms": round(self.original_latency_ms, 2),
            },
            "replay": {
                "tokens": self.replay_tokens,
                "cost_usd": round(self.replay_cost_usd, 6),
                "latency_ms": round(self.replay_latency_ms, 2),
            },
            "saved": {
                "tokens": self.tokens_saved,
                "cost_usd": round(self.cost_saved_usd, 6),
                "time_ms": round(self.time_saved_ms, 2),
                "percent": round(self.savings_percent, 1),
            },
            "steps_replayed": self.steps_replayed,
            "steps_rerun": self.steps_rerun,
        }

    def add(self, frame: Frame) -> LedgerRow | None:
        """Count one frame; its row, or None for a marker (a fork point, a checkpoint)."""
        meta = frame.metadata
        row = self.count(
            frame.index,
            frame.node_name,
            frame.frame_type,
            meta.tokens_used,
            meta.cost_usd,
            meta.latency_ms,
            meta.custom,
        )
        if row is not None:
            self.rows.append(row)
        return row

    def count(
        self,
        index: int,
        node_name: str,
        frame_type: FrameType,
        tokens_used: int | None,
        cost_usd: float | None,
        latency_ms: float,
        custom: dict[str, Any],
    ) -> LedgerRow | None:
        """Count one frame from its parts, keeping no row: what a writer has at hand as it writes.

        The only place a frame's spending and savings are decided, so a resume's totals counted
        while its fork is written are the ledger's own.
        """
        if frame_type is FrameType.CHECKPOINT:
            return None
        source = custom.get(SOURCE)
        inner = custom.get(INNER_CALL) is True
        if source in ANSWERED_SOURCES:
            saved_tokens = optional_int(custom.get(RECORDED_TOKENS)) or 0
            saved_cost = optional_float(custom.get(RECORDED_COST)) or 0.0
            saved_ms = optional_float(custom.get(RECORDED_LATENCY)) or 0.0
            self.steps_replayed += 1
            label = "golden" if source == FrameSource.GOLDEN.value else FrameSource.REPLAYED.value
        else:
            saved_tokens, saved_cost, saved_ms = 0, 0.0, 0.0
            self.steps_rerun += 1
            label = FrameSource.LIVE.value
        tokens = 0 if inner else tokens_used or 0
        cost = 0.0 if inner else cost_usd or 0.0
        latency = 0.0 if inner else latency_ms
        self.replay_tokens += tokens
        self.replay_cost_usd += cost
        self.replay_latency_ms += latency
        self.original_tokens += tokens + saved_tokens
        self.original_cost_usd += cost + saved_cost
        self.original_latency_ms += latency + saved_ms
        return LedgerRow(index, node_name, label, tokens, cost, latency, saved_tokens, saved_cost, saved_ms)

    def merge(self, other: CostLedger) -> None:
        """Count ``other``'s frames here too (ledgers of separate stretches of one run add up)."""
        self.original_tokens += other.original_tokens
        self.original_cost_usd += other.original_cost_usd
        self.original_latency_ms += other.original_latency_ms
        self.replay_tokens += other.replay_tokens
        self.replay_cost_usd += other.replay_cost_usd
        self.replay_latency_ms += other.replay_latency_ms
        self.steps_replayed += other.steps_replayed
        self.steps_rerun += other.steps_rerun
        self.rows.extend(other.rows)

    @classmethod
    def of_frames(cls, frames: Iterable[Frame]) -> CostLedger:
        ledger = cls()
        for frame in frames:
            ledger.add(frame)
        return ledger

    @classmethod
    def of_recording(cls, path: Any) -> CostLedger:
        """The ledger of a ``.vcr`` file (read frame by frame; memory stays flat)."""
        from recorder.reader import VCRReader

        with VCRReader(path) as reader:
            return cls.of_frames(reader.frame(index) for index in range(len(reader)))

    def __str__(self) -> str:
        return (
            f"CostLedger(saved={self.savings_percent:.0f}% | ${self.cost_saved_usd:.4f} | "
            f"{self.tokens_saved} tokens | {self.time_saved_ms:.0f}ms)"
        )

    __repr__ = __str__


def what_it_cost(frame: Frame) -> tuple[int | None, float | None, float]:
    """What answering ``frame``'s step saves: its tokens, cost and time when it was recorded.

    A frame that was itself answered carries what the call cost originally, so savings do not
    shrink to zero when a golden run is saved from a run that was partly served.
    """
    meta = frame.metadata
    custom = meta.custom
    if custom.get(SOURCE) in ANSWERED_SOURCES:
        return (
            optional_int(custom.get(RECORDED_TOKENS)),
            optional_float(custom.get(RECORDED_COST)),
            optional_float(custom.get(RECORDED_LATENCY)) or 0.0,
        )
    if custom.get(INNER_CALL) is True:
        usage = custom.get(USAGE)
        if isinstance(usage, dict):
            return optional_int(usage.get("tokens_used")), optional_float(usage.get("cost_usd")), meta.latency_ms
    return meta.tokens_used, meta.cost_usd, meta.latency_ms
