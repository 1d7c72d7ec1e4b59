"""The debugger's ways out to the other views of a run: its graph, and a fork beside its parent.

Kept apart from the debugger's screen so it stays a thin host: each function takes the screen's
path and what it needs, pushes the view, and reports a reason in words when there is none.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.app import App

from recorder.reader import VCRReader
from vcr_tui.logic.sessions import find_session
from vcr_tui.screens.compare_screen import CompareScreen
from vcr_tui.screens.graph_screen import GraphScreen


def open_graph(app: App[object], path: Path, current: int | None, select: Callable[[int], None]) -> None:
    """The graph view of the recording at ``path``; Enter there selects the frame with ``select``."""

    def selected(index: int | None) -> None:
        if index is not None:
            select(index)

    app.push_screen(GraphScreen(path, select=current), selected)


def parent_recording(path: Path) -> tuple[Path | None, str]:
    """The recording a fork came from, found beside it, or None and why (in words)."""
    try:
        with VCRReader(path) as reader:
            parent = reader.session.parent_session_id
    except OSError as exc:
        return None, f"cannot read {path.name}: {exc}"
    if not parent:
        return None, "This run is not a fork: mark a session in the folder view (m) and press c on another."
    found = find_session(path.parent, parent, skip=path)
    if found is None:
        return None, f"The parent run {parent} is not in {path.parent.name or path.parent}."
    return found, ""


def compare_with_parent(app: App[object], path: Path) -> str:
    """Push the compare screen for a fork and its parent; the reason when it cannot, else ''."""
    parent, why = parent_recording(path)
    if parent is None:
        return why
    app.push_screen(CompareScreen(parent, path))
    return ""
