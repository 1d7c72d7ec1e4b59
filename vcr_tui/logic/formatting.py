"""How numbers, times and state values read on screen: short, aligned, the same in every pane.

Everything here is pure (no widgets), so it is cheap to test and safe to call from workers.
Values from a file go through ``safe_text`` before they become ``Text``.
"""

from __future__ import annotations

import math
from typing import Any

import orjson
from rich.text import Text

from recorder.encoding import describe_typed
from recorder.exact_json import dumps_exact, exact_default
from vcr_tui.logic.safe_text import clean, safe, shorten
from vcr_tui.theme import VALUE_STYLES


def is_message(value: Any) -> bool:
    """A chat message as agents record them: an object with a role and a content."""
    return isinstance(value, dict) and "role" in value and "content" in value


def format_latency(ms: float | None) -> str:
    """``850 ms``, ``12.5 ms``, ``3.2 s``, ``4m05s``: at most 7 characters."""
    if ms is None or ms <= 0:
        return ""
    if ms < 10:
        return f"{ms:.1f} ms" if ms >= 0.1 else "<0.1 ms"
    if ms < 1000:
        return f"{ms:.0f} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{rest:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def format_tokens(count: int | None) -> str:
    """``28``, ``4,096``, ``1.2M``: exact while it fits, rounded beyond."""
    if count is None:
        return ""
    if count < 1_000_000:
        return f"{count:,}"
    return f"{count / 1_000_000:.1f}M"


def format_cost(usd: float | None) -> str:
    """``$0.00042``, ``$1.25``: enough digits to tell small calls apart."""
    if usd is None:
        return ""
    if usd == 0:
        return "$0"
    if usd < 0.01:
        return f"${usd:.5f}".rstrip("0")
    if usd < 100:
        return f"${usd:.2f}"
    return f"${usd:,.0f}"


def format_timestamp(text: str, *, with_date: bool = True) -> str:
    """``2026-11-26 02:22:25.256`` from the ISO text the file holds (kept as is when unusual)."""
    if len(text) >= 19 and text[10] in "T ":
        date, clock = text[:10], text[11:]
        clock = clock[:12] if len(clock) >= 12 and clock[8] == "." else clock[:8]
        return f"{date} {clock}" if with_date else clock
    return clean(text)


def format_count(count: int, noun: str, plural: str | None = None) -> str:
    """``1 frame``, ``3 frames``, ``100,000 frames``."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def scalar_text(value: Any, limit: int = 120) -> Text:
    """One scalar value as a coloured literal: strings quoted, numbers, true/false/null."""
    if isinstance(value, str):
        body = shorten(clean(value), limit)
        text = Text('"', style=VALUE_STYLES["string"])
        text.append(body)
        text.append('"')
        if len(value) > limit:
            text.append(f" ({len(value):,} chars)", style="dim")
        return text
    if isinstance(value, bool):
        return Text("true" if value else "false", style=VALUE_STYLES["bool"])
    if value is None:
        return Text("null", style=VALUE_STYLES["null"])
    if isinstance(value, (int, float)):
        return Text(_number_text(value), style=VALUE_STYLES["number"])
    return safe(shorten(clean(repr(value)), limit), VALUE_STYLES["other"])


def _number_text(value: float) -> str:
    """A number as the file spells it: every digit of a wide integer, NaN and Infinity by name."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value) if isinstance(value, float) else int.__repr__(value)


def compact_json(value: Any, limit: int) -> str:
    """A one-line JSON spelling of ``value`` of at most ``limit`` characters, cleaned."""
    try:
        raw = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=_exact_or_repr)
    except (TypeError, orjson.JSONEncodeError):
        raw = _exact_text(value)
    text = raw[: limit * 4 + 16].decode("utf-8", errors="replace")
    return shorten(clean(text), limit)


def value_preview(value: Any, limit: int = 80) -> Text:
    """A short, literal, coloured summary of any state value for a single row."""
    typed = describe_typed(value)
    if typed is not None:
        return _typed_preview(*typed, limit)
    if isinstance(value, dict):
        text = Text(f"{{{len(value):,}}} ", style=VALUE_STYLES["container"])
        text.append(compact_json(value, max(limit - 6, 8)), style="dim")
        return text
    if isinstance(value, list):
        text = Text(f"[{len(value):,}] ", style=VALUE_STYLES["container"])
        if value and describe_typed(value[0]) is not None:
            text.append_text(_typed_items(value, max(limit - text.cell_len, 8)))
        else:
            text.append(compact_json(value, max(limit - 6, 8)), style="dim")
        return text
    return scalar_text(value, limit)


def _typed_preview(kind: str, payload: Any, limit: int, *, brief: bool = False) -> Text:
    """``AIMessage "Sure, …" +1 tool call``: a chat message by its text, other typed values by their data.

    ``brief`` leaves out the length of a cut text, for a value shown among others.
    """
    text = safe(kind, VALUE_STYLES["typed"])
    text.append(" ")
    room = max(limit - len(kind) - 1, 8)
    if isinstance(payload, dict) and isinstance(payload.get("content"), str):
        calls = payload.get("tool_calls")
        count = len(calls) if isinstance(calls, list) else 0
        note = f" +{format_count(count, 'tool call')}" if count else ""
        room = max(room - len(note) - 2, 8)
        content = payload["content"]
        if brief:
            text.append(f'"{shorten(clean(content), room)}"', style=VALUE_STYLES["string"])
        else:
            text.append_text(scalar_text(content, room))
        text.append(note, style="dim")
    elif isinstance(payload, (dict, list)):
        text.append(compact_json(payload, room), style="dim")
    else:
        text.append_text(scalar_text(payload, room))
    return text


def _typed_items(items: list[Any], limit: int) -> Text:
    """The typed values of a list (a conversation, usually) one after another, as many as fit."""
    text = Text(end="")
    each = max((limit - 6) // 2, 20)  # two messages side by side, then "…"
    for index, item in enumerate(items):
        typed = describe_typed(item)
        shown = (
            _typed_preview(*typed, each, brief=True)
            if typed is not None
            else Text(compact_json(item, each), style="dim")
        )
        gap = " · " if index else ""
        if text.cell_len + len(gap) + shown.cell_len > limit:
            text.append(f"{gap}…", style="dim")
            break
        text.append(gap, style="dim")
        text.append_text(shown)
    return text


def value_as_clipboard_text(value: Any) -> str:
    """What ``y`` copies: a string as itself, anything else as pretty JSON."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate as its escape
    try:
        raw = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS, default=_exact_or_repr)
    except (TypeError, orjson.JSONEncodeError):
        raw = _exact_text(value, indent=2)
    return raw.decode("utf-8", errors="replace")


def _exact_or_repr(value: Any) -> Any:
    """NaN, infinities and wide integers read from a file as they were written; else the repr."""
    exact = exact_default(value)
    return exact if exact is not None else repr(value)


def _exact_text(value: Any, indent: int | None = None) -> bytes:
    """JSON orjson cannot write (wide integers, lone surrogates, deep nesting), or the repr."""
    try:
        return dumps_exact(value, indent=indent)
    except ValueError:
        return repr(value).encode("utf-8", "backslashreplace")
