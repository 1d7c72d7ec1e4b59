"""The one error a source raises on purpose: it cannot start, and the message says why."""

from __future__ import annotations


class SourceError(Exception):
    """A source cannot start; ``str(error)`` is one line fit for the screen."""
