"""Which run the status line is about: its session, the run it was forked from, and its totals.

After a resume the screen shows a fork that is easy to mistake for its parent; the status line
keeps saying whose fork it is and at which frame, and what the whole run cost, at every width
where it fits (the per-step facts give way first).
"""

from __future__ import annotations

from recorder.models import Session
from vcr_tui.logic.formatting import format_cost, format_tokens
from vcr_tui.logic.safe_text import clean, shorten


def fork_text(session: Session) -> str:
    """``⑂ run-1@#2`` for a fork (its parent's id and the frame it starts from), else nothing."""
    parent = session.parent_session_id
    if not parent:
        return ""
    at = f"@#{session.forked_from_frame}" if session.forked_from_frame is not None else ""
    return f"⑂ {shorten(clean(parent), 20)}{at}"


def totals_text(session: Session) -> str:
    """The run's tokens and cost as its writer totalled them; nothing while none are written."""
    if not session.total_tokens and not session.total_cost_usd:
        return ""
    text = f"Σ {format_tokens(session.total_tokens)} tok"
    if session.total_cost_usd:
        text += f" {format_cost(session.total_cost_usd)}"
    return text
