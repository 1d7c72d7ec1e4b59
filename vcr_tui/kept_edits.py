"""Edits kept for the whole app session, per recording, until they are forked, resumed or dropped.

An edit lives in memory only (the recording is never touched), so leaving the recording or quitting
would lose it without a word. The app keeps one ``Edits`` per recording here: a screen that opens
the recording again shows them again, and leaving or quitting asks first while an edit has not
been carried into a fork or a resume. Nothing here knows about widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.dom import DOMNode

from vcr_tui.logic.frame_view import Edits

State = dict[str, Any]


class KeptEdits:
    """One recording's edits, and the version of each that a fork or resume has already taken."""

    __slots__ = ("carried", "edits", "output_dir", "recording")

    def __init__(
        self,
        recording: Callable[[], Path],
        output_dir: Path | None = None,
        edits: Edits | None = None,
        carried: dict[tuple[int, str], State] | None = None,
    ) -> None:
        self.recording = recording  # the file ``f`` forks from (a stream's copy is made when asked)
        self.output_dir = output_dir  # where its forks go (None: beside it)
        self.edits: Edits = Edits() if edits is None else edits
        self.carried: dict[tuple[int, str], State] = {} if carried is None else carried

    def unsaved_frames(self) -> list[int]:
        """Frames with an edit that no fork or resume has taken as it is now."""
        return sorted(
            {
                index
                for (index, side), state in self.edits.states.items()
                if self.carried.get((index, side)) is not state
            }
        )

    def mark_carried(self, index: int) -> None:
        """A fork or resume at ``index`` started from its edits: they are saved in that fork."""
        for side in ("input", "output"):
            state = self.edits.get(index, side)
            if state is not None:
                self.carried[(index, side)] = state


class EditKeeper:
    """Every recording's kept edits in this app session, by the recording's resolved path."""

    def __init__(self) -> None:
        self._kept: dict[Path, KeptEdits] = {}

    def for_recording(self, path: Path, recording: Callable[[], Path], output_dir: Path | None = None) -> KeptEdits:
        kept = self._kept.get(_key(path))
        if kept is None:
            kept = self._kept[_key(path)] = KeptEdits(recording, output_dir)
        else:
            kept.recording, kept.output_dir = recording, output_dir
        return kept

    def get(self, path: Path) -> KeptEdits | None:
        return self._kept.get(_key(path))

    def unsaved(self) -> list[tuple[Path, KeptEdits]]:
        """The recordings with edits not yet forked or resumed, in the order they were opened."""
        return [(path, kept) for path, kept in self._kept.items() if kept.unsaved_frames()]


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


_FALLBACK = "_vcr_edit_keeper"


def keeper_of(node: DOMNode) -> EditKeeper:
    """The edit keeper of the app ``node`` runs in (one per app, made on first use)."""
    app = node.app
    keeper = getattr(app, _FALLBACK, None)
    if keeper is None:
        keeper = EditKeeper()
        setattr(app, _FALLBACK, keeper)
    return keeper
