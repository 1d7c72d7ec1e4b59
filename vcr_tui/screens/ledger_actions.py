"""``$`` and the status line's savings for ``FileScreen``: what this recording spent and saved.

A mixin, like ``WorkspaceActions``: the screen lists ``LEDGER_BINDINGS`` among its bindings and
calls ``ledger_status`` when it builds the status line. The ledger is read from the file in a
worker, never on the UI thread; while the recording grows, the worker reads only the new frames
and adds them to what it had.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding, BindingType

from recorder.golden import CostLedger
from recorder.reader import VCRReader
from vcr_tui.frame_store import FrameStore
from vcr_tui.ledger_text import saved_brief
from vcr_tui.messages import LedgerReady

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App
    from textual.timer import Timer

    from vcr_tui.preview_store import PreviewStore

LEDGER_DELAY = 0.3  # seconds after the first screen before the ledger is read: the frames come first

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

        @property
        def app(self) -> App[object]: ...

        def post_message(self, message: object) -> bool: ...
        def refresh_status(self) -> None: ...
        def set_timer(self, delay: float, callback: Callable[[], object]) -> Timer: ...

    ledger: CostLedger | None = None
    _ledger_frames = 0  # frames the ledger has counted
    _ledger_running = False
    _ledger_unreadable = False  # the file could not be read: stop trying

    @property
    def recording_path(self) -> Path:
        """The file the frames are read from (a followed stream's local copy, for a source)."""
        path = getattr(self.store, "path", None)
        return path if isinstance(path, Path) else self.path

    def ledger_status(self, frame_count: int) -> str:
        """The status line's savings ('' when nothing was answered); reads new frames in the background."""
        if frame_count > self._ledger_frames and not self._ledger_running and not self._ledger_unreadable:
            self._ledger_running = True
            self.set_timer(LEDGER_DELAY, self._start_ledger_worker)
        return saved_brief(self.ledger) if self.ledger is not None else ""

    def _start_ledger_worker(self) -> None:
        self._ledger_worker(copy.deepcopy(self.ledger) if self.ledger is not None else CostLedger())

    @work(thread=True, group="ledger", exit_on_error=False)
    def _ledger_worker(self, ledger: CostLedger) -> None:
        store, path = self.store, self.recording_path
        try:  # through the index the screen built when it has one: the file is not indexed again
            shared = store.reader_for_worker(path) if isinstance(store, FrameStore) else None
            with shared if shared is not None else VCRReader(path) as reader:
                count = len(reader)
                for index in range(self._ledger_frames, count):
                    ledger.add(reader.frame(index))
        except (OSError, IndexError):
            self.post_message(LedgerReady(ledger, self._ledger_frames, readable=False))
            return
        self.post_message(LedgerReady(ledger, count))

    def on_ledger_ready(self, message: LedgerReady) -> None:
        self.ledger = message.ledger
        self._ledger_frames = message.frames
        self._ledger_running = False
        self._ledger_unreadable = not message.readable
        self.refresh_status()

    def action_ledger(self) -> None:
        from vcr_tui.screens.ledger_screen import LedgerScreen

        self.app.push_screen(LedgerScreen(self.recording_path))
