"""What a screen may ask of the app it runs in, typed: the options, and where a failure is left.

Screens never reach into the app by attribute name: ``options_of`` hands them the app's
``AppOptions`` (defaults when a screen runs in some other app, as a test may do), and
``report_failure`` leaves the message the program prints when it exits.
"""

from __future__ import annotations

import gc

from textual.app import App
from textual.dom import DOMNode

from vcr_tui.logic.options import AppOptions

_DEFAULTS = AppOptions()


class HostApp(App[None]):
    """The base of the vcr-tui app: it carries the options and the failure to print on exit."""

    def __init__(self, options: AppOptions) -> None:
        super().__init__()
        self.options = options
        self.failure: str | None = None  # set when the recording turned out to be unusable
        self.farewell: list[str] = []  # lines printed after the app exits (forks written on the way out)

    def on_mount(self) -> None:
        if self.options.keymap:
            self.set_keymap(self.options.keymap)
        self.keep_built_objects()

    def keep_built_objects(self) -> None:
        """Tell the cycle collector that what exists now lives as long as the process.

        A full collection walks every object; frozen ones are skipped, which removes pauses of
        tens of milliseconds from the middle of key presses. Only for the real program (the CLI
        asks for it): a test process builds many apps, and frozen cycles are never freed.
        """
        if self.options.freeze_gc:
            self.call_after_refresh(gc.freeze)


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
