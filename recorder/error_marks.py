"""Which exceptions already have their error frame, so a step that lets one pass never adds another.

An exception raised in an inner step travels up through every recorded step around it (and the
resume itself); the innermost one records it and marks it, the others see the mark and let it go.
"""

from __future__ import annotations

_MARK = "_vcr_recorded"


def mark_recorded(exc: BaseException) -> None:
    """Note on ``exc`` that its error frame is written (a no-op for exceptions that take no attributes)."""
    try:
        setattr(exc, _MARK, True)
    except Exception:  # slots, or a __setattr__ that refuses in its own way
        pass


def already_recorded(exc: BaseException) -> bool:
    try:
        return bool(getattr(exc, _MARK, False))
    except Exception:  # a __getattr__ that raises: it was never marked by us
        return False
