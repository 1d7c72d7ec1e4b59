"""``vcr-tui PATH`` opens the recording without click, exactly as ``vcr-tui open PATH`` does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from vcr_tui.cli import COMMAND_NAMES, plain_open
from vcr_tui.cli_group import main as command_group

SAMPLE = Path(__file__).resolve().parents[2] / "vcr_tui" / "samples" / "sample.vcr"

# The app is not run: its construction and whether click was loaded by then are printed instead.
PROBE = """
import json, sys
from vcr_tui.app import VCRApp

def run(self):
    print(json.dumps({"click": "click" in sys.modules, "path": str(self.path), "follow": self.follow,
                      "workspace": self.workspace, "agents": repr(self.options.agents)}))

VCRApp.run = run
from vcr_tui.cli import main
main()
"""


def opened(*args: str, cwd: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run.vcr"], ("run.vcr", False)),
        (["run.vcr", "--no-follow"], ("run.vcr", True)),
        (["--no-follow", "run.vcr"], ("run.vcr", True)),
        (["host:runs/run.vcr"], ("host:runs/run.vcr", False)),
    ],
)
def test_the_common_command_lines_are_opened_directly(args: list[str], expected: tuple[str, bool]) -> None:
    assert plain_open(args) == expected


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["-"],
        ["--help"],
        ["-V"],
        [""],
        ["demo"],
        ["open", "run.vcr"],
        ["serve", "runs"],
        ["run.vcr", "other.vcr"],
        ["run.vcr", "--workspace", "project"],
        ["run.vcr", "--no-follow", "--no-follow"],
        ["run.vcr", "--no-follow=yes"],
    ],
)
def test_every_other_command_line_is_left_to_click(args: list[str]) -> None:
    assert plain_open(args) is None


def test_a_shell_asking_for_completions_is_left_to_click(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_VCR_TUI_COMPLETE", "bash_complete")
    assert plain_open(["run.vcr"]) is None


def test_the_subcommand_names_are_the_groups() -> None:
    """A PATH named like a subcommand runs the subcommand: the names checked are every one click has."""
    with click.Context(command_group) as ctx:
        assert set(command_group.list_commands(ctx)) == COMMAND_NAMES


@pytest.mark.parametrize("flags", [(), ("--no-follow",)])
def test_a_plain_path_opens_as_open_does_without_loading_click(tmp_path: Path, flags: tuple[str, ...]) -> None:
    plain = opened(str(SAMPLE), *flags, cwd=tmp_path)
    through_click = opened("open", str(SAMPLE), *flags, cwd=tmp_path)
    assert plain["click"] is False and through_click["click"] is True  # the probe sees the difference
    assert {**plain, "click": None} == {**through_click, "click": None}
    assert plain["follow"] is (not flags)


def test_a_missing_file_fails_in_one_line_as_before(tmp_path: Path) -> None:
    from tests.support.cli_support import assert_one_line_failure, run_cli

    assert_one_line_failure(run_cli(str(tmp_path / "nope.vcr"), cwd=tmp_path), "no such file or folder")


INTERRUPTED = """
from vcr_tui.app import VCRApp

def run(self):
    raise KeyboardInterrupt

VCRApp.run = run
from vcr_tui.cli import main
main()
"""


def test_an_interrupt_ends_a_plain_open_as_click_ends_open(tmp_path: Path) -> None:
    def ended(*args: str) -> tuple[int, str, str]:
        done = subprocess.run(
            [sys.executable, "-c", INTERRUPTED, *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return done.returncode, done.stdout, done.stderr

    plain, through_click = ended(str(SAMPLE)), ended("open", str(SAMPLE))
    assert plain == through_click
    assert plain[0] == 1 and plain[2].endswith("Aborted!\n")
