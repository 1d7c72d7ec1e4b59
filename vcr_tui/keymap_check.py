"""The user's keymap checked against every binding of the app before it is applied.

Textual accepts any id and lets a remapped key silently take another command's place; the
user would only find out by pressing it. Every screen and widget module is imported for the
check (only when there is a keymap), so an id of a screen not yet opened is known too.
"""

from __future__ import annotations

import importlib

from textual.dom import DOMNode

from vcr_tui.keys import LoadedKeymap, checked_keymap
from vcr_tui.logic.options import Keymap


def binding_classes(app_class: type[DOMNode]) -> list[type[DOMNode]]:
    """The app's class and every screen and widget class of vcr-tui that declares bindings."""
    import pkgutil  # only a user's keymap is checked: a start without one never walks the packages

    import vcr_tui.screens
    import vcr_tui.widgets

    for package in (vcr_tui.screens, vcr_tui.widgets):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    found: list[type[DOMNode]] = [app_class]
    pending = list(DOMNode.__subclasses__())
    while pending:
        node_class = pending.pop()
        pending.extend(node_class.__subclasses__())
        if node_class.__module__.startswith("vcr_tui.") and "BINDINGS" in node_class.__dict__:
            found.append(node_class)
    return found


def check_user_keymap(keymap: Keymap, app_class: type[DOMNode]) -> tuple[Keymap, list[str]]:
    """The entries to apply and what to tell the user: the file's own complaints first."""
    if not keymap and not isinstance(keymap, LoadedKeymap):
        return keymap, []
    read = list(keymap.problems) if isinstance(keymap, LoadedKeymap) else []
    if not keymap:
        return {}, read
    kept, problems = checked_keymap(keymap, binding_classes(app_class))
    return kept, read + problems
