"""The sessions of a folder: one row per recording, forks under their parents, Enter opens one.

A worker scans the folder (``folder_scan``: cached summaries at once, the rest read by another
process) and the table fills in as the summaries come, with a count of how many are read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from vcr_tui.commands import ScreenCommands
from vcr_tui.logic.folder_scan import FolderScan
from vcr_tui.logic.formatting import format_count
from vcr_tui.logic.gc_pause import collection_paused
from vcr_tui.logic.safe_text import clean
from vcr_tui.logic.session_browse import SortColumn, browse
from vcr_tui.logic.session_cells import COLUMNS, NUMBER_COLUMNS, session_cells
from vcr_tui.logic.sessions import SessionEntry
from vcr_tui.logic.summary_cache import FolderSummaries
from vcr_tui.messages import PromptSubmitted, SessionsScanned
from vcr_tui.screens.debugger.file_screen import FileScreen
from vcr_tui.screens.folder_watch import FolderWatching
from vcr_tui.screens.help_screen import HelpScreen
from vcr_tui.theme import (
    LABEL_STYLE,
    NAME_STYLE,
    as_spans,
)
from vcr_tui.widgets.line_table import LineTable, Row
from vcr_tui.widgets.priority_footer import PriorityFooter
from vcr_tui.widgets.prompt_bar import PromptBar

_REDRAW_SECONDS = 0.25  # while a big folder is scanned, the table is redrawn at most this often
_REDRAW_SHARE = 20  # ... and at most one part in this of the time goes to redrawing


class SessionTable(LineTable):
    """The sessions table: only the rows in view are drawn, with vim keys for moving."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "next session", show=False, id="sessions.down"),
        Binding("k,up", "cursor_up", "previous session", show=False, id="sessions.up"),
        Binding("g,home", "scroll_top", "first session", show=False, id="sessions.first"),
        Binding("G,end", "scroll_bottom", "last session", show=False, id="sessions.last"),
        Binding("enter", "select_cursor", "open session", id="sessions.open"),
    ]


def _rows(entries: list[SessionEntry], widths: list[tuple[int, ...]] | None) -> list[Row]:
    """The table rows of a scan's batch: measured already by the process that scanned a big
    folder (their cells are built when first drawn), else built here, off the UI's thread."""
    if widths is None:
        return [Row(session_cells(entry)) for entry in entries]
    return [Row.later(measured, partial(session_cells, entry)) for entry, measured in zip(entries, widths, strict=True)]


class DirectoryScreen(FolderWatching, Screen[None]):
    """Pick a recording from a folder."""

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {ScreenCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "filter", id="sessions.filter"),
        Binding("s", "sort", "sort", tooltip="sort by the next column", id="sessions.sort"),
        Binding("S", "reverse", "reverse the order", show=False, id="sessions.reverse"),
        Binding("m", "mark", "mark", tooltip="mark this session to compare another with it", id="sessions.mark"),
        Binding(
            "c",
            "compare",
            "compare",
            tooltip="compare with the marked session (a fork: with its parent)",
            id="sessions.compare",
        ),
        Binding("escape", "clear_filter", "clear filter", show=False, id="sessions.clear-filter"),
        Binding("question_mark,f1", "help", "help", id="app.help"),
        Binding("q", "quit", "quit", id="app.quit"),
    ]

    DEFAULT_CSS = """
    DirectoryScreen {
        & > #sessions-title { height: 1; padding: 0 1; background: $panel; }
        & > SessionTable { height: 1fr; }
        & > #sessions-note { height: auto; padding: 1 2; color: $text-muted; }
    }
    """

    def __init__(self, folder: Path, *, follow: bool = False) -> None:
        super().__init__()
        self.folder = folder
        self.follow = follow  # sessions appear as they are written, and open followed
        self.entries: list[SessionEntry] = []
        self.ordered: list[SessionEntry] = []
        self.scan_done = False
        self.summaries = FolderSummaries(folder)  # kept across rescans: only changed files are read again
        self.scan_read = self.scan_total = 0  # progress of the scan under way
        self._scan: FolderScan | None = None
        self._scan_number = 0
        self.filter_text = ""
        self.sort_column = SortColumn.CREATED
        self.descending = True
        self.marked: Path | None = None
        self._last_redraw = 0.0
        self._rebuild_cost = 0.0
        self._row_cache: dict[int, tuple[SessionEntry, bool, Row]] = {}  # by id(entry), entry kept alive

    def compose(self) -> ComposeResult:
        yield Static(id="sessions-title")
        yield SessionTable(id="sessions")
        yield Static(id="sessions-note")
        yield PromptBar(id="sessions-filter")
        yield PriorityFooter(compact=True)

    @property
    def table(self) -> SessionTable:
        return self.query_one(SessionTable)

    def command_nodes(self) -> list[DOMNode]:
        return [self.table, self]

    def on_mount(self) -> None:
        self.table.set_columns(COLUMNS, right_aligned=NUMBER_COLUMNS)
        self.table.focus()
        self._show_title()
        if self.follow:
            self.start_watching()
        self.refresh_sessions()

    def refresh_sessions(self) -> None:
        """Scan the folder again (in a worker)."""
        if self._scan is not None:
            self._scan.stop()
        self.entries = []
        self._row_cache = {}
        self.scan_done = False
        self.scan_read = self.scan_total = 0
        self._scan_number += 1
        self._scan = FolderScan(self.folder, self.summaries)
        self._scan_worker(self._scan, self._scan_number)

    def on_unmount(self) -> None:
        if self._scan is not None:
            self._scan.stop()  # a process still reading for the list ends with it

    @work(thread=True, exclusive=True, group="scan", exit_on_error=False)
    def _scan_worker(self, scan: FolderScan, number: int) -> None:
        worker = get_current_worker()
        read = total = 0
        told_done = False
        with collection_paused():  # thousands of summaries and rows that all stay: no cycles to look for
            for batch in scan.batches(lambda: worker.is_cancelled):
                read, total = batch.read, batch.total
                rows = _rows(batch.entries, batch.widths)
                told_done = read >= total  # the last batch says so itself: one redraw fewer
                self.post_message(SessionsScanned(batch.entries, told_done, read, total, number, rows))
        if not worker.is_cancelled and not told_done:
            self.post_message(SessionsScanned([], True, read, total, number))

    def on_sessions_scanned(self, message: SessionsScanned) -> None:
        if message.scan != self._scan_number:
            return  # news from a scan a rescan replaced
        self.entries.extend(message.entries)
        for entry, row in zip(message.entries, message.rows, strict=False):
            self._row_cache[id(entry)] = (entry, False, row)
        self.scan_done = message.done
        self.scan_read, self.scan_total = message.read, message.total
        now = time.monotonic()
        # Redrawing while the table fills takes the interpreter from the thread that receives the
        # summaries: redraw rarely, and more rarely the longer a redraw takes. The first rows are
        # drawn at once; the count in the title waits for the next redraw (a new title repaints).
        pace = max(_REDRAW_SECONDS, self._rebuild_cost * _REDRAW_SHARE)
        if message.done or not self.ordered or now - self._last_redraw >= pace:
            self._last_redraw = now
            self._rebuild()
            self._rebuild_cost = time.monotonic() - now

    def _rebuild(self) -> None:
        table = self.table
        # The row the user moved to stays selected; a cursor still on the top row stays on top
        # (while a folder is scanned, the first row is only whichever file was read first).
        keep = self.ordered[table.cursor_row].path if 0 < table.cursor_row < len(self.ordered) else None
        self.ordered = browse(self.entries, text=self.filter_text, column=self.sort_column, descending=self.descending)
        cursor = 0
        if keep is not None:
            cursor = next((row for row, entry in enumerate(self.ordered) if entry.path == keep), 0)
        table.set_rows(self._rows_for(self.ordered), cursor=cursor)
        note = self.query_one("#sessions-note", Static)
        if self.scan_done and not self.ordered and self.entries:
            note.update(Text("No session matches the filter. Esc clears it."))
            note.display = True
        elif self.scan_done and not self.ordered:
            note.update(
                Text(
                    "No .vcr recordings in this folder.\n"
                    "Record a run with recorder.VCRRecorder (it writes to ./.vcr), then open it here.",
                )
            )
            note.display = True
        else:
            note.display = False
        self._show_title()

    def _rows_for(self, entries: list[SessionEntry]) -> list[Row]:
        """The table rows of ``entries``: a row is built once per entry (most by the scan's worker)
        and reused by later redraws, whatever the filter left out in between."""
        known: dict[int, tuple[SessionEntry, bool, Row]] = self._row_cache
        rows = []
        for entry in entries:
            marked = self.marked is not None and entry.path == self.marked
            cached = known.get(id(entry))
            if cached is not None and cached[0] is entry and cached[1] == marked:
                row = cached[2]
            else:
                row = Row(session_cells(entry, marked=marked))
                known[id(entry)] = (entry, marked, row)
            rows.append(row)
        return rows

    def _show_title(self) -> None:
        title = Text("Sessions in ", style=LABEL_STYLE)
        title.append(clean(self.folder.name or str(self.folder)), style="bold")
        title.append("  ")
        if self.scan_done:
            title.append(format_count(len(self.entries), "recording"), style=LABEL_STYLE)
        else:
            title.append(f"{self.scan_read:,} of {self.scan_total:,} read", style=LABEL_STYLE)
        if self.filter_text:
            title.append(f"  · {len(self.ordered):,} match ", style=LABEL_STYLE)
            title.append(clean(self.filter_text), style=NAME_STYLE)
        order = "descending" if self.descending else "ascending"
        title.append(f"  · sorted by {self.sort_column.value}, {order}", style=LABEL_STYLE)
        self.query_one("#sessions-title", Static).update(as_spans(title))

    def on_line_table_row_selected(self, event: LineTable.RowSelected) -> None:
        event.stop()
        row = event.cursor_row
        if not 0 <= row < len(self.ordered):
            return
        entry = self.ordered[row]
        if entry.error:
            self.notify(f"Cannot open {entry.path.name}: {entry.error}", severity="error", markup=False)
            return

        self.app.push_screen(FileScreen(entry.path, from_directory=True, follow=self.follow))

    # -- finding and comparing sessions --------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one(PromptBar).open("filter", "/", self.filter_text, "tag:NAME, ok, error, running, or any text")

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.query_one(PromptBar).kind == "filter":
            event.stop()
            self.filter_text = event.value.strip()
            self._rebuild()

    def on_prompt_submitted(self, message: PromptSubmitted) -> None:
        message.stop()
        self.table.focus()

    def action_clear_filter(self) -> None:
        if self.filter_text:
            self.filter_text = ""
            self._rebuild()

    def action_sort(self) -> None:
        self.sort_column = self.sort_column.following()
        self.descending = self.sort_column in (
            SortColumn.CREATED,
            SortColumn.FRAMES,
            SortColumn.TOKENS,
            SortColumn.COST,
        )
        self._rebuild()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self._rebuild()

    def _highlighted(self) -> SessionEntry | None:
        row = self.table.cursor_row
        return self.ordered[row] if 0 <= row < len(self.ordered) else None

    def action_mark(self) -> None:
        entry = self._highlighted()
        if entry is None:
            return
        self.marked = None if self.marked == entry.path else entry.path
        self._rebuild()

    def action_compare(self) -> None:
        entry = self._highlighted()
        if entry is None:
            return
        other = self.marked
        if other is None and entry.parent_session_id:
            parent = next((e for e in self.entries if e.session_id == entry.parent_session_id), None)
            other = parent.path if parent is not None else None
        if other is None or other == entry.path:
            self.notify("Mark a session with m, then press c on another to compare them.", timeout=4)
            return
        from vcr_tui.screens.compare_screen import CompareScreen

        self.app.push_screen(CompareScreen(other, entry.path))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen([("Sessions", self.table), ("Anywhere", self)]))

    async def action_quit(self) -> None:
        await self.app.run_action("app.quit")  # the app asks about unsaved edits first
