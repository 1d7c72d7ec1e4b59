"""Search matches as the panes show them: where the query occurs in a row, and "match 2 of 4".

The search itself (``scanning.TextMatcher``) finds the frames; this module says where, inside a
frame, the user should look. Any pane that draws rows of text (the state tree, the diff, whatever
replaces them) calls ``highlighted`` on each row with the style of its own theme, so every pane
marks the same characters. Case is ignored, as the search ignores it. No Textual here.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from rich.style import Style
from rich.text import Text

from vcr_tui.logic.formatting import format_count


def match_spans(plain: str, query: str) -> list[tuple[int, int]]:
    """Where ``query`` occurs in ``plain``, ignoring case: (start, end) pairs, not overlapping."""
    if not query:
        return []
    folded, needle = plain.casefold(), query.casefold()
    if len(folded) != len(plain):  # a character that folds into two ("ß"): positions must stay true
        folded, needle = plain.lower(), query.lower()
        if len(folded) != len(plain):
            return []
    spans: list[tuple[int, int]] = []
    start = folded.find(needle)
    while start >= 0 and needle:
        spans.append((start, start + len(needle)))
        start = folded.find(needle, start + len(needle))
    return spans


def highlighted(text: Text, query: str, style: Style | str) -> Text:
    """``text`` with every occurrence of ``query`` in ``style`` (the same object when there is none)."""
    spans = match_spans(text.plain, query)
    if not spans:
        return text
    marked = text.copy()
    for start, end in spans:
        marked.stylize(style, start, end)
    return marked


def match_counter(matches: Sequence[int], cursor: int) -> str:
    """``match 2 of 4`` on a matching frame (``matches`` sorted), else how many frames match."""
    position = bisect_left(matches, cursor)
    if position < len(matches) and matches[position] == cursor:
        return f"match {position + 1:,} of {len(matches):,}"
    return format_count(len(matches), "match", "matches")
