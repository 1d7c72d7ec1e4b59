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


def _child(container: Any, key: str) -> Any:
    if isinstance(container, dict):
        value = container.get(key)
    elif isinstance(container, list) and key.isdigit() and int(key) < len(container):
        value = container[int(key)]
    else:
        return None
    return value if isinstance(value, (dict, list)) else None


def _set(container: Any, key: str, value: Any, *, insert: bool) -> None:
    if isinstance(container, dict):
        container[key] = value
    elif isinstance(container, list):
        if key == "-":
            container.append(value)
        elif key.isdigit() and int(key) <= len(container):
            index = int(key)
            if insert or index == len(container):
                container.insert(index, value)
            else:
                container[index] = value


def _remove(container: Any, key: str) -> None:
    if isinstance(container, dict):
        container.pop(key, None)
    elif isinstance(container, list) and key.isdigit() and int(key) < len(container):
        del container[int(key)]
