"""What a screen may ask of the app it runs in, typed: the options, and where a failure is left.

Screens never reach into the app by attribute name: ``options_of`` hands them the app's
``AppOptions`` (defaults when a screen runs in some other app, as a test may do), and
``report_failure`` leaves the message the program prints when it exits.
"""

from __future__ import annotations

import gc
from pathlib import Path

from textual.app import App
from textual.dom import DOMNode

from vcr_tui.keymap_check import check_user_keymap
from vcr_tui.logic.gc_pause import end_start_pause
from vcr_tui.logic.options import AppOptions
from vcr_tui.theme_switch import ThemeKeeper

_DEFAULTS = AppOptions()


class HostApp(App[None]):
    """The base of the vcr-tui app: it carries the options and the failure to print on exit."""

    def __init__(self, options: AppOptions) -> None:
        super().__init__()
        keymap, keymap_problems = check_user_keymap(options.keymap, type(self))
        if keymap is not options.keymap:
            options = options.with_keymap(keymap)
        self.options = options
        self.keymap_problems = tuple(keymap_problems)  # also listed in the help, after the notice is gone
        self.failure: str | None = None  # set when the recording turned out to be unusable
        self.farewell: list[str] = []  # lines printed after the app exits (forks written on the way out)
        self.themes = ThemeKeeper(self)
        self.start_notices: list[str] | None = keymap_problems + self.themes.start()  # shown once on screen

    def on_mount(self) -> None:
        if self.options.keymap:
            self.set_keymap(self.options.keymap)
        notices, self.start_notices = self.start_notices, None  # once, however often this runs
        if notices is not None:
            self.themes.follow()
            for notice in notices:
                self.notify(notice, severity="warning", timeout=12, markup=False)
        self.keep_built_objects()

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """The palette's Screenshot: into Downloads when there is one, else the current folder.

        Textual writes to ``~/Downloads`` and fails when it does not exist; the notice that
        follows names the file either way.
        """
        return super().deliver_screenshot(filename, path or str(screenshot_folder()), time_format)

    def keep_built_objects(self) -> None:
        """Tell the cycle collector that what exists now lives as long as the process.

        A full collection walks every object; frozen ones are skipped, which removes pauses of
        tens of milliseconds from the middle of key presses. Only for the real program (the CLI
        asks for it): a test process builds many apps, and frozen cycles are never freed.
        """
        if self.options.freeze_gc:
            self.call_after_refresh(freeze_built_objects)


def freeze_built_objects() -> None:
    """Freeze what exists, and let the collector run again if the program's start paused it.

    What the start built is frozen with the rest, the few thousand objects it left for the
    collector included (about half a megabyte, once): a collection to find them first would
    walk every object the start built. A function of ours rather than ``gc.freeze`` itself:
    Textual reads a callback's signature, which for a builtin means parsing its text.
    """
    gc.freeze()
    end_start_pause()


def keymap_problems_of(node: DOMNode) -> tuple[str, ...]:
    """What was wrong with the user's keymap when the app started (empty in another app)."""
    app = node.app
    return app.keymap_problems if isinstance(app, HostApp) else ()


def screenshot_folder() -> Path:
    """The user's Downloads folder if it exists, else the folder vcr-tui was started in."""
    from platformdirs import user_downloads_path  # Textual's own dependency, and where it looks too

    downloads = user_downloads_path()
    return downloads if downloads.is_dir() else Path.cwd()


def options_of(node: DOMNode) -> AppOptions:
    """The options of the app ``node`` runs in."""
    app = node.app
    return app.options if isinstance(app, HostApp) else _DEFAULTS


def report_failure(node: DOMNode, message: str) -> None:
    """Leave ``message`` for the program to print (and exit non-zero with) when the app ends."""
    app = node.app
    if isinstance(app, HostApp):
        app.failure = message


def keep_built_objects(node: DOMNode) -> None:
    """After building something that lives as long as the screen: see ``HostApp.keep_built_objects``."""
    app = node.app
    if isinstance(app, HostApp):
        app.keep_built_objects()
