"""Loading an agent named as ``module:callable``, or as ``path/to/file.py:callable``.

This imports code, so it is only ever called for a name the user typed (``--agent``) or a name
from a recording that the user has explicitly confirmed: opening a recording never runs code.
A name from a recording must pass ``parse_entry_point`` (module form only), so a recording can
never point the loader at a file.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

_SPEC = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):(?P<attr>[A-Za-z_][\w.]*)$")
_FILE_SPEC = re.compile(r"^(?P<file>[^:]+\.py):(?P<attr>[A-Za-z_][\w.]*)$")


def importable_name(func: object) -> str | None:
    """``module:qualname`` for a function that can be imported by that name again, else None."""
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or module == "__main__":
        return None
    spec = f"{module}:{qualname}"
    return spec if _SPEC.match(spec) else None  # nested functions (``<locals>``) cannot be


class EntryPointError(ValueError):
    """The entry point is malformed, cannot be imported, or names something that is not callable."""


class ModuleMissingError(EntryPointError):
    """No module of the entry point's name can be found (as opposed to one that fails to import)."""


def parse_entry_point(spec: str) -> tuple[str, str]:
    """Split ``package.module:function`` (dotted attributes allowed after the colon)."""
    match = _SPEC.match(spec.strip())
    if match is None:
        raise EntryPointError(f"{spec!r} is not of the form module:callable (e.g. my_agent.main:run)")
    return match["module"], match["attr"]


def file_entry_point(spec: str) -> tuple[Path, str] | None:
    """``path/to/agent.py:callable`` as (the file, resolved; the callable), or None for other forms."""
    match = _FILE_SPEC.match(spec.strip())
    if match is None:
        return None
    return Path(match["file"]).expanduser().resolve(), match["attr"]


def parse_agent_spec(spec: str) -> None:
    """Check a name the user typed: ``module:callable``, or an existing ``file.py:callable``."""
    found = file_entry_point(spec)
    if found is None:
        if _SPEC.match(spec.strip()) is None:
            raise EntryPointError(
                f"{spec!r} is neither module:callable (e.g. my_agent.main:run) nor path/to/agent.py:callable"
            )
        return
    path, _ = found
    if not path.is_file():
        raise EntryPointError(f"no such file: {path}")
    if not path.stem.isidentifier():
        raise EntryPointError(f"{path.name} cannot be imported as a module: rename it (letters, digits, _)")


def load_entry_point(
    spec: str, *, search_path: str | Path | None = None, allow_files: bool = False
) -> Callable[..., Any]:
    """Import the module and return the callable, with one clear sentence for each way it fails.

    ``search_path`` (usually the current directory) is put first on ``sys.path`` so an agent in
    the user's project imports the way ``python -m`` would import it. With ``allow_files`` (for
    names the user typed), ``path/to/agent.py:callable`` imports that file, with its folder first
    on ``sys.path`` instead.
    """
    found = file_entry_point(spec) if allow_files else None
    if found is not None:
        parse_agent_spec(spec)
        path, attr_path = found
        module_name, search_path = path.stem, path.parent
    else:
        module_name, attr_path = parse_entry_point(spec)
    if search_path is not None and str(search_path) not in sys.path:
        sys.path.insert(0, str(search_path))
    try:
        target: Any = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name.partition(".")[0]:
            where = f" in {search_path} or the installed packages" if search_path is not None else ""
            raise ModuleMissingError(f"cannot import {module_name!r}: no module of that name{where}") from exc
        raise EntryPointError(f"cannot import {module_name!r}: {exc}") from exc
    except Exception as exc:  # the agent's own module failed while importing
        raise EntryPointError(f"importing {module_name!r} failed: {type(exc).__name__}: {exc}") from exc
    for part in attr_path.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise EntryPointError(f"{module_name!r} has no attribute {attr_path!r}") from None
    if not callable(target) and not hasattr(target, "invoke"):  # a compiled graph is invoked, not called
        raise EntryPointError(f"{spec} is a {type(target).__name__}, not a callable")
    return target  # type: ignore[no-any-return]
