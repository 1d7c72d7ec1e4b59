"""Timestamps as the format writes them: ISO 8601, UTC, microseconds, ``+00:00``."""

from __future__ import annotations

from datetime import datetime, timezone


def now_iso() -> str:
    """The current time in the exact shape the peer writes (always with microseconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def parse_timestamp(text: str) -> datetime | None:
    """Parse leniently: a trailing ``Z`` is UTC and a zone-less time is read as UTC.

    The peer's loader rejects a whole file over one zone-less timestamp; a time-travel debugger
    should show the step and move on.
    """
    if not text:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value
