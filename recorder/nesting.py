"""States nested deeper than Python code can follow, made shallow enough to show and compare.

orjson reads up to 1,024 levels, but copying, decoding and diffing a state are recursive Python
code that gives up (``RecursionError``) a few hundred levels down, the more so in a worker
thread that is already deep in a framework's calls. So the reader keeps at most ``MAX_DEPTH``
levels as structure and holds what lies deeper as its JSON text: the frame reads, the text is
there to see, and the problem list says which line was cut.
"""

from __future__ import annotations

from typing import Any

from recorder.encoding import MAX_DEPTH
from recorder.exact_json import dumps_exact


def may_nest_deeper(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """False when ``raw`` has too few brackets to nest ``limit`` levels: two C-speed counts."""
    return raw.count(b"{") + raw.count(b"[") > limit


def shallow_copy_deep_parts(value: Any, limit: int = MAX_DEPTH) -> tuple[Any, bool]:
    """``value`` with every container found ``limit`` levels down replaced by its JSON text.

    Returns the value (the same object when nothing was that deep) and whether anything was cut.
    Walks with an explicit stack, so it works at any depth; containers are rebuilt only along
    the paths that lead to a cut.
    """
    if not _deeper_than(value, limit):
        return value, False
    return _cut(value, limit), True


def _deeper_than(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if type(node) is dict:
            children: Any = node.values()
        elif type(node) is list:
            children = node
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children if type(child) in (dict, list))
    return False


def _cut(value: Any, limit: int) -> Any:
    """Rebuild ``value`` down to ``limit`` levels, iteratively (the input may be 1,000 deep)."""
    root: list[Any] = [None]
    # (source container, depth, the target container, the key in the target)
    stack: list[tuple[Any, int, Any, Any]] = [(value, 0, root, 0)]
    while stack:
        node, depth, target, key = stack.pop()
        if type(node) not in (dict, list):
            target[key] = node
            continue
        if depth >= limit:
            target[key] = _as_text(node)
            continue
        if type(node) is dict:
            copy: Any = dict.fromkeys(node)
            items: Any = node.items()
        else:
            copy = [None] * len(node)
            items = enumerate(node)
        target[key] = copy
        stack.extend((child, depth + 1, copy, name) for name, child in items)
    return root[0]


def _as_text(node: Any) -> str:
    try:
        return dumps_exact(node).decode("utf-8")
    except ValueError:
        return "<nested too deeply to show>"
