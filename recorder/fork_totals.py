"""What a resume's fork holds, counted as each frame is written: nobody reads the fork back for it.

A viewer shows, as soon as a resume ends, how many steps came from the recording and how many
ran, and the tokens and cost that spent and saved. Re-reading the fork to learn that parses every
frame again (seconds for a long run); the writer already has each frame's figures in hand, so the
recorder hands them to a ``ForkTotals`` as it writes the line. Spending and savings are decided by
``CostLedger.count`` (the one owner of those rules); the counts by the frames' ``source`` marks.
"""

from __future__ import annotations

from typing import Any

from recorder.coerce import optional_float, optional_int
from recorder.golden.ledger import CostLedger
from recorder.models import FrameMetadata, FrameType
from recorder.vocabulary import SOURCE, FrameSource

AGENT_FAILED_NODE = "agent"
"""Node of the error frame a resume adds when the agent raised outside any recorded step."""
CANCELLED_NODE = "cancelled"
"""Node of the error frame a resume adds when the user cancelled it."""
_ENGINE_NODES = (AGENT_FAILED_NODE, CANCELLED_NODE)


class ForkTotals:
    """Counts of a fork's frames by how their step was served, and what they spent and saved.

    ``replayed``: frames the recording answered (the copied prefix and REPLAY hits); ``live``:
    steps that ran, including a step that raised (its error frame carries no mark, but it ran);
    ``failed_at``: the first step past the fork point that raised. Fed by the recorder under its
    write lock, so a run whose steps record from several threads is counted exactly.
    """

    __slots__ = ("_past_fork", "failed_at", "frames", "ledger", "live", "mocked", "replayed", "skipped")

    def __init__(self) -> None:
        self.frames = 0
        self.replayed = 0
        self.live = 0
        self.mocked = 0
        self.skipped = 0
        self.failed_at: str | None = None
        self.ledger = CostLedger()
        self._past_fork = False

    # -- what the recorder calls -------------------------------------------------------------

    def frame(self, node_name: str, frame_type: FrameType, metadata: FrameMetadata) -> None:
        """One frame written from its parts (a step, an error, a frame copied whole)."""
        custom = metadata.custom
        index = self._count(node_name, frame_type, custom)
        self.ledger.count(
            index, node_name, frame_type, metadata.tokens_used, metadata.cost_usd, metadata.latency_ms, custom
        )

    def copied(self, data: dict[str, Any]) -> None:
        """One frame record copied as it stands (a fork's prefix), read from its ``data`` object."""
        metadata = data.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        custom = metadata.get("custom")
        custom = custom if isinstance(custom, dict) else {}
        node_name = data.get("node_name")
        node_name = node_name if isinstance(node_name, str) else "?"
        frame_type = FrameType.parse(data.get("frame_type", "node")) or FrameType.NODE_EXECUTION
        index = self._count(node_name, frame_type, custom)
        tokens, cost = optional_int(metadata.get("tokens_used")), optional_float(metadata.get("cost_usd"))
        latency = optional_float(metadata.get("latency_ms")) or 0.0
        self.ledger.count(index, node_name, frame_type, tokens, cost, latency, custom)

    # -- what a viewer reads -----------------------------------------------------------------

    @property
    def tokens_spent(self) -> int:
        return self.ledger.replay_tokens

    @property
    def tokens_saved(self) -> int:
        return self.ledger.tokens_saved

    @property
    def cost_spent_usd(self) -> float:
        return self.ledger.replay_cost_usd

    @property
    def cost_saved_usd(self) -> float:
        return self.ledger.cost_saved_usd

    def __repr__(self) -> str:
        return (
            f"ForkTotals(frames={self.frames}, replayed={self.replayed}, live={self.live}, mocked={self.mocked}, "
            f"skipped={self.skipped}, spent={self.tokens_spent}, saved={self.tokens_saved})"
        )

    def _count(self, node_name: str, frame_type: FrameType, custom: dict[str, Any]) -> int:
        """Count one frame by its source mark; its index in the fork."""
        index = self.frames
        self.frames += 1
        source = FrameSource.parse(custom.get(SOURCE))
        engine_error = frame_type is FrameType.ERROR and node_name in _ENGINE_NODES
        if source is FrameSource.FORK:
            self._past_fork = True
        elif source is FrameSource.REPLAYED:
            self.replayed += 1
        elif source is FrameSource.LIVE or (self._past_fork and source is None and not engine_error):
            self.live += 1
        elif source is FrameSource.MOCKED:
            self.mocked += 1
        elif source is FrameSource.SKIPPED:
            self.skipped += 1
        if self._past_fork and frame_type is FrameType.ERROR and not engine_error and self.failed_at is None:
            self.failed_at = node_name
        return index
