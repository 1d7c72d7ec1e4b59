"""The documented commands as the help screen and the command palette list them, keys as shown.

Built from the bindings in force (``vcr_tui.keys.documented_bindings``, the keymap applied) when
help or the palette opens; the first screen needs neither, so this loads with them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode

from vcr_tui.keys import documented_bindings
from vcr_tui.logic.options import Keymap


@dataclass(frozen=True, slots=True)
class KeyHelp:
    """One documented command: its keys as shown, what it does, and its binding id."""

    keys: tuple[str, ...]
    description: str
    binding_id: str
    action: str


def key_help(node: DOMNode, display: Callable[[Binding], str], keymap: Keymap | None = None) -> list[KeyHelp]:
    """The node's documented commands, one entry per binding id, keys in declaration order.

    The footer shows a binding's short description; help and the palette its tooltip when it
    has one (the longer sentence).
    """
    entries: dict[str, tuple[list[str], Binding]] = {}
    for binding in documented_bindings(node, keymap):
        assert binding.id is not None
        keys, _ = entries.setdefault(binding.id, ([], binding))
        shown = display(binding)
        if shown not in keys:
            keys.append(shown)
    return [
        KeyHelp(tuple(keys), binding.tooltip or binding.description, binding_id, binding.action)
        for binding_id, (keys, binding) in entries.items()
    ]


def everywhere_keys(app: DOMNode, display: Callable[[Binding], str]) -> list[KeyHelp]:
    """The keys every screen has: moving the focus, the palette, quitting, and the app's own.

    Textual's own bindings (Tab and Shift+Tab of every screen, the palette, ctrl+q) carry no id,
    so they cannot be remapped by one and are listed by what they do; the app's own documented
    bindings keep their ids.
    """
    entries = [
        KeyHelp((display(Binding("tab", "")),), "focus the next pane", "", "app.focus_next"),
        KeyHelp((display(Binding("shift+tab", "")),), "focus the previous pane", "", "app.focus_previous"),
    ]
    palette = getattr(app, "COMMAND_PALETTE_BINDING", "ctrl+p")
    entries.append(
        KeyHelp((display(Binding(palette, "")),), "command palette: every command by name", "", "command_palette")
    )
    entries.append(KeyHelp((display(Binding("ctrl+q", "")),), "quit (asks first about unsaved edits)", "", "quit"))
    known = {"tab", "shift+tab", palette, "ctrl+q"}
    for binding in documented_bindings(app):
        if binding.key not in known:
            entries.append(
                KeyHelp((display(binding),), binding.tooltip or binding.description, binding.id or "", binding.action)
            )
    return entries
