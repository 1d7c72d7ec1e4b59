"""The one gate every string from a recording passes before it reaches the screen.

A ``.vcr`` file is untrusted: a node name or a state value may hold Rich markup (``[bold red]``,
``[link=...]``) or terminal control sequences (ESC, OSC 52 clipboard writes, BEL, carriage returns
that overwrite what was drawn). Markup is neutralised by never parsing file text as markup: it is
wrapped in ``rich.text.Text`` objects, which are literal. Control characters are made visible here:
C0 controls become their Unicode "control picture" (ESC shows as ␛), C1 controls and the bidi
overrides that can reorder a line (Trojan Source) become ``\\x9b`` / ``\\u202e`` escapes. So do
the characters that draw nothing at all (zero-width spaces and joiners, invisible tags, fillers),
which would let ``tool:rm\\u200b`` pass for ``tool:rm``, and lone surrogates (a file name that was
not UTF-8), which a terminal cannot even be sent.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

_CONTROL_PICTURES = 0x2400  # U+2400 "SYMBOL FOR NULL" ... U+241F
_DELETE_PICTURE = "\u2421"
_NEWLINE_MARK = "↵"
_TAB_MARK = "⇥"
_BIDI_CONTROLS = frozenset(
    [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)],
)
# Characters that take no visible space: soft hyphen, combining grapheme joiner, Hangul and
# Khmer fillers, Mongolian selectors, zero-width space / joiners, word joiner and invisible
# operators, deprecated format characters, BOM, line and paragraph separators, interlinear
# annotation marks, and the tag characters that can smuggle invisible ASCII.
_INVISIBLE = frozenset(
    [
        0x00AD,
        0x034F,
        0x115F,
        0x1160,
        0x17B4,
        0x17B5,
        *range(0x180B, 0x1810),
        *range(0x200B, 0x200E),
        0x2028,
        0x2029,
        *range(0x2060, 0x2066),
        *range(0x206A, 0x2070),
        0x3164,
        0xFEFF,
        0xFFA0,
        *range(0xFFF9, 0xFFFC),
        0xE0001,
        *range(0xE0020, 0xE0080),
    ],
)
_SURROGATES = range(0xD800, 0xE000)
HIDDEN_CODES = frozenset((*_BIDI_CONTROLS, *_INVISIBLE))
"""Code points that reorder a line or draw nothing; shown escaped wherever file text is shown."""


def _build_table() -> dict[int, str]:
    """The one-line table; the multi-line one differs only in newlines and tabs."""
    table: dict[int, str] = {}
    for code in range(0x20):
        table[code] = chr(_CONTROL_PICTURES + code)
    table[0x7F] = _DELETE_PICTURE
    for code in range(0x80, 0xA0):
        table[code] = f"\\x{code:02x}"
    for code in (*HIDDEN_CODES, *_SURROGATES):
        table[code] = f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    table[ord("\n")] = _NEWLINE_MARK
    table[ord("\t")] = _TAB_MARK
    return table


# Built once and copied: each holds a few thousand entries, and every start builds them.
_ONE_LINE = _build_table()
_MULTI_LINE = {**_ONE_LINE, ord("\n"): "\n", ord("\t"): "    "}


def clean(text: str, *, multiline: bool = False) -> str:
    """``text`` with every control character replaced by a visible, inert stand-in.

    With ``multiline`` newlines are kept (and tabs become spaces); otherwise they are shown as
    ↵ and ⇥ so a value always stays on its own row.
    """
    return text.translate(_MULTI_LINE if multiline else _ONE_LINE)


def safe(text: object, style: str | Style = "", *, multiline: bool = False) -> Text:
    """A literal ``Text`` for any value from a file: markup is not parsed, controls are visible."""
    return Text(clean(text if isinstance(text, str) else str(text), multiline=multiline), style=style)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in … when cut. Works on already cleaned text."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"
