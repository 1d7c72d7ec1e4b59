"""``vcr-tui demo`` and ``--agent``: the command line, and the whole fix loop in a real terminal.

The end-to-end test starts the real program in tmux with a scripted ``$EDITOR``, goes to the
guilty frame, presses ``e`` (the app suspends, the editor fixes the formula, the app comes back)
and ``r``, and reads the outcome from the screen and from the fork on disk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from recorder import VCRReader
from tests.support.cli_support import PROGRAM, run_cli
from tests.support.editor_scripts import FIX_FORMULA, write_editor
from tests.support.tmux_driver import TmuxTerminal

DEADLINE = 30.0


def run_demo_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command line without the demo's pauses between steps."""
    return run_cli(*args, cwd=cwd, env={**os.environ, "VCR_DEMO_DELAY": "0"})


# -- the command line ------------------------------------------------------------------------


def test_demo_no_open_records_into_the_folder_and_never_overwrites(tmp_path: Path) -> None:
    first = run_demo_cli("demo", "--no-open", "--dir", "demo-here", cwd=tmp_path)
    second = run_demo_cli("demo", "--no-open", "--dir", "demo-here", cwd=tmp_path)
    assert first.returncode == 0 and second.returncode == 0, (first, second)
    recordings = sorted((tmp_path / "demo-here").glob("*.vcr"))
    assert len(recordings) == 2
    for result in (first, second):
        path = Path(result.stdout.splitlines()[0].split(": ", 1)[1])
        assert path in recordings
        assert "--agent vcr_tui.demo.agent:run_agent" in result.stdout
    with VCRReader(recordings[0]) as reader:
        assert reader.frame(-1).node_name == "report" and reader.frame(-1).is_error


def test_demo_into_a_file_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("not a folder")
    result = run_demo_cli("demo", "--no-open", "--dir", "taken", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == "vcr-tui: taken exists and is not a folder"


def test_a_malformed_agent_is_refused_before_opening(tmp_path: Path) -> None:
    run_demo_cli("demo", "--no-open", "--dir", ".", cwd=tmp_path)
    recording = next(tmp_path.glob("*.vcr"))
    result = run_demo_cli(str(recording), "--agent", "not a spec", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("vcr-tui: --agent: ") and "module:callable" in result.stderr
    assert "path/to/agent.py:callable" in result.stderr  # both forms it takes
    assert "Traceback" not in result.stderr


def test_open_documents_agent_and_resume_mode(tmp_path: Path) -> None:
    helped = run_demo_cli("open", "--help", cwd=tmp_path)
    assert "--agent MODULE:CALLABLE" in helped.stdout and "--resume-mode [replay|fork|mock]" in helped.stdout
    demo_help = run_demo_cli("demo", "--help", cwd=tmp_path)
    assert "--dir" in demo_help.stdout and "--no-open" in demo_help.stdout


# -- the fix loop in a real terminal ---------------------------------------------------------


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.parametrize("size", [(120, 35), (80, 24)])
def test_the_demo_fix_loop_in_a_real_terminal(tmp_path: Path, size: tuple[int, int]) -> None:
    editor, log = write_editor(tmp_path, "fix-editor", FIX_FORMULA)
    runs = tmp_path / "runs"
    terminal = TmuxTerminal("vcr-demo", size)
    try:
        terminal.start(
            f"{PROGRAM} demo --dir {runs}",
            cwd=tmp_path,
            env={"EDITOR": editor, "VISUAL": "", "VCR_DEMO_DELAY": "0"},
        )
        terminal.wait_for("tool:read_tests", "llm:coder", "report")
        (parent,) = runs.glob("*.vcr")
        before = parent.read_bytes()

        terminal.keys("j", "j")
        terminal.wait_for("#2 (3/5)")
        terminal.keys("e")  # the app suspends, the scripted editor runs, the app comes back
        terminal.wait_for("edited ✎")
        assert log.exists() and "(f - 32) * 9 / 5" in log.read_text()  # it was given the recorded input

        terminal.keys("r")
        shown = terminal.wait_for("Resume succeeded", "2 replayed, 3 live")
        assert "fork:llm:co" in shown and "↺" in shown

        forks = [path for path in runs.glob("*.vcr") if path != parent]
        assert len(forks) == 1
        with VCRReader(forks[0]) as fork:
            assert fork.session.parent_session_id is not None and fork.session.forked_from_frame == 2
            sources = [fork.frame(i).metadata.custom.get("source") for i in range(len(fork))]
            assert sources == ["replayed", "replayed", "fork", "live", "live", "live"]
            assert fork.frame(-1).output_state["summary"] == "all 3 tests pass"
        assert parent.read_bytes() == before

        terminal.keys("q")
        terminal.wait_for("EXIT=0")
    finally:
        terminal.close()
