"""VCRRecorder: payload shapes, append-only saving, safe file names, memory, threads."""

from __future__ import annotations

import asyncio
import os
import threading
import tracemalloc
from pathlib import Path

import orjson
import pytest

from recorder import AsyncVCRRecorder, FrameType, RecorderClosedError, VCRPlayer, VCRRecorder, active_recorder


def records(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def test_header_then_frames_then_totals(tmp_path: Path) -> None:
    rec = VCRRecorder(tmp_path)
    session = rec.start_session(session_id="run-1", metadata={"task": "t"}, tags=["x"])
    assert rec.path == tmp_path.resolve() / "run-1.vcr"
    rec.record_step("plan", {"a": 1}, {"a": 2})
    rec.record_llm_call("gpt-4o", [{"role": "user", "content": "hi"}], {"content": "yo"}, 20, 8, 850.0, 0.0004)
    path = rec.save()
    lines = records(path)
    assert [r["type"] for r in lines] == ["session", "frame", "frame", "session"]
    assert lines[0]["data"]["frame_count"] == 0
    last = lines[-1]["data"]
    assert (last["session_id"], last["frame_count"], last["total_tokens"]) == ("run-1", 2, 28)
    assert last["total_cost_usd"] == pytest.approx(0.0004)
    assert session.metadata == {"task": "t"}


def test_each_frame_reaches_the_file_before_record_returns(tmp_path: Path) -> None:
    rec = VCRRecorder(tmp_path)
    rec.start_session()
    assert rec.path is not None
    for i in range(5):
        rec.record_step("n", {"i": i}, {"i": i + 1})
        # read through a separate descriptor: no buffering in this process can hide a frame
        assert len(records(rec.path)) == i + 2


def test_save_appends_and_never_rewrites(tmp_path: Path) -> None:
    rec = VCRRecorder(tmp_path)
    rec.start_session()
    rec.record_step("a", {}, {"x": 1})
    assert rec.path is not None
    before = rec.path.read_bytes()
    rec.save()
    rec.record_step("b", {}, {"x": 2})
    rec.save()
    after = rec.path.read_bytes()
    assert after.startswith(before)
    assert [r["type"] for r in records(rec.path)].count("session") == 3
    assert VCRPlayer.load(rec.path).session.frame_count == 2


def test_helper_payload_shapes_match_the_format(tmp_path: Path) -> None:
    rec = VCRRecorder(tmp_path)
    rec.start_session()
    llm = rec.record_llm_call(
        "m1", [{"role": "user", "content": "q"}], {"role": "assistant", "content": "a"}, 3, 4, 5.0, 0.1
    )
    ok = rec.record_tool_call("grep", {"pattern": "x"}, ["hit"], 2.0)
    bad = rec.record_tool_call("write_file", {"path": "a"}, None, 1.0, error="Permission denied")
    err = rec.record_error("apply", {"step": 2}, ValueError("patch did not apply"), 4.2)
    assert (llm.node_name, llm.frame_type, llm.metadata.tokens_used) == ("llm:m1", FrameType.LLM_CALL, 7)
    assert llm.input_state == {"messages": [{"role": "user", "content": "q"}]}
    assert llm.output_state == {"response": {"role": "assistant", "content": "a"}}
    assert (ok.node_name, ok.output_state, ok.metadata.error_type) == (
        "tool:grep",
        {"result": ["hit"], "error": None},
        None,
    )
    assert (bad.metadata.error_type, bad.output_state["error"]) == ("ToolError", "Permission denied")
    assert (err.frame_type, err.output_state, err.metadata.error_type) == (
        FrameType.ERROR,
        {"error": "patch did not apply"},
        "ValueError",
    )
    assert rec.path is not None
    data = [r["data"] for r in records(rec.path) if r["type"] == "frame"]
    assert [d["frame_type"] for d in data] == ["llm", "tool", "tool", "error"]
    assert set(data[0]["metadata"]) == {
        "model", "latency_ms", "tokens_used", "tokens_input", "tokens_output", "cost_usd",
        "error_type", "error_message", "custom",
    }  # fmt: skip
    assert data[0]["timestamp"].endswith("+00:00") and "." in data[0]["timestamp"]


@pytest.mark.parametrize(
    "hostile",
    ["../../x", "/etc/passwd", "a/../../b", "..", ".", "", "nul\x00byte", "C:\\Windows\\x", "~/.ssh/id"],
)
def test_hostile_session_ids_stay_inside_output_dir(tmp_path: Path, hostile: str) -> None:
    out = tmp_path / "out"
    rec = VCRRecorder(out)
    session = rec.start_session(session_id=hostile or None)
    rec.record_step("n", {}, {})
    rec.close()
    assert rec.path is not None
    assert rec.path.parent == out.resolve()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [rec.path.name]
    if hostile:
        assert session.session_id == hostile  # the id is data; only the file name is sanitised


def test_an_existing_recording_is_never_overwritten(tmp_path: Path) -> None:
    first = VCRRecorder(tmp_path)
    first.start_session(session_id="same")
    first.record_step("one", {}, {})
    first.close()
    assert first.path is not None
    original = first.path.read_bytes()
    second = VCRRecorder(tmp_path)
    second.start_session(session_id="same")
    second.record_step("two", {}, {})
    second.close()
    assert first.path.read_bytes() == original
    assert second.path is not None and second.path != first.path
    assert [f.node_name for f in VCRPlayer.load(second.path)] == ["two"]


def test_recording_without_a_session_is_a_clear_error(tmp_path: Path) -> None:
    rec = VCRRecorder(tmp_path)
    with pytest.raises(RecorderClosedError, match="start_session"):
        rec.record_step("n", {}, {})


def test_context_manager_saves_and_sets_the_active_recorder(tmp_path: Path) -> None:
    rec = VCRRecorder(tmp_path)
    rec.start_session()
    assert active_recorder() is None
    with rec:
        assert active_recorder() is rec
        rec.record_step("n", {}, {"v": 1})
    assert active_recorder() is None
    assert rec.path is not None
    assert records(rec.path)[-1]["data"]["frame_count"] == 1


def test_threads_never_interleave_lines(tmp_path: Path) -> None:
    rec = VCRRecorder(tmp_path)
    rec.start_session()
    big = "x" * 50_000  # large lines make interleaving likely if the lock were missing

    def work(worker: int) -> None:
        for i in range(50):
            rec.record_step(f"w{worker}", {"i": i}, {"blob": big})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rec.close()
    assert rec.path is not None
    player = VCRPlayer.load(rec.path)
    assert len(player) == 200 and player.problems == []
    assert sorted(f.input_state["i"] for f in player if f.node_name == "w3") == list(range(50))


def test_memory_does_not_grow_with_frames(tmp_path: Path) -> None:
    rec = VCRRecorder(tmp_path)
    rec.start_session()
    state = {"messages": [{"role": "user", "content": "y" * 1000}], "n": 1}
    for _ in range(500):  # warm up allocator pools
        rec.record_step("n", state, state)
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    for _ in range(20_000):
        rec.record_step("n", state, state)
    grown, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert grown - base < 200_000, f"grew by {grown - base} bytes over 20,000 frames"


def test_fork_copies_the_prefix_and_starts_from_the_edited_input(tmp_path: Path) -> None:
    rec = VCRRecorder(tmp_path)
    parent = rec.start_session(session_id="parent", metadata={"agent": "demo"})
    rec.record_step("plan", {"task": "t"}, {"task": "t", "plan": ["a"]})
    rec.record_llm_call("m", [{"role": "user", "content": "q"}], {"content": "a"}, 1, 2, 3.0)
    rec.record_step("apply", {"plan": ["a"], "retries": 0}, {"ok": False})
    before = rec.path.read_bytes() if rec.path else b""
    fork = rec.fork(2, new_session_id="child", state_overrides={"retries": 3})
    fork.record_step("apply", {"plan": ["a"], "retries": 3}, {"ok": True})
    fork.close()
    assert rec.path is not None and rec.path.read_bytes() == before  # the parent is untouched
    assert fork.path is not None
    player = VCRPlayer.load(fork.path)
    assert (player.session.parent_session_id, player.session.forked_from_frame) == (parent.session_id, 2)
    assert player.session.metadata["agent"] == "demo"
    assert [f.node_name for f in player] == ["plan", "llm:m", "fork:apply", "apply"]
    assert [f.frame_type for f in player][:3] == [FrameType.NODE_EXECUTION, FrameType.LLM_CALL, FrameType.CHECKPOINT]
    start = player.get_frame(2)
    assert start.input_state == {"plan": ["a"], "retries": 0}
    assert start.output_state == {"plan": ["a"], "retries": 3}
    assert start.metadata.custom["source"] == "fork" and start.metadata.custom["forked_from_frame"] == 2
    assert all(f.session_id == "child" for f in player)
    copied_llm = player.get_frame(1).metadata
    assert (copied_llm.tokens_used, copied_llm.custom["recorded_tokens"], copied_llm.custom["source"]) == (
        None,
        3,
        "replayed",
    )
    assert player.session.total_tokens == 0  # the prefix cost nothing in the fork


def test_fork_out_of_range_is_a_clear_error(tmp_path: Path) -> None:
    rec = VCRRecorder(tmp_path)
    rec.start_session()
    rec.record_step("a", {}, {})
    with pytest.raises(ValueError, match="has 1 frames"):
        rec.fork(5)


def test_async_recorder(tmp_path: Path) -> None:
    async def agent() -> Path:
        async with AsyncVCRRecorder(tmp_path) as rec:
            await rec.start_session(session_id="async")
            await asyncio.gather(*(rec.record_step(f"n{i}", {"i": i}, {"i": i}) for i in range(10)))
            await rec.record_llm_call("m", [], {"content": "x"}, 1, 1, 1.0)
            assert rec.path is not None
            return rec.path

    path = asyncio.run(agent())
    player = VCRPlayer.load(path)
    assert len(player) == 11 and player.session.frame_count == 11


def test_async_recorder_with_fsync_runs_writes_off_the_loop(tmp_path: Path) -> None:
    async def agent() -> Path:
        rec = AsyncVCRRecorder(tmp_path, fsync=True)
        await rec.start_session()
        await rec.record_step("a", {}, {"v": 1})
        await rec.close()
        assert rec.path is not None
        return rec.path

    path = asyncio.run(agent())
    assert os.path.getsize(path) > 0 and len(VCRPlayer.load(path)) == 1
