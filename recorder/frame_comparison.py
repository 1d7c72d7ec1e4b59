"""What ``VCRPlayer.compare_frames`` returns: the list of changes, readable as the peer's dict too.

The native answer is a list of ``StateChange`` (nested paths). Code written against the peer
reads the same result as a dict of top-level keys, ``result["added"]`` ``["removed"]``
``["modified"]`` (``{"before": ..., "after": ...}``) and ``["unchanged"]``, over the decoded
states; both views come from one call.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, SupportsIndex, overload

from recorder.diffing import StateChange

PEER_KEYS = ("added", "removed", "modified", "unchanged")


class FrameComparison(list[StateChange]):
    """A list of ``StateChange``; indexed by one of ``PEER_KEYS``, the peer's dict of that name."""

    def __init__(self, changes: list[StateChange], before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
        super().__init__(changes)
        self._peer = _peer_view(before, after)

    @overload
    def __getitem__(self, key: SupportsIndex) -> StateChange: ...
    @overload
    def __getitem__(self, key: slice) -> list[StateChange]: ...
    @overload
    def __getitem__(self, key: str) -> dict[str, Any]: ...
    def __getitem__(self, key: SupportsIndex | slice | str) -> Any:
        if isinstance(key, str):
            return self._peer[key]
        return super().__getitem__(key)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item in self._peer
        return super().__contains__(item)

    def get(self, key: str, default: Any = None) -> Any:
        return self._peer.get(key, default)

    def keys(self) -> Iterator[str]:
        return iter(self._peer)

    def items(self) -> Iterator[tuple[str, dict[str, Any]]]:
        return iter(self._peer.items())

    def as_peer_dict(self) -> dict[str, dict[str, Any]]:
        """The peer's dict itself (a copy)."""
        return {key: dict(value) for key, value in self._peer.items()}


def _peer_view(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    view: dict[str, dict[str, Any]] = {key: {} for key in PEER_KEYS}
    for key in dict.fromkeys([*before, *after]):
        if key not in before:
            view["added"][key] = after[key]
        elif key not in after:
            view["removed"][key] = before[key]
        elif before[key] != after[key]:
            view["modified"][key] = {"before": before[key], "after": after[key]}
        else:
            view["unchanged"][key] = before[key]
    return view
