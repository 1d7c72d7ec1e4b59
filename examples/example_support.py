"""What the CrewAI and AutoGen examples share: naming their entry point, and editing a state from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def module_name(file: str) -> str:
    """How ``file`` imports from the current folder (``examples.crewai_crew`` from the repository)."""
    here = Path(file).resolve().with_suffix("")
    try:
        return ".".join(here.relative_to(Path.cwd().resolve()).parts)
    except ValueError:
        return here.name


def replaced(value: Any, old: str, new: str) -> Any:
    """``value`` with ``old`` replaced by ``new`` in every string it holds (how ``--replace`` edits)."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [replaced(item, old, new) for item in value]
    if isinstance(value, dict):
        return {key: replaced(item, old, new) for key, item in value.items()}
    return value


def replacing(state: dict[str, Any], edits: list[str]) -> dict[str, Any]:
    """``state`` with each ``OLD=NEW`` of ``edits`` applied; ValueError for one without ``=``."""
    for item in edits:
        old, sep, new = item.partition("=")
        if not sep or not old:
            raise ValueError(f"--replace takes OLD=NEW, not {item!r}")
        state = replaced(state, old, new)
    return state
