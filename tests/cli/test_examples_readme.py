"""Every command of ``examples/README.md`` works as written after the Quick start.

The commands are read from the README's shell blocks and run as they are written, from a folder
laid out like the repository root after the Quick start (``examples/`` and ``.venv/``), so the
recordings they write land in a temporary folder, not in the checkout.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "examples" / "README.md"
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
INLINE = re.compile(r"(?<!`)`(\.venv/bin/(?:python|vcr-tui) [^`]+)`")
RUNNABLE = ("examples/plain_agent.py", "examples/langgraph_agent.py")  # need nothing beyond the test extra


def commands() -> list[str]:
    lines = []
    for block in BLOCK.findall(README.read_text(encoding="utf-8")):
        for line in block.splitlines():
            command = line.split("  #", 1)[0].strip()
            if command and not command.startswith("#"):
                lines.append(command)
    return lines + INLINE.findall(README.read_text(encoding="utf-8"))  # and those quoted in the prose


def test_every_command_uses_the_quick_starts_venv() -> None:
    found = commands()
    assert found
    bare = [command for command in found if not command.startswith(".venv/bin/")]
    assert not bare, f"commands that fail outside the venv: {bare}"


@pytest.fixture
def root_after_quick_start(tmp_path: Path) -> Path:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    return tmp_path


@pytest.mark.parametrize("script", RUNNABLE)
def test_the_record_and_resume_commands_run_as_written(root_after_quick_start: Path, script: str) -> None:
    mine = [command for command in commands() if script in command]
    record = [command for command in mine if "--resume" not in command]
    assert record, f"no command records with {script}"
    result = subprocess.run(
        shlex.split(record[0]), cwd=root_after_quick_start, capture_output=True, text=True, timeout=300, check=False
    )
    assert "Traceback" not in result.stderr, result.stderr
    recordings = sorted((root_after_quick_start / ".vcr").glob("*.vcr"))
    assert len(recordings) == 1, (result.stdout, result.stderr)
    for command in (command for command in mine if "--resume" in command):
        argv = [part.replace(".vcr/<run>.vcr", str(recordings[0])) for part in shlex.split(command)]
        resumed = subprocess.run(
            argv, cwd=root_after_quick_start, capture_output=True, text=True, timeout=300, check=False
        )
        assert resumed.returncode == 0, (command, resumed.stdout, resumed.stderr)
