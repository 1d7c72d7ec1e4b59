"""vcr-tui: a keyboard-driven terminal time-travel debugger for AI agents."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed package's metadata only when asked for.

    Reading it costs a look through the installed distributions; the debugger's first screen
    should not wait for that, and only ``--version`` needs it.
    """
    if name != "__version__":
        raise AttributeError(f"module 'vcr_tui' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("vcr-tui")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found
