"""The top-level ``--help`` names the options of opening a recording, the command most people run."""

from __future__ import annotations

from pathlib import Path

import click

from tests.support.cli_support import run_cli
from vcr_tui.cli_group import open_command

SAID_ELSEWHERE = {"--ssh-option", "--help"}  # ssh has its own line; help is everywhere


def test_top_level_help_lists_every_option_of_open(tmp_path: Path) -> None:
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    options = [
        name
        for param in open_command.params
        if isinstance(param, click.Option)
        for name in param.opts
        if name.startswith("--")
    ]
    missing = [name for name in options if name not in SAID_ELSEWHERE and name not in result.stdout]
    assert options and not missing, missing
