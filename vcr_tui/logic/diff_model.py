"""What the diff pane compares, and the lines it shows for a comparison.

A ``DiffRequest`` names the two states and says where they came from; ``compute_lines`` runs
``diff_states`` and turns the changes into literal, coloured lines. Both are pure, so the screen
can run them in a worker and drop a result whose ``key`` no longer matches what is on screen.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

import orjson
from rich.text import Text

from recorder.state_paths import PathPart, format_path
from vcr_tui.logic.formatting import value_preview
from vcr_tui.logic.safe_text import clean, shorten
from vcr_tui.theme import CHANGE_STYLES, LABEL_STYLE, bold, italic

if TYPE_CHECKING:  # the diff engine loads with the first diff, after the first screen
    from recorder.diffing import StateChange

MAX_LINES = 5000
SMALL_NODES = 2000  # values: states this small go to deepdiff whole
VALUE_WIDTH = 60


class DiffMode(str, enum.Enum):
    """The comparisons the ``d`` key cycles through; EDITED joins the cycle once a state is edited."""

    STEP = "step"
    PREVIOUS = "previous"
    MARKED = "marked"
    EDITED = "edited"

    @property
    def caption(self) -> str:
        return {
            DiffMode.STEP: "what this step changed",
            DiffMode.PREVIOUS: "vs previous frame",
            DiffMode.MARKED: "vs marked frame",
            DiffMode.EDITED: "edited vs recorded",
        }[self]

    def following(self, *, include_edited: bool = False) -> DiffMode:
        members = [mode for mode in DiffMode if include_edited or mode is not DiffMode.EDITED]
        if self not in members:
            return members[0]
        return members[(members.index(self) + 1) % len(members)]


class DiffRequest:
    """Two states to compare, and a key that identifies what the pane should be showing."""

    __slots__ = ("after", "after_label", "before", "before_label", "key")

    def __init__(
        self,
        key: tuple[object, ...],
        before: Any,
        after: Any,
        before_label: str,
        after_label: str,
    ) -> None:
        self.key: Final = key
        self.before: Final = before
        self.after: Final = after
        self.before_label: Final = before_label
        self.after_label: Final = after_label


def compute_lines(request: DiffRequest, limit: int = MAX_LINES) -> tuple[list[Text], str]:
    """The pane's lines and a one-line summary for a request. Can be slow: run it in a worker."""
    changes = state_changes(request.before, request.after)
    return change_lines(changes, request, limit), summarize(changes)


def state_changes(before: Any, after: Any) -> list[StateChange]:
    """``diff_states``, made fast for big states by first narrowing down where they differ.

    deepdiff walks every value of both states: 1.5 s for a 1 MB state with one changed field.
    Equality (``==``) runs in C and is ~100 times faster. So in a big state, objects and lists
    are descended only where their children differ, and ``diff_states`` is asked about each part
    small enough (``SMALL_NODES``). Small states go to ``diff_states`` whole, so their changes are
    exactly deepdiff's; a big list is compared index by index (the items past the shorter one
    added or removed) where deepdiff would line items up, at a cost of seconds.
    """
    changes = list(_narrowed(before, after, ()))
    changes.sort(key=lambda change: [_path_key(part) for part in change.path])
    return changes


def _same(before: Any, after: Any) -> bool:
    """Equal with the types deepdiff tells apart (``True`` is not ``1``, ``1`` is not ``1.0``)."""
    if type(before) is not type(after) or before != after:
        return False
    if not isinstance(before, (dict, list)):
        return True
    try:
        return _canonical(before) == _canonical(after)
    except (TypeError, orjson.JSONEncodeError):
        return repr(before) == repr(after)


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def _small(value: Any, budget: int = SMALL_NODES) -> int:
    """What is left of ``budget`` after counting the values inside ``value`` (negative: big)."""
    budget -= 1
    if isinstance(value, dict):
        children: Any = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return budget
    for child in children:
        if budget < 0:
            break
        budget = _small(child, budget)
    return budget


def _narrowed(before: Any, after: Any, path: tuple[PathPart, ...]) -> Iterator[StateChange]:
    from recorder.diffing import StateChange, diff_states  # the engine: loaded with the first diff

    if _small(before) >= 0 and _small(after) >= 0:
        if path and not _same(before, after) and before == after:
            yield StateChange(path, "changed", before, after)  # 0 and False: deepdiff's == says equal
            return
        for change in diff_states(before, after):
            yield StateChange((*path, *change.path), change.kind, change.old, change.new)
        return
    if _same(before, after):
        return
    if type(before) is dict and type(after) is dict:
        for key, value in before.items():
            if key not in after:
                yield StateChange((*path, key), "removed", value, None)
            else:
                yield from _narrowed(value, after[key], (*path, key))
        for key, value in after.items():
            if key not in before:
                yield StateChange((*path, key), "added", None, value)
        return
    if type(before) is list and type(after) is list:
        for index, (old, new) in enumerate(zip(before, after, strict=False)):
            yield from _narrowed(old, new, (*path, index))
        for index in range(len(after), len(before)):
            yield StateChange((*path, index), "removed", before[index], None)
        for index in range(len(before), len(after)):
            yield StateChange((*path, index), "added", None, after[index])
        return
    yield StateChange(path, "changed", before, after)  # another value, or another type


def _path_key(part: PathPart) -> tuple[int, int, str]:
    return (0, part, "") if isinstance(part, int) else (1, 0, str(part))


def summarize(changes: list[StateChange]) -> str:
    if not changes:
        return "no changes"
    counts = dict.fromkeys(CHANGE_STYLES, 0)
    for change in changes:
        counts[change.kind] += 1
    parts = [f"{count} {kind}" for kind, count in counts.items() if count]
    return f"{len(changes)} change{'s' if len(changes) != 1 else ''}: " + ", ".join(parts)


def change_lines(changes: list[StateChange], request: DiffRequest, limit: int = MAX_LINES) -> list[Text]:
    """One line per change: sign, path, and the value (old → new for a change)."""
    header = Text(no_wrap=True, end="")
    header.append(clean(request.before_label), style=LABEL_STYLE)
    header.append(" → ", style=LABEL_STYLE)
    header.append(clean(request.after_label), style=LABEL_STYLE)
    header.append("   " + summarize(changes), style="bold")
    lines = [header]
    if not changes:
        lines.append(Text("  (the two states are equal)", style=LABEL_STYLE, end=""))
        return lines
    for change in changes[:limit]:
        lines.append(change_line(change))
    if len(changes) > limit:
        lines.append(Text(f"  … {len(changes) - limit:,} more changes", style=italic(LABEL_STYLE), end=""))
    return lines


def change_line(change: StateChange) -> Text:
    sign, style = CHANGE_STYLES[change.kind]
    line = Text(no_wrap=True, end="")
    line.append(f"{sign} ", style=bold(style))
    line.append(shorten(clean(format_path(change.path)), 80), style=style)
    line.append("  ")
    if change.kind == "added":
        line.append_text(value_preview(change.new, VALUE_WIDTH))
    elif change.kind == "removed":
        old = value_preview(change.old, VALUE_WIDTH)
        old.stylize("strike")
        line.append_text(old)
    else:
        line.append_text(value_preview(change.old, VALUE_WIDTH))
        line.append(" → ", style=bold(style))
        line.append_text(value_preview(change.new, VALUE_WIDTH))
    return line


def diff_as_text(lines: list[Text]) -> str:
    """The pane as plain text, for the clipboard."""
    return "\n".join(line.plain for line in lines)
