"""``$`` and the status line's savings for ``FileScreen``: what this recording spent and saved.

A mixin, like ``WorkspaceActions``: the screen lists ``LEDGER_BINDINGS`` among its bindings and
calls ``ledger_status`` when it builds the status line. The ledger is counted by the background
survey (``file_scans``), which parses every frame once anyway: each survey of a stretch of frames
hands over what it counted, and a growing recording adds only its new frames.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType

from vcr_tui.logic.ledger_text import saved_brief

if TYPE_CHECKING:
    from textual.app import App

    from recorder.golden import CostLedger
    from vcr_tui.logic.frame_store import FrameStore
    from vcr_tui.logic.preview_store import PreviewStore

LEDGER_BINDINGS: list[BindingType] = [
    Binding(
        "dollar_sign",
        "ledger",
        "cost ledger",
        show=False,  # in the help and the palette; the footer keeps its room for the keys of every run
        tooltip="cost ledger: what each step spent, and what golden runs and replays saved",
        id="file.ledger",
    ),
]


class LedgerActions:
    """The ledger of the screen's recording, kept current, and the view that shows it."""

    if TYPE_CHECKING:  # provided by FileScreen
        path: Path
        store: FrameStore | PreviewStore | None

        ledger: CostLedger | None  # the view's: FrameView.ledger

        @property
        def app(self) -> App[object]: ...

    @property
    def recording_path(self) -> Path:
        """The file the frames are read from (a followed stream's local copy, for a source)."""
        path = getattr(self.store, "path", None)
        return path if isinstance(path, Path) else self.path

    def ledger_status(self) -> str:
        """The status line's savings ('' when nothing was answered, or nothing is counted yet)."""
        return saved_brief(self.ledger) if self.ledger is not None else ""

    def count_in_ledger(self, part: CostLedger) -> None:
        """A survey's frames, counted: added to what the surveys of other frames counted."""
        if self.ledger is None:
            self.ledger = part
        else:
            self.ledger.merge(part)

    def forget_ledger(self) -> None:
        """The file was read again from the start: its new survey counts everything anew."""
        self.ledger = None

    def action_ledger(self) -> None:
        from vcr_tui.screens.ledger_screen import LedgerScreen

        self.app.push_screen(LedgerScreen(self.recording_path))
