"""How a path into a state is spelled, apart from the diff engine that reports changes at paths.

The state tree and the frame details name paths on the first screen; the diff engine
(``recorder.diffing``) is needed only once a diff is computed, so the spelling lives here.
"""

from __future__ import annotations

import re

PathPart = str | int

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def format_path(path: tuple[PathPart, ...] | list[PathPart]) -> str:
    """A JSONPath-style spelling: ``$.messages[0].content``, ``$["odd key"]``."""
    out = ["$"]
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENTIFIER.match(part):
            out.append(f".{part}")
        else:
            out.append("[" + _quote(part) + "]")
    return "".join(out)


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
