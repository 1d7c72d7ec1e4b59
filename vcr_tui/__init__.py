"""vcr-tui: a keyboard-driven terminal time-travel debugger for AI agents."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``__version__`` on first use: reading package metadata costs a start-up tenth of a second."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("vcr-tui")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found
