"""Turning agent state into JSON lines, and typed values back into Python.

Agents put anything in their state: sets, bytes, datetimes, enums, dataclasses, pydantic models,
open files. The peer accepts such a value, then fails on every later save. Here a value JSON cannot
hold is encoded once, at record time, as a typed wrapper (FORMAT.md) or a readable fallback, and
encoding never raises.

The fast path is one ``orjson.dumps`` call with a ``default`` hook. orjson serialises enum members
natively (as their bare value) without consulting the hook, so a cheap scan for enums runs first;
only states that hold one take the slower, fully converting path.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import math
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import PurePath
from typing import Any
from uuid import UUID

import orjson

_OPTIONS = (
    orjson.OPT_APPEND_NEWLINE
    | orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)
_PLAIN = (str, int, float, bool, type(None))
_MAX_DEPTH = 200


def encode_line(record: dict[str, Any]) -> bytes:
    """One record as a complete JSON line, ending in ``\\n``. Never raises for any state."""
    if _holds_enum(record, 0):
        record = to_jsonable(record)
    try:
        return orjson.dumps(record, default=_typed_or_readable, option=_OPTIONS)
    except (TypeError, orjson.JSONEncodeError):
        # Integers beyond 64 bits, cycles, depth beyond orjson's limit, keys of odd types:
        # convert everything in Python, where each of those has an answer.
        return orjson.dumps(to_jsonable(record), option=orjson.OPT_APPEND_NEWLINE)


def to_jsonable(value: Any) -> Any:
    """A JSON-compatible copy of ``value``, with typed wrappers where FORMAT.md defines them."""
    return _convert(value, 0, set())


def _holds_enum(value: Any, depth: int) -> bool:
    """Whether an enum member hides anywhere in plain containers (the one thing orjson hides)."""
    kind = type(value)
    if kind is dict:
        children = value.values()
    elif kind is list or kind is tuple:
        children = value
    else:
        return isinstance(value, enum.Enum)
    if depth > _MAX_DEPTH:
        return True  # let the converting path deal with the depth
    for child in children:  # noqa: SIM110 -- a plain loop beats any() on this hot path
        if type(child) not in _PLAIN and _holds_enum(child, depth + 1):
            return True
    return False


def _convert(value: Any, depth: int, active: set[int]) -> Any:
    if type(value) in _PLAIN:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1 << 63:
            return str(value)
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        return value
    if depth > _MAX_DEPTH:
        return "<too deep>"
    if isinstance(value, enum.Enum):
        return {
            "__type__": "Enum",
            "__class__": type(value).__name__,
            "data": _convert(value.value, depth + 1, active),
        }
    marker = id(value)
    if isinstance(value, (Mapping, list, tuple, set, frozenset)) or dataclasses.is_dataclass(value):
        if marker in active:
            return "<circular reference>"
        active.add(marker)
        try:
            return _convert_container(value, depth, active)
        finally:
            active.discard(marker)
    return _convert(_typed_or_readable(value), depth + 1, active)


def _convert_container(value: Any, depth: int, active: set[int]) -> Any:
    if isinstance(value, Mapping):
        return {_key(k): _convert(v, depth + 1, active) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_convert(v, depth + 1, active) for v in value]
    if isinstance(value, (set, frozenset)):
        return [_convert(v, depth + 1, active) for v in _stable_order(value)]
    fields = {f.name: getattr(value, f.name, None) for f in dataclasses.fields(value)}
    return {
        "__type__": type(value).__name__,
        "__module__": type(value).__module__,
        "data": _convert(fields, depth + 1, active),
    }


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, enum.Enum):
        return str(key.value)
    return str(key)


def _stable_order(items: set[Any] | frozenset[Any]) -> list[Any]:
    """Sets have no order; sort when possible so equal sets record equal lines (REPLAY compares)."""
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=repr)


def _typed_or_readable(value: Any) -> Any:
    """orjson's ``default`` hook: a JSON-able stand-in for one value it cannot serialise."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return {"__type__": "datetime", "data": value.isoformat()}
    if isinstance(value, (set, frozenset)):
        return _stable_order(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        try:
            return {"__type__": "bytes", "encoding": "utf-8", "data": raw.decode("utf-8")}
        except UnicodeDecodeError:
            return {"__type__": "bytes", "encoding": "base64", "data": base64.b64encode(raw).decode()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _convert_container(value, 0, set())
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump) and not isinstance(value, type):
        try:
            data = model_dump(mode="json")
        except Exception:  # a model whose own serialiser fails: keep its repr
            data = _safe_repr(value)
        return {"__type__": type(value).__name__, "__module__": type(value).__module__, "data": data}
    if isinstance(value, (date, time)):
        return {"__type__": type(value).__name__, "data": value.isoformat()}
    if isinstance(value, timedelta):
        return {"__type__": "timedelta", "data": value.total_seconds()}
    if isinstance(value, (Decimal, UUID, PurePath)):
        return str(value)
    if isinstance(value, enum.Enum):
        return to_jsonable(value)
    if isinstance(value, BaseException):
        return {"__type__": type(value).__name__, "data": str(value)}
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (list, tuple)):
        return list(value)
    return {"__type__": type(value).__name__, "__module__": type(value).__module__, "repr": _safe_repr(value)}


def _safe_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # repr itself can raise on half-built objects
        text = f"<unrepresentable {type(value).__name__}: {type(exc).__name__}>"
    return text if len(text) <= 2000 else text[:2000] + "…"


def decode_value(value: Any) -> Any:
    """Typed wrappers back to Python values, without importing anything a file names.

    A datetime becomes a ``datetime``; an enum becomes its value; a model, dataclass or other
    wrapped object becomes its data (the classes may not exist here, and a recording must never
    make us import a module it names).
    """
    if isinstance(value, dict):
        kind = value.get("__type__")
        if isinstance(kind, str) and ("data" in value or "repr" in value):
            return _decode_typed(kind, value)
        return {k: decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value


def _decode_typed(kind: str, value: dict[str, Any]) -> Any:
    data = value.get("data", value.get("repr"))
    if kind == "datetime" and isinstance(data, str):
        from recorder.timestamps import parse_timestamp

        parsed = parse_timestamp(data)
        return parsed if parsed is not None else data
    if kind == "bytes" and isinstance(data, str):
        if value.get("encoding") == "base64":
            try:
                return base64.b64decode(data)
            except ValueError:
                return data
        return data.encode("utf-8")
    return decode_value(data)


def describe_typed(value: Any) -> tuple[str, Any] | None:
    """(type name, payload) when ``value`` is a typed wrapper, for display; else None."""
    if isinstance(value, dict):
        kind = value.get("__type__")
        if isinstance(kind, str) and ("data" in value or "repr" in value):
            if kind == "Enum" and isinstance(value.get("__class__"), str):
                kind = value["__class__"]
            return kind, value.get("data", value.get("repr"))
    return None
