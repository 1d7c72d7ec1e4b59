"""The ledger view: one row per step (source, tokens, cost, latency, what it saved) and the totals.

The same table ``vcr-tui ledger`` prints (``ledger_text``). The frames are read in a worker;
a very long recording shows its first ``SHOWN`` steps here and says how to see the rest.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from recorder.golden import CostLedger
from vcr_tui.logic.ledger_text import ledger_table, totals_text
from vcr_tui.logic.safe_text import clean
from vcr_tui.messages import LedgerReady

SHOWN = 2_000


def ledger_view(ledger: CostLedger, file_name: str) -> Group:
    """The view's content: the totals first (they matter most), then the steps."""
    shown = ledger
    more = len(ledger.rows) - SHOWN
    if more > 0:
        shown = CostLedger(rows=ledger.rows[:SHOWN])
    table = ledger_table(shown)
    table.caption = None
    parts: list[Text | object] = [Text(totals_text(ledger), style="bold"), Text(""), table]
    if more > 0:
        parts.append(
            Text(f"… and {more:,} more steps: vcr-tui ledger {clean(file_name)} lists them all", style="italic")
        )
    return Group(*parts)  # type: ignore[arg-type]


class LedgerScreen(ModalScreen[None]):
    """Modal ledger of one recording; Escape, Enter, q or $ closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q,dollar_sign", "dismiss", "close", id="ledger.close"),
    ]

    DEFAULT_CSS = """
    LedgerScreen {
        align: center middle;
        & > VerticalScroll {
            width: 108;
            max-width: 100%;
            height: auto;
            max-height: 90%;
            border: round $accent;
            background: $surface;
            padding: 0 1;
        }
    }
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.ledger: CostLedger | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = f"Cost ledger · {clean(self.path.name)}"
            scroll.border_subtitle = "esc to close"
            yield Static(Text("Reading the frames…", style="italic"), id="ledger-body")

    def on_mount(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _read(self) -> None:
        try:
            ledger = CostLedger.of_recording(self.path)
        except OSError as exc:
            self.app.call_from_thread(self._show_error, exc.strerror or str(exc))
            return
        self.post_message(LedgerReady(ledger, len(ledger.rows)))

    def on_ledger_ready(self, message: LedgerReady) -> None:
        message.stop()
        self.ledger = message.ledger
        self.query_one("#ledger-body", Static).update(ledger_view(message.ledger, self.path.name))

    def _show_error(self, reason: str) -> None:
        self.query_one("#ledger-body", Static).update(Text(f"Cannot read {clean(self.path.name)}: {clean(reason)}"))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
