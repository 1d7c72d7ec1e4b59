"""Between LangGraph states and recorded JSON: what a node received, and a recorded state made live.

Recording: a node receives its state as a dict (TypedDict schemas), a pydantic model or a
dataclass; the frame stores its fields as a JSON object. The input is serialised *before* the
node runs, because LangGraph hands nodes its channel values themselves and a node that appends
to ``state["messages"]`` in place would otherwise rewrite what it was given.

Resuming: a recorded state is JSON, but the graph's nodes and reducers expect the objects they
were written for. LangChain messages are rebuilt through langchain-core's own fixed table of
message types (never by importing a module the file names); other typed values (models and
dataclasses) are rebuilt by validating them against the type the graph's own state schema
declares for their key. Anything that cannot be rebuilt stays plain data.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import Any

import orjson

from recorder.encoding import decode_value, encode_line, encode_searched, may_hold_enum
from recorder.exact_json import loads_exact
from recorder.integrations.langgraph.messages import MessageWrappers

_MESSAGES_MODULE = "langchain_core.messages"
# One per process: entries are keyed by the message objects themselves and die with them.
MESSAGE_WRAPPERS = MessageWrappers()


def state_fields(value: Any) -> dict[str, Any]:
    """A node's state (or update) as a shallow dict of its fields, for recording."""
    if isinstance(value, dict):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    fields = getattr(type(value), "model_fields", None)
    if isinstance(fields, dict):  # a pydantic model: its fields, values left for the encoder
        return {name: getattr(value, name, None) for name in fields}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name, None) for field in dataclasses.fields(value)}
    return {"value": value}


def snapshot(state: dict[str, Any]) -> bytes:
    """The state serialised now, exactly as a frame would store it (a fast deep copy), without a newline.

    This runs before every node, over the whole conversation; see ``searched`` for why that
    stays cheap.
    """
    wrapped, clean = searched(state)
    return encode_searched(wrapped) if clean else encode_line(wrapped, newline=False)


def searched(state: dict[str, Any]) -> tuple[Any, bool]:
    """The state with its messages as wrappers, and whether it surely holds no enum member.

    Messages already recorded and known to hold no enum member are not searched again (see
    ``messages``). A node's update is written as it is right after the node returns,
    so it needs no copy: it goes into the frame's line directly, searched here.
    """
    wrapped, unchecked, fresh = MESSAGE_WRAPPERS.wrap_state(state)
    if may_hold_enum(unchecked):
        return wrapped, False
    MESSAGE_WRAPPERS.remember(fresh)
    return wrapped, True


def from_snapshot(data: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:  # lone surrogates are written as Python's json escapes them
        value = loads_exact(data)
    return value if isinstance(value, dict) else {"value": value}


class StateDecoder:
    """Turns recorded states back into values a graph's nodes and reducers accept."""

    def __init__(self, schema: Any) -> None:
        self._hints = _type_hints(schema)
        self._adapters: dict[str, Any] = {}

    def decode(self, state: Mapping[str, Any]) -> dict[str, Any]:
        return {key: self.decode_value(key, value) for key, value in state.items()}

    def decode_value(self, key: str, raw: Any) -> Any:
        value = _revive(raw)
        if key in self._hints and _holds_model(raw):
            adapter = self._adapter(key)
            if adapter is not None:
                try:
                    return adapter.validate_python(value)
                except Exception:  # the schema does not describe this value: keep it as data
                    return value
        return value

    def _adapter(self, key: str) -> Any:
        if key not in self._adapters:
            try:
                from pydantic import TypeAdapter

                self._adapters[key] = TypeAdapter(self._hints[key])
            except Exception:  # a type pydantic cannot validate
                self._adapters[key] = None
        return self._adapters[key]


def _type_hints(schema: Any) -> dict[str, Any]:
    if schema is None:
        return {}
    try:
        return typing.get_type_hints(schema)
    except Exception:  # unresolvable forward references: decode without hints
        return {}


def _revive(value: Any) -> Any:
    """``decode_value``, except that recorded LangChain messages come back as message objects."""
    if isinstance(value, dict):
        kind = value.get("__type__")
        if isinstance(kind, str) and ("data" in value or "repr" in value):
            message = _message(value)
            return message if message is not None else decode_value(value)
        return {k: _revive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_revive(v) for v in value]
    return value


def _message(wrapper: dict[str, Any]) -> Any:
    module = wrapper.get("__module__")
    data = wrapper.get("data")
    if not (isinstance(module, str) and module.startswith(_MESSAGES_MODULE) and isinstance(data, dict)):
        return None
    try:
        from langchain_core.messages import messages_from_dict

        return messages_from_dict([{"type": data.get("type"), "data": decode_value(data)}])[0]
    except Exception:  # not a message type langchain-core knows, or fields it refuses
        return None


def _holds_model(value: Any) -> bool:
    """Whether a recorded value holds a model or dataclass (other than a message) to rebuild."""
    if isinstance(value, dict):
        module = value.get("__module__")
        if isinstance(value.get("__type__"), str) and isinstance(module, str):
            return not module.startswith(_MESSAGES_MODULE)
        return any(_holds_model(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_model(v) for v in value)
    return False
