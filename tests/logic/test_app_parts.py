"""The app's pure parts: rows from raw lines, formatting, scans, diffs, sessions, keymaps."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import orjson
import pytest

from recorder import VCRRecorder, diff_states
from recorder.models import FrameType
from vcr_tui.keys import load_keymap
from vcr_tui.logic.diff_model import DiffMode, DiffRequest, compute_lines, state_changes
from vcr_tui.logic.formatting import format_cost, format_latency, format_timestamp, format_tokens, value_preview
from vcr_tui.logic.frame_rows import row_from_line
from vcr_tui.logic.latest_only import LatestOnly
from vcr_tui.logic.scanning import TextMatcher, scan, scan_order, survey_line
from vcr_tui.logic.sessions import SessionEntry, nest_forks, summarize
from vcr_tui.widgets.status_line import StatusFields, build_parts, fit


def recorded_lines(tmp_path: Path) -> list[bytes]:
    """Lines written by the real recorder, including a big one."""
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(session_id="parts")
    recorder.record_step("plan", {"a": 1}, {"a": 2})
    recorder.record_llm_call("gpt-x", [{"role": "user", "content": "hi"}], "hello", 5, 7, 120.0, 0.001)
    recorder.record_tool_call("fetch", {"url": "u"}, None, 33.0, error="timeout")
    big = {"rows": [{"n": n, "text": "metadata inside a state " * 3} for n in range(2000)], "metadata": {"x": 1}}
    recorder.record_step("huge", big, big)
    recorder.record_error("boom", {"a": 1}, ValueError("bad"))
    path = recorder.save()
    recorder.close()
    return [line for line in path.read_bytes().splitlines(keepends=True) if line.startswith(b'{"type":"frame"')]


def test_rows_from_big_lines_match_rows_from_whole_parses(tmp_path: Path) -> None:
    lines = recorded_lines(tmp_path)
    assert len(lines[3]) > 16 * 1024  # the big line takes the partial-parse path
    rows = [row_from_line(line, index) for index, line in enumerate(lines)]
    assert [row.node_name for row in rows] == ["plan", "llm:gpt-x", "tool:fetch", "huge", "boom"]
    assert [row.frame_type for row in rows] == [
        FrameType.NODE_EXECUTION,
        FrameType.LLM_CALL,
        FrameType.TOOL_CALL,
        FrameType.NODE_EXECUTION,
        FrameType.ERROR,
    ]
    assert rows[1].tokens == 12 and rows[1].cost_usd == 0.001 and rows[1].model == "gpt-x"
    assert rows[2].is_error and rows[2].error_type == "ToolError"
    assert not rows[3].is_error and rows[4].is_error
    # the partial parse agrees with a whole parse of the same line
    whole = orjson.loads(lines[3])["data"]
    assert rows[3].timestamp == whole["timestamp"] and rows[3].latency_ms == whole["metadata"]["latency_ms"]


def test_unreadable_line_gives_an_error_row() -> None:
    row = row_from_line(b'{"type":"frame","data":{"node_name":"x", oops}', 4)
    assert row.is_error and row.unreadable and row.index == 4


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, ""),
        (0.05, "<0.1 ms"),
        (3.0, "3.0 ms"),
        (850.0, "850 ms"),
        (1500.0, "1.5 s"),
        (125_000.0, "2m05s"),
        (7_500_000.0, "2h05m"),
    ],
)
def test_format_latency(value: float | None, shown: str) -> None:
    assert format_latency(value) == shown


def test_format_numbers_and_times() -> None:
    assert format_tokens(None) == "" and format_tokens(4096) == "4,096" and format_tokens(2_500_000) == "2.5M"
    assert format_cost(None) == "" and format_cost(0.00042) == "$0.00042" and format_cost(1.5) == "$1.50"
    assert format_timestamp("2026-11-26T02:22:25.256409+00:00") == "2026-11-26 02:22:25.256"
    assert format_timestamp("2026-11-26T02:22:25+00:00", with_date=False) == "02:22:25"
    assert format_timestamp("yesterday\x1b") == "yesterday␛"


def test_value_preview_shows_typed_values_as_what_they_are() -> None:
    assert value_preview({"__type__": "datetime", "data": "2024-01-02T03:04:05+00:00"}).plain == (
        'datetime "2024-01-02T03:04:05+00:00"'
    )
    assert value_preview({"__type__": "Enum", "__class__": "Color", "data": "red"}).plain == 'Color "red"'
    assert value_preview([1, 2, 3]).plain == "[3] [1,2,3]"
    assert value_preview("x" * 500, 20).plain.endswith("(500 chars)")


def test_chat_messages_preview_as_their_type_and_text() -> None:
    def message(kind: str, content: str, **fields: object) -> dict[str, object]:
        data = {"content": content, "type": kind.lower(), "id": None, **fields}
        return {"__type__": kind, "__module__": "langchain_core.messages", "data": data}

    call = {"name": "fx_rate", "args": {}, "id": "c1"}
    assert value_preview(message("AIMessage", "", tool_calls=[call])).plain == 'AIMessage "" +1 tool call'
    chat = [message("HumanMessage", "hi"), message("AIMessage", "hello there"), message("AIMessage", "bye")]
    assert value_preview(chat, 60).plain == '[3] HumanMessage "hi" · AIMessage "hello there" · …'
    long_chat = [message("HumanMessage", "word " * 40)] * 2
    preview = value_preview(long_chat, 60).plain
    assert preview.startswith('[2] HumanMessage "word word') and "chars" not in preview


def test_text_matcher_looks_at_names_states_and_errors_only() -> None:
    line = orjson.dumps(
        {
            "type": "frame",
            "data": {
                "frame_id": "needle-id",
                "node_name": "Plan",
                "input_state": {"Key": [1, "Deep"]},
                "output_state": {},
                "metadata": {"error_message": "Timeout", "model": "needle"},
            },
        }
    )
    assert TextMatcher("plan").matches_line(line)
    assert TextMatcher("deep").matches_line(line)
    assert TextMatcher("KEY").matches_line(line)
    assert TextMatcher("timeout").matches_line(line)
    assert not TextMatcher("needle").matches_line(line)  # ids and model are not state text
    escaped = orjson.dumps({"type": "frame", "data": {"node_name": "x", "output_state": {"t": 'say "hi" é'}}})
    assert TextMatcher('"hi" é').matches_line(escaped)


def test_survey_finds_error_frames_and_problems() -> None:
    data = {
        "node_name": "x",
        "frame_type": "node",
        "metadata": {"error_type": None},
        "input_state": {"error_type": "in a state"},
        "output_state": {},
        "timestamp": "2026-01-01T00:00:00+00:00",
    }
    frame = {"type": "frame", "data": data}
    assert survey_line(orjson.dumps(frame), 0, 2) == (False, None)
    data["metadata"] = {"error_type": "ToolError"}
    assert survey_line(orjson.dumps(frame), 0, 2) == (True, None)
    data["frame_type"] = "banana"
    _, problem = survey_line(orjson.dumps(frame), 0, 7)
    assert problem is not None and problem.line == 7 and "banana" in problem.reason
    is_error, problem = survey_line(b'{"type":"frame","data":{"node_name": nope}', 3, 9)
    assert is_error and problem is not None and problem.line == 9


def test_scan_starts_at_the_cursor_wraps_and_reports_in_batches() -> None:
    assert list(scan_order(5, 3)) == [3, 4, 0, 1, 2]
    reports: list[tuple[list[int], int, bool]] = []
    scan(
        6,
        4,
        lambda i: str(i).encode(),
        lambda raw, i: i % 2 == 0,
        lambda f, s, d: reports.append((f, s, d)),
        lambda: False,
        batch_seconds=3600,
    )
    assert reports == [([4, 0, 2], 6, True)]
    stopped: list[object] = []
    scan(6, 0, lambda i: b"", lambda raw, i: True, lambda *a: stopped.append(a), lambda: True)
    assert stopped == []


def test_diff_lines_show_kinds_paths_and_old_to_new() -> None:
    request = DiffRequest(
        (0,), {"a": 1, "gone": "x", "n": {"l": [1]}}, {"a": 2, "new": True, "n": {"l": [1, 2]}}, "before", "after"
    )
    lines, summary = compute_lines(request)
    plain = [line.plain for line in lines]
    assert summary == "4 changes: 2 added, 1 removed, 1 changed"
    assert plain[0].startswith("before → after")
    assert "~ $.a  1 → 2" in plain and "+ $.new  true" in plain and '- $.gone  "x"' in plain
    assert "+ $.n.l[1]  2" in plain
    assert DiffMode.STEP.following() is DiffMode.PREVIOUS and DiffMode.MARKED.following() is DiffMode.STEP


def test_diff_lines_are_capped() -> None:
    lines, _ = compute_lines(DiffRequest((0,), {}, {f"k{n}": n for n in range(30)}, "a", "b"), limit=10)
    assert len(lines) == 12 and lines[-1].plain.strip() == "… 20 more changes"


def test_nest_forks_puts_forks_under_parents_and_survives_cycles() -> None:
    def entry(sid: str, parent: str | None = None, created: str = "") -> SessionEntry:
        return SessionEntry(path=Path(f"{sid}.vcr"), session_id=sid, parent_session_id=parent, created_at=created)

    ordered = nest_forks(
        [
            entry("a", created="1"),
            entry("b", created="2"),
            entry("a1", "a", "3"),
            entry("x", "y"),
            entry("y", "x"),
            entry("orphan", "missing"),
        ]
    )
    assert [(e.session_id, e.depth) for e in ordered] == [
        ("b", 0),
        ("a", 0),
        ("a1", 1),
        ("y", 0),
        ("x", 0),
        ("orphan", 0),
    ]


def test_summarize_sums_totals_the_header_left_at_zero(tmp_path: Path) -> None:
    path = tmp_path / "old.vcr"
    frame = {
        "type": "frame",
        "data": {
            "node_name": "x",
            "input_state": {},
            "output_state": {},
            "metadata": {"tokens_used": 10, "cost_usd": 0.5},
        },
    }
    header = {"type": "session", "data": {"session_id": "old", "frame_count": 0, "total_tokens": 0}}
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in (header, frame, frame)) + b"\n")
    entry = summarize(path)
    assert (entry.frames, entry.tokens, entry.cost_usd) == (2, 20, 1.0)
    assert summarize(tmp_path / "gone.vcr").error


def test_load_keymap_reads_ids_and_complains_about_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "keymap.toml"
    path.write_text("# mine\n[keys]\nfile.next-error = \"e\"\nframes.down = 'ctrl+n,j'  # both\nnonsense\n")
    keymap, complaints = load_keymap(path)
    assert keymap == {"file.next-error": "e", "frames.down": "ctrl+n,j"}
    assert len(complaints) == 1 and ":5:" in complaints[0]
    assert load_keymap(tmp_path / "none.toml")[1]


def _latest_only_run(max_running: int, later_jobs: tuple[int, ...]) -> tuple[list[int], int, list[int]]:
    """Submit job 0 (which blocks until released), then ``later_jobs``; return what ran."""
    handled: list[int] = []
    handled_before_release: list[int] = []
    release = threading.Event()
    slow_started = threading.Event()
    threads: list[threading.Thread] = []
    progress = threading.Condition()  # told each time a job is handled

    def handle(job: int) -> None:
        if job == 0:
            slow_started.set()
            release.wait(30)
        with progress:
            handled.append(job)
            progress.notify_all()

    def start() -> None:
        thread = threading.Thread(target=lambda: runner.drain(handle))
        threads.append(thread)
        thread.start()

    runner: LatestOnly[int] = LatestOnly(start, max_running=max_running)
    runner.submit(0)
    assert slow_started.wait(30), "job 0 never started"
    for job in later_jobs:
        runner.submit(job)
        with progress:
            progress.wait_for(lambda job=job: job in handled, timeout=30)
    handled_before_release.extend(handled)
    release.set()
    for thread in threads:
        thread.join(5)
    return handled, len(threads), handled_before_release


def test_latest_only_runs_the_newest_job_and_drops_the_ones_in_between() -> None:
    handled: list[int] = []
    release = threading.Event()
    slow_started = threading.Event()
    starts: list[threading.Thread] = []

    def handle(job: int) -> None:
        if job == 0:
            slow_started.set()
            release.wait(30)
        handled.append(job)

    def start() -> None:
        starts.append(threading.Thread(target=lambda: runner.drain(handle)))
        starts[-1].start()

    runner: LatestOnly[int] = LatestOnly(start, max_running=1)
    runner.submit(0)
    assert slow_started.wait(30), "job 0 never started"  # it is running, not waiting: later ones queue
    for job in (1, 2, 3):
        runner.submit(job)
    release.set()
    for thread in starts:
        thread.join(5)
    assert handled == [0, 3] and len(starts) == 1


def test_latest_only_answers_a_new_job_while_a_slow_one_runs() -> None:
    handled, threads, before_release = _latest_only_run(2, (1,))
    assert before_release == [1]  # the second worker did not wait for the slow job 0
    assert sorted(handled) == [0, 1] and threads == 2


def test_status_line_drops_the_least_useful_fields_first() -> None:
    from vcr_tui.logic.frame_rows import FrameRow

    row = FrameRow(3, FrameType.LLM_CALL, "llm:gpt", latency_ms=850.0, tokens=28, cost_usd=0.001, model="gpt")
    parts = build_parts(StatusFields("session-id", 3, 10, row, skipped=2, live="LIVE"))
    wide = fit(parts, 200).plain
    for piece in ("LIVE", "session-id", "#3 (4/10)", "llm:gpt", "llm", "gpt", "28 tok", "$0.001", "850 ms", "2 lines"):
        assert piece in wide
    narrow = fit(parts, 50).plain
    assert "LIVE" in narrow and "#3 (4/10)" in narrow and "2 lines skipped" in narrow
    assert "$0.001" not in narrow


def _random_state(rng: random.Random, depth: int = 0) -> object:
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return rng.choice([1, 2, "a", "b", None, True, False, 0, 1.0, 1.5, "xxxxx"])
    if roll < 0.7:
        return {rng.choice("abcdef"): _random_state(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [_random_state(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def _mutated(rng: random.Random, value: object, depth: int = 0) -> object:
    if isinstance(value, dict):
        value = dict(value)
        if value and rng.random() < 0.5:
            key = rng.choice(list(value))
            value[key] = _mutated(rng, value[key], depth + 1)
        if rng.random() < 0.2:
            value[rng.choice("abcdefg")] = _random_state(rng, depth + 1)
        if value and rng.random() < 0.2:
            value.pop(rng.choice(list(value)))
        return value
    if isinstance(value, list):
        value = list(value)
        if value and rng.random() < 0.5:
            index = rng.randrange(len(value))
            value[index] = _mutated(rng, value[index], depth + 1)
        if rng.random() < 0.2:
            value.append(_random_state(rng, depth + 1))
        if value and rng.random() < 0.1:
            value.pop(0)
        return value
    return _random_state(rng, depth + 1) if rng.random() < 0.7 else value


def test_state_changes_agree_with_diff_states_on_small_states() -> None:
    rng = random.Random(20260102)
    compared = 0
    for _ in range(2000):
        before = {"s": _random_state(rng)}
        after = _mutated(rng, before)
        if before == after:
            continue
        compared += 1
        assert state_changes(before, after) == diff_states(before, after), (before, after)
    assert compared > 1000


def test_state_changes_narrow_a_big_state_to_the_change() -> None:
    rows = [{"id": n, "text": "z" * 40} for n in range(20_000)]
    changed = [dict(row) for row in rows]
    changed[12_345]["text"] = "new"
    changed.append({"id": -1})
    grown = {"rows": changed, "extra": [1] * 5000}
    changes = state_changes({"rows": rows, "extra": [1] * 4999}, grown)
    assert [(change.path, change.kind) for change in changes] == [
        (("extra", 4999), "added"),
        (("rows", 12_345, "text"), "changed"),
        (("rows", 20_000), "added"),
    ]
