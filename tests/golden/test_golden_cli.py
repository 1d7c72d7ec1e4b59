"""``vcr-tui golden ...`` and ``vcr-tui ledger`` driven as a user runs them, in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson

from recorder import VCRRecorder, report_usage, vcr_record
from recorder.golden import CostLedger, GoldenRunCache
from tests.support.cli_support import assert_one_line_failure, run_cli


def agent_run(folder: Path, cache: GoldenRunCache | None = None, topic: str = "rust") -> Path:
    @vcr_record(node_name="llm:planner", frame_type="llm")
    def plan(state: dict[str, Any]) -> dict[str, Any]:
        report_usage(tokens_input=900, tokens_output=300, cost_usd=0.0125)
        return {"plan": f"learn {state['topic']}"}

    @vcr_record(node_name="tool:search", frame_type="tool")
    def search(state: dict[str, Any]) -> dict[str, Any]:
        return {"hits": 3}

    recorder = VCRRecorder(folder)
    recorder.start_session()
    with recorder:
        if cache is None:
            plan({"topic": topic}), search({"q": topic})
        else:
            with cache.serving("learn"):
                plan({"topic": "rust"}), search({"q": topic})
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def test_save_list_show_invalidate(tmp_path: Path) -> None:
    run = agent_run(tmp_path / "runs")
    saved = run_cli("golden", "save", str(run), "--task", "learn", "--tag", "nightly", cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    fp = GoldenRunCache(tmp_path / ".vcr" / "golden").entry("learn").fingerprint  # type: ignore[union-attr]
    assert f"saved golden run {fp} (2 steps) for task: learn" in saved.stdout

    listed = run_cli("golden", "list", cwd=tmp_path)
    assert listed.returncode == 0
    header, row = [line for line in listed.stdout.splitlines() if "│" in line or "┃" in line][:2]
    assert [c.strip() for c in header.strip("┃").split("┃")] == [
        "task",
        "fingerprint",
        "steps",
        "tokens",
        "cost",
        "saved at",
    ]
    assert [c.strip() for c in row.strip("│").split("│")][:5] == ["learn", fp, "2", "1,200", "$0.01"]

    shown = run_cli("golden", "show", "learn", cwd=tmp_path)
    assert shown.returncode == 0 and "llm:planner" in shown.stdout and "1,200" in shown.stdout

    gone = run_cli("golden", "invalidate", fp, cwd=tmp_path)
    assert gone.returncode == 0 and fp in gone.stdout
    assert_one_line_failure(run_cli("golden", "invalidate", "learn", cwd=tmp_path), "no golden run", "learn")
    assert "no golden runs" in run_cli("golden", "list", cwd=tmp_path).stdout


def test_ledger_table_and_json_say_what_the_engine_says(tmp_path: Path) -> None:
    cache = GoldenRunCache(tmp_path / "golden")
    cache.save_golden_run("learn", agent_run(tmp_path / "runs"))
    served = agent_run(tmp_path / "runs", cache, topic="go")  # plan answered, search live

    as_json = run_cli("ledger", str(served), "--json", cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    engine = CostLedger.of_recording(served)
    assert {k: v for k, v in data.items() if k != "steps"} == engine.summary()
    assert [(s["node_name"], s["source"], s["saved_tokens"]) for s in data["steps"]] == [
        ("llm:planner", "golden", 1200),
        ("tool:search", "live", 0),
    ]

    table = run_cli("ledger", str(served), cwd=tmp_path)
    assert table.returncode == 0
    rows = [
        [c.strip() for c in line.strip("│").split("│")] for line in table.stdout.splitlines() if line.startswith("│")
    ]
    assert [r[:3] for r in rows] == [["0", "llm:planner", "↺ golden"], ["1", "tool:search", "live"]]
    assert rows[0][6:8] == ["1,200", "$0.01"]
    assert "saved 100% · 1,200 tokens · $0.01" in table.stdout  # every priced step was answered
    assert "(1 answered, 1 live;" in table.stdout


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "folder.vcr").mkdir()
    (tmp_path / "empty.vcr").write_text("")
    assert_one_line_failure(run_cli("ledger", "missing.vcr", cwd=tmp_path), "no such file", "missing.vcr")
    assert_one_line_failure(run_cli("ledger", "folder.vcr", cwd=tmp_path), "not a recording file")
    assert_one_line_failure(run_cli("golden", "save", "missing.vcr", "--task", "t", cwd=tmp_path), "no such file")
    assert_one_line_failure(run_cli("golden", "save", "empty.vcr", "--task", "t", cwd=tmp_path), "no frames")
    assert_one_line_failure(
        run_cli("golden", "save", str(agent_run(tmp_path / "runs")), "--task", "  ", cwd=tmp_path), "--task is empty"
    )
    assert_one_line_failure(run_cli("golden", "show", "anything", cwd=tmp_path), "no golden runs")
    assert_one_line_failure(run_cli("golden", "list", "--dir", "empty.vcr", cwd=tmp_path), "not a folder")
    missing_option = run_cli("golden", "save", "empty.vcr", cwd=tmp_path)
    assert missing_option.returncode == 2 and "--task" in missing_option.stderr


def test_text_from_an_index_is_printed_literally(tmp_path: Path) -> None:
    folder = tmp_path / ".vcr" / "golden"
    cache = GoldenRunCache(folder)
    fp = cache.save_golden_run("plain", agent_run(tmp_path / "runs"))
    index = orjson.loads((folder / "index.json").read_bytes())
    index[fp]["task"] = "[bold red]boom[/] \x1b]52;c;cHduZWQ=\x07 done"
    (folder / "index.json").write_bytes(orjson.dumps(index))
    listed = run_cli("golden", "list", cwd=tmp_path)
    assert listed.returncode == 0
    assert "\x1b" not in listed.stdout and "\x07" not in listed.stdout
    assert "[bold red]boom[/]" in listed.stdout
