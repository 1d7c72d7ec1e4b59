"""``vcr-tui diff A B``: the app opened on the compare screen instead of a recording."""

from __future__ import annotations

from pathlib import Path

from textual.screen import Screen

from vcr_tui.app import VCRApp
from vcr_tui.keys import Keymap
from vcr_tui.screens.compare_screen import CompareScreen


class CompareApp(VCRApp):
    """The debugger app, started on two runs side by side; Esc leaves it."""

    def __init__(self, first: Path, second: Path, *, keymap: Keymap | None = None, freeze_gc: bool = False) -> None:
        super().__init__(first, keymap=keymap, freeze_gc=freeze_gc)
        self.second = second

    def get_default_screen(self) -> Screen[None]:
        return CompareScreen(self.path, self.second)
