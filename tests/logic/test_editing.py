"""The editor round trip without the app: which editor runs, the temp file, reading it back.

The editors here are real programs (small Python scripts named through ``$EDITOR``), run as
subprocesses exactly as the app runs them inside ``App.suspend()``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.support.editor_scripts import BREAK_THEN_FIX, FIX_FORMULA, LEAVE_ALONE, runs_seen, write_editor
from vcr_tui.logic.editing import (
    EditorCommand,
    EditorError,
    Outcome,
    StateDraft,
    find_editor,
    judge,
    parse_state_text,
    run_editor,
    state_as_text,
)

STATE = {"task": "convert", "plan": ["write", "test"], "formula": "(f - 32) * 9 / 5", "n": 1}
PATH = os.environ.get("PATH", "")


def editor_for(command: str) -> EditorCommand:
    found = find_editor({"EDITOR": command, "PATH": PATH})
    assert found is not None
    return found


# -- which editor ----------------------------------------------------------------------------


def test_visual_wins_over_editor_and_arguments_are_split_like_a_shell() -> None:
    found = find_editor({"VISUAL": f"{sys.executable} -X 'utf8' --", "EDITOR": "vi", "PATH": PATH})
    assert found == EditorCommand((sys.executable, "-X", "utf8", "--"), "$VISUAL")


def test_editor_is_used_when_visual_is_empty() -> None:
    found = find_editor({"VISUAL": "  ", "EDITOR": f"{sys.executable} -u", "PATH": PATH})
    assert found is not None and found.argv == (sys.executable, "-u") and found.origin == "$EDITOR"


def test_an_editor_that_is_not_installed_is_named_not_replaced() -> None:
    with pytest.raises(EditorError, match="EDITOR names 'no-such-editor-4711'"):
        find_editor({"EDITOR": "no-such-editor-4711 --wait", "PATH": PATH})


def test_an_unbalanced_quote_is_reported() -> None:
    with pytest.raises(EditorError, match="cannot be read as a command"):
        find_editor({"EDITOR": "code --wait 'x", "PATH": PATH})


def test_the_default_is_nano_or_vi_and_nothing_without_them(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    assert find_editor({"PATH": str(bin_dir)}) is None
    vi = bin_dir / "vi"
    vi.write_text("#!/bin/sh\n")
    vi.chmod(0o755)
    assert find_editor({"PATH": str(bin_dir)}) == EditorCommand((str(vi),), "default")
    nano = bin_dir / "nano"
    nano.write_text("#!/bin/sh\n")
    nano.chmod(0o755)
    assert find_editor({"PATH": str(bin_dir)}) == EditorCommand((str(nano),), "default")


# -- the text --------------------------------------------------------------------------------


def test_the_text_is_pretty_json_in_recorded_key_order() -> None:
    text = state_as_text({"z": 1, "a": {"b": [1, 2]}, "é": "ünïcode"})
    assert text.startswith('{\n  "z": 1,\n  "a": {\n    "b": [\n')
    assert '"é": "ünïcode"' in text
    assert text.endswith("}\n")


def test_terminal_controls_and_bidi_overrides_are_escaped_and_round_trip_exactly() -> None:
    state = {"evil\u202ekey": "a\x1b[31mb\x9bc\u2028d\x7f", "ok": "tab\there"}
    text = state_as_text(state)
    assert all(ch not in text for ch in ("\x1b", "\x9b", "\u202e", "\u2028", "\x7f"))
    assert json.loads(text) == state


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{\n  "a": 1\n  "b": 2\n}', 3, 3, "Expecting ',' delimiter"),
        ('{\n  "a": tru\n}', 2, 8, "Expecting value"),
        ("[1, 2]", 1, 1, "must be a JSON object"),
        ('\n\n  "just text"', 3, 1, "this is a string"),
        ("null", 1, 1, "this is null"),
    ],
)
def test_parse_errors_say_line_and_column(text: str, line: int, column: int, words: str) -> None:
    error = parse_state_text(text)
    assert not isinstance(error, dict)
    assert (error.line, error.column) == (line, column)
    assert words in error.message
    assert f"line {line}, column {column}" in error.describe()


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        (state_as_text(STATE), Outcome.UNCHANGED),
        (json.dumps(dict(reversed(list(STATE.items())))), Outcome.UNCHANGED),  # key order and spacing only
        (json.dumps({**STATE, "n": 1.0}), Outcome.EDITED),  # 1.0 is not 1
        (json.dumps({**STATE, "n": True}), Outcome.EDITED),  # true is not 1
        (json.dumps({**STATE, "formula": "x"}), Outcome.EDITED),
        ("  \n", Outcome.EMPTIED),
        ("{", Outcome.INVALID),
    ],
)
def test_judging_the_text_against_what_was_shown(text: str, outcome: Outcome) -> None:
    assert judge(text, STATE, STATE).outcome is outcome


def test_going_back_to_the_recorded_state_is_a_restore() -> None:
    edited = {**STATE, "formula": "(f - 32) * 5 / 9"}
    result = judge(state_as_text(STATE), shown=edited, recorded=STATE)
    assert result.outcome is Outcome.RESTORED and result.state == STATE


# -- the round trip with a real editor process -----------------------------------------------


def test_a_scripted_editor_edits_the_draft_and_the_draft_is_removed_after(tmp_path: Path) -> None:
    command, log = write_editor(tmp_path, "fix", FIX_FORMULA, "--wait")
    draft = StateDraft.create(2, "input", STATE, STATE, folder=tmp_path)
    assert draft.path.name == "frame-2-input.json"
    assert run_editor(editor_for(command), draft.path) == 0
    result = draft.read()
    assert result.outcome is Outcome.EDITED
    assert result.state == {**STATE, "formula": "(f - 32) * 5 / 9"}
    assert runs_seen(log) == [state_as_text(STATE)]
    assert "--wait" in log.read_text()  # the editor's own arguments came before the file
    draft.discard()
    assert not draft.path.parent.exists()


def test_an_editor_that_changes_nothing_leaves_the_state_unchanged(tmp_path: Path) -> None:
    command, _ = write_editor(tmp_path, "same", LEAVE_ALONE)
    draft = StateDraft.create(0, "output", STATE, STATE, folder=tmp_path)
    run_editor(editor_for(command), draft.path)
    assert draft.read().outcome is Outcome.UNCHANGED


def test_invalid_json_keeps_what_was_typed_for_the_next_round(tmp_path: Path) -> None:
    command, log = write_editor(tmp_path, "twice", BREAK_THEN_FIX)
    editor = editor_for(command)
    draft = StateDraft.create(2, "input", STATE, STATE, folder=tmp_path)
    run_editor(editor, draft.path)
    first = draft.read()
    assert first.outcome is Outcome.INVALID and first.error is not None
    assert first.error.line == 3 and '"plan" [' in first.error.line_text
    typed = draft.path.read_text()
    assert "(f - 32) * 5 / 9" in typed  # the user's fix is still in the file

    run_editor(editor, draft.path)  # the same file again
    assert runs_seen(log)[1] == typed
    second = draft.read()
    assert second.outcome is Outcome.EDITED and second.state == {**STATE, "formula": "(f - 32) * 5 / 9"}


def test_a_deleted_or_binary_draft_is_invalid_not_lost(tmp_path: Path) -> None:
    draft = StateDraft.create(1, "input", STATE, STATE, folder=tmp_path)
    draft.path.write_bytes(b'{"a": "\xff"}')
    result = draft.read()
    assert result.outcome is Outcome.INVALID and result.error is not None
    assert result.error.message == "not UTF-8 text" and (result.error.line, result.error.column) == (1, 8)
    draft.path.unlink()
    assert draft.read().outcome is Outcome.INVALID
    draft.restore_if_missing()
    assert draft.read().outcome is Outcome.UNCHANGED


def test_an_editor_that_cannot_start_is_an_editor_error(tmp_path: Path) -> None:
    not_executable = tmp_path / "editor"
    not_executable.write_text("#!/bin/sh\n")
    with pytest.raises(EditorError, match="cannot start"):
        run_editor(EditorCommand((str(not_executable),), "$EDITOR"), tmp_path / "x.json")
