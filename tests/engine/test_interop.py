"""Format interop with the public ai-agent-vcr package (0.5.0 and the newest 1.5.x), both ways.

Theirs -> ours: the peer's own recorders (sync, async, diff mode, fork, buffered flushes) write
files in its venv; our player must read every frame, field and typed value it recorded, and agree
with the peer's own loader on the header. Ours -> theirs: files our recorder writes (every helper,
typed values, a fork, several headers) must load in the peer's ``VCRPlayer.load`` with the same
frames, states and totals. The peer runs in a subprocess (see ``peer_venv``); tests skip with the
reason when it cannot be installed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import shutil
import tempfile
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

from recorder import AsyncVCRRecorder, FrameType, VCRPlayer, VCRRecorder
from recorder.encoding import to_jsonable
from tests.support.peer_venv import DIFF_STEPS, WHEN, WHEN_ISO, PeerVenv, Priority, require_peer

pytestmark = pytest.mark.interop

SHARED = Path(__file__).resolve().parents[3] / "shared"
PEER_SAMPLES = sorted((SHARED / "fixtures" / "peer").glob("*.vcr"))


@pytest.fixture(scope="module", params=["0.5.0", "1.5"])
def peer(request: pytest.FixtureRequest) -> PeerVenv:
    return require_peer(request.param)


def by_datetime(text: str) -> datetime:
    return datetime.fromisoformat(text)


# == theirs -> ours ==============================================================================


@dataclasses.dataclass
class PeerRecordings:
    """What the peer recorded (from its own memory) and where, per scenario."""

    peer: PeerVenv
    scenarios: dict[str, dict[str, Any]]
    folder: Path

    def player(self, scenario: str) -> VCRPlayer:
        return VCRPlayer.load(self.scenarios[scenario]["path"])

    def recorded(self, scenario: str) -> list[dict[str, Any]]:
        frames: list[dict[str, Any]] = self.scenarios[scenario]["frames"]
        return frames

    @property
    def modern(self) -> bool:
        return not self.peer.version.startswith("0.")


@pytest.fixture(scope="module")
def theirs(peer: PeerVenv, tmp_path_factory: pytest.TempPathFactory) -> PeerRecordings:
    folder = tmp_path_factory.mktemp(f"peer-{peer.label}-recordings")
    summaries = peer.run("record-sync", str(folder), cwd=folder) + peer.run("record-async", str(folder), cwd=folder)
    return PeerRecordings(peer, {summary["scenario"]: summary for summary in summaries}, folder)


@pytest.mark.parametrize("scenario", ["helpers", "fork", "many", "async"])
def test_every_frame_the_peer_recorded_loads_field_for_field(theirs: PeerRecordings, scenario: str) -> None:
    player = theirs.player(scenario)
    recorded = theirs.recorded(scenario)
    assert player.problems == []
    assert len(player) == len(recorded) > 0
    for index, expected in enumerate(recorded):
        frame = player.get_frame(index)
        where = f"{scenario} frame {index} ({expected['node_name']})"
        assert frame.frame_id == expected["frame_id"], where
        assert frame.session_id == expected["session_id"], where
        assert frame.parent_frame_id == expected["parent_frame_id"], where
        assert frame.node_name == expected["node_name"], where
        assert frame.frame_type is FrameType(expected["frame_type"]), where
        assert by_datetime(frame.timestamp) == by_datetime(expected["timestamp"]), where
        assert frame.input_state == expected["input_state"], where
        assert frame.output_state == expected["output_state"], where
        meta = frame.metadata
        got = {key: getattr(meta, key) for key in expected["metadata"]}
        assert got == expected["metadata"], where


def test_session_headers_match_the_peer_loader(theirs: PeerRecordings, tmp_path: Path) -> None:
    """Whichever header the peer's loader trusts (the last), ours reports the same values."""
    paths = [summary["path"] for summary in theirs.scenarios.values()]
    their_view = {entry["path"]: entry for entry in theirs.peer.run("load", *paths, cwd=tmp_path)}
    for path in paths:
        entry = their_view[path]
        assert "error" not in entry, entry
        ours = VCRPlayer.load(path).session
        theirs_session = entry["session"]
        for key in ("session_id", "parent_session_id", "forked_from_frame", "metadata", "tags"):
            assert getattr(ours, key) == theirs_session[key], (path, key)
        for key in ("frame_count", "total_tokens"):
            assert getattr(ours, key) == theirs_session[key], (path, key)
        assert ours.total_cost_usd == pytest.approx(theirs_session["total_cost_usd"]), path
        assert by_datetime(ours.created_at) == by_datetime(theirs_session["created_at"]), path
        assert by_datetime(ours.updated_at) == by_datetime(theirs_session["updated_at"]), path
        assert [frame["node_name"] for frame in entry["frames"]] == [f.node_name for f in VCRPlayer.load(path)]


def test_header_totals_are_read_as_written(theirs: PeerRecordings) -> None:
    player = theirs.player("helpers")
    if not theirs.modern:
        # 0.5.0 writes its header once, before any frame, and never updates it: the totals on
        # disk are zeros. They are shown as written; the frames are all there.
        assert (player.session.frame_count, player.session.total_tokens, len(player)) == (0, 0, 5)
        return
    assert player.session.frame_count == len(player) == 6
    assert player.session.total_tokens == 20
    assert player.session.total_cost_usd == pytest.approx(0.0002)
    assert theirs.player("many").session.frame_count == 250


def test_typed_values_the_peer_wrote_decode(theirs: PeerRecordings) -> None:
    player = theirs.player("helpers")
    state = player.goto_frame(0)
    assert state["when"] == WHEN
    assert isinstance(state["when"], datetime)
    assert state["priority"] == Priority.HIGH.value
    assert state["ticket"] == {"title": "calc", "points": 3}
    assert state["text"] == "café ☕"
    stored = player.export_state(0)
    assert stored["when"] == {"__type__": "datetime", "data": WHEN_ISO}
    assert stored["priority"] == {"__type__": "Enum", "__class__": "Priority", "data": "high"}
    assert stored["ticket"]["__type__"] == "Ticket"


def test_the_peers_helper_shapes_read_as_such(theirs: PeerRecordings) -> None:
    player = theirs.player("helpers")
    llm, tool, failed_tool, error = (player.get_frame(i) for i in range(1, 5))
    assert (llm.node_name, llm.frame_type) == ("llm:gpt-4o-mini", FrameType.LLM_CALL)
    assert llm.input_state == {"messages": [{"role": "user", "content": "fix?"}]}
    assert llm.output_state == {"response": {"role": "assistant", "content": "swap the sign"}}
    assert (llm.metadata.tokens_input, llm.metadata.tokens_output, llm.metadata.tokens_used) == (12, 8, 20)
    assert llm.metadata.model == "gpt-4o-mini"
    assert llm.metadata.cost_usd == pytest.approx(0.0002)
    assert (tool.node_name, tool.frame_type) == ("tool:run_tests", FrameType.TOOL_CALL)
    assert tool.output_state == {"result": {"passed": 3, "failed": 1}, "error": None}
    assert not tool.is_error
    assert failed_tool.metadata.error_type == "ToolError"
    assert failed_tool.output_state == {"result": None, "error": "Permission denied"}
    assert (error.frame_type, error.metadata.error_type) == (FrameType.ERROR, "PermissionError")
    assert error.output_state == {"error": "read-only file system"}
    assert [frame.index for frame in player.get_errors()] == [3, 4]
    assert player.list_nodes()[:5] == ["plan", "llm:gpt-4o-mini", "tool:run_tests", "tool:write_file", "patch"]
    if theirs.modern:
        checkpoint = player.get_frame(5)
        assert (checkpoint.node_name, checkpoint.frame_type) == ("checkpoint:before_patch", FrameType.CHECKPOINT)
        assert checkpoint.metadata.custom["checkpoint_label"] == "before_patch"
        assert player.goto_frame(5) == {"step": 5, "when": WHEN}


def test_a_peer_fork_names_its_parent(theirs: PeerRecordings) -> None:
    player = theirs.player("fork")
    assert player.session.parent_session_id == "peer-helpers"
    assert player.session.forked_from_frame == 0
    assert player.session.session_id == "peer-fork"
    if theirs.modern:  # 1.5.x starts a fork with a checkpoint frame holding the edited state
        start = player.get_frame(0)
        assert (start.node_name, start.frame_type) == ("fork:plan", FrameType.CHECKPOINT)
        assert start.metadata.custom["source"] == "fork"
        assert player.goto_frame(0)["plan"] == ["other plan"]
        assert player.goto_frame(0)["when"] == WHEN
    assert player.list_nodes()[-1] == "plan_b"
    assert player.goto_frame(-1) == {"step": 2, "plan": ["other plan"]}


def test_diff_mode_files_are_rebuilt_into_full_states(theirs: PeerRecordings) -> None:
    player = theirs.player("diff")
    expected = theirs.scenarios["diff"]["expected"]
    assert len(player) == len(DIFF_STEPS) == len(expected)
    assert player.problems == []
    assert [frame.state_diff is not None for frame in player][1:] == [True] * (len(DIFF_STEPS) - 1)
    if theirs.modern:
        first = 0
    else:
        # 0.5.0 writes empty states for every diff-mode frame and no ops for the first: its first
        # state is lost on disk. Every state after it is rebuilt from the ops.
        assert (player.get_frame(0).input_state, player.get_frame(0).output_state) == ({}, {})
        first = 1
    for index in range(first, len(DIFF_STEPS)):
        frame = player.get_frame(index)
        assert frame.output_state == expected[index][1], f"output of frame {index}"
        if index > first or theirs.modern:
            assert frame.input_state == expected[index][0], f"input of frame {index}"
    assert player.goto_frame(2)["when"] == WHEN
    assert player.goto_frame(3) == {"step": 4, "done": True}


def test_the_peers_async_recorder_shapes(theirs: PeerRecordings) -> None:
    player = theirs.player("async")
    assert [frame.frame_type for frame in player] == [
        FrameType.NODE_EXECUTION,
        FrameType.LLM_CALL,
        FrameType.TOOL_CALL,
        FrameType.ERROR,
    ]
    assert player.goto_frame(0) == {"step": 1, "when": WHEN}
    tool = player.get_frame(2)
    assert tool.node_name == "tool:search"
    if theirs.modern:
        assert (tool.input_state, tool.output_state) == ({"q": "calc bug"}, {"result": ["result one"], "error": None})
    else:  # 0.5.0's async recorder wraps both sides
        assert tool.input_state == {"tool_input": {"q": "calc bug"}}
        assert tool.output_state == {"tool_output": ["result one"]}
    assert player.get_frame(3).metadata.error_type == "ValueError"
    assert player.session.tags == ["async"]


def test_buffered_flushes_keep_file_order(theirs: PeerRecordings) -> None:
    player = theirs.player("many")
    assert len(player) == 250
    assert [frame.input_state["step"] for frame in player] == list(range(250))
    assert player.list_nodes() == [f"step_{k}" for k in range(5)]


@pytest.mark.skipif(not PEER_SAMPLES, reason=f"no peer samples at {SHARED / 'fixtures' / 'peer'}")
@pytest.mark.parametrize("sample", PEER_SAMPLES, ids=lambda path: path.name)
def test_shared_peer_samples_load_like_the_peer_reads_them(sample: Path) -> None:
    player = VCRPlayer.load(sample)
    frame_lines = [line for line in sample.read_bytes().splitlines() if orjson.loads(line)["type"] == "frame"]
    assert player.problems == []
    assert len(player) == len(frame_lines) > 0
    for index, line in enumerate(frame_lines):
        data = orjson.loads(line)["data"]
        frame = player.get_frame(index)
        assert (frame.frame_id, frame.node_name, frame.frame_type.value) == (
            data["frame_id"],
            data["node_name"],
            data["frame_type"],
        )
        if data.get("state_diff") is None:
            assert frame.output_state == data["output_state"]
    seen = samples_as_the_peer_sees_them()[sample]
    assert "error" not in seen, seen
    assert player.session.session_id == seen["session"]["session_id"]
    assert player.session.frame_count == seen["session"]["frame_count"]
    assert player.session.parent_session_id == seen["session"]["parent_session_id"]
    assert [frame.node_name for frame in player] == [frame["node_name"] for frame in seen["frames"]]


_samples_seen: dict[Path, Any] = {}


def samples_as_the_peer_sees_them() -> dict[Path, Any]:
    """Every shared sample loaded by the 1.5.x peer, in one process (skips if it is unavailable)."""
    if not _samples_seen:
        modern = require_peer("1.5")
        folder = Path(tempfile.mkdtemp(prefix="vcr-peer-samples-"))
        try:
            loaded = modern.run("load", *map(str, PEER_SAMPLES), cwd=folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        _samples_seen.update({Path(entry["path"]): entry for entry in loaded})
    return _samples_seen


# == ours -> theirs ==============================================================================


class Level(enum.IntEnum):
    TWO = 2


class Node(str, enum.Enum):
    REVIEW = "review"


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Opaque:
    def __repr__(self) -> str:
        return "<opaque thing>"


def typed_state() -> dict[str, Any]:
    pydantic = pytest.importorskip("pydantic")

    class Ticket(pydantic.BaseModel):  # type: ignore[name-defined,misc]
        title: str
        points: int

    return {
        "when": WHEN,
        "naive": datetime(2026, 1, 2, 3, 4, 5),
        "priority": Priority.HIGH,
        "level": Level.TWO,
        "tags": {"b", "a"},
        "blob": b"hi",
        "point": Point(1, 2),
        "ticket": Ticket(title="calc", points=3),
        "price": Decimal("1.50"),
        "pair": (1, "a"),
        "text": "café ☕ \u2028 [bold]not markup[/bold] \x1b[31m",
        "opaque": Opaque(),
        "nested": {"items": [{"when": WHEN}, {"priority": Priority.LOW}]},
    }


# How the peer's player shows ``typed_state()`` after our recorder wrote it (datetimes tagged).
TYPED_AS_THE_PEER_SEES_IT = {
    "when": {"$datetime": WHEN_ISO},
    "naive": {"$datetime": "2026-01-02T03:04:05+00:00"},
    "priority": "high",
    "level": 2,
    "tags": ["a", "b"],
    "blob": "hi",
    "point": {"x": 1, "y": 2},
    "ticket": {"title": "calc", "points": 3},
    "price": "1.50",
    "pair": [1, "a"],
    "text": "café ☕ \u2028 [bold]not markup[/bold] \x1b[31m",
    "opaque": "<opaque thing>",
    "nested": {"items": [{"when": {"$datetime": WHEN_ISO}}, {"priority": "low"}]},
}


@dataclasses.dataclass
class OurRecordings:
    main: Path
    fork: Path
    concurrent: Path

    @property
    def all(self) -> list[Path]:
        return [self.main, self.fork, self.concurrent]


@pytest.fixture(scope="module")
def ours(tmp_path_factory: pytest.TempPathFactory) -> OurRecordings:
    folder = tmp_path_factory.mktemp("our-recordings")
    rec = VCRRecorder(folder)
    rec.start_session("ours-main", metadata={"task": "fix calc", "nested": {"k": [1, 2]}}, tags=["interop", "ours"])
    rec.record_step("plan", {"task": "fix calc", "step": 0}, typed_state(), metadata={"custom": {"note": "typed"}})
    rec.save()  # a header after one frame: the peer must take the last one, not this
    rec.record_llm_call(
        "gpt-4o-mini",
        [{"role": "user", "content": "fix?"}],
        {"role": "assistant", "content": "swap the sign"},
        tokens_input=12,
        tokens_output=8,
        latency_ms=250.0,
        cost_usd=0.0002,
    )
    rec.record_tool_call("run_tests", {"cmd": "pytest -q"}, {"passed": 3, "failed": 1}, latency_ms=1200.0)
    rec.record_tool_call("write_file", "calc.py", None, latency_ms=3.0, error="Permission denied")
    rec.record_error("patch", {"file": "calc.py"}, PermissionError("read-only file system"), latency_ms=1.5)
    rec.record_checkpoint({"step": 5, "when": WHEN}, label="before_patch")
    rec.record_step(Node.REVIEW, {"step": 5}, {"step": 6, "verdict": Priority.HIGH})  # type: ignore[arg-type]
    rec.record_step("odd_shapes", ["not", "an", "object"], 42)  # type: ignore[arg-type]
    rec.save()
    fork = rec.fork(2, new_session_id="ours-fork", state_overrides={"plan": ["other plan"]})
    fork.record_step("plan_b", {"step": 1}, {"step": 2, "plan": ["other plan"], "when": WHEN})
    fork.close()
    rec.close()

    async def record_async() -> Path:
        arec = AsyncVCRRecorder(folder)
        async with arec:
            await arec.start_session("ours-async", tags=["async"])
            await arec.record_step("plan", {"step": 0}, {"step": 1, "when": WHEN})
            await arec.record_llm_call(
                "m", [{"role": "user", "content": "hi"}], "hello", tokens_input=1, tokens_output=2
            )
            await arec.record_tool_call("search", {"q": "x"}, ["r"], latency_ms=2.0)
            await arec.record_error("boom", {"x": 1}, ValueError("bad value"))
        assert arec.path is not None
        return arec.path

    concurrent = asyncio.run(record_async())
    assert rec.path is not None and fork.path is not None
    return OurRecordings(rec.path, fork.path, concurrent)


@pytest.fixture(scope="module")
def their_view(peer: PeerVenv, ours: OurRecordings, tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Any]:
    """Each of our files as the peer's ``VCRPlayer.load`` sees it (one peer process for all)."""
    loaded = peer.run("load", *map(str, ours.all), cwd=tmp_path_factory.mktemp("peer-load"))
    return {Path(entry["path"]): entry for entry in loaded}


def test_our_files_load_in_the_peer_frame_for_frame(
    peer: PeerVenv, ours: OurRecordings, their_view: dict[Path, Any]
) -> None:
    views = their_view
    for path in ours.all:
        view = views[path]
        assert "error" not in view, f"ai-agent-vcr {peer.version} rejects {path.name}: {view.get('error')}"
        player = VCRPlayer.load(path)
        assert player.problems == []
        if view["skipped_lines"] is not None:
            assert view["skipped_lines"] == 0
        assert len(view["frames"]) == len(player), path.name
        assert view["nodes"] == player.list_nodes()
        for frame, theirs in zip(player, view["frames"], strict=True):
            where = f"{path.name} frame {frame.index}"
            assert theirs["frame_id"] == frame.frame_id, where
            assert theirs["node_name"] == frame.node_name, where
            assert theirs["frame_type"] == frame.frame_type.value, where
            assert by_datetime(theirs["timestamp"]) == by_datetime(frame.timestamp), where
            assert theirs["metadata"] == {
                key: value for key, value in frame.metadata.to_dict().items() if key in theirs["metadata"]
            }, where
            assert "$error" not in orjson.dumps(theirs["output"]).decode(), (where, theirs["output"])
            assert "$error" not in orjson.dumps(theirs["input"]).decode(), (where, theirs["input"])


def test_the_peer_takes_our_last_header_with_the_totals(ours: OurRecordings, their_view: dict[Path, Any]) -> None:
    views = their_view
    for path in ours.all:
        player = VCRPlayer.load(path)
        assert len(player.reader.sessions) >= 2, "several saves must leave several headers"
        session, theirs = player.session, views[path]["session"]
        assert theirs["frame_count"] == session.frame_count == len(player)
        assert theirs["total_tokens"] == session.total_tokens
        assert theirs["total_cost_usd"] == pytest.approx(session.total_cost_usd)
        assert theirs["session_id"] == session.session_id
        assert theirs["parent_session_id"] == session.parent_session_id
        assert theirs["forked_from_frame"] == session.forked_from_frame
        assert theirs["tags"] == session.tags
        assert theirs["metadata"] == session.metadata
        assert by_datetime(theirs["updated_at"]) == by_datetime(session.updated_at)
    main = views[ours.main]["session"]
    assert (main["frame_count"], main["total_tokens"], main["total_cost_usd"]) == (8, 20, pytest.approx(0.0002))
    fork = views[ours.fork]["session"]
    assert (fork["parent_session_id"], fork["forked_from_frame"]) == ("ours-main", 2)


def test_the_peer_reads_our_typed_values(ours: OurRecordings, their_view: dict[Path, Any]) -> None:
    view = their_view[ours.main]
    assert view["frames"][0]["output"] == TYPED_AS_THE_PEER_SEES_IT
    ours_decoded = VCRPlayer.load(ours.main).goto_frame(0)
    assert ours_decoded["when"] == WHEN
    assert ours_decoded["naive"] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert ours_decoded["blob"] == b"hi"  # we keep bytes as bytes; the peer shows the text
    plain = {key: value for key, value in to_jsonable(ours_decoded).items() if key not in ("when", "naive", "blob")}
    expected = {key: value for key, value in TYPED_AS_THE_PEER_SEES_IT.items() if key not in ("when", "naive", "blob")}
    assert {**plain, "nested": expected["nested"]} == expected
    assert ours_decoded["nested"]["items"][0]["when"] == WHEN


def test_the_peer_reads_our_helper_shapes(ours: OurRecordings, their_view: dict[Path, Any]) -> None:
    frames = their_view[ours.main]["frames"]
    llm, tool, failed_tool, error, checkpoint, review, odd = frames[1:8]
    assert (llm["node_name"], llm["frame_type"]) == ("llm:gpt-4o-mini", "llm")
    assert llm["input"] == {"messages": [{"role": "user", "content": "fix?"}]}
    assert llm["output"] == {"response": {"role": "assistant", "content": "swap the sign"}}
    assert (llm["metadata"]["tokens_used"], llm["metadata"]["model"]) == (20, "gpt-4o-mini")
    assert (tool["node_name"], tool["frame_type"]) == ("tool:run_tests", "tool")
    assert tool["output"] == {"result": {"passed": 3, "failed": 1}, "error": None}
    assert failed_tool["input"] == {"value": "calc.py"}
    assert failed_tool["output"] == {"result": None, "error": "Permission denied"}
    assert failed_tool["metadata"]["error_type"] == "ToolError"
    assert (error["frame_type"], error["metadata"]["error_type"]) == ("error", "PermissionError")
    assert error["output"] == {"error": "read-only file system"}
    assert (checkpoint["node_name"], checkpoint["frame_type"]) == ("checkpoint:before_patch", "checkpoint")
    assert checkpoint["metadata"]["custom"]["checkpoint_label"] == "before_patch"
    assert review["node_name"] == "review"  # an enum member given as node name is stored as its value
    assert review["output"] == {"step": 6, "verdict": "high"}
    # States that are not objects are kept whole under "value" (the peer rejects anything else).
    assert (odd["input"], odd["output"]) == ({"value": ["not", "an", "object"]}, {"value": 42})


def test_the_peer_reads_our_fork(ours: OurRecordings, their_view: dict[Path, Any]) -> None:
    frames = their_view[ours.fork]["frames"]
    assert [frame["node_name"] for frame in frames] == ["plan", "llm:gpt-4o-mini", "fork:tool:run_tests", "plan_b"]
    assert frames[0]["output"] == TYPED_AS_THE_PEER_SEES_IT  # the copied prefix keeps its typed values
    assert frames[2]["frame_type"] == "checkpoint"
    assert frames[2]["metadata"]["custom"]["source"] == "fork"
    assert frames[2]["output"] == {"cmd": "pytest -q", "plan": ["other plan"]}
    assert frames[3]["output"] == {"step": 2, "plan": ["other plan"], "when": {"$datetime": WHEN_ISO}}


def test_the_peer_reads_our_async_recording(ours: OurRecordings, their_view: dict[Path, Any]) -> None:
    view = their_view[ours.concurrent]
    assert [frame["frame_type"] for frame in view["frames"]] == ["node", "llm", "tool", "error"]
    assert view["frames"][0]["output"] == {"step": 1, "when": {"$datetime": WHEN_ISO}}
    assert view["frames"][1]["metadata"]["tokens_used"] == 3
    assert view["session"]["tags"] == ["async"]
    assert view["session"]["total_tokens"] == 3
