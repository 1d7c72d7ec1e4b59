"""The Textual app: opens a recording or a folder of them on the right screen.

Screens do the work (``screens/``); the app holds what is global: the options the command line
decided (``AppOptions``: keymap, workspace, following, agents), the CSS, and the message to print
if the recording turned out to be unusable (both from ``HostApp``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input

from vcr_tui.host import HostApp
from vcr_tui.keys import LoadedKeymap
from vcr_tui.logic.frame_store import FrameStore
from vcr_tui.logic.options import AgentSettings, AppOptions, Keymap
from vcr_tui.widgets.prompt_bar import PromptBar

if TYPE_CHECKING:  # the folder view needs neither: loading them is left to the screens that do
    from vcr_tui.logic.frame_store import FrameStore
    from vcr_tui.sources import Source


class VCRApp(HostApp):
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
        options: AppOptions | None = None,
    ) -> None:
        if options is None:
            options = AppOptions(
                keymap=keymap if isinstance(keymap, LoadedKeymap) else dict(keymap or {}),
                workspace=workspace,
                follow=follow,
                freeze_gc=freeze_gc,
                agents=agent or AgentSettings(),
            )
        super().__init__(options)
        self.path = path
        self.store = store
        self.source = source  # a pipe or a remote file, opened by the command line
        self.open_first = open_first  # a file of the folder to show at once (the demo's run)
        self.welcome = welcome  # a first notification (the demo's walkthrough)

    @property
    def workspace(self) -> Path | None:
        return self.options.workspace

    @property
    def follow(self) -> bool:
        return self.options.follow

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+w", "hide_walkthrough", "hide the walkthrough", show=False, id="app.hide-walkthrough"),
    ]

    async def on_mount(self) -> None:
        # Textual calls every class's own on_mount, the host's too: no super() call here
        if self.open_first is not None:
            from vcr_tui.screens.debugger.file_screen import FileScreen

            await self.push_screen(FileScreen(self.open_first, from_directory=True, follow=self.follow))
        if self.welcome:  # in a panel of its own: a toast would cover the status line for as long
            from vcr_tui.widgets.walkthrough_panel import WalkthroughPanel  # the demo's only

            await self.screen.mount(WalkthroughPanel(self.welcome))

    def action_hide_walkthrough(self) -> None:
        from vcr_tui.widgets.walkthrough_panel import WalkthroughPanel

        for panel in self.screen.query(WalkthroughPanel):
            panel.remove()

    async def action_quit(self) -> None:
        """Quit, asking first when an edit would be lost or a resume cancelled."""
        from vcr_tui.screens.debugger.unsaved_edits import quit_asking

        quit_asking(self, self.exit)

    async def on_key(self, event: events.Key) -> None:
        """A key on its way to the bindings: the field of a prompt opened by an earlier key of its burst takes it.

        Only a prompt whose field has the focus takes one, so every other key (each step is one)
        is let through without looking for the screen's prompts.
        """
        field = self.screen.focused
        prompt = field.parent if isinstance(field, Input) else None
        if isinstance(prompt, PromptBar) and await prompt.take_stray_key(event):
            event.prevent_default()  # not the app's own handling: the key is the field's now
            event.stop()

    def get_default_screen(self) -> Screen[None]:
        if self.source is None and self.store is None and self.path.is_dir():
            from vcr_tui.screens.directory_screen import DirectoryScreen  # loaded only for a folder

            return DirectoryScreen(self.path, follow=self.follow)
        from vcr_tui.screens.debugger.file_screen import FileScreen  # the debugger: not loaded for a folder

        if self.source is not None:
            return FileScreen(self.path, source=self.source)
        return FileScreen(self.path, store=self.store, follow=self.follow and self.store is None)
