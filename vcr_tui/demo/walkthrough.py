"""``vcr-tui demo``: record the demo agent's failing run, and the three steps that fix it.

The recording goes into a folder of the user's choice (``./vcr-demo`` by default) next to any
earlier ones: the recorder names every file after a new session id and never overwrites.
"""

from __future__ import annotations

from pathlib import Path

from vcr_tui.demo.agent import record_demo

WALKTHROUGH = (
    'j j  go to frame #2, llm:coder: its input says formula "(f - 32) * 9 / 5", upside down',
    'e    edit that input in your editor: make it "(f - 32) * 5 / 9", save, quit',
    "r    resume from there: #0-#1 replay at zero tokens, the coder runs again, the tests pass",
)


# The same steps in the app's first notification, short enough not to wrap there.
WALKTHROUGH_IN_APP = (
    "j j  go to #2 llm:coder: wrong formula",
    "e    fix it: (f - 32) * 5 / 9",
    "r    resume: now the tests pass",
)


class DemoError(Exception):
    """The demo cannot be recorded where it was asked to be; the message says why."""


def record_demo_into(folder: Path) -> Path:
    """Record one run of the demo agent into ``folder`` (created if needed); the new file's path."""
    if folder.exists() and not folder.is_dir():
        raise DemoError(f"{folder} exists and is not a folder")
    try:
        return record_demo(folder)
    except OSError as exc:
        raise DemoError(f"cannot write the demo into {folder}: {exc.strerror or exc}") from None


def walkthrough_text(*, in_app: bool = False) -> str:
    """The walkthrough as printed, or as first shown in the app."""
    return "\n".join(WALKTHROUGH_IN_APP if in_app else WALKTHROUGH)
