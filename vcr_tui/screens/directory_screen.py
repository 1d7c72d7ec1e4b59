"""The sessions of a folder: one row per recording, forks under their parents, Enter opens one.

Summaries need each file indexed, so a worker scans the folder and the table fills in as it goes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from vcr_tui.commands import ScreenCommands
from vcr_tui.formatting import format_cost, format_count, format_timestamp, format_tokens
from vcr_tui.messages import SessionsScanned
from vcr_tui.safe_text import clean, shorten
from vcr_tui.screens.file_screen import FileScreen
from vcr_tui.screens.folder_watch import FolderWatching
from vcr_tui.screens.help_screen import HelpScreen
from vcr_tui.sessions import SessionEntry, nest_forks, scan
from vcr_tui.theme import ERROR_STYLE, LABEL_STYLE

_BATCH_SECONDS = 0.05
COLUMNS = ("session", "created (UTC)", "frames", "tokens", "cost", "tags", "forked from")
_NUMBER_COLUMNS = (2, 3, 4)


class SessionTable(DataTable[Text]):
    """The sessions table, with vim keys added to DataTable's own."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "next session", show=False, id="sessions.down"),
        Binding("k,up", "cursor_up", "previous session", show=False, id="sessions.up"),
        Binding("g,home", "scroll_top", "first session", show=False, id="sessions.first"),
        Binding("G,end", "scroll_bottom", "last session", show=False, id="sessions.last"),
        Binding("enter", "select_cursor", "open session", id="sessions.open"),
    ]


def session_cells(entry: SessionEntry) -> list[Text]:
    """One table row: literal text for everything that came from a file."""
    indent = "  " * entry.depth + ("└ " if entry.depth else "")
    name = Text(indent, style=LABEL_STYLE)
    name.append(shorten(clean(entry.session_id), 36), style="bold" if not entry.depth else "")
    if entry.error:
        return [name, Text(shorten(clean(entry.error), 60), style=ERROR_STYLE), *(Text() for _ in COLUMNS[2:])]
    frames = Text(f"{entry.frames:,}")
    if entry.problems:
        frames.append(" ⚠", style="#ffaf00")
    parent = Text()
    if entry.parent_session_id:
        parent.append(shorten(clean(entry.parent_session_id), 30))
        if entry.forked_from_frame is not None:
            parent.append(f" @#{entry.forked_from_frame}", style=LABEL_STYLE)
    return [
        name,
        Text(format_timestamp(entry.created_at)[:16] if entry.created_at else "—", style=LABEL_STYLE),
        frames,
        Text(format_tokens(entry.tokens) if entry.tokens else "—"),
        Text(format_cost(entry.cost_usd) if entry.cost_usd else "—"),
        Text(shorten(clean(", ".join(entry.tags)), 24), style="#87afd7"),
        parent,
    ]


def align_numbers(rows: list[list[Text]]) -> None:
    """Right-align the frames, tokens and cost columns (DataTable lays cells out left-aligned)."""
    for column in _NUMBER_COLUMNS:
        width = max((row[column].cell_len for row in rows), default=0)
        for row in rows:
            cell = row[column]
            if cell.cell_len < width:
                row[column] = Text(" " * (width - cell.cell_len)) + cell


class DirectoryScreen(FolderWatching, Screen[None]):
    """Pick a recording from a folder."""

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {ScreenCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
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

    def compose(self) -> ComposeResult:
        yield Static(id="sessions-title")
        yield SessionTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static(id="sessions-note")
        yield Footer(compact=True)

    @property
    def table(self) -> SessionTable:
        return self.query_one(SessionTable)

    def command_nodes(self) -> list[DOMNode]:
        return [self.table, self]

    def on_mount(self) -> None:
        for label in COLUMNS:
            self.table.add_column(Text(label, style="bold"), key=label)
        self.table.focus()
        self._show_title()
        if self.follow:
            self.start_watching()
        self.refresh_sessions()

    def refresh_sessions(self) -> None:
        """Scan the folder again (in a worker)."""
        self.entries = []
        self.scan_done = False
        self._scan_worker()

    @work(thread=True, exclusive=True, group="scan", exit_on_error=False)
    def _scan_worker(self) -> None:
        worker = get_current_worker()
        batch: list[SessionEntry] = []
        last = time.monotonic()
        for entry in scan(self.folder):
            if worker.is_cancelled:
                return
            batch.append(entry)
            if time.monotonic() - last >= _BATCH_SECONDS:
                self.post_message(SessionsScanned(batch, done=False))
                batch, last = [], time.monotonic()
        self.post_message(SessionsScanned(batch, done=True))

    def on_sessions_scanned(self, message: SessionsScanned) -> None:
        self.entries.extend(message.entries)
        self.scan_done = message.done
        self._rebuild()

    def _rebuild(self) -> None:
        table = self.table
        keep = (
            self.ordered[table.cursor_row].path if self.ordered and 0 <= table.cursor_row < len(self.ordered) else None
        )
        self.ordered = nest_forks(self.entries)
        table.clear()
        rows = [session_cells(entry) for entry in self.ordered]
        align_numbers(rows)
        for entry, cells in zip(self.ordered, rows, strict=True):
            table.add_row(*cells, key=str(entry.path))
        if keep is not None:
            for row, entry in enumerate(self.ordered):
                if entry.path == keep:
                    table.move_cursor(row=row, animate=False)
                    break
        note = self.query_one("#sessions-note", Static)
        if self.scan_done and not self.ordered:
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

    def _show_title(self) -> None:
        title = Text("Sessions in ", style=LABEL_STYLE)
        title.append(clean(self.folder.name or str(self.folder)), style="bold")
        title.append("  ")
        count = format_count(len(self.entries), "recording")
        title.append(count if self.scan_done else f"{count}, scanning…", style=LABEL_STYLE)
        self.query_one("#sessions-title", Static).update(title)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = event.cursor_row
        if not 0 <= row < len(self.ordered):
            return
        entry = self.ordered[row]
        if entry.error:
            self.notify(f"Cannot open {entry.path.name}: {entry.error}", severity="error", markup=False)
            return
        self.app.push_screen(FileScreen(entry.path, from_directory=True, follow=self.follow))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen([("Sessions", self.table), ("Anywhere", self)]))

    async def action_quit(self) -> None:
        self.app.exit()
