"""The cost ledger as text: one row per step and a totals line, shared by the CLI and the app.

Textual-free (Rich only), so ``vcr-tui ledger`` prints exactly the table the ledger view shows.
Node names come from a file and go through ``safe_text``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from vcr_tui.logic.formatting import format_cost, format_latency, format_tokens
from vcr_tui.logic.safe_text import safe, shorten
from vcr_tui.theme import SOURCE_STYLES

if TYPE_CHECKING:
    from recorder.golden import CostLedger, LedgerRow

SOURCE_MARKS = {"golden": "↺ golden", "replayed": "↺ replayed", "live": "live"}
COLUMNS = ("#", "step", "source", "tokens", "cost", "latency", "saved tokens", "saved $", "saved time")
NODE_WIDTH = 32


def row_cells(row: LedgerRow) -> tuple[Text, ...]:
    """The cells of one step's row, in ``COLUMNS`` order."""
    saved = row.source != "live"
    return (
        Text(str(row.index)),
        safe(shorten(row.node_name, NODE_WIDTH)),
        Text(SOURCE_MARKS.get(row.source, row.source), style=SOURCE_STYLES.get(row.source, "")),
        Text(format_tokens(row.tokens) if row.tokens else ("0" if saved else "")),
        Text(format_cost(row.cost_usd) if row.cost_usd else ""),
        Text(format_latency(row.latency_ms)),
        Text(format_tokens(row.saved_tokens) if row.saved_tokens else ""),
        Text(format_cost(row.saved_cost_usd) if row.saved_cost_usd else ""),
        Text(format_latency(row.saved_ms)),
    )


def totals_text(ledger: CostLedger) -> str:
    """``saved 83% · 15 tokens · $0.01 · 250 ms  (3 answered, 1 live)``."""
    parts = [
        f"saved {ledger.savings_percent:.0f}%",
        f"{format_tokens(ledger.tokens_saved)} tokens",
        format_cost(ledger.cost_saved_usd) or "$0",
        format_latency(ledger.time_saved_ms) or "0 ms",
    ]
    spent = f"spent {format_tokens(ledger.replay_tokens)} tokens / {format_cost(ledger.replay_cost_usd) or '$0'}"
    counts = f"{ledger.steps_replayed} answered, {ledger.steps_rerun} live"
    return f"{' · '.join(parts)}  ({counts}; {spent})"


def saved_brief(ledger: CostLedger) -> str:
    """The status line's few words: ``↺ 3 · saved 1,200 tokens / $0.02``, or '' when nothing was answered."""
    if ledger.steps_replayed == 0:
        return ""
    cost = format_cost(ledger.cost_saved_usd)
    amount = f"{format_tokens(ledger.tokens_saved)} tokens" + (f" / {cost}" if ledger.cost_saved_usd else "")
    return f"↺ {ledger.steps_replayed} · saved {amount}"


def ledger_table(ledger: CostLedger, *, title: str | None = None) -> Table:
    """The ledger as a Rich table, the totals as its caption."""
    table = Table(title=title, caption=totals_text(ledger), caption_justify="left", expand=False)
    for name in COLUMNS:
        table.add_column(name, justify="left" if name in ("step", "source") else "right", no_wrap=True)
    for row in ledger.rows:
        table.add_row(*row_cells(row))
    return table
