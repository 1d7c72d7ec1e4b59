"""Reading numbers and strings out of untrusted records without trusting their types.

A record may hold ``true`` where a count belongs, or ``"12"`` where a cost does; these return
None for anything that is not really the kind asked for, so one odd field never breaks a view.
"""

from __future__ import annotations

from typing import Any


def optional_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def str_or(value: Any, default: str) -> str:
    return value if isinstance(value, str) else default


def optional_int(value: Any) -> int | None:
    """An int, or a float with no fraction; never a bool (JSON's true is not a count)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def optional_float(value: Any) -> float | None:
    """Any number as a float; never a bool."""
    if isinstance(value, bool):
        return None
    return float(value) if isinstance(value, (int, float)) else None
