"""Whatever an agent holds in its state, recording it never raises and the agent goes on."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from recorder import VCRPlayer, VCRRecorder, vcr_record


class Hostile:
    """Every hook Python might call while storing an object raises."""

    def __repr__(self) -> str:
        raise RuntimeError("repr")

    def __str__(self) -> str:
        raise RuntimeError("str")

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"getattr {name}")

    def __lt__(self, other: object) -> bool:
        raise RuntimeError("lt")

    def __hash__(self) -> int:
        return 7


class HostileError(Exception):
    def __str__(self) -> str:
        raise RuntimeError("str of an exception")


def lone_surrogate_name(folder: Path) -> str:
    """A real ``os.listdir`` name that is not UTF-8: Python hands it over with a lone surrogate."""
    raw = os.fsencode(folder) + b"/caf\xe9.txt"
    try:
        with open(raw, "wb"):
            pass
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    (name,) = os.listdir(folder)
    assert "\udce9" in name
    return name


def states(tmp_path: Path) -> list[Any]:
    cycle: dict[str, Any] = {"name": "loop"}
    cycle["self"] = cycle
    looped: list[Any] = [1]
    looped.append(looped)
    name = lone_surrogate_name(tmp_path / "listing")
    return [
        {"files": [name], name: "as a key"},
        {"obj": Hostile()},
        {"objs": {Hostile(), Hostile()}},
        {"keyed": {Hostile(): 1}},
        {"cycle": cycle, "looped": looped},
        {"error": HostileError()},
        {"huge": 10**5000},
    ]


@pytest.fixture
def listing(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "listing"
    folder.mkdir()
    yield folder


def test_record_step_and_every_helper_store_a_readable_fallback(tmp_path: Path, listing: Path) -> None:
    recorder = VCRRecorder(tmp_path / "out")
    recorder.start_session()
    hostile = states(tmp_path)
    for state in hostile:
        recorder.record_step("step", state, state)
        recorder.record_llm_call("m", [state], state, tokens_input=1, tokens_output=1)
        recorder.record_tool_call("t", state, state)
        recorder.record_checkpoint(state, "cp")
    recorder.record_error("boom", hostile[0], HostileError())
    recorder.record_step(Hostile(), {}, {})  # type: ignore[arg-type]
    recorder.close()
    assert recorder.path is not None
    player = VCRPlayer.load(recorder.path)
    assert len(player) == 4 * len(hostile) + 2
    assert player.problems == []
    first = player.get_frame(0).output_state
    assert first["files"] == [os.listdir(listing)[0]]  # the lone surrogate comes back exactly
    assert "<unreadable Hostile: RuntimeError>" in str(player.get_frame(4).output_state)
    assert player.get_frame(4 * len(hostile)).metadata.error_message == "<unprintable HostileError: RuntimeError>"
    assert player.get_frame(-1).node_name == "<unprintable Hostile: RuntimeError>"


def test_a_decorated_step_with_a_hostile_state_runs_on(tmp_path: Path, listing: Path) -> None:
    hostile = states(tmp_path)

    @vcr_record
    def step(state: dict[str, Any]) -> dict[str, Any]:
        return {**state, "ran": True}

    @vcr_record
    def many(a: Any, b: Any) -> Any:
        return Hostile()

    @vcr_record
    def fails(state: dict[str, Any]) -> dict[str, Any]:
        raise HostileError()

    with VCRRecorder(tmp_path / "out") as recorder:
        recorder.start_session()
        for state in hostile:
            assert step(state)["ran"] is True
            assert isinstance(many(state, Hostile()), Hostile)
        with pytest.raises(HostileError):
            fails(hostile[1])
    assert recorder.path is not None
    player = VCRPlayer.load(recorder.path)
    assert len(player) == 2 * len(hostile) + 1 and player.problems == []
    assert player.get_frame(-1).is_error


@pytest.mark.parametrize("session_id", ["caf\udce9", "\udc80" * 3, "a\x00b\n", "../" * 50])
def test_a_session_id_that_is_no_file_name_is_sanitised_before_the_file_exists(tmp_path: Path, session_id: str) -> None:
    out = tmp_path / "out"
    recorder = VCRRecorder(out)
    session = recorder.start_session(session_id=session_id)
    recorder.record_step("n", {}, {})
    recorder.close()
    assert recorder.path is not None and recorder.path.parent == out.resolve()
    assert recorder.path.name.encode("ascii")  # a plain ASCII file name
    assert [p.name for p in out.iterdir()] == [recorder.path.name]
    assert session.session_id == session_id
    assert VCRPlayer.load(recorder.path).session.session_id == session_id


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KB tmpfs mounted for the test: a real full disk. Skipped where mounting is impossible."""
    mount = shutil.which("mount")
    point = tmp_path / f"disk-{uuid.uuid4().hex[:8]}"
    point.mkdir()
    if os.geteuid() != 0 or mount is None:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(point)], capture_output=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_a_full_disk_names_the_recording(tiny_disk: Path) -> None:
    recorder = VCRRecorder(tiny_disk)
    recorder.start_session(session_id="filling")
    assert recorder.path is not None
    with pytest.raises(OSError) as raised:
        for seq in range(1000):
            recorder.record_step("fill", {"seq": seq}, {"pad": "x" * 4000})
    assert raised.value.errno == errno.ENOSPC
    assert str(recorder.path) in str(raised.value)
    player = VCRPlayer.load(recorder.path)  # what made it to disk still reads
    assert len(player) >= 1 and player.get_frame(0).input_state == {"seq": 0}


def test_a_disk_too_full_for_the_header_leaves_no_empty_file(tiny_disk: Path) -> None:
    (tiny_disk / "ballast").write_bytes(b"\0" * 60_000)
    with pytest.raises(OSError):
        (tiny_disk / "more").write_bytes(b"\0" * 8192)  # the disk is full now
    (tiny_disk / "more").unlink(missing_ok=True)
    recorder = VCRRecorder(tiny_disk)
    with pytest.raises(OSError) as raised:
        recorder.start_session(session_id="no-room", metadata={"pad": "y" * 20_000})
    assert "no-room" in str(raised.value)
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["ballast"]


def test_a_langgraph_node_whose_state_holds_a_lone_surrogate_runs_on(tmp_path: Path, listing: Path) -> None:
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph

    from recorder.integrations.langgraph import VCRLangGraph

    class Files(TypedDict, total=False):
        names: list[str]
        seen: int

    def scan(state: Files) -> Files:
        return {"names": os.listdir(listing)}

    def count(state: Files) -> Files:
        return {"seen": len(state["names"])}

    builder = StateGraph(Files)
    builder.add_node("scan", scan)
    builder.add_node("count", count)
    builder.add_edge(START, "scan")
    builder.add_edge("scan", "count")
    builder.add_edge("count", END)
    name = lone_surrogate_name(listing)
    recorder = VCRRecorder(tmp_path / "out")
    recorder.start_session()
    app = VCRLangGraph(recorder).wrap_graph(builder).compile()
    assert app.invoke({"names": []}) == {"names": [name], "seen": 1}
    recorder.close()
    assert recorder.path is not None
    player = VCRPlayer.load(recorder.path)
    assert [frame.node_name for frame in player] == ["scan", "count"]
    assert player.get_frame(1).input_state["names"] == [name]
