"""The Textual app: opens a recording or a folder of them on the right screen.

Screens do the work (``screens/``); the app holds what is global: the user's keymap, the CSS,
and the message to print if the recording turned out to be unusable.
"""

from __future__ import annotations

import gc
from pathlib import Path

from textual.app import App
from textual.screen import Screen

from vcr_tui.frame_store import FrameStore
from vcr_tui.keys import Keymap
from vcr_tui.screens.directory_screen import DirectoryScreen
from vcr_tui.screens.file_screen import FileScreen


class VCRApp(App[None]):
    """``vcr-tui PATH``: the debugger for one recording, or the session list of a folder."""

    CSS_PATH = "app.tcss"
    TITLE = "vcr-tui"

    def __init__(
        self, path: Path, *, keymap: Keymap | None = None, store: FrameStore | None = None, freeze_gc: bool = False
    ) -> None:
        super().__init__()
        self.path = path
        self.store = store
        self.freeze_gc = freeze_gc
        self.failure: str | None = None
        self._user_keymap = keymap or {}

    def on_mount(self) -> None:
        if self._user_keymap:
            self.set_keymap(self._user_keymap)
        self.keep_built_objects()

    def keep_built_objects(self) -> None:
        """Tell the cycle collector that what exists now lives as long as the process.

        A full collection walks every object; frozen ones are skipped, which removes pauses of
        tens of milliseconds from the middle of key presses. Only for the real program (the CLI
        asks for it): a test process builds many apps, and frozen cycles are never freed.
        """
        if self.freeze_gc:
            self.call_after_refresh(gc.freeze)

    def get_default_screen(self) -> Screen[None]:
        if self.store is None and self.path.is_dir():
            return DirectoryScreen(self.path)
        return FileScreen(self.path, store=self.store)
