"""The compare screen and ``vcr-tui diff``: two runs side by side, opened on the first divergence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.message import Message

from tests.support.app_support import press, settle
from tests.support.cli_support import assert_one_line_failure, run_cli
from tests.support.vcr_lines import frame, header
from vcr_tui.compare_app import CompareApp
from vcr_tui.screens.compare_screen import CompareScreen, ComparisonReady, PairList
from vcr_tui.widgets.diff_view import DiffView

SIZE = (120, 35)


def write_run(path: Path, session_id: str, steps: list[tuple[str, dict[str, object], dict[str, object]]]) -> Path:
    lines = [header(session_id)]
    for i, (node, before, after) in enumerate(steps):
        lines.append(frame(node, i, session_id=session_id, input_state=before, output_state=after))
    lines.append(header(session_id, frame_count=len(steps)))
    path.write_bytes(b"".join(lines))
    return path


@pytest.fixture
def two_runs(tmp_path: Path) -> tuple[Path, Path]:
    a = write_run(
        tmp_path / "a.vcr",
        "run-a",
        [
            ("plan", {"task": "t"}, {"formula": "9/5"}),
            ("code", {"formula": "9/5"}, {"ok": False}),
            ("test", {"ok": False}, {"passed": 1}),
            ("ship", {}, {}),
        ],
    )
    b = write_run(
        tmp_path / "b.vcr",
        "run-b",
        [
            ("plan", {"task": "t"}, {"formula": "5/9"}),
            ("code", {"formula": "5/9"}, {"ok": True}),
            ("lint", {}, {"clean": True}),
            ("test", {"ok": True}, {"passed": 3}),
            ("ship", {}, {}),
        ],
    )
    return a, b


def diff_lines(screen: CompareScreen) -> str:
    return "\n".join(line.plain for line in screen.query_one(DiffView).lines)


async def test_opens_on_the_first_divergence_and_steps_through_differences(two_runs: tuple[Path, Path]) -> None:
    posted: list[Message] = []
    app = CompareApp(*two_runs)
    async with app.run_test(size=SIZE, message_hook=posted.append) as pilot:
        await settle(pilot)
        assert any(isinstance(message, ComparisonReady) for message in posted)
        screen = app.screen
        assert isinstance(screen, CompareScreen) and screen.view is not None
        pairs = screen.query_one(PairList)
        assert pairs.cursor == 0  # the plans already differ in their output
        assert '"9/5" → "5/9"' in diff_lines(screen)
        await press(pilot, "n")
        assert pairs.cursor == 1 and "$.ok" in diff_lines(screen)
        await press(pilot, "n")
        pair = screen.view.comparison.pairs[pairs.cursor]
        assert (pair.a, pair.b) == (None, 2)  # lint: only in b
        await press(pilot, "N", "N")
        assert pairs.cursor == 0
        await press(pilot, "i")
        assert "A #0 input → B #0 input" in diff_lines(screen)
        assert "equal" in diff_lines(screen)
        await press(pilot, "G")
        assert pairs.cursor == len(screen.view.comparison.pairs) - 1
        await press(pilot, "n")  # nothing after the last pair: said, not silent
        assert any("no further differences" in n.message for n in app._notifications)


async def test_equivalent_runs_say_so(tmp_path: Path) -> None:
    steps: list[tuple[str, dict[str, object], dict[str, object]]] = [("plan", {"x": 1}, {"y": 2})]
    a = write_run(tmp_path / "a.vcr", "a", steps)
    b = write_run(tmp_path / "b.vcr", "b", steps)
    app = CompareApp(a, b)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = str(app.screen.query_one("#compare-status").render())
        assert "the runs are equivalent" in status


async def test_at_80_columns_each_run_keeps_its_own_summary_line(tmp_path: Path) -> None:
    """A summary too wide for the terminal is cut short, never wrapped into the lines below it."""
    a = write_run(tmp_path / "a.vcr", "a-run-with-a-long-session-id-0001", [("plan", {"x": 1}, {"y": 2})])
    b = write_run(tmp_path / "b.vcr", "b-run-with-a-long-session-id-0002", [("plan", {"x": 1}, {"y": 3})] * 2)
    app = CompareApp(a, b)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = [strip.text for strip in app.screen.query_one("#compare-summary").render_lines(Region(0, 0, 80, 3))]
        assert "a-run-with-a-long-session-id-0001  1 step · 0 errors" in rows[0] and rows[0].rstrip().endswith("…")
        assert "b-run-with-a-long-session-id-0002  2 steps · 0 errors" in rows[1]
        assert "B − A: +1 steps" in rows[2]


async def test_an_unreadable_file_is_explained_on_screen(tmp_path: Path, two_runs: tuple[Path, Path]) -> None:
    gone = tmp_path / "gone.vcr"
    app = CompareApp(two_runs[0], gone)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "cannot compare" in str(app.screen.query_one("#compare-status").render())


async def test_escape_leaves_and_strings_from_files_stay_literal(tmp_path: Path) -> None:
    hostile = "[bold red]x[/] \x1b]52;c;aGk=\x07 \u202eevil"
    a = write_run(tmp_path / "a.vcr", "a", [(hostile, {"v": hostile}, {"v": 1})])
    b = write_run(tmp_path / "b.vcr", "b", [(hostile, {"v": hostile}, {"v": 2})])
    app = CompareApp(a, b)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        shown = screen.query_one(PairList).render_line(0).text
        assert "[bold red]x[/]" in shown and "\x1b" not in shown and "\u202e" not in shown
        await press(pilot, "escape")
        assert app.return_code is not None or not app.is_running


def test_print_and_json_for_scripts(two_runs: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = two_runs
    printed = run_cli("diff", str(a), str(b), "--print", cwd=tmp_path)
    assert printed.returncode == 1, printed.stderr
    assert "first divergence: A #0 ↔ B #0 plan (output differs)" in printed.stdout
    assert '$.formula: "9/5" → "5/9"' in printed.stdout
    assert "+ " in printed.stdout and "lint" in printed.stdout
    as_json = run_cli("diff", str(a), str(b), "--json", cwd=tmp_path)
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert report["equivalent"] is False
    assert report["first_divergence"]["output_changes"][0]["path"] == "$.formula"
    assert [pair["kind"] for pair in report["pairs"]] == ["changed", "changed", "only_b", "changed", "same"]
    assert report["a"]["steps"] == 4 and report["b"]["steps"] == 5
    same = run_cli("diff", str(a), str(a), "--json", cwd=tmp_path)
    assert same.returncode == 0 and json.loads(same.stdout)["equivalent"] is True


def test_bad_input_is_one_line_and_status_2(two_runs: tuple[Path, Path], tmp_path: Path) -> None:
    assert_one_line_failure(run_cli("diff", str(two_runs[0]), "missing.vcr", "--json", cwd=tmp_path), "missing.vcr")
    assert_one_line_failure(run_cli("diff", str(two_runs[0]), str(tmp_path), "--print", cwd=tmp_path), "folder")
