"""Value classes that cost nothing to define: equality, hash and repr taken from ``__slots__``.

A dataclass writes its methods as source and compiles each one when its module is imported:
about 3 million instructions per frozen class, some 90 million (a tenth of the first screen) for
the classes the viewer's start imports. The classes on that path declare ``__slots__`` and an
``__init__`` of their own instead; those compared or shown in messages take these three methods
from ``Slotted``, which reads the fields from ``__slots__`` when called rather than at import.
Fields are kept unchanged by convention and typed ``Final`` where a checker can hold them to it.
"""

from __future__ import annotations


class Slotted:
    """Equality by type and fields, a hash to match, and a constructor-like repr."""

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((type(self), self._fields()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({shown})"
