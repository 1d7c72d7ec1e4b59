"""LangChain messages in the typed form a frame stores them in, built once per message.

A LangGraph state usually holds the whole conversation, and every node's frame records all of
it again: node N of a chat writes N messages it wrote before. Two costs per message and frame
used to dominate recording such a state: building the typed wrapper
``{"__type__", "__module__", "data"}`` and the encoder's search for enum members (orjson would
write an enum member as its bare value, losing the type the file format keeps). Both depend only on
the message, so both are paid once: the wrapper is kept for as long as the message lives, and
a message that was searched and held no enum member is not searched again.

What stays exact: the wrapper's ``data`` is the message's own live ``__dict__``, so every frame
serialises the message as it is at that moment, edits in place included; a message that gains
pydantic extra fields (which live outside ``__dict__``) goes back to the encoder's own path.
What a kept verdict can miss: an enum member put *later*, in place, inside a message already
recorded (say, appended to its ``additional_kwargs``) is written as its value instead of as a
typed enum. Resuming decodes a typed enum to its value anyway, so the state a resume hands the
graph is the same either way.

Messages are held weakly (keyed by ``id``, checked by identity), so the cache never keeps a
conversation alive and an id reused by a new object never matches.
"""

from __future__ import annotations

import weakref
from typing import Any

from langchain_core.messages import BaseMessage

Wrapper = dict[str, Any]


class _Ref(weakref.ref):  # type: ignore[type-arg]
    """A weak reference that knows its cache key, so its death can remove exactly its entry."""

    __slots__ = ("key",)
    key: int


class MessageWrappers:
    """Typed wrappers of LangChain messages, kept while each message lives, with their enum verdicts."""

    def __init__(self) -> None:
        self._checked: dict[int, tuple[_Ref, Wrapper]] = {}
        self._heads: dict[type, tuple[str, str]] = {}

    def __len__(self) -> int:
        return len(self._checked)

    def wrap_state(self, state: Any) -> tuple[Any, list[Any], list[tuple[Any, Any]]]:
        """(state with message lists as wrappers, parts still to search for enums, new wrappers).

        Message lists are recognised by a message in their last place (where a chat appends).
        The parts to search are the state's other values and every wrapper (or non-message
        item) not known to be free of enum members; pass them to ``may_hold_enum``, and the new
        (message, wrapper) pairs to ``remember`` when it found none.
        """
        if type(state) is not dict:
            return state, [state], []
        replaced: dict[str, Any] | None = None
        fresh: list[tuple[Any, Any]] = []
        others: list[Any] = []
        for key, value in state.items():
            if type(value) is list and value and isinstance(value[-1], BaseMessage):
                if replaced is None:
                    replaced = dict(state)
                replaced[key] = self._wrap_list(value, fresh)
            else:
                others.append(value)
        if replaced is None:
            return state, [state], []
        return replaced, [others, *(wrapper for _, wrapper in fresh)], fresh

    def wrap(self, item: Any) -> Any:
        """One message as its wrapper (any other value as it is), without consulting the verdicts."""
        head = self._head(type(item))
        if head is None or item.__pydantic_extra__:
            return item  # extra fields live outside __dict__: the encoder's own path keeps them
        return {"__type__": head[0], "__module__": head[1], "data": item.__dict__}

    def remember(self, fresh: list[tuple[Any, Any]]) -> None:
        """Keep new wrappers that a search found free of enum members, for the messages they wrap."""
        checked = self._checked
        for item, wrapper in fresh:
            if type(wrapper) is not dict:
                continue  # not a message, or one the encoder handles itself
            key = id(item)
            ref = _Ref(item, self._forget)
            ref.key = key
            checked[key] = (ref, wrapper)

    def _wrap_list(self, items: list[Any], fresh: list[tuple[Any, Any]]) -> list[Any]:
        checked = self._checked
        out: list[Any] = []
        for item in items:
            entry = checked.get(id(item))
            if entry is not None:
                held = entry[0]()
                if held is item and held is not None and not held.__pydantic_extra__:
                    out.append(entry[1])
                    continue
            wrapper = self.wrap(item)
            out.append(wrapper)
            fresh.append((item, wrapper))
        return out

    def _head(self, kind: type) -> tuple[str, str] | None:
        head = self._heads.get(kind)
        if head is None:
            if not issubclass(kind, BaseMessage):
                return None
            head = self._heads[kind] = (kind.__name__, kind.__module__)
        return head

    def _forget(self, ref: _Ref) -> None:
        entry = self._checked.get(ref.key)
        if entry is not None and entry[0] is ref:
            self._checked.pop(ref.key, None)
