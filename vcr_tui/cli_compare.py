"""``vcr-tui diff A B``: two runs side by side, on screen or printed for scripts and CI.

The exit status is the answer a script wants: 0 when the runs are equivalent, 1 when they
differ, 2 when a file cannot be compared.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson

from recorder.compare import PairKind, RunComparison, RunSide, StepDigest, iter_pair_lines
from vcr_tui.safe_text import clean

_MARKS = {
    PairKind.SAME: "=",
    PairKind.CHANGED: "~",
    PairKind.ONLY_A: "-",
    PairKind.ONLY_B: "+",
    PairKind.FORK_POINT: "⑂",
}
_NAME_WIDTH = 28
_SHOWN_CHANGES = 12


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


def comparison_lines(comparison: RunComparison, *, all_pairs: bool = False) -> list[str]:
    """The text report: a summary line per run, the deltas, the first divergence, the pairs."""
    lines = [_summary("A", comparison.a), _summary("B", comparison.b), _delta_line(comparison)]
    first = comparison.first_divergence
    if first is None:
        lines.append("the runs are equivalent: every aligned step has the same input and output")
    else:
        lines.append(f"first divergence: {_pair_text(comparison, first)}")
        changes = comparison.changes(first)
        for side, found in (("input ", changes.input), ("output", changes.output)):
            for change in found[:_SHOWN_CHANGES]:
                lines.append(f"  {side} {clean(change.path_text)}: {_value(change.old)} → {_value(change.new)}")
            if len(found) > _SHOWN_CHANGES:
                lines.append(f"  {side} … {len(found) - _SHOWN_CHANGES} more changes")
        lines.append(f"{len(comparison.differing)} of {len(comparison.pairs)} aligned pairs differ")
    lines.append("")
    for pair, step_a, step_b in iter_pair_lines(comparison):
        if all_pairs or pair.differs:
            lines.append(f"{_MARKS[pair.kind]} {_cell(step_a)} {_cell(step_b)}".rstrip())
    return lines


def _summary(label: str, side: RunSide) -> str:
    totals = side.totals
    errors = "1 error" if totals.errors == 1 else f"{totals.errors} errors"
    return (
        f"{label}  {clean(side.session_id)} ({clean(str(side.path))}): {totals.steps} steps · {errors} ·"
        f" {totals.tokens:,} tokens · ${totals.cost_usd:.4f} · {totals.latency_ms / 1000:.2f} s · "
        f"{totals.outcome.label}"
    )


def _delta_line(comparison: RunComparison) -> str:
    a, b = comparison.a.totals, comparison.b.totals
    return (
        f"Δ  B − A: {b.steps - a.steps:+d} steps · {b.errors - a.errors:+d} errors · {b.tokens - a.tokens:+,d} tokens"
        f" · {_signed_dollars(b.cost_usd - a.cost_usd)} · {(b.latency_ms - a.latency_ms) / 1000:+.2f} s"
    )


def _signed_dollars(amount: float) -> str:
    return f"{'-' if amount < 0 else '+'}${abs(amount):.4f}"


def _pair_text(comparison: RunComparison, position: int) -> str:
    pair = comparison.pairs[position]
    what = {
        PairKind.CHANGED: "input and output differ"
        if pair.input_differs and pair.output_differs
        else "input differs"
        if pair.input_differs
        else "output differs",
        PairKind.ONLY_A: "a step only A has",
        PairKind.ONLY_B: "a step only B has",
    }.get(pair.kind, pair.kind.value)
    a = f"A #{pair.a}" if pair.a is not None else "A —"
    b = f"B #{pair.b}" if pair.b is not None else "B —"
    step = comparison.a.steps[pair.a] if pair.a is not None else comparison.b.steps[pair.b or 0]
    return f"{a} ↔ {b} {clean(step.node_name)} ({what})"


def _cell(step: StepDigest | None) -> str:
    if step is None:
        return " " * (_NAME_WIDTH + 8)
    name = clean(step.node_name)
    if len(name) > _NAME_WIDTH:
        name = name[: _NAME_WIDTH - 1] + "…"
    return f"#{step.index:<6} {name:<{_NAME_WIDTH}}"


def _value(value: object) -> str:
    try:
        text = orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        text = repr(value)
    text = clean(text)
    return text if len(text) <= 80 else text[:79] + "…"


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
