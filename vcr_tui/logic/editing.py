"""Editing a frame's state as JSON text: which editor to run, the temp file, and reading it back.

No Textual here, so the round trip can be tested with a real editor process. The screen decides
whether to run the external editor (inside ``App.suspend()``) or the in-app one; both hand their
text to ``parse_state_text`` and compare the result with what was shown, so "unchanged", "invalid"
and "edited" mean the same thing whichever editor was used.

The draft lives in its own temporary folder until the edit is accepted or given up: after a
parse error the same file is opened again, so nothing the user typed is ever lost.
"""

from __future__ import annotations

import enum
import json
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recorder.exact_json import loads_exact
from vcr_tui.logic.safe_text import HIDDEN_CODES

FALLBACK_EDITORS = ("nano", "vi")  # nano first: it shows its own keys, a newcomer can leave it

# Characters that JSON allows raw inside strings but that a terminal may act on (C1 controls,
# DEL) or that reorder a line as displayed (bidi overrides), plus the two line separators that
# some editors break lines at. They only ever occur inside strings, so escaping them is exact.
# Characters that draw nothing (zero-width spaces, invisible tags) are escaped for the same reason.
_INERT = {code: json.dumps(chr(code))[1:-1] for code in (0x7F, *range(0x80, 0xA0), *HIDDEN_CODES)}


class EditorError(Exception):
    """The external editor could not be found or started; the message says which and why."""


@dataclass(frozen=True, slots=True)
class EditorCommand:
    """The program and arguments to edit a file with, and where the choice came from."""

    argv: tuple[str, ...]
    origin: str  # "$VISUAL", "$EDITOR" or "default"

    @property
    def label(self) -> str:
        return shlex.join(self.argv)


def find_editor(environ: Mapping[str, str] | None = None) -> EditorCommand | None:
    """``$VISUAL``, then ``$EDITOR`` (split like a shell would: ``code --wait`` works), then nano or vi.

    A variable naming a program that is not installed raises ``EditorError`` (the user asked for
    that editor: say so rather than silently opening another one). None: no editor at all.
    """
    env = os.environ if environ is None else environ
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "").strip()
        if not value:
            continue
        try:
            argv = shlex.split(value)
        except ValueError as exc:
            raise EditorError(f"${name} cannot be read as a command ({exc}): {value}") from None
        if not argv:
            continue
        if shutil.which(argv[0], path=env.get("PATH")) is None:
            raise EditorError(f"${name} names {argv[0]!r}, which is not installed or not on PATH")
        return EditorCommand(tuple(argv), f"${name}")
    for program in FALLBACK_EDITORS:
        found = shutil.which(program, path=env.get("PATH"))
        if found is not None:
            return EditorCommand((found,), "default")
    return None


def run_editor(command: EditorCommand, path: Path) -> int:
    """Run the editor on ``path`` and wait for it; its exit status. Blocks: the caller suspends the UI."""
    try:
        return subprocess.run([*command.argv, str(path)], check=False).returncode
    except OSError as exc:
        raise EditorError(f"cannot start {command.label}: {exc.strerror or exc}") from None


# -- the text ---------------------------------------------------------------------------------


def state_as_text(state: Any) -> str:
    """Pretty JSON for a person to edit: two-space indents, keys in recorded order, text unescaped."""
    text = json.dumps(state, indent=2, ensure_ascii=False, allow_nan=True)
    # A lone surrogate (a file name that was not UTF-8) cannot be saved as UTF-8: it goes to the
    # editor as the escape JSON spells it with, and comes back as the same character.
    return text.translate(_INERT).encode("utf-8", "backslashreplace").decode("utf-8") + "\n"


def canonical(value: Any) -> str:
    """One spelling per value, types kept apart (``1`` is not ``1.0``, ``true`` is not ``1``)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=True, allow_nan=True)


@dataclass(frozen=True, slots=True)
class ParseError:
    """Where the text stops being a JSON object, 1-based like every editor counts."""

    message: str
    line: int
    column: int
    line_text: str = ""

    def describe(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


def parse_state_text(text: str) -> dict[str, Any] | ParseError:
    """The state in ``text``, or where and why it is not a JSON object."""
    try:
        value = loads_exact(text)
    except json.JSONDecodeError as exc:
        lines = text.splitlines()
        line_text = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else ""
        return ParseError(exc.msg, exc.lineno, exc.colno, line_text)
    except ValueError:
        return ParseError("nested too deeply, or a number too long", 1, 1)
    if not isinstance(value, dict):
        kind = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true or false"}
        got = "null" if value is None else kind.get(type(value), type(value).__name__)
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        line = text[: len(text) - len(text.lstrip())].count("\n") + 1
        return ParseError(f"a state must be a JSON object ({{...}}), this is {got}", line, 1, first)
    return value


class Outcome(enum.Enum):
    UNCHANGED = "unchanged"  # the same state as before the edit (whitespace or key order aside)
    RESTORED = "restored"  # the recorded state again: an earlier edit is undone
    EDITED = "edited"  # a new state
    INVALID = "invalid"  # not a JSON object: offer to edit again
    EMPTIED = "emptied"  # the user deleted everything: taken as "never mind"


@dataclass(frozen=True, slots=True)
class EditResult:
    outcome: Outcome
    state: dict[str, Any] | None = None
    error: ParseError | None = None


def judge(text: str, shown: dict[str, Any], recorded: dict[str, Any]) -> EditResult:
    """What the edited ``text`` means, given the state the editor started from and the recorded one."""
    if not text.strip():
        return EditResult(Outcome.EMPTIED)
    parsed = parse_state_text(text)
    if isinstance(parsed, ParseError):
        return EditResult(Outcome.INVALID, error=parsed)
    spelled = canonical(parsed)
    if spelled == canonical(shown):
        return EditResult(Outcome.UNCHANGED, state=parsed)
    if spelled == canonical(recorded):
        return EditResult(Outcome.RESTORED, state=parsed)
    return EditResult(Outcome.EDITED, state=parsed)


# -- the draft file ---------------------------------------------------------------------------


@dataclass
class StateDraft:
    """One edit in progress: the state it started from, the recorded one, and its temp file."""

    index: int
    side: str  # "input" or "output"
    shown: dict[str, Any]
    recorded: dict[str, Any]
    path: Path

    @classmethod
    def create(
        cls, index: int, side: str, shown: dict[str, Any], recorded: dict[str, Any], *, folder: Path | None = None
    ) -> StateDraft:
        """Write ``shown`` as pretty JSON into a new private folder (named so the editor's title says what it is)."""
        directory = Path(tempfile.mkdtemp(prefix="vcr-edit-", dir=folder))
        path = directory / f"frame-{index}-{side}.json"
        path.write_text(state_as_text(shown), encoding="utf-8")
        return cls(index, side, shown, recorded, path)

    def read(self) -> EditResult:
        """Read the file back and judge it; a file the editor removed or mangled is INVALID, not lost."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return EditResult(Outcome.INVALID, error=ParseError("the file was deleted", 1, 1))
        except OSError as exc:
            return EditResult(Outcome.INVALID, error=ParseError(f"cannot read it: {exc.strerror or exc}", 1, 1))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            before = raw[: exc.start]
            line = before.count(b"\n") + 1
            column = len(before) - (before.rfind(b"\n") + 1) + 1
            return EditResult(Outcome.INVALID, error=ParseError("not UTF-8 text", line, column))
        return judge(text, self.shown, self.recorded)

    def text(self) -> str:
        """What the file holds now (for the in-app editor to continue from), or the starting text."""
        try:
            return self.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return state_as_text(self.shown)

    def restore_if_missing(self) -> None:
        """Before editing again: a file the editor deleted comes back as it started."""
        if not self.path.exists():
            self.path.write_text(state_as_text(self.shown), encoding="utf-8")

    def discard(self) -> None:
        """Remove the temp file and its folder (the edit was accepted or given up)."""
        shutil.rmtree(self.path.parent, ignore_errors=True)
