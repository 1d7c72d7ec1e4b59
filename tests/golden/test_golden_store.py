"""The golden-run folder: atomic saves by two processes at once, a damaged index, the peer's folders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from recorder import VCRPlayer, VCRRecorder
from recorder.golden import GoldenRunCache, fingerprint
from tests.support.peer_venv import require_peer


def recording(folder: Path, steps: int = 3, tokens: int = 5) -> Path:
    recorder = VCRRecorder(folder)
    recorder.start_session(metadata={"task": "original"})
    for step in range(steps):
        recorder.record_step(f"step_{step}", {"n": step}, {"n": step + 1}, metadata={"tokens_used": tokens})
    recorder.close()
    assert recorder.path is not None
    return recorder.path


_SAVER = """
import sys
from recorder.golden import GoldenRunCache
cache = GoldenRunCache(sys.argv[1])
for n in range(int(sys.argv[2])):
    cache.save_golden_run(f"task {n}", sys.argv[3])
"""


def test_processes_saving_the_same_tasks_at_once_leave_every_entry_whole_and_true(tmp_path: Path) -> None:
    """Two savers race over the same tasks with different runs while a reader keeps reading.

    Every read sees an index that agrees with the files (no rebuild needed), and at the end each
    entry describes exactly the file under its fingerprint, whichever saver won it.
    """
    short, long = recording(tmp_path / "runs", steps=20), recording(tmp_path / "runs", steps=30)
    folder = tmp_path / "golden"
    savers = [
        subprocess.Popen([sys.executable, "-c", _SAVER, str(folder), "40", str(source)], cwd=Path.cwd())
        for source in (short, long)
    ]
    reads = 0
    while any(saver.poll() is None for saver in savers):
        cache = GoldenRunCache(folder)
        cache.list_golden_runs()
        assert cache.problems == [], cache.problems
        reads += 1
    assert [saver.returncode for saver in savers] == [0, 0]
    assert reads > 0

    index = json.loads((folder / "index.json").read_text())
    assert sorted(entry["task"] for entry in index.values()) == sorted(f"task {n}" for n in range(40))
    for fp, entry in index.items():
        player = VCRPlayer.load(folder / f"{fp}.vcr")
        assert player.problems == []
        assert (entry["frame_count"], entry["session_id"]) == (len(player), player.session.session_id)
    assert [p.name for p in folder.iterdir() if p.suffix == ".tmp"] == []


def test_a_corrupt_index_is_rebuilt_from_the_files_with_a_problem(tmp_path: Path) -> None:
    folder = tmp_path / "golden"
    cache = GoldenRunCache(folder)
    fp = cache.save_golden_run("fix the login bug", recording(tmp_path / "runs"))
    (folder / "index.json").write_bytes(b'{"truncated": ')

    again = GoldenRunCache(folder)
    [entry] = again.list_golden_runs()
    assert (entry["fingerprint"], entry["task"], entry["frame_count"], entry["total_tokens"]) == (
        fp,
        "fix the login bug",
        3,
        15,
    )
    assert any("not valid JSON" in problem for problem in again.problems)
    assert fp in orjson.loads((folder / "index.json").read_bytes())  # written back whole
    assert GoldenRunCache(folder).list_golden_runs() and GoldenRunCache(folder).problems == []


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda folder, fp: (folder / "index.json").unlink(), id="missing"),
        pytest.param(lambda folder, fp: (folder / "index.json").write_text("[1, 2]"), id="not-an-object"),
        pytest.param(lambda folder, fp: (folder / "index.json").write_text('{"x": 1}'), id="odd-entry"),
        pytest.param(lambda folder, fp: (folder / "index.json").write_bytes(b"\xff\xfe\x00"), id="binary"),
    ],
)
def test_a_damaged_index_never_raises(tmp_path: Path, damage: Any) -> None:
    folder = tmp_path / "golden"
    fp = GoldenRunCache(folder).save_golden_run("t", recording(tmp_path / "runs"))
    damage(folder, fp)
    cache = GoldenRunCache(folder)
    assert cache.has_golden_run("t")
    assert cache.problems


def test_an_entry_whose_file_is_gone_is_dropped_and_paths_in_the_index_are_never_followed(tmp_path: Path) -> None:
    folder = tmp_path / "golden"
    cache = GoldenRunCache(folder)
    kept = cache.save_golden_run("kept", recording(tmp_path / "runs"))
    gone = cache.save_golden_run("gone", recording(tmp_path / "runs"))
    (folder / f"{gone}.vcr").unlink()
    index = orjson.loads((folder / "index.json").read_bytes())
    elsewhere = recording(tmp_path / "elsewhere", steps=7)
    index[kept]["file"] = str(elsewhere)  # an index from elsewhere pointing at another file
    (folder / "index.json").write_bytes(orjson.dumps(index))

    assert [e["task"] for e in cache.list_golden_runs()] == ["kept"]
    assert any("missing" in problem for problem in cache.problems)
    with cache.serving("kept") as server:
        assert len(server.matcher.table) == 3  # the golden file's steps, not the 7 named in the index


def test_a_growing_recording_is_saved_up_to_its_last_complete_line(tmp_path: Path) -> None:
    source = recording(tmp_path / "runs")
    with source.open("ab") as out:
        out.write(b'{"type":"frame","data":{"node_name":"half')  # still being written
    cache = GoldenRunCache(tmp_path / "golden")
    fp = cache.save_golden_run("t", source)
    player = VCRPlayer.load(tmp_path / "golden" / f"{fp}.vcr")
    assert len(player) == 3 and player.problems == []
    assert player.session.metadata["golden_task"] == "t"


@pytest.mark.interop
def test_a_folder_the_peer_wrote_is_read_and_served(tmp_path: Path) -> None:
    peer = require_peer("0.5.0")
    made = peer.run("golden-save", str(tmp_path), cwd=tmp_path)
    cache = GoldenRunCache(tmp_path / "golden")
    assert made["fingerprint"] == fingerprint(made["task"])
    assert cache.has_golden_run(made["task"])
    [entry] = cache.list_golden_runs()
    assert (entry["task"], entry["frame_count"], entry["tags"]) == (made["task"], 3, ["peer"])

    calls: list[str] = []
    recorder = VCRRecorder(tmp_path / "runs")
    recorder.start_session()
    with recorder, cache.serving(made["task"]) as golden:
        reply = golden.llm_call(
            "gpt-4o-mini", [{"role": "user", "content": "write the routes"}], lambda: calls.append("model")
        )
        result = golden.tool_call("run_tests", {"cmd": "pytest -q"}, lambda: calls.append("tool"))
        ledger = golden.ledger()
    assert (reply, result, calls) == ("app.get('/items')", {"passed": 4}, [])
    assert (ledger.tokens_saved, round(ledger.cost_saved_usd, 6), ledger.time_saved_ms) == (50, 0.003, 1300.0)

    outputs, replayed = cache.replay(made["task"])
    assert outputs[0] == {"plan": ["routes", "auth"]} and replayed.steps_replayed == 3


@pytest.mark.interop
def test_a_folder_we_wrote_is_replayed_by_the_peer(tmp_path: Path) -> None:
    peer = require_peer("0.5.0")
    cache = GoldenRunCache(tmp_path / "golden")
    cache.save_golden_run("Ship it", recording(tmp_path / "runs"))
    replayed = peer.run("golden-replay", str(tmp_path / "golden"), "Ship it", cwd=tmp_path)
    assert replayed["has"] is True
    assert replayed["outputs"] == [{"n": 1}, {"n": 2}, {"n": 3}]


@pytest.mark.interop
def test_a_recording_the_peer_wrote_is_saved_with_its_totals_added_up(tmp_path: Path) -> None:
    peer = require_peer("0.5.0")
    made = {
        scenario["scenario"]: scenario for scenario in peer.run("record-sync", str(tmp_path / "peer"), cwd=tmp_path)
    }
    many = Path(made["many"]["path"])  # 0.5.0 leaves the header's totals at 0
    cache = GoldenRunCache(tmp_path / "golden")
    cache.save_golden_run("many", many)
    [entry] = cache.list_golden_runs()
    assert (entry["frame_count"], entry["total_tokens"]) == (250, 500)
