"""Public names of a package imported from their modules on first use (PEP 562).

A package's ``__init__`` that imports every module it exports makes ``import package`` pay for
all of them; a viewer that reads frames would load the workspace, resume and comparison code
before its first screen. With ``lazy_exports`` the package names where each public name lives,
and the module is imported the first time the name is asked for (``from recorder import resume``
works as before).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module
from types import ModuleType
from typing import Any


def lazy_exports(
    package: str, exports: dict[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The package's ``__getattr__`` and ``__dir__``: ``exports`` maps each name to its module."""

    def __getattr__(name: str) -> Any:
        home = exports.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(home), name)
        namespace[name] = value  # kept: the next lookup is an ordinary attribute
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    sys.modules[package].__class__ = _Package
    return __getattr__, __dir__


class _Package(ModuleType):
    """A package whose exported names win over its modules of the same name.

    Importing ``recorder.resume`` (the module) sets the attribute ``resume`` of ``recorder``, which
    would hide the function ``recorder.resume`` that is exported lazily. An eager ``__init__``
    overwrote it with the function; this keeps that meaning without importing the module early.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        exports = self.__dict__.get("EXPORTS", {})
        if isinstance(value, ModuleType) and name in exports and value.__name__ == f"{self.__name__}.{name}":
            return
        super().__setattr__(name, value)
