"""Turning agent state into JSON lines, and typed values back into Python.

Agents put anything in their state: sets, bytes, datetimes, enums, dataclasses, pydantic models,
open files. The peer accepts such a value, then fails on every later save. Here a value JSON cannot
hold is encoded once, at record time, as a typed wrapper (see the file format in the README) or a readable fallback, and
encoding never raises.

The fast path is one ``orjson.dumps`` call with a ``default`` hook. orjson serialises enum members
natively (as their bare value) without consulting the hook, so states are checked for enums first;
only states that hold one take the slower, fully converting path. The check itself must cost far
less than the write it precedes (a Python walk over a 4 KB state costs more than serialising it),
so a conservative pre-check in C-speed builtins clears the common case; see ``may_hold_enum``.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import gc
import math
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import PurePath
from typing import Any
from uuid import UUID

import orjson

from recorder.exact_json import dumps_exact, exact_default

# Keys other than str need OPT_NON_STR_KEYS, which halves orjson's speed on every dict; states
# nearly always have str keys, so it is only turned on after a first attempt without it fails.
_STR_KEY_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_OPTIONS = _STR_KEY_OPTIONS | orjson.OPT_NON_STR_KEYS
_PLAIN = (str, int, float, bool, type(None))
_PLAIN_TYPES = frozenset(_PLAIN)
_CONTAINERS = frozenset((dict, list, tuple))
_DICT_ONLY = frozenset((dict,))
MAX_DEPTH = 200  # levels of nesting kept as structure when a state is stored or read
# The pre-check relies on CPython's cycle-collector bookkeeping; elsewhere the exact scan runs.
_TRACKING_IS_RELIABLE = sys.implementation.name == "cpython"


def encode_line(
    record: dict[str, Any], *, caller_parts: Sequence[Any] | None = None, newline: bool = True, copied: bool = False
) -> bytes:
    """One record as a complete JSON line, ending in ``\\n``. Never raises for any state.

    ``caller_parts`` lets the recorder say which values inside ``record`` came from its caller
    (states, metadata); everything else must be str, number or None built by the engine. Only
    those parts are then checked for enum members, which saves the walk down to them.
    ``newline=False`` leaves the newline off, for a value that will be embedded in a line as it
    is (a copy of a long state saved). ``copied`` says the record was read from a file: what
    orjson cannot write of it (wide integers, lone surrogates, nesting beyond its limit) is then
    written back exactly rather than converted.
    """
    try:  # a record read from a file holds JSON values only: no enum member to look for
        if not copied and may_hold_enum([record] if caller_parts is None else caller_parts) and _holds_enum(record, 0):
            record = to_jsonable(record)
    except Exception:  # an object that fails even to be looked at (a raising __class__)
        record = to_jsonable(record)
    end = orjson.OPT_APPEND_NEWLINE if newline else 0
    try:
        return orjson.dumps(record, default=_typed_or_readable, option=_STR_KEY_OPTIONS | end)
    except (TypeError, orjson.JSONEncodeError):
        pass
    try:
        return orjson.dumps(record, default=_typed_or_readable, option=_OPTIONS | end)
    except (TypeError, orjson.JSONEncodeError):
        pass
    if copied:
        try:
            line = dumps_exact(record)
        except ValueError:
            pass
        else:
            return line + b"\n" if newline else line
    # Integers beyond 64 bits, cycles, depth beyond orjson's limit, keys of odd types: convert
    # everything in Python, where each of those has an answer. Lone surrogates (a file name
    # from ``os.listdir`` that is not UTF-8) are then written as the escapes Python's json uses.
    converted = to_jsonable(record)
    try:
        return orjson.dumps(converted, option=end)
    except (TypeError, orjson.JSONEncodeError):
        pass
    try:
        line = dumps_exact(converted)
    except ValueError:
        line = orjson.dumps(_readable(converted))
    return line + b"\n" if newline else line


def encode_searched(value: Any, *, newline: bool = False) -> bytes:
    """``encode_line(value, caller_parts=(), newline=newline)`` for a value already searched for enums.

    An integration that searched a state itself (``may_hold_enum``) calls this before every
    step; going straight to orjson spares it two calls on that path.
    """
    try:
        return orjson.dumps(
            value,
            default=_typed_or_readable,
            option=_STR_KEY_OPTIONS | (orjson.OPT_APPEND_NEWLINE if newline else 0),
        )
    except (TypeError, orjson.JSONEncodeError):
        return encode_line(value, caller_parts=(), newline=newline)


def to_jsonable(value: Any) -> Any:
    """A JSON-compatible copy of ``value``, with typed wrappers where the file format defines them.

    Never raises: an object that fails while being converted (a raising ``__repr__``,
    ``__getattr__``, ``__lt__`` or ``__str__``) is stored as a readable stand-in.
    """
    return _convert(value, 0, set())


def _readable(value: Any) -> Any:
    """``value`` with every string made valid UTF-8: the last resort before writing a line."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_readable(k): _readable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_readable(v) for v in value]
    return value


def may_hold_enum(roots: Sequence[Any]) -> bool:
    """A conservative pre-check for ``_holds_enum``: False means no enum member can be inside.

    CPython leaves a dict or tuple untracked by its cycle collector while it holds only atomic
    values (str, int, float, bool, None, other untracked containers) and starts tracking it the
    moment anything else is stored in it; lists and enum members are always tracked. So an enum
    member is reachable only through tracked containers. Following tracked objects level by level
    with ``gc.get_referents`` and ``filter(gc.is_tracked, ...)`` runs in C and skips every plain
    leaf and every all-atomic dict (the messages of a typical state); only when an object other
    than a dict, list or tuple turns up, or the structure is deeper than the limit, does the exact
    Python scan get to decide. A Python walk costs more than serialising the state; this, a third.
    """
    if not _TRACKING_IS_RELIABLE:
        return True
    level = roots
    for _ in range(MAX_DEPTH):
        if not _CONTAINERS.issuperset(map(type, level)):
            return True
        level = [*filter(gc.is_tracked, gc.get_referents(*level))]
        if not level:
            return False
    return True


def flat_dicts(items: Any) -> bool:
    """Whether ``items`` is a list of dicts holding only atomic values (a chat's messages, mostly).

    For an integration to vouch that a state holds no enum member (``searched``) without the
    level-by-level walk of ``may_hold_enum``: the same rule (a dict of atomic values is left
    untracked) in a few C calls. False only means "not known to be flat".
    """
    return (
        _TRACKING_IS_RELIABLE
        and type(items) is list
        and _DICT_ONLY.issuperset(map(type, items))
        and not any(map(gc.is_tracked, items))
    )


def _holds_enum(value: Any, depth: int) -> bool:
    """Whether an enum member hides anywhere in plain containers (the one thing orjson hides)."""
    kind = type(value)
    if kind is dict:
        children = value.values()
    elif kind is list or kind is tuple:
        children = value
    else:
        return isinstance(value, enum.Enum)
    if depth > MAX_DEPTH:
        return True  # let the converting path deal with the depth
    for child in children:  # noqa: SIM110 -- a plain loop beats any() on this hot path
        if type(child) not in _PLAIN and _holds_enum(child, depth + 1):
            return True
    return False


def _convert(value: Any, depth: int, active: set[int]) -> Any:
    if type(value) in _PLAIN:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1 << 63:
            return _int_text(value)
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        return value
    if depth > MAX_DEPTH:
        return "<too deep>"
    kind = type(value)
    if kind is orjson.Fragment:
        return value  # JSON encoded already (a state the recorder embeds as it is)
    exact = exact_default(value)
    if exact is not None:
        return exact  # a value read from a file, written back as it was
    try:
        if isinstance(value, enum.Enum):
            return {
                "__type__": "Enum",
                "__class__": kind.__name__,
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
    except RecursionError:
        return "<too deep>"
    except Exception as exc:  # a container or enum whose own methods raise
        return _unreadable(value, exc)
    return _convert(_typed_or_readable(value), depth + 1, active)


def _int_text(value: int) -> str:
    """An integer too wide for JSON readers, as its digits (or its size beyond 4,300 digits)."""
    try:
        return str(value)
    except ValueError:
        return f"<integer of {value.bit_length()} bits>"


def _unreadable(value: Any, exc: BaseException) -> dict[str, Any]:
    """The stand-in for a value that raised while being stored: its type and what it raised."""
    kind = type(value)
    return {
        "__type__": _plain_text(kind.__name__),
        "__module__": _plain_text(kind.__module__),
        "data": f"<unreadable {_plain_text(kind.__name__)}: {type(exc).__name__}>",
    }


def _plain_text(value: Any) -> str:
    return value if isinstance(value, str) else "?"


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
    try:
        if isinstance(key, enum.Enum):
            return str(key.value)
        return str(key)
    except Exception:  # a key whose __str__ raises
        return _safe_repr(key)


def _stable_order(items: set[Any] | frozenset[Any]) -> list[Any]:
    """Sets have no order; sort when possible so equal sets record equal lines (REPLAY compares)."""
    try:
        return sorted(items)
    except Exception:  # unorderable members, or a __lt__ that raises
        return sorted(items, key=_safe_repr)


def _typed_or_readable(value: Any) -> Any:
    """orjson's ``default`` hook: a JSON-able stand-in for one value it cannot serialise. Never raises."""
    try:
        return _stand_in(value)
    except Exception as exc:  # a value whose __getattr__, __str__ or serialiser raises
        return _unreadable(value, exc)


def _stand_in(value: Any) -> Any:
    exact = exact_default(value)
    if exact is not None:
        return exact
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
    # The repr goes under "data": the peer's loader reads every typed wrapper's "data" and fails
    # on one without it. Files that said "repr" instead still decode.
    return {"__type__": type(value).__name__, "__module__": type(value).__module__, "data": _safe_repr(value)}


def safe_str(value: Any) -> str:
    """``str(value)``, or a stand-in naming its type when its ``__str__`` raises."""
    try:
        text = str(value)
    except Exception as exc:
        return f"<unprintable {type(value).__name__}: {type(exc).__name__}>"
    return text if type(text) is str else f"<unprintable {type(value).__name__}>"


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
    # Plain leaves are passed over without a call: this runs on every state a viewer shows.
    kind = type(value)
    if kind is dict or (kind is not list and isinstance(value, dict)):
        typed = value.get("__type__")
        if typed is not None and isinstance(typed, str) and ("data" in value or "repr" in value):
            return _decode_typed(typed, value)
        return {k: v if type(v) in _PLAIN_TYPES else decode_value(v) for k, v in value.items()}
    if kind is list or isinstance(value, list):
        return [v if type(v) in _PLAIN_TYPES else decode_value(v) for v in value]
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
