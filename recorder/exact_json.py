"""JSON that orjson refuses or rounds, read and written back with its exact values.

Python's ``json`` (which the peer writes with) emits ``NaN``, ``Infinity`` and ``-Infinity``,
integers of any size, and ``\\ud800``-style escapes of lone surrogates. orjson refuses the first
and the last, and silently turns an integer beyond 64 bits into a rounded float, so ``2**80`` and
``2**80 + 1`` would read as the same value. Such lines are rare: orjson stays the parser of every
ordinary line, and only a line it refuses, or one that may hold a wide integer, is parsed again
here with the standard library.

Values parsed here that orjson cannot write back keep a marker type (``NonFinite``, ``WideInt``),
so that a copy into a fork goes through the encoder's hooks and comes out as it went in, instead
of orjson writing ``null`` for a NaN or rounding the integer.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

# A run of 19 digits may be an integer beyond 64 bits, which orjson rounds to a float. Digits
# inside strings count too, which only costs a slower, exact parse. Mapping every digit to "0"
# and searching for the run is a C-speed pass; a regular expression costs ten times as much.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_NINETEEN_DIGITS = b"0" * 19
_INT64_MIN = -(1 << 63)
_UINT64_END = 1 << 64


class NonFinite(float):
    """A NaN or infinity read from a file; written back as ``NaN`` / ``Infinity`` / ``-Infinity``."""

    __slots__ = ()

    def json_text(self) -> bytes:
        if math.isnan(self):
            return b"NaN"
        return b"Infinity" if self > 0 else b"-Infinity"


class WideInt(int):
    """An integer beyond 64 bits read from a file; written back digit for digit."""

    __slots__ = ()


def may_hold_wide_int(text: bytes) -> bool:
    """Whether orjson might have rounded an integer of this line (a cheap, conservative scan)."""
    return text.translate(_DIGITS_AS_ZERO).find(_NINETEEN_DIGITS) >= 0


def _parse_int(text: str) -> int:
    value = int(text)
    return value if _INT64_MIN <= value < _UINT64_END else WideInt(value)


def _parse_float(text: str) -> float:
    value = float(text)
    return value if math.isfinite(value) else NonFinite(value)


def _parse_constant(text: str) -> float:
    return NonFinite(text.replace("Infinity", "inf"))


def loads_exact(text: bytes | str) -> Any:
    """Parse with the standard library, keeping NaN, infinities, wide integers and lone surrogates.

    Raises ``ValueError`` (``json.JSONDecodeError`` included) for text that is not JSON, for an
    integer too long to convert (over 4,300 digits) and for nesting Python cannot follow.
    """
    try:
        return json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except RecursionError as exc:
        raise ValueError("nested too deeply to read") from exc


def exact_default(value: Any) -> Any:
    """orjson ``default`` hook part for the marker types; None when ``value`` is not one."""
    if type(value) is NonFinite:
        return orjson.Fragment(value.json_text())
    if type(value) is WideInt:
        return orjson.Fragment(int.__repr__(value).encode())
    return None


def dumps_exact(value: Any, *, indent: int | None = None) -> bytes:
    """JSON for any JSON-shaped value, exactly: big integers, NaN, infinities, lone surrogates.

    The last leave as ``\\udXXX`` escapes, the same text Python's ``json`` wrote them as, so a
    surrogate read from a file is written back as it was. orjson ``Fragment`` values (states the
    recorder embeds as they are) are read back first, because the standard library cannot embed
    them. Raises ``ValueError`` for values that are not JSON-shaped or are nested too deeply.
    """
    try:
        text = json.dumps(
            value,
            ensure_ascii=False,
            allow_nan=True,
            indent=indent,
            separators=(",", ": ") if indent is not None else (",", ":"),
            default=_fragment_value,
        )
    except RecursionError:
        text = _dumps_iteratively(value)  # deeper than the standard library follows
    except TypeError as exc:
        raise ValueError(f"cannot write as JSON: {exc}") from exc
    return text.encode("utf-8", "backslashreplace")


def _fragment_value(value: Any) -> Any:
    if type(value) is orjson.Fragment:
        return loads_exact(orjson.dumps(value))
    raise TypeError(f"{type(value).__name__} is not JSON")


class _Raw(str):
    """Text that goes into the output as it is (brackets, commas, keys already spelled)."""

    __slots__ = ()


def _dumps_iteratively(value: Any) -> str:
    """Compact JSON with an explicit stack, for values nested deeper than recursion allows."""
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is _Raw:
            out.append(item)
        elif isinstance(item, dict):
            out.append("{")
            stack.append(_Raw("}"))
            for position, (key, child) in reversed(list(enumerate(item.items()))):
                stack.append(child)
                key_text = json.dumps(key if isinstance(key, str) else str(key), ensure_ascii=False)
                stack.append(_Raw(("," if position else "") + key_text + ":"))
        elif isinstance(item, (list, tuple)):
            out.append("[")
            stack.append(_Raw("]"))
            for position, child in reversed(list(enumerate(item))):
                stack.append(child)
                if position:
                    stack.append(_Raw(","))
        elif kind is orjson.Fragment:
            out.append(orjson.dumps(item).decode("utf-8"))
        else:
            try:
                out.append(json.dumps(item, ensure_ascii=False, allow_nan=True))
            except TypeError as exc:
                raise ValueError(f"cannot write as JSON: {exc}") from exc
    return "".join(out)
