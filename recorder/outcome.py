"""How a recorded run ended, told from the file alone: the one classifier every view uses.

A run is *ok* when its writer recorded the totals (``save()`` ran) and its last frame is not an
error; *error* when its last frame is an error (a failed step, a resume
that failed or was cancelled); *running* when the caller knows a writer still holds the file;
*unfinished* when the frames just stop (a crash, a kill, or a writer that never saved).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # named in an annotation only: listing sessions needs no reader loaded
    from recorder.reader import VCRReader


class RunOutcome(str, enum.Enum):
    """The values are what views and ``--json`` output print."""

    OK = "ok"
    ERROR = "error"
    RUNNING = "running"
    UNFINISHED = "unfinished"

    @property
    def label(self) -> str:
        """The words a person reads."""
        return "ended without a session record" if self is RunOutcome.UNFINISHED else self.value


def run_outcome(reader: VCRReader, *, writer_active: bool = False) -> RunOutcome:
    """The outcome of the run ``reader`` holds (reads one frame at most)."""
    count = len(reader)
    last_is_error = bool(count) and reader.frame(count - 1).is_error
    return outcome_of(last_is_error, reader.totals_written, writer_active)


def outcome_of(last_frame_is_error: bool, totals_written: bool, writer_active: bool) -> RunOutcome:
    """The rule itself, for callers that learned the three facts another way."""
    if writer_active:
        return RunOutcome.RUNNING
    if last_frame_is_error:
        return RunOutcome.ERROR
    return RunOutcome.OK if totals_written else RunOutcome.UNFINISHED
