"""The line above a fork's panes that says what the resume is doing, and then how it ended.

While the agent runs it names the fork point, the mode, the frames so far and the key that
cancels; afterwards it keeps the outcome (replayed vs live steps, tokens and cost spent and saved) in view,
coloured by how it ended, so the result is still there after the notification fades.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from vcr_tui.logic.fork_place import short_fork_path
from vcr_tui.logic.resume_run import Outcome, ResumeRun
from vcr_tui.logic.safe_text import clean, shorten

_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class ResumeBanner(Static):
    """One or two lines: the running resume, or its result."""

    DEFAULT_CSS = """
    ResumeBanner {
        height: auto;
        max-height: 2;
        padding: 0 1;
        background: $primary-muted;
        color: $foreground;
        &.-succeeded { background: $success-muted; }
        &.-failed { background: $error-muted; }
        &.-cancelled { background: $warning-muted; }
        &.-unapplied { background: $warning-muted; }
    }
    """

    def __init__(self, run: ResumeRun, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.run = run
        self._tick = 0

    def show_progress(self, frames: int) -> None:
        """The run is going: where it started, its mode, how many frames the fork has, how to stop it."""
        request = self.run.request
        self._tick += 1
        text = Text(f"{_SPINNER[self._tick % len(_SPINNER)]} ", style="bold")
        text.append("Resuming", style="bold")
        text.append(f" from #{request.from_frame} {shorten(clean(request.node_name), 32)}")
        text.append(f" · {request.mode.value.upper()}", style="bold")
        text.append(f" · {frames:,} frames in the fork")
        if self.run.cancelling:
            text.append(" · cancelling: the agent stops at its next step…", style="bold")
        else:
            text.append(" · ")
            text.append(" x ", style="bold reverse")
            text.append(" cancels")
        self.update(text)

    def show_result(self) -> None:
        summary = self.run.summary
        if summary is None:
            return
        self.set_class(summary.outcome is Outcome.SUCCEEDED, "-succeeded")
        self.set_class(summary.outcome is Outcome.FAILED, "-failed")
        self.set_class(summary.outcome is Outcome.CANCELLED, "-cancelled")
        self.set_class(summary.outcome is Outcome.NOT_APPLIED, "-unapplied")
        text = Text(clean(summary.headline()), style="bold")
        if summary.outcome is Outcome.FAILED and summary.error:
            text.append("  " + shorten(clean(summary.error), 160))
        if self.run.request.output_dir is not None and summary.fork_path is not None:
            # The recording it came from is a temporary copy: say where the fork outlives it.
            text.append(f"  · kept in {shorten(clean(short_fork_path(summary.fork_path)), 100)}")
        self.update(text)
