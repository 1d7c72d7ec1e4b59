"""What the examples share: their command line, naming their entry point, editing a state.

Each example records a run that fails, then resumes it from a frame with an edit; the options,
the listing of what was recorded and the report of the resume are the same for all of them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recorder import RecordingNotFoundError, RecordingUnreadableError, ResumeResult, VCRPlayer


def example_parser(description: str, frame_help: str = "the frame to resume from") -> argparse.ArgumentParser:
    """The options every example takes: where recordings go, or a recording to resume from a frame."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("folder", nargs="?", default=".vcr", type=Path, help="where recordings go (./.vcr)")
    parser.add_argument("--resume", type=Path, metavar="RUN.vcr", help="resume this recording instead")
    parser.add_argument("--frame", type=int, help=frame_help)
    return parser


def list_recorded(path: Path, width: int = 14, then: str = "") -> None:
    """The frames just recorded (errors marked), where they are, and how to open them."""
    with VCRPlayer.load(path) as player:
        for frame in player:
            print(f"  {frame.index:>2}  {frame.node_name:<{width}} {'error' if frame.is_error else ''}")
    print(f"recorded {path}\nopen it:   vcr-tui {path}")
    if then:
        print(then)


def resumed(source: Path, run: Callable[[], ResumeResult]) -> ResumeResult | None:
    """The result of ``run``; None, said on stderr, when ``source`` cannot be resumed from that frame."""
    try:
        return run()
    except (RecordingNotFoundError, RecordingUnreadableError, ValueError, IndexError) as exc:
        print(f"cannot resume {source}: {exc}", file=sys.stderr)
        return None


def report(
    result: ResumeResult | None, answer: Callable[[Any], str], counts: Callable[[ResumeResult], str] | None = None
) -> int:
    """Print the fork, what served its steps (``counts``) and the agent's answer; the exit status."""
    if result is None:
        return 2
    print(f"fork: {result.fork_path}")
    if counts is not None:
        print(counts(result))
    if not result.succeeded:
        print(f"the resumed run failed: {result.error}")
        return 1
    print(answer(result.output))
    return 0


def assignment(text: str) -> tuple[str, Any]:
    """``KEY=JSON`` (or ``KEY=text``) of ``--set``, as a key and a value."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise SystemExit(f"--set takes KEY=VALUE, not {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


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
