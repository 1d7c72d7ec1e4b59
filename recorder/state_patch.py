"""Apply the JSON-patch-like ops of "diff mode" files to rebuild full states."""

from __future__ import annotations

import copy
from typing import Any


def apply_ops(base: dict[str, Any], ops: list[Any]) -> dict[str, Any]:
    """A new state: ``base`` with ``add``/``replace``/``remove`` ops applied in order.

    The peer only writes top-level paths (``/key``); nested JSON pointers are followed too. An op
    that does not fit (bad path, missing key) is skipped: a partly rebuilt state is more useful
    than none, and the raw ops stay on the frame for anyone who wants to check.
    """
    try:
        return _apply(base, ops)
    except RecursionError:  # a value nested deeper than copying can follow: keep the base
        return dict(base)


def _apply(base: dict[str, Any], ops: list[Any]) -> dict[str, Any]:
    state = copy.deepcopy(base)
    for op in ops:
        if not isinstance(op, dict):
            continue
        path = op.get("path")
        kind = op.get("op")
        if not isinstance(path, str) or not path.startswith("/"):
            continue
        keys = [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]
        parent: Any = state
        for key in keys[:-1]:
            parent = _child(parent, key)
            if parent is None:
                break
        if parent is None:
            continue
        last = keys[-1]
        if kind in ("add", "replace") and "value" in op:
            _set(parent, last, copy.deepcopy(op["value"]), insert=kind == "add")
        elif kind == "remove":
            _remove(parent, last)
    return state


def _list_index(key: str, end: int) -> int | None:
    """The list position a path part names, if it is one in ``0..end``; else None.

    Only ASCII digits count (``str.isdigit`` also accepts "٣" and "²", and ``int`` refuses the
    latter), and a part longer than the list's own length in digits cannot be in range, so a
    5,000-digit part is turned down before ``int`` would refuse it.
    """
    if not (key.isascii() and key.isdigit()) or len(key) > len(str(end)):
        return None
    index = int(key)
    return index if index <= end else None


def _child(container: Any, key: str) -> Any:
    if isinstance(container, dict):
        value = container.get(key)
    elif isinstance(container, list) and (index := _list_index(key, len(container) - 1)) is not None:
        value = container[index]
    else:
        return None
    return value if isinstance(value, (dict, list)) else None


def _set(container: Any, key: str, value: Any, *, insert: bool) -> None:
    if isinstance(container, dict):
        container[key] = value
    elif isinstance(container, list):
        if key == "-":
            container.append(value)
        elif (index := _list_index(key, len(container))) is not None:
            if insert or index == len(container):
                container.insert(index, value)
            else:
                container[index] = value


def _remove(container: Any, key: str) -> None:
    if isinstance(container, dict):
        container.pop(key, None)
    elif isinstance(container, list) and (index := _list_index(key, len(container) - 1)) is not None:
        del container[index]
