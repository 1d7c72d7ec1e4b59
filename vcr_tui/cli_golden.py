"""``vcr-tui golden save|list|show|invalidate`` and ``vcr-tui ledger``: golden runs from the shell.

Every bad input ends with one line on stderr and exit status 2 (``cli.fail``); text from an
index or a recording is printed literally (``safe_text``), never as markup.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

DEFAULT_GOLDEN = Path(".vcr/golden")
TASK_WIDTH = 48

_dir_option = click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path),
    default=DEFAULT_GOLDEN,
    show_default=True,
    help="The golden-run folder.",
)


def _fail(message: str) -> Any:
    from vcr_tui.cli import fail

    fail(message)


def _recording(path: Path) -> Path:
    """A readable recording file, or a one-line failure."""
    try:
        info = path.stat()
    except FileNotFoundError:
        _fail(f"no such file: {path}")
    except OSError as exc:
        _fail(f"cannot open {path}: {exc.strerror or exc}")
    if not stat.S_ISREG(info.st_mode):
        _fail(f"{path} is not a recording file")
    return path


def _cache(folder: Path, *, must_exist: bool = True) -> Any:
    from recorder.golden import GoldenRunCache

    if folder.exists() and not folder.is_dir():
        _fail(f"--dir: {folder} is not a folder")
    if must_exist and not folder.is_dir():
        _fail(f"no golden runs: {folder} does not exist (save one with `vcr-tui golden save RUN.vcr --task ...`)")
    return GoldenRunCache(folder)


def _warn(cache: Any) -> None:
    for problem in cache.problems:
        click.echo(f"vcr-tui: {problem}", err=True)


PIPE_WIDTH = 132  # a pipe or a file has no width: wide enough for the ledger's columns


def _console() -> Console:
    import sys

    from rich.console import Console

    from vcr_tui.theme import terminal_theme

    width = None if sys.stdout.isatty() else PIPE_WIDTH
    return Console(highlight=False, soft_wrap=False, width=width, theme=terminal_theme())


@click.group("golden")
def golden_command() -> None:
    """Save successful runs as golden runs, list, show and remove them.

    A later run served from a golden run (cache.serving(task) in the agent) answers every step
    whose node, identity and input are unchanged at zero tokens.
    """


@golden_command.command("save")
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--task", required=True, help="The task this run accomplished (what later runs are matched by).")
@click.option("--tag", "tags", multiple=True, help="A tag for the golden run (repeatable).")
@_dir_option
def save_command(run: Path, task: str, tags: tuple[str, ...], folder: Path) -> None:
    """Save RUN.vcr as the golden run of --task (replacing an earlier one)."""
    from rich.text import Text

    from vcr_tui.logic.safe_text import safe, shorten

    if not task.strip():
        _fail("--task is empty: name the task this run accomplished")
    cache = _cache(folder, must_exist=False)
    try:
        fp = cache.save_golden_run(task, _recording(run), tags=list(tags))
    except ValueError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot save into {folder}: {exc.strerror or exc}")
    _warn(cache)
    entry = cache.entry(fp)
    steps = entry.frame_count if entry is not None else 0
    _console().print(Text(f"saved golden run {fp} ({steps} steps) for task: ") + safe(shorten(task, TASK_WIDTH)))


@golden_command.command("list")
@_dir_option
def list_command(folder: Path) -> None:
    """The golden runs: task, fingerprint, steps, tokens, cost, saved at."""
    from rich.table import Table
    from rich.text import Text

    from vcr_tui.logic.formatting import format_cost, format_timestamp, format_tokens
    from vcr_tui.logic.safe_text import safe, shorten

    cache = _cache(folder, must_exist=False)
    entries = cache.entries() if folder.is_dir() else {}
    _warn(cache)
    if not entries:
        click.echo(f"no golden runs in {folder}")
        return
    table = Table(expand=False)
    for name in ("task", "fingerprint", "steps", "tokens", "cost", "saved at"):
        table.add_column(name, justify="right" if name in ("steps", "tokens", "cost") else "left", no_wrap=True)
    for entry in sorted(entries.values(), key=lambda e: e.created_at, reverse=True):
        table.add_row(
            safe(shorten(entry.task, TASK_WIDTH)) if entry.task is not None else Text("(unknown task)", style="dim"),
            Text(entry.fingerprint),
            Text(f"{entry.frame_count:,}"),
            Text(format_tokens(entry.total_tokens)),
            Text(format_cost(entry.total_cost_usd) or "$0"),
            Text(format_timestamp(entry.created_at)),
        )
    _console().print(table)


def _entry_or_fail(cache: Any, task: str) -> Any:
    entry = cache.entry(task)
    if entry is None:
        _fail(f"no golden run for task {task!r} in {cache.cache_dir} (see `vcr-tui golden list`)")
    return entry


@golden_command.command("show")
@click.argument("task")
@_dir_option
def show_command(task: str, folder: Path) -> None:
    """One golden run (by its task or fingerprint): what each step would save when answered."""
    from rich.table import Table
    from rich.text import Text

    from recorder.golden import CostLedger
    from vcr_tui.logic.formatting import format_timestamp
    from vcr_tui.logic.ledger_text import row_cells
    from vcr_tui.logic.safe_text import safe

    cache = _cache(folder)
    entry = _entry_or_fail(cache, task)
    _warn(cache)
    path = cache.folder.file_of(entry.fingerprint)
    try:
        ledger = CostLedger.of_recording(path)
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")
    console = _console()
    heading = Text("task: ") + (safe(entry.task) if entry.task is not None else Text("(unknown)"))
    console.print(heading)
    console.print(
        Text(f"fingerprint {entry.fingerprint} · {entry.frame_count:,} steps · saved ")
        + Text(format_timestamp(entry.created_at))
        + Text(f" · {path}")
    )
    table = Table(expand=False)
    for name in ("#", "step", "tokens", "cost", "latency"):
        table.add_column(name, justify="left" if name == "step" else "right", no_wrap=True)
    for row in ledger.rows:
        cells = row_cells(row)
        table.add_row(cells[0], cells[1], *(_as_recorded(row)))
    console.print(table)


def _as_recorded(row: Any) -> tuple[Any, ...]:
    """What the step cost when it was recorded: what answering it saves."""
    from rich.text import Text

    from vcr_tui.logic.formatting import format_cost, format_latency, format_tokens

    tokens = row.tokens + row.saved_tokens
    cost = row.cost_usd + row.saved_cost_usd
    return (
        Text(format_tokens(tokens)),
        Text(format_cost(cost) if cost else ""),
        Text(format_latency(row.latency_ms + row.saved_ms)),
    )


@golden_command.command("invalidate")
@click.argument("task")
@_dir_option
def invalidate_command(task: str, folder: Path) -> None:
    """Remove the golden run of TASK (its text or fingerprint)."""
    cache = _cache(folder)
    entry = _entry_or_fail(cache, task)
    try:
        cache.invalidate(entry.fingerprint)
    except OSError as exc:
        _fail(f"cannot remove it from {folder}: {exc.strerror or exc}")
    click.echo(f"removed golden run {entry.fingerprint}")


@click.command("ledger")
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the ledger as JSON (totals and one entry per step).")
def ledger_command(run: Path, as_json: bool) -> None:
    """What RUN.vcr spent and what its answered steps saved, step by step."""
    from recorder.golden import CostLedger

    path = _recording(run)
    try:
        ledger = CostLedger.of_recording(path)
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")
    if as_json:
        import orjson

        steps = [
            {
                "index": r.index,
                "node_name": r.node_name,
                "source": r.source,
                "tokens": r.tokens,
                "cost_usd": r.cost_usd,
                "latency_ms": r.latency_ms,
                "saved_tokens": r.saved_tokens,
                "saved_cost_usd": r.saved_cost_usd,
                "saved_ms": r.saved_ms,
            }
            for r in ledger.rows
        ]
        click.echo(orjson.dumps({**ledger.summary(), "steps": steps}, option=orjson.OPT_INDENT_2).decode())
        return
    from vcr_tui.logic.ledger_text import ledger_table

    _console().print(ledger_table(ledger))
