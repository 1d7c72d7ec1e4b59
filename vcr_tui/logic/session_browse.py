"""Finding sessions in a folder: the filter typed after ``/`` and the column the list is sorted by.

Free of Textual, so the rules are tested on their own. A filter is words that must all match:
``tag:nightly`` a tag, ``ok`` / ``error`` / ``running`` / ``unfinished`` an outcome, anything else
a piece of the session id, a tag, the parent's id or a value of the header's metadata (case
ignored). Sorting orders the runs and, under each, its forks by the same column; forks stay under
their parents.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from recorder.outcome import RunOutcome
from vcr_tui.logic.sessions import SessionEntry, nest_forks

_OUTCOME_WORDS = {outcome.value: outcome for outcome in RunOutcome}


class SortColumn(str, enum.Enum):
    """The columns ``s`` cycles through; the value is the column's heading."""

    CREATED = "created (UTC)"
    SESSION = "session"
    FRAMES = "frames"
    TOKENS = "tokens"
    COST = "cost"
    OUTCOME = "outcome"
    TAGS = "tags"
    PARENT = "forked from"

    def following(self) -> SortColumn:
        members = list(SortColumn)
        return members[(members.index(self) + 1) % len(members)]


_SORT_KEYS: dict[SortColumn, Callable[[SessionEntry], object]] = {
    SortColumn.CREATED: lambda entry: (entry.created_at, entry.session_id),
    SortColumn.SESSION: lambda entry: entry.session_id.casefold(),
    SortColumn.FRAMES: lambda entry: entry.frames,
    SortColumn.TOKENS: lambda entry: entry.tokens,
    SortColumn.COST: lambda entry: entry.cost_usd,
    SortColumn.OUTCOME: lambda entry: entry.outcome.value if entry.outcome is not None else "~",
    SortColumn.TAGS: lambda entry: ",".join(entry.tags).casefold(),
    SortColumn.PARENT: lambda entry: (entry.parent_session_id or "", entry.forked_from_frame or 0),
}


@dataclass(frozen=True, slots=True)
class SessionFilter:
    """The words of a ``/`` filter, parsed once."""

    tags: tuple[str, ...] = ()
    outcomes: tuple[RunOutcome, ...] = ()
    words: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> SessionFilter:
        tags: list[str] = []
        outcomes: list[RunOutcome] = []
        words: list[str] = []
        for word in text.casefold().split():
            if word.startswith("tag:") and len(word) > 4:
                tags.append(word[4:])
            elif word in _OUTCOME_WORDS:
                outcomes.append(_OUTCOME_WORDS[word])
            else:
                words.append(word)
        return cls(tuple(tags), tuple(outcomes), tuple(words))

    @property
    def empty(self) -> bool:
        return not (self.tags or self.outcomes or self.words)

    def matches(self, entry: SessionEntry) -> bool:
        tags = [tag.casefold() for tag in entry.tags]
        if any(not any(wanted in tag for tag in tags) for wanted in self.tags):
            return False
        if self.outcomes and entry.outcome not in self.outcomes:
            return False
        if self.words:
            haystack = " ".join(
                (entry.session_id, *entry.tags, entry.parent_session_id or "", entry.metadata_text, entry.path.name)
            ).casefold()
            return all(word in haystack for word in self.words)
        return True


def browse(
    entries: list[SessionEntry],
    *,
    text: str = "",
    column: SortColumn = SortColumn.CREATED,
    descending: bool = True,
) -> list[SessionEntry]:
    """The rows to show, in order: filtered, sorted, forks under their parents."""
    wanted = SessionFilter.parse(text)
    shown = entries if wanted.empty else [entry for entry in entries if wanted.matches(entry)]
    return nest_forks(shown, key=_SORT_KEYS[column], descending=descending)
