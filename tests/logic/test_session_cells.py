"""The session list's cells hold no control character, whatever a file's strings are."""

from __future__ import annotations

from pathlib import Path

from vcr_tui.logic.session_cells import session_cells
from vcr_tui.logic.sessions import SessionEntry


def test_a_created_time_that_is_not_a_time_is_shown_inert() -> None:
    entry = SessionEntry(
        Path("odd.vcr"), "odd\x1b]52;c;aGk=\x07", created_at="2026-01-02T\x1b[31m12:00:00", tags=("\x1b[2J",)
    )
    texts = [content for cell in session_cells(entry) for content, _ in cell]
    assert all(content.isprintable() for content in texts), texts
    assert texts[3].startswith("2026-01-02 ")  # the date still reads as one
