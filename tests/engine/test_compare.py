"""Comparing two runs: alignment by step, the first divergence, totals, forks, odd files."""

from __future__ import annotations

import random
import threading
from pathlib import Path
from typing import Any

import pytest

from recorder import VCRRecorder, fork_recording
from recorder.alignment import align
from recorder.compare import ComparisonCancelled, PairKind, compare_runs
from recorder.outcome import RunOutcome

Step = tuple[str, dict[str, Any], dict[str, Any]]


def record(folder: Path, session_id: str, steps: list[Step], *, save: bool = True, tokens: int = 0) -> Path:
    recorder = VCRRecorder(folder)
    recorder.start_session(session_id)
    path = recorder.path
    for node, before, after in steps:
        if node.startswith("llm:"):
            recorder.record_llm_call(node[4:], before.get("messages", []), after, tokens_input=tokens, tokens_output=0)
        elif node == "boom":
            recorder.record_error(node, before, RuntimeError("it broke"))
        else:
            recorder.record_step(node, before, after)
    if save:
        recorder.close()  # saves the totals
    else:
        del recorder  # the frames just stop, as when an agent is killed
    return path


def steps(*names: str, salt: str = "") -> list[Step]:
    return [(name, {"at": name, "salt": salt}, {"done": name}) for name in names]


def kinds(comparison: Any) -> list[str]:
    return [pair.kind.value for pair in comparison.pairs]


def test_identical_runs_are_equivalent(tmp_path: Path) -> None:
    a = record(tmp_path, "a", steps("plan", "code", "test"))
    b = record(tmp_path, "b", steps("plan", "code", "test"))
    with compare_runs(a, b) as result:
        assert result.equivalent
        assert result.first_divergence is None
        assert kinds(result) == ["same", "same", "same"]
        assert result.to_dict()["equivalent"] is True


def test_an_inserted_step_shifts_nothing_after_it(tmp_path: Path) -> None:
    a = record(tmp_path, "a", steps("plan", "code", "test", "ship"))
    b = record(tmp_path, "b", steps("plan", "lint", "code", "test", "ship"))
    with compare_runs(a, b) as result:
        assert [(p.a, p.b) for p in result.pairs] == [(0, 0), (None, 1), (1, 2), (2, 3), (3, 4)]
        assert kinds(result) == ["same", "only_b", "same", "same", "same"]
        assert result.first_divergence == 1


def test_a_skipped_step_is_a_gap_on_the_other_side(tmp_path: Path) -> None:
    a = record(tmp_path, "a", steps("plan", "code", "test", "ship"))
    b = record(tmp_path, "b", steps("plan", "test", "ship"))
    with compare_runs(a, b) as result:
        assert [(p.a, p.b) for p in result.pairs] == [(0, 0), (1, None), (2, 1), (3, 2)]
        assert result.pairs[result.first_divergence or 0].kind is PairKind.ONLY_A


def test_a_step_with_another_input_pairs_with_its_old_self(tmp_path: Path) -> None:
    a = record(tmp_path, "a", [("plan", {"x": 1}, {"p": 1}), ("code", {"f": "9/5"}, {"ok": False}), ("test", {}, {})])
    b = record(tmp_path, "b", [("plan", {"x": 1}, {"p": 1}), ("code", {"f": "5/9"}, {"ok": True}), ("test", {}, {})])
    with compare_runs(a, b) as result:
        assert kinds(result) == ["same", "changed", "same"]
        pair = result.pairs[1]
        assert pair.input_differs and pair.output_differs
        changes = result.changes(1)
        assert [(c.path_text, c.old, c.new) for c in changes.input] == [("$.f", "9/5", "5/9")]
        assert [(c.path_text, c.old, c.new) for c in changes.output] == [("$.ok", False, True)]
        first = result.to_dict()["first_divergence"]
        assert first["node"] == "code" and first["input_changes"][0]["path"] == "$.f"


def test_repeated_identical_calls_pair_in_order(tmp_path: Path) -> None:
    poll = ("poll", {"q": "status"}, {"r": "busy"})
    a = record(tmp_path, "a", [poll, poll, poll, ("done", {}, {})])
    b = record(tmp_path, "b", [poll, poll, ("done", {}, {})])
    with compare_runs(a, b) as result:
        matched = [(p.a, p.b) for p in result.pairs if p.kind is PairKind.SAME]
        assert matched[:2] == [(0, 0), (1, 1)]
        assert sum(p.kind is PairKind.ONLY_A for p in result.pairs) == 1
        assert (3, 2) in matched


def test_the_input_breaks_ties_between_same_shaped_steps(tmp_path: Path) -> None:
    a = record(tmp_path, "a", [("tool", {"n": 1}, {}), ("tool", {"n": 2}, {}), ("tool", {"n": 3}, {})])
    b = record(tmp_path, "b", [("tool", {"n": 2}, {}), ("tool", {"n": 3}, {})])
    with compare_runs(a, b) as result:
        # By shape alone (or by index) the first of b would pair with the first of a.
        assert [(p.a, p.b, p.kind.value) for p in result.pairs] == [(0, None, "only_a"), (1, 0, "same"), (2, 1, "same")]


def test_key_order_is_no_difference(tmp_path: Path) -> None:
    a = record(tmp_path, "a", [("n", {"x": 1, "y": 2}, {"a": [1, {"k": 1, "j": 2}]})])
    b = record(tmp_path, "b", [("n", {"y": 2, "x": 1}, {"a": [1, {"j": 2, "k": 1}]})])
    with compare_runs(a, b) as result:
        assert result.equivalent


def test_integers_past_64_bits_are_compared_exactly(tmp_path: Path) -> None:
    big = 2**80
    a = record(tmp_path, "a", [("n", {}, {"v": big})])
    b = record(tmp_path, "b", [("n", {}, {"v": big + 1})])
    c = record(tmp_path, "c", [("n", {}, {"v": big})])
    with compare_runs(a, b) as result:
        assert kinds(result) == ["changed"]
    with compare_runs(a, c) as result:
        assert result.equivalent


def test_totals_outcomes_and_deltas(tmp_path: Path) -> None:
    a = record(tmp_path, "a", [("llm:m", {"messages": ["hi"]}, {"response": "x"}), ("boom", {}, {})], tokens=30)
    b = record(tmp_path, "b", [("llm:m", {"messages": ["hi"]}, {"response": "y"}), ("ok", {}, {})], tokens=20)
    c = record(tmp_path, "c", steps("plan"), save=False)
    with compare_runs(a, b) as result:
        assert result.a.totals.errors == 1 and result.a.totals.outcome is RunOutcome.ERROR
        assert result.b.totals.outcome is RunOutcome.OK
        assert result.a.totals.tokens == 30 and result.b.totals.tokens == 20
        delta = result.to_dict()["delta"]
        assert delta["tokens"] == -10 and delta["errors"] == -1 and delta["steps"] == 0
    with compare_runs(a, c) as result:
        assert result.b.totals.outcome is RunOutcome.UNFINISHED


def test_a_fork_is_aligned_with_its_parent_at_the_fork_point(tmp_path: Path) -> None:
    parent = record(
        tmp_path, "parent", [("plan", {"t": 1}, {"f": "9/5"}), ("code", {"f": "9/5"}, {"ok": False}), ("test", {}, {})]
    )
    fork = fork_recording(parent, 1, new_session_id="fork", state={"f": "5/9"})
    fork.record_step("code", {"f": "5/9"}, {"ok": True})
    fork.record_step("test", {}, {})
    fork.save()
    fork.close()
    for a, b, fork_side in ((parent, fork.path, "b"), (fork.path, parent, "a")):
        with compare_runs(a, b) as result:
            assert result.fork_of == fork_side
            kinds_seen = kinds(result)
            assert kinds_seen == ["same", "fork_point", "changed", "same"], kinds_seen
            assert result.first_divergence == 2
            assert result.a.totals.steps == 3 and result.b.totals.steps == 3


def test_next_and_previous_difference(tmp_path: Path) -> None:
    a = record(tmp_path, "a", [("s", {"i": i}, {"o": i}) for i in range(8)])
    b = record(tmp_path, "b", [("s", {"i": i}, {"o": i if i not in (2, 5) else -1}) for i in range(8)])
    with compare_runs(a, b) as result:
        assert result.differing == [2, 5]
        assert result.next_difference(2) == 5
        assert result.next_difference(5) is None
        assert result.next_difference(5, -1) == 2
        assert result.next_difference(-1) == 2


def test_cancel_stops_the_work(tmp_path: Path) -> None:
    a = record(tmp_path, "a", steps(*[f"s{i}" for i in range(10)]))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ComparisonCancelled):
        compare_runs(a, a, cancel=cancel)


def test_unreadable_lines_and_empty_files_still_compare(tmp_path: Path) -> None:
    a = record(tmp_path, "a", steps("plan", "code"))
    broken = tmp_path / "broken.vcr"
    broken.write_bytes(a.read_bytes().replace(b'"node_name":"code"', b'"node_name":"code"\x00', 1) + b"{not json\n")
    empty = tmp_path / "empty.vcr"
    empty.write_bytes(b"")
    with compare_runs(a, broken) as result:
        assert result.pairs[0].kind is PairKind.SAME
    with compare_runs(a, empty) as result:
        assert kinds(result) == ["only_a", "only_a"]


@pytest.mark.parametrize("seed", range(20))
def test_alignment_covers_every_step_once_and_keeps_order(seed: int) -> None:
    rng = random.Random(seed)
    a = [rng.randint(0, 3) for _ in range(rng.randint(0, 60))]
    b = [rng.randint(0, 3) for _ in range(rng.randint(0, 60))]
    a_key = [x * 10 + rng.randint(0, 1) for x in a]
    b_key = [x * 10 + rng.randint(0, 1) for x in b]
    pairs = align(a, a_key, b, b_key)
    assert [i for i, _ in pairs if i is not None] == list(range(len(a)))
    assert [j for _, j in pairs if j is not None] == list(range(len(b)))
    assert all(a[i] == b[j] for i, j in pairs if i is not None and j is not None)
    # At least as many identical pairs as the longest common subsequence of the keys.
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            same = a_key[i] == b_key[j]
            table[i][j] = table[i + 1][j + 1] + 1 if same else max(table[i + 1][j], table[i][j + 1])
    identical = sum(1 for i, j in pairs if i is not None and j is not None and a_key[i] == b_key[j])
    assert identical == table[0][0]
