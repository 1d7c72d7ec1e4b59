"""What a recording says about the workspace it changed: the keys it names it by, a frame's snapshot.

The first screen shows these (a frame's snapshot in the details, the frame list's ⛁), so they are
kept apart from what acts on the workspace (``workspace_link``) and from the dialogs' words
(``workspace_text``), which load with the first workspace key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text

from recorder.vocabulary import (
    ACID_COMMIT_HASH,
    ACID_PREFIX,
    ACID_ROLLED_BACK_TO,
    ACID_SAVEPOINT,
    ACID_SESSION,
    WORKSPACE,
)
from vcr_tui.logic.safe_text import clean
from vcr_tui.theme import LABEL_STYLE, SNAPSHOT_GLYPH, SNAPSHOT_STYLE

RECORDED_PATH_KEY = WORKSPACE
RECORDED_SESSION_KEY = ACID_SESSION


def recorded_text(metadata: Mapping[str, Any], key: str) -> str | None:
    """A non-empty string stored under ``key`` in a header's or frame's metadata, else None."""
    value = metadata.get(key)
    return value if isinstance(value, str) and value.strip() else None


def snapshot_commit(custom: Mapping[str, Any]) -> str | None:
    """The snapshot a frame names (its ``acid_commit_hash``), or None for a frame without one."""
    return recorded_text(custom, ACID_COMMIT_HASH)


def short_commit(commit: str | None) -> str:
    return commit[:10] if commit else "—"


def snapshot_fact(custom: Mapping[str, Any]) -> Text | None:
    """The details pane's chunk for a frame that names a snapshot of the files, or None."""
    commit = snapshot_commit(custom)
    if commit is None:
        return None
    number = custom.get(ACID_SAVEPOINT)
    if isinstance(number, int) and not isinstance(number, bool):
        label = f"savepoint {number}"
    elif ACID_ROLLED_BACK_TO in custom:
        label = "files restored"
    else:
        label = "files snapshot"
    text = Text(f"{SNAPSHOT_GLYPH} {label} ", style=SNAPSHOT_STYLE, end="")
    text.append(short_commit(clean(commit)), style=LABEL_STYLE)
    return text


def is_workspace_fact(key: object) -> bool:
    """Metadata the snapshot chunk already says, left out of the details' list of custom facts."""
    return isinstance(key, str) and key.startswith(ACID_PREFIX)
