"""The text report of ``vcr-tui diff A B --print``: a summary per run, the deltas, the pairs."""

from __future__ import annotations

import orjson

from recorder.compare import PairKind, RunComparison, RunSide, StepDigest, iter_pair_lines
from vcr_tui.logic.formatting import format_count
from vcr_tui.logic.safe_text import clean

_MARKS = {
    PairKind.SAME: "=",
    PairKind.CHANGED: "~",
    PairKind.ONLY_A: "-",
    PairKind.ONLY_B: "+",
    PairKind.FORK_POINT: "⑂",
}
_NAME_WIDTH = 28
_SHOWN_CHANGES = 12


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
    return (
        f"{label}  {clean(side.session_id)} ({clean(str(side.path))}): {format_count(totals.steps, 'step')}"
        f" · {format_count(totals.errors, 'error')} ·"
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
