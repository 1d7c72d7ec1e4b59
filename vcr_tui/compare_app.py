"""``vcr-tui diff A B`` and ``vcr-tui graph RUN``: the app opened on the compare screen or the graph view."""

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


class GraphApp(VCRApp):
    """``vcr-tui graph RUN``: the debugger on the run, with its graph view on top; Enter there
    selects the frame in the debugger."""

    def __init__(self, recording: Path, *, with_forks: bool = True, keymap: Keymap | None = None) -> None:
        super().__init__(recording, keymap=keymap)
        self.with_forks = with_forks

    def on_mount(self) -> None:
        from vcr_tui.screens.graph_screen import GraphScreen

        self.push_screen(GraphScreen(self.path, with_forks=self.with_forks), self._select_frame)

    def _select_frame(self, index: int | None) -> None:
        from vcr_tui.screens.debugger.file_screen import FileScreen

        if index is not None:
            screen = self.screen
            if isinstance(screen, FileScreen):
                screen.frame_list.move_to(index)
