"""Loading an agent named as ``module:callable``.

This imports code, so it is only ever called for a name the user typed (``--agent``) or a name
from a recording that the user has explicitly confirmed: opening a recording never runs code.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

_SPEC = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):(?P<attr>[A-Za-z_][\w.]*)$")


class EntryPointError(ValueError):
    """The entry point is malformed, cannot be imported, or names something that is not callable."""


def parse_entry_point(spec: str) -> tuple[str, str]:
    """Split ``package.module:function`` (dotted attributes allowed after the colon)."""
    match = _SPEC.match(spec.strip())
    if match is None:
        raise EntryPointError(f"{spec!r} is not of the form module:callable (e.g. my_agent.main:run)")
    return match["module"], match["attr"]


def load_entry_point(spec: str, *, search_path: str | Path | None = None) -> Callable[..., Any]:
    """Import the module and return the callable, with one clear sentence for each way it fails.

    ``search_path`` (usually the current directory) is put first on ``sys.path`` so an agent in
    the user's project imports the way ``python -m`` would import it.
    """
    module_name, attr_path = parse_entry_point(spec)
    if search_path is not None and str(search_path) not in sys.path:
        sys.path.insert(0, str(search_path))
    try:
        target: Any = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise EntryPointError(f"cannot import {module_name!r}: {exc}") from exc
    except Exception as exc:  # the agent's own module failed while importing
        raise EntryPointError(f"importing {module_name!r} failed: {type(exc).__name__}: {exc}") from exc
    for part in attr_path.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise EntryPointError(f"{module_name!r} has no attribute {attr_path!r}") from None
    if not callable(target):
        raise EntryPointError(f"{spec} is a {type(target).__name__}, not a callable")
    return target  # type: ignore[no-any-return]
