"""One resume started from the debugger: what to run, how to stop it, and how it ended.

No Textual here. ``execute`` runs in a worker thread: it imports the agent, lets the engine fork
and run it (``recorder.resume``), then says what the user gained from the totals the engine
counted as it wrote the fork: how many steps came from the recording at zero tokens, how many
ran, and the tokens that cost or saved. The fork is never read back for them.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recorder import ForkTotals, ResumeConfig, ResumeMode, ResumeResult, VCRReader, resume
from recorder.entry_points import EntryPointError, ModuleMissingError
from vcr_tui.logic.agent_choice import load_agent
from vcr_tui.logic.formatting import format_cost, format_count, format_tokens


@dataclass(frozen=True)
class ResumeRequest:
    """Where to resume from and with what; built by the screen from the cursor and the edits."""

    source: Path
    from_frame: int
    node_name: str
    agent_spec: str
    mode: ResumeMode = ResumeMode.REPLAY
    state: dict[str, Any] | None = None  # None: the recorded state
    edit_output: bool = False
    mocks: dict[str, Any] = field(default_factory=dict)
    output_dir: Path | None = None  # None: the fork is written beside ``source``
    reader: VCRReader | None = field(default=None, compare=False)  # ``source`` as the screen has it open


class Outcome(enum.Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    NOT_APPLIED = "not applied"  # the agent ran to its end, but the edit never reached it


@dataclass
class ResumeSummary:
    """How a resume ended (what the screen shows): the outcome, and the totals the engine counted
    as it wrote the fork (``ForkTotals``: frames by how their step was served, tokens and cost
    spent and saved, the step that raised)."""

    outcome: Outcome
    fork_path: Path | None = None
    error: str | None = None
    totals: ForkTotals = field(default_factory=ForkTotals)
    seconds: float = 0.0

    def headline(self) -> str:
        """One line for the banner and the notification."""
        if self.outcome is Outcome.SUCCEEDED:
            head = "✔ Resume succeeded"
        elif self.outcome is Outcome.NOT_APPLIED:
            head = not_applied_text(self.error)
        elif self.outcome is Outcome.CANCELLED:
            head = "■ Resume cancelled"
        elif self.totals.failed_at:
            head = f"✖ Resume failed at {self.totals.failed_at}"
        else:
            head = "✖ Resume failed"
        if self.fork_path is None:
            return f"{head}: {self.error}" if self.error else head
        parts = [head, self.counts()]
        totals = self.totals
        if totals.tokens_spent or totals.tokens_saved or totals.cost_spent_usd or totals.cost_saved_usd:
            parts.append(self.tokens())
        parts.append(f"{self.seconds:.1f} s")
        return " · ".join(parts)

    def counts(self) -> str:
        totals = self.totals
        text = f"{totals.replayed} replayed, {totals.live} live"
        if totals.mocked:
            text += f", {totals.mocked} mocked"
        if totals.skipped:
            text += f", {totals.skipped} skipped"
        return text

    def tokens(self) -> str:
        """``1,151 tokens / $0.0024 spent, 508 tokens / $0.0021 saved``: a cost only where one was recorded."""
        totals = self.totals
        spent, saved = (
            _amount(totals.tokens_spent, totals.cost_spent_usd),
            _amount(totals.tokens_saved, totals.cost_saved_usd),
        )
        return f"{spent} spent, {saved} saved"

    def detail(self) -> str:
        """What follows the headline in a notification: the error and where the fork is."""
        lines = []
        if self.error and self.fork_path is not None:
            lines.append(self.error)
        if self.fork_path is not None:
            kept = (
                "" if self.outcome is Outcome.SUCCEEDED else f" (it keeps {format_count(self.totals.frames, 'frame')})"
            )
            lines.append(f"Fork: {self.fork_path}{kept}")
        return "\n".join(lines)


class ResumeRun:
    """A resume in progress: the request, the cancel switch, and, once known, the fork and summary.

    Shared by the UI thread and the worker: the worker sets ``fork_path`` and then ``summary``
    (single assignments); everything else is read-only after creation.
    """

    def __init__(self, request: ResumeRequest) -> None:
        self.request = request
        self.cancel = threading.Event()
        self.started = time.monotonic()
        self.fork_path: Path | None = None
        self.summary: ResumeSummary | None = None

    @property
    def running(self) -> bool:
        return self.summary is None

    @property
    def cancelling(self) -> bool:
        return self.running and self.cancel.is_set()


def execute(run: ResumeRun, on_fork: Callable[[Path], object]) -> ResumeSummary:
    """Import the agent, fork and resume; never raises: every failure becomes a summary."""
    request = run.request
    try:
        agent = load_agent(request.agent_spec)
    except ModuleMissingError as exc:
        hint = "start vcr-tui in the folder that holds it, or name its file: --agent path/to/agent.py:CALLABLE"
        return _done(run, ResumeSummary(Outcome.FAILED, error=f"cannot load the agent: {exc}; {hint}"))
    except EntryPointError as exc:
        return _done(run, ResumeSummary(Outcome.FAILED, error=f"cannot load the agent: {exc}"))

    from vcr_tui.logic.checkpoint_resume import checkpoint_frame, resume_checkpoint

    checkpoint = checkpoint_frame(request.source, request.from_frame)
    if checkpoint is not None:  # a LangGraph thread: LangGraph forks it in its own checkpointer
        return _done(run, resume_checkpoint(run, agent, checkpoint, on_fork))

    def forked(recorder: Any) -> None:
        run.fork_path = Path(recorder.path)
        on_fork(run.fork_path)

    config = ResumeConfig(
        from_frame=request.from_frame,
        mode=request.mode,
        state=request.state,
        edit_output=request.edit_output,
        inject_mocks=dict(request.mocks),
    )
    try:
        parent = request.reader if request.reader is not None else request.source  # not indexed twice
        result = resume(parent, agent, config, output_dir=request.output_dir, cancel=run.cancel, on_fork=forked)
    except Exception as exc:  # the fork could not be written, the input could not be found, ...
        error = f"cannot resume: {failure_reason(exc)}"
        return _done(run, ResumeSummary(Outcome.FAILED, fork_path=run.fork_path, error=error))
    return _done(run, summarize(result, run))


def summarize(result: ResumeResult, run: ResumeRun) -> ResumeSummary:
    """The summary of a finished resume, from the totals the engine counted while writing the fork."""
    if result.succeeded:
        outcome = Outcome.SUCCEEDED
    elif result.cancelled:
        outcome = Outcome.CANCELLED
    elif not result.edit_applied and result.error_type is None:
        outcome = Outcome.NOT_APPLIED
    else:
        outcome = Outcome.FAILED
    # the totals were counted by the engine as it wrote the fork: nothing is read back
    summary = ResumeSummary(outcome, fork_path=result.fork_path, totals=result.totals)
    if outcome is Outcome.FAILED:
        summary.error = f"{result.error_type}: {result.error}" if result.error_type else result.error
    elif outcome is Outcome.NOT_APPLIED:
        summary.error = result.reason
    return summary


def not_applied_text(reason: str | None) -> str:
    """The banner's words for a resume whose agent ran but never received the edit."""
    head = "⚠ Resume ran, but your edit never reached the agent"
    return f"{head}: {reason}" if reason else head


def failure_reason(exc: BaseException) -> str:
    """Why writing a fork failed, in one phrase: the OS's words for a file, else the error's own."""
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _amount(tokens: int, cost_usd: float) -> str:
    text = f"{format_tokens(tokens)} tokens"
    return f"{text} / {format_cost(cost_usd)}" if cost_usd else text


def _done(run: ResumeRun, summary: ResumeSummary) -> ResumeSummary:
    summary.seconds = time.monotonic() - run.started
    if summary.fork_path is None:
        summary.fork_path = run.fork_path
    return summary
