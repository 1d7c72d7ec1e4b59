"""Every message the app's widgets, screens and workers post, in one module.

Workers never touch widgets: they post one of these and the UI thread applies it. Messages that
carry a frame index let the receiver drop a result for a frame the cursor has already left.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # named in annotations only: loading this module loads none of them
    from recorder import Frame, Problem
    from recorder.golden import CostLedger
    from vcr_tui.logic.frame_store import FrameStore
    from vcr_tui.logic.resume_run import ResumeRun
    from vcr_tui.logic.sessions import SessionEntry
    from vcr_tui.logic.workspace_link import Proposal
    from vcr_tui.widgets.line_table import Row


class RecordingOpened(Message):
    """The file is indexed: its frames can be shown."""

    def __init__(self, store: FrameStore) -> None:
        super().__init__()
        self.store = store


class RecordingFailed(Message):
    """The file could not be opened after all (removed or made unreadable since the start)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__()
        self.path = path
        self.reason = reason


class FrameHighlighted(Message):
    """The frame list's cursor moved to ``index``."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index


class FrameLoaded(Message):
    """A worker parsed the frame at ``index`` (a big or diff-mode one the UI would not parse)."""

    def __init__(self, index: int, frame: Frame | None, error: str | None = None) -> None:
        super().__init__()
        self.index = index
        self.frame = frame
        self.error = error


class DiffReady(Message):
    """The diff pane's content for one request (see ``DiffRequest.key``)."""

    def __init__(self, key: tuple[object, ...], lines: list[object] | None = None, summary: str = "") -> None:
        super().__init__()
        self.key = key
        self.lines: list[object] = [] if lines is None else lines
        self.summary = summary


class SearchProgress(Message):
    """More of the recording was searched: new matching frames and how far the search got."""

    def __init__(self, generation: int, query: str, matches: list[int], scanned: int, total: int, done: bool) -> None:
        super().__init__()
        self.generation = generation
        self.query = query
        self.matches = matches
        self.scanned = scanned
        self.total = total
        self.done = done


class SurveyProgress(Message):
    """More frames were parsed once in the background: error frames and problems found."""

    def __init__(
        self,
        generation: int,
        errors: list[int],
        problems: list[Problem],
        scanned: int,
        total: int,
        done: bool,
        ledger: CostLedger | None = None,
    ) -> None:
        super().__init__()
        self.generation = generation
        self.errors = errors
        self.problems = problems
        self.scanned = scanned
        self.total = total
        self.done = done
        self.ledger = ledger  # with ``done``: what the surveyed frames spent and saved


class SessionsScanned(Message):
    """Sessions found in a folder so far."""

    def __init__(
        self,
        entries: list[SessionEntry],
        done: bool,
        read: int = 0,
        total: int = 0,
        scan: int = 0,
        rows: list[Row] | None = None,
    ) -> None:
        super().__init__()
        self.entries = entries
        self.done = done
        self.read = read  # recordings summarized so far, of
        self.total = total  # ... all the folder holds
        self.scan = scan  # which scan of the folder found them: an earlier one's late news is dropped
        self.rows: list[Row] = [] if rows is None else rows  # the table's rows of ``entries``, built by the worker


class SourceChanged(Message):
    """The followed source has news (frames, a reset, a new state): ``Source.take()`` has it.

    Carries nothing on purpose: the source merges everything into one pending update and rings
    only once until it is taken, so a fast writer never floods the queue.
    """


class FolderChanged(Message):
    """Recordings appeared, grew or vanished in the folder on screen: fresh summaries, and the
    paths that are gone."""

    def __init__(self, entries: list[SessionEntry], removed: list[Path]) -> None:
        super().__init__()
        self.entries = entries
        self.removed = removed


class PromptSubmitted(Message):
    """The user finished typing a ``:`` or ``/`` command."""

    def __init__(self, kind: str, value: str) -> None:
        super().__init__()
        self.kind = kind
        self.value = value


class ForkWritten(Message):
    """A fork of the open recording was written (``path``), or could not be (``error``)."""

    def __init__(self, index: int, path: Path | None, error: str | None = None) -> None:
        super().__init__()
        self.index = index
        self.path = path
        self.error = error


class ResumeForked(Message):
    """A resume created its fork: the screen can open it and follow its frames."""

    def __init__(self, run: ResumeRun, path: Path) -> None:
        super().__init__()
        self.run = run
        self.path = path


class ResumeEnded(Message):
    """A resume finished, failed or was cancelled; ``run.summary`` says which."""

    def __init__(self, run: ResumeRun) -> None:
        super().__init__()
        self.run = run


class WorkspaceProposed(Message):
    """A dry run (rollback, its undo) or a commit preview is ready for the user to confirm."""

    def __init__(self, proposal: Proposal) -> None:
        super().__init__()
        self.proposal = proposal


class WorkspaceFinished(Message):
    """A workspace step ended: ``text`` says what was done, or why nothing was (``failed``)."""

    def __init__(self, title: str, text: str, *, failed: bool = False) -> None:
        super().__init__()
        self.title = title
        self.text = text
        self.failed = failed


class LedgerReady(Message):
    """A recording's cost ledger, read from its frames in a worker (``frames`` of them so far)."""

    def __init__(self, ledger: CostLedger, frames: int, *, readable: bool = True) -> None:
        super().__init__()
        self.ledger = ledger
        self.frames = frames
        self.readable = readable
