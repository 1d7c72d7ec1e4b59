"""The Textual app: opens a recording or a folder of them on the right screen.

Screens do the work (``screens/``); the app holds what is global: the user's keymap, the CSS,
and the message to print if the recording turned out to be unusable.
"""

from __future__ import annotations

import gc
from pathlib import Path

from textual.app import App
from textual.screen import Screen

from vcr_tui.agent_choice import AgentSettings
from vcr_tui.frame_store import FrameStore
from vcr_tui.keys import Keymap
from vcr_tui.screens.directory_screen import DirectoryScreen
from vcr_tui.screens.file_screen import FileScreen
from vcr_tui.sources import Source


class VCRApp(App[None]):
    """``vcr-tui PATH``: the debugger for one recording, or the session list of a folder."""

    CSS_PATH = "app.tcss"
    TITLE = "vcr-tui"

    def __init__(
        self,
        path: Path,
        *,
        keymap: Keymap | None = None,
        store: FrameStore | None = None,
        freeze_gc: bool = False,
        workspace: Path | None = None,
        follow: bool = False,
        source: Source | None = None,
        agent: AgentSettings | None = None,
        open_first: Path | None = None,
        welcome: str | None = None,
    ) -> None:
        super().__init__()
        self.path = path
        self.workspace = workspace  # --workspace: the folder u and C act on, trusted as typed
        self.store = store
        self.follow = follow  # files opened here (or from the folder) are followed as they grow
        self.source = source  # a pipe or a remote file, opened by the command line
        self.freeze_gc = freeze_gc
        self.failure: str | None = None
        self._user_keymap = keymap or {}
        self.agent_settings = agent or AgentSettings()  # the agent r may run, and how
        self.open_first = open_first  # a file of the folder to show at once (the demo's run)
        self.welcome = welcome  # a first notification (the demo's walkthrough)

    def on_mount(self) -> None:
        if self._user_keymap:
            self.set_keymap(self._user_keymap)
        self.keep_built_objects()
        if self.open_first is not None:
            self.push_screen(FileScreen(self.open_first, from_directory=True, follow=self.follow))
        if self.welcome:
            self.notify(self.welcome, title="Try it", timeout=30, markup=False)

    def keep_built_objects(self) -> None:
        """Tell the cycle collector that what exists now lives as long as the process.

        A full collection walks every object; frozen ones are skipped, which removes pauses of
        tens of milliseconds from the middle of key presses. Only for the real program (the CLI
        asks for it): a test process builds many apps, and frozen cycles are never freed.
        """
        if self.freeze_gc:
            self.call_after_refresh(gc.freeze)

    def get_default_screen(self) -> Screen[None]:
        if self.source is not None:
            return FileScreen(self.path, source=self.source)
        if self.store is None and self.path.is_dir():
            return DirectoryScreen(self.path, follow=self.follow)
        return FileScreen(self.path, store=self.store, follow=self.follow and self.store is None)
