"""The real ``vcr-tui`` command line for tests: run in a subprocess, or started in a terminal."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

ARGV = [sys.executable, "-c", "from vcr_tui.cli import main; main()"]
PROGRAM = shlex.join(ARGV)  # for a shell in a terminal


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, detached: bool = False, argv: list[str] = ARGV
) -> subprocess.CompletedProcess[str]:
    """The command line in a subprocess, stdin not a terminal (only the paths that exit early).

    ``detached`` starts it in a new session, without a controlling terminal either; ``argv``
    replaces the program (a variant of ``ARGV`` that prepares the interpreter first).
    """
    return subprocess.run(
        [*argv, *args],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=detached,
    )


def assert_one_line_failure(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit status 2 and a single ``vcr-tui: ...`` line on stderr that holds every one of ``words``."""
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("vcr-tui: ")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]
