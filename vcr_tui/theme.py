"""Colours and glyphs, in one place so every pane speaks the same visual language.

Frame types get one colour each (used in the frame list, the details and the status line);
errors are the only thing drawn in red. The colours are plain terminal colours so they keep their
meaning in 16-colour terminals too.
"""

from __future__ import annotations

from typing import NamedTuple

from recorder.models import FrameType


class TypeLook(NamedTuple):
    glyph: str
    word: str
    style: str


TYPE_LOOKS: dict[FrameType, TypeLook] = {
    FrameType.NODE_EXECUTION: TypeLook("●", "node", "bold #5fafff"),
    FrameType.LLM_CALL: TypeLook("◆", "llm", "bold #d787ff"),
    FrameType.TOOL_CALL: TypeLook("■", "tool", "bold #ffd75f"),
    FrameType.ERROR: TypeLook("✖", "error", "bold #ff5f5f"),
    FrameType.CHECKPOINT: TypeLook("⚑", "ckpt", "bold #5fd787"),
}

ERROR_STYLE = "bold #ff5f5f"
ERROR_ROW_STYLE = "#ff8787"
FAILED_TOOL_GLYPH = "!"
MARK_GLYPH = "◉"
MATCH_GLYPH = "»"
EDITED_GLYPH = "✎"
REPLAYED_GLYPH = "↺"  # a fork's frame that came from the recording instead of running
SNAPSHOT_GLYPH = "⛁"  # a frame naming a snapshot of the workspace's files
SNAPSHOT_STYLE = "bold #5fd7d7"

VALUE_STYLES: dict[str, str] = {
    "key": "#87afd7",
    "string": "#87d787",
    "number": "#5fd7d7",
    "bool": "#d787d7",
    "null": "#d787d7 italic",
    "typed": "bold #ffaf5f",
    "container": "#8a8a8a",
    "other": "#bcbcbc",
    "more": "italic #8a8a8a",
}

CHANGE_STYLES: dict[str, tuple[str, str]] = {
    "added": ("+", "#5fd75f"),
    "removed": ("-", "#ff5f5f"),
    "changed": ("~", "#ffd75f"),
}

LABEL_STYLE = "#8a8a8a"
