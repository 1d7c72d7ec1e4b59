"""What changed between two states, path by path, via deepdiff.

The result is a flat list of ``StateChange`` so that the engine, scripts and the TUI all speak of
changes the same way: a path into the state, added / removed / changed, and the values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import orjson

from recorder.state_paths import PathPart, format_path

ChangeKind = Literal["added", "removed", "changed"]

_KIND_OF_REPORT: dict[str, ChangeKind] = {
    "dictionary_item_added": "added",
    "iterable_item_added": "added",
    "set_item_added": "added",
    "attribute_added": "added",
    "dictionary_item_removed": "removed",
    "iterable_item_removed": "removed",
    "set_item_removed": "removed",
    "attribute_removed": "removed",
    "values_changed": "changed",
    "type_changes": "changed",
}


@dataclass(frozen=True, slots=True)
class StateChange:
    """One difference: where, what kind, and the value before and after."""

    path: tuple[PathPart, ...]
    kind: ChangeKind
    old: Any = None
    new: Any = None

    @property
    def path_text(self) -> str:
        return format_path(self.path)


def diff_states(before: Any, after: Any) -> list[StateChange]:
    """Every nested difference from ``before`` to ``after``, in path order."""
    if before is after or _identical(before, after):
        return []
    from deepdiff import DeepDiff  # imported on first use: it costs ~60 ms, which recording never needs

    try:
        report = DeepDiff(
            before, after, view="tree", verbose_level=2, threshold_to_diff_deeper=0, ignore_nan_inequality=True
        )
    except RecursionError:  # nested deeper than deepdiff can follow: say which top-level parts differ
        return _shallow_changes(before, after)
    changes: list[StateChange] = []
    for report_type, kind in _KIND_OF_REPORT.items():
        for level in report.get(report_type, ()):
            path = tuple(level.path(output_format="list"))
            old = None if kind == "added" else _plain(level.t1)
            new = None if kind == "removed" else _plain(level.t2)
            changes.append(StateChange(path, kind, old, new))
    changes.sort(key=lambda change: [_sort_key(part) for part in change.path])
    return changes


def _shallow_changes(before: Any, after: Any) -> list[StateChange]:
    """Top-level differences only, for states too deep for a nested diff."""
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return [StateChange((), "changed", before, after)]
    changes: list[StateChange] = []
    for key in sorted({*before, *after}, key=str):
        if key not in after:
            changes.append(StateChange((key,), "removed", before[key], None))
        elif key not in before:
            changes.append(StateChange((key,), "added", None, after[key]))
        elif not _identical(before[key], after[key]):
            changes.append(StateChange((key,), "changed", before[key], after[key]))
    return changes


def _identical(before: Any, after: Any) -> bool:
    """Equal down to the types deepdiff tells apart (``0`` is not ``False``, ``1`` not ``1.0``).

    ``==`` runs in C and settles the common "nothing changed" case a hundred times faster than
    deepdiff; comparing canonical JSON then rules out the pairs Python calls equal and deepdiff
    does not.
    """
    try:
        if before != after:
            return False
        return _canonical(before) == _canonical(after)
    except (TypeError, orjson.JSONEncodeError, RecursionError):
        return False  # not JSON (sets, objects), or too deep: let deepdiff decide


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def _plain(value: Any) -> Any:
    """deepdiff marks absent sides with its own sentinel; show them as None."""
    return None if type(value).__name__ == "NotPresent" else value


def _sort_key(part: PathPart) -> tuple[int, int, str]:
    return (0, part, "") if isinstance(part, int) else (1, 0, str(part))
