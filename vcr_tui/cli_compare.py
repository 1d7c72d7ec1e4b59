"""``vcr-tui diff A B``: two runs side by side, on screen or printed for scripts and CI.

The exit status is the answer a script wants: 0 when the runs are equivalent, 1 when they
differ, 2 when a file cannot be compared.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import orjson

if TYPE_CHECKING:  # the engine is imported when a diff runs, not whenever the command line starts
    from recorder.compare import RunComparison


@click.command("diff")
@click.argument("first", type=click.Path(path_type=Path))
@click.argument("second", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the alignment and the first divergence as JSON.")
@click.option("--print", "as_text", is_flag=True, help="Print the alignment as text instead of opening it.")
@click.option("--all", "all_pairs", is_flag=True, help="With --print: every pair, not only the differing ones.")
def diff_command(first: Path, second: Path, as_json: bool, as_text: bool, all_pairs: bool) -> None:
    """Compare two runs step by step: where they part, and what differed there.

    \b
    Steps are aligned by node and type (the input breaks ties), so an
    inserted or skipped step shifts nothing after it; a fork is aligned
    with its parent at the frame it forked from.
    Exit status: 0 the runs are equivalent, 1 they differ, 2 bad input.
    """
    from vcr_tui.cli import fail, resolve_target

    for path in (first, second):
        if resolve_target(path).is_dir():
            fail(f"{path} is a folder: diff compares two recordings (.vcr files)")
    if not (as_json or as_text):
        _open_compare_screen(first, second)
        return
    comparison = _compare_or_fail(first, second)
    with comparison:
        if as_json:
            sys.stdout.buffer.write(orjson.dumps(comparison.to_dict(), option=orjson.OPT_INDENT_2) + b"\n")
        else:
            from vcr_tui.logic.compare_report import comparison_lines

            for line in comparison_lines(comparison, all_pairs=all_pairs):
                click.echo(line)
        equivalent = comparison.equivalent
    sys.exit(0 if equivalent else 1)


def _compare_or_fail(first: Path, second: Path) -> RunComparison:
    from recorder.compare import compare_runs
    from recorder.errors import RecordingNotFoundError, RecordingUnreadableError
    from vcr_tui.cli import fail

    try:
        return compare_runs(first, second)
    except (RecordingNotFoundError, RecordingUnreadableError) as exc:
        fail(exc.strerror or str(exc))


def _open_compare_screen(first: Path, second: Path) -> None:
    from vcr_tui.cli import fail, user_keymap
    from vcr_tui.compare_app import CompareApp

    app = CompareApp(first, second, keymap=user_keymap())
    app.run()
    if app.failure:
        fail(app.failure)


@click.command("graph")
@click.argument("recording", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("mermaid", "dot"), case_sensitive=False),
    default=None,
    help="Print the graph as Mermaid or Graphviz dot instead of opening it.",
)
@click.option("--no-forks", is_flag=True, help="Leave out the forks of the run found beside it.")
def graph_command(recording: Path, output_format: str | None, no_forks: bool) -> None:
    """Draw a run as a graph: supersteps as levels, parallel nodes as lanes, forks as branches.

    \b
    The forks of the run in the same folder hang off the frame they start
    from (--no-forks leaves them out).
    """
    from recorder.errors import RecordingNotFoundError, RecordingUnreadableError
    from recorder.run_graph import build_graph, forks_beside, to_dot, to_mermaid
    from vcr_tui.cli import fail, resolve_target

    if resolve_target(recording).is_dir():
        fail(f"{recording} is a folder: graph draws one recording (a .vcr file)")
    if output_format is None:
        from vcr_tui.cli import user_keymap
        from vcr_tui.compare_app import GraphApp

        app = GraphApp(recording, with_forks=not no_forks, keymap=user_keymap())
        app.run()
        if app.failure:
            fail(app.failure)
        return
    try:
        graph = build_graph(recording, forks=() if no_forks else forks_beside(recording))
    except (RecordingNotFoundError, RecordingUnreadableError) as exc:
        fail(exc.strerror or str(exc))
    click.echo(to_mermaid(graph) if output_format.lower() == "mermaid" else to_dot(graph), nl=False)
