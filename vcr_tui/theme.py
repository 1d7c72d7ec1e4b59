"""Colours and glyphs, in one place so every pane speaks the same visual language.

Frame types get one colour each (used in the frame list, the details and the status line);
errors are the only thing drawn in red. Texts never carry a colour of their own: they carry a
*role* (``vcr.node``, ``vcr.label``, ...), a Rich style name that the app's console resolves when
it draws (``theme_switch.palette_for`` says what each role looks like under a Textual theme), so
switching the theme recolours every pane, including texts built earlier by a worker (the diff's
lines). Nothing here imports Textual: the Textual-free modules build their texts from these names.

The default theme keeps the palette tuned for it (plain 256-colour terminal colours); any other
theme derives every role from its own variables (``$text-primary``, ``$text-error``, ...), and a
theme may set a role itself with a ``vcr-<role>`` variable (``vcr-node``, ``vcr-marker-live``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from rich.errors import StyleSyntaxError
from rich.style import Style
from rich.text import Span, Text
from rich.theme import Theme as RichTheme

from recorder.models import FrameType

DEFAULT_THEME = "textual-dark"  # Textual's own default: the one the tuned palette is for


class TypeLook(NamedTuple):
    glyph: str
    word: str
    style: str


def _role(name: str) -> str:
    return f"vcr.{name}"


def bold(role: str) -> str:
    """``role`` drawn bold (each role is registered plain, bold and italic)."""
    return f"{role}.bold"


def italic(role: str) -> str:
    """``role`` drawn italic."""
    return f"{role}.italic"


TYPE_LOOKS: dict[FrameType, TypeLook] = {
    FrameType.NODE_EXECUTION: TypeLook("●", "node", _role("node")),
    FrameType.LLM_CALL: TypeLook("◆", "llm", _role("llm")),
    FrameType.TOOL_CALL: TypeLook("■", "tool", _role("tool")),
    FrameType.ERROR: TypeLook("✖", "error", _role("error")),
    FrameType.CHECKPOINT: TypeLook("⚑", "ckpt", _role("checkpoint")),
}

ERROR_STYLE = _role("error")
ERROR_ROW_STYLE = _role("error-row")
FAILED_TOOL_GLYPH = "!"
MARK_GLYPH = "◉"
MATCH_GLYPH = "»"
EDITED_GLYPH = "✎"
REPLAYED_GLYPH = "↺"  # a fork's frame that came from the recording instead of running
SNAPSHOT_GLYPH = "⛁"  # a frame naming a snapshot of the workspace's files
SNAPSHOT_STYLE = _role("snapshot")

VALUE_STYLES: dict[str, str] = {
    kind: _role(f"value-{kind}")
    for kind in ("key", "string", "number", "bool", "null", "typed", "container", "other", "more")
}

CHANGE_STYLES: dict[str, tuple[str, str]] = {
    "added": ("+", _role("added")),
    "removed": ("-", _role("removed")),
    "changed": ("~", _role("changed")),
}

LABEL_STYLE = _role("label")
CAUTION_STYLE = _role("warning")  # the ⚠ beside a count with problems
WARNING_STYLE = bold(CAUTION_STYLE)  # something to read before going on (⚠ skipped lines, a changed dry run)
MODEL_STYLE = _role("model")  # the model's name, in the details and the status line
FORK_STYLE = _role("fork")  # whose fork this run is
TAG_STYLE = _role("tag")  # a session's tags in the session list
NAME_STYLE = _role("name")  # a session's name in the list, a key in the help
NOTE_STYLE = _role("note")  # a notice inside a dialog (the editor's note, a compare flag)
OK_STYLE = _role("ok")  # an outcome that succeeded
RUNNING_STYLE = _role("running")  # an outcome still being written
UNFINISHED_STYLE = _role("unfinished")  # an outcome that stopped without a verdict
FORK_POINT_STYLE = _role("fork-point")  # where a fork branches off
SOURCE_STYLES = {"golden": _role("source-golden"), "replayed": _role("source-replayed"), "live": ""}  # ledger

# The live marker: green follows, yellow holds the view, orange waits for the source, grey is
# finished, blue is complete, red needs the user.
MARKER_STYLES: dict[str, str] = {
    kind: _role(f"marker-{kind}") for kind in ("live", "paused", "waiting", "ended", "complete", "failed")
}

# What each role looks like under the default theme.
TUNED: dict[str, str] = {
    "node": "bold #5fafff",
    "llm": "bold #d787ff",
    "tool": "bold #ffd75f",
    "error": "bold #ff5f5f",
    "checkpoint": "bold #5fd787",
    "error-row": "#ff8787",
    "snapshot": "bold #5fd7d7",
    "value-key": "#87afd7",
    "value-string": "#87d787",
    "value-number": "#5fd7d7",
    "value-bool": "#d787d7",
    "value-null": "#d787d7 italic",
    "value-typed": "bold #ffaf5f",
    "value-container": "#8a8a8a",
    "value-other": "#bcbcbc",
    "value-more": "italic #8a8a8a",
    "added": "#5fd75f",
    "removed": "#ff5f5f",
    "changed": "#ffd75f",
    "label": "#8a8a8a",
    "warning": "#ffaf00",
    "model": "#d787ff",
    "fork": "#87afd7",
    "tag": "#87afd7",
    "name": "bold #ffd75f",
    "note": "#ffd75f",
    "ok": "#5fd75f",
    "running": "bold #5fafff",
    "unfinished": "#ffaf5f",
    "fork-point": "bold #5fd787",
    "source-golden": "green",
    "source-replayed": "cyan",
    "marker-live": "bold black on #5fd75f",
    "marker-paused": "bold black on #ffd75f",
    "marker-waiting": "bold black on #ffaf5f",
    "marker-ended": "bold black on #a8a8a8",
    "marker-complete": "bold black on #87afd7",
    "marker-failed": "bold white on #d70000",
}

# Every other theme: (the theme variable a role takes its colour from, the attributes it adds).
# The ``text-*`` variables are the theme's colours made readable on its own background.
DERIVED: dict[str, tuple[str, str]] = {
    "node": ("text-primary", "bold"),
    "llm": ("text-secondary", "bold"),
    "tool": ("text-warning", "bold"),
    "error": ("text-error", "bold"),
    "checkpoint": ("text-success", "bold"),
    "error-row": ("text-error", ""),
    "snapshot": ("text-accent", "bold"),
    "value-key": ("text-primary", ""),
    "value-string": ("text-success", ""),
    "value-number": ("text-accent", ""),
    "value-bool": ("text-secondary", ""),
    "value-null": ("text-secondary", "italic"),
    "value-typed": ("text-warning", "bold"),
    "value-container": ("foreground-muted", ""),
    "value-other": ("foreground", ""),
    "value-more": ("foreground-muted", "italic"),
    "added": ("text-success", ""),
    "removed": ("text-error", ""),
    "changed": ("text-warning", ""),
    "label": ("foreground-muted", ""),
    "warning": ("text-warning", ""),
    "model": ("text-secondary", ""),
    "fork": ("text-primary", ""),
    "tag": ("text-primary", ""),
    "name": ("text-accent", "bold"),
    "note": ("text-warning", ""),
    "ok": ("text-success", ""),
    "running": ("text-primary", "bold"),
    "unfinished": ("text-warning", ""),
    "fork-point": ("text-success", "bold"),
    "source-golden": ("text-success", ""),
    "source-replayed": ("text-secondary", ""),
}
# A marker is a badge: the theme's colour as the background, and the text that reads on it.
MARKER_BACKGROUNDS = {
    "marker-live": "success",
    "marker-paused": "warning",
    "marker-waiting": "accent",
    "marker-ended": "foreground-muted",
    "marker-complete": "primary",
    "marker-failed": "error",
}


def tuned() -> dict[str, Style]:
    """The default theme's look of every role."""
    return {role: Style.parse(definition) for role, definition in TUNED.items()}


def with_variants(base: Mapping[str, Style], variables: Mapping[str, str]) -> dict[str, Style]:
    """Each role's style by its name, plain, ``.bold`` and ``.italic``, ready for a Rich theme.

    A ``vcr-<role>`` entry of ``variables`` (a theme's own variables) replaces that role's look.
    """
    looks = dict(base)
    for role in TUNED:
        own = variables.get(f"vcr-{role}")
        if own:
            try:
                looks[role] = Style.parse(own)
            except StyleSyntaxError:  # a bad value in a theme: the role keeps its look
                pass
    styles: dict[str, Style] = {}
    for role, style in looks.items():
        name = _role(role)
        styles[name] = style
        styles[bold(name)] = style + Style(bold=True)
        styles[italic(name)] = style + Style(italic=True)
    return styles


def terminal_theme() -> RichTheme:
    """The roles as the command line prints them (a plain terminal: the default theme's look)."""
    return RichTheme(with_variants(tuned(), {}), inherit=True)


def as_spans(text: Text) -> Text:
    """``text`` with its whole-text role moved into a first span, for a ``Static`` to show.

    Textual turns a ``Text`` into styled content resolving span styles by name through the
    app's console, but reads the text's own base style as a Textual style, where a role means
    nothing. A first span over the whole text draws the same (later spans still win over it).
    """
    if not isinstance(text.style, str) or not text.style:
        return text
    moved = text.copy()
    moved.style = ""
    moved.spans.insert(0, Span(0, len(moved), text.style))
    return moved
