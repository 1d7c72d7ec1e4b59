"""The peer's documented API calls, made with only the import changed, against real recordings.

Each test makes the calls of one sample as the peer documents them (``agent_vcr`` imports
become ``recorder``), with an agent of its own where the sample leaves the agent out, and checks
that the call did what the peer promises: the native API stays as it is beside them.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from recorder import FrameType, StateChange, VCRPlayer, VCRRecorder
from tests.support.acid_support import git, git_home_fixture, init_repo, write  # noqa: F401

AGENT = """
from recorder import vcr_record


@vcr_record(node_name="tool:read_ticket")
def read_ticket(state):
    return {**state, "ticket": "the greeting is wrong"}


@vcr_record
def plan(state):
    return {**state, "steps": ["prompt", "answer"]}


@vcr_record
def write_prompt(state):
    return {**state, "prompt": "Broken prompt"}


@vcr_record(node_name="llm:answer", frame_type="llm")
def answer(state):
    return {**state, "answer": state["prompt"].upper()}


@vcr_record
def check(state):
    if not state["answer"].startswith("FIXED"):
        raise ValueError("the answer still comes from the broken prompt")
    return {**state, "ok": True}


@vcr_record
def run(task):
    state = plan(read_ticket(task))
    return check(answer(write_prompt(state)))
"""


@pytest.fixture
def agent_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An agent module in the current folder (as the user's project would have it), imported."""
    monkeypatch.chdir(tmp_path)
    name = f"bug_hunt_agent_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(AGENT, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = __import__(name)
    yield module
    sys.modules.pop(name, None)


def test_quick_start_the_mutated_state_is_the_edit_and_the_recorded_agent_runs(agent_module: Any) -> None:
    # Record your agent
    recorder = VCRRecorder()
    recorder.start_session("bug_hunt")
    with recorder, pytest.raises(ValueError):  # ... your agent code ...
        agent_module.run({"task": "greet"})
    recorder.save()

    # Time-travel and fix
    player = VCRPlayer.load(".vcr/bug_hunt.vcr")
    state = player.goto_frame(2)  # jump to step 2
    state["prompt"] = "Fixed prompt"  # fix the state
    result = player.resume(from_frame=2)  # continue from there

    assert player.session.metadata["entry_point"] == f"{agent_module.__name__}:run"
    assert result.succeeded and result.edit_applied, result.error
    assert result.output["ok"] is True and result.output["answer"] == "FIXED PROMPT"
    fork = [(f.node_name, f.source) for f in VCRPlayer.load(result.fork_path)]
    assert fork[:4] == [
        ("tool:read_ticket", "replayed"),
        ("plan", "replayed"),
        ("fork:write_prompt", "fork"),
        ("write_prompt", "edited"),
    ]
    assert ("llm:answer", "live") in fork and ("check", "live") in fork


def test_quick_start_without_a_recorded_agent_says_how_to_name_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    recorder = VCRRecorder()
    recorder.start_session("bug_hunt")
    recorder.record_step("step", {"a": 1}, {"a": 2})
    recorder.save()
    player = VCRPlayer.load(".vcr/bug_hunt.vcr")
    with pytest.raises(ValueError, match="no agent to resume with"):
        player.resume(from_frame=0)
    assert sorted(Path(".vcr").glob("*.vcr")) == [Path(".vcr/bug_hunt.vcr")]  # no fork written


def test_resume_with_no_config_starts_at_the_frame_goto_frame_chose(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    recorder.record_step("plan", {"q": "x"}, {"q": "x", "prompt": "p"})
    recorder.record_step("answer", {"q": "x", "prompt": "p"}, {"q": "x", "prompt": "p", "a": "P"})
    recorder.close()
    assert recorder.path is not None

    def agent_callable(state: dict[str, Any]) -> dict[str, Any]:
        return {**state, "a": state["prompt"].upper()}

    player = VCRPlayer.load(recorder.path)
    player.goto_frame(1)
    result = player.resume(agent_callable)
    assert result.succeeded and result.output == {"q": "x", "prompt": "p", "a": "P"}
    assert VCRPlayer.load(result.fork_path).session.forked_from_frame == 1


def test_raw_python_with_an_explicit_recorder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    from recorder import VCRRecorder
    from recorder.integrations.langgraph import vcr_record

    def process(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "processed": True}

    recorder = VCRRecorder()

    @vcr_record(recorder, node_name="my_function")
    def my_function(data: dict[str, Any]) -> dict[str, Any]:
        return process(data)

    result = my_function({"key": "value"})
    assert result == {"key": "value", "processed": True}
    assert recorder.path is not None and recorder.path.parent.resolve() == (tmp_path / ".vcr").resolve()
    recorder.save()
    frames = list(VCRPlayer.load(recorder.path))
    assert [(f.node_name, f.input_state, f.output_state) for f in frames] == [
        ("my_function", {"key": "value"}, {"key": "value", "processed": True})
    ]


def test_the_peers_recorder_options_are_accepted_and_the_callback_sees_every_frame(tmp_path: Path) -> None:
    seen: list[Any] = []
    recorder = VCRRecorder(
        str(tmp_path), buffer_size=10, auto_save=False, diff_mode=True, on_frame_recorded=seen.append
    )
    recorder.start_session()
    frame = recorder.record_step("plan", {"a": 1}, {"a": 2})
    recorder.record_llm_call("m", [{"role": "user"}], "hi", tokens_input=1, tokens_output=2)
    recorder.record_encoded_step("node", b'{"b":1}', {"b": 2})
    assert (recorder.buffer_size, recorder.auto_save, recorder.diff_mode) == (10, False, True)
    assert [f.node_name for f in seen] == ["plan", "llm:m", "node"] and seen[0] is frame
    assert seen[2].input_state == {"b": 1} and seen[2].output_state == {"b": 2}
    recorder.close()
    assert recorder.path is not None
    stored = VCRPlayer.load(recorder.path)
    assert stored.get_frame(0).input_state == {"a": 1}  # full states: diff_mode changes nothing
    assert stored.get_frame(1).frame_type is FrameType.LLM_CALL


def test_a_callback_that_raises_never_stops_the_agent(tmp_path: Path) -> None:
    def broken(frame: Any) -> None:
        raise RuntimeError("viewer down")

    recorder = VCRRecorder(tmp_path, on_frame_recorded=broken)
    recorder.start_session()
    recorder.record_step("a", {}, {"x": 1})
    recorder.close()
    assert recorder.path is not None and len(VCRPlayer.load(recorder.path)) == 1


def test_compare_frames_reads_as_the_peers_dict_and_as_a_list_of_changes(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session()
    recorder.record_step("a", {}, {"keep": 1, "gone": 2, "edit": {"n": 1}})
    recorder.record_step("b", {}, {"keep": 1, "edit": {"n": 2}, "new": [3]})
    recorder.close()
    assert recorder.path is not None
    diff = VCRPlayer.load(recorder.path).compare_frames(0, 1)
    assert diff["added"] == {"new": [3]}
    assert diff["removed"] == {"gone": 2}
    assert diff["modified"] == {"edit": {"before": {"n": 1}, "after": {"n": 2}}}
    assert diff["unchanged"] == {"keep": 1}
    assert "modified" in diff and set(diff.keys()) == {"added", "removed", "modified", "unchanged"}
    assert all(isinstance(change, StateChange) for change in diff)  # the native answer, nested
    assert StateChange(("edit", "n"), "changed", 1, 2) in diff and diff[0].path


def test_acid_begin_starts_the_recording_when_none_is_open(git_home: Path, tmp_path: Path) -> None:
    from recorder import ACIDWorkspace, VCRRecorder

    workspace = init_repo(tmp_path / "workspace")
    write(workspace / "app.py", "print('v1')\n")
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "v1")
    recorder = VCRRecorder(str(tmp_path / "runs"))
    acid = ACIDWorkspace(str(workspace), recorder=recorder)

    acid.begin(session_id="task-001")  # snapshot workspace, isolated branch
    assert recorder.session is not None and recorder.session.session_id == "task-001"
    state = {"step": "coder"}
    recorder.record_step("planner", {}, state)
    recorder.record_step("reader", state, state)
    recorder.record_step("tester", state, state)
    acid.savepoint(state, node_name="coder")  # checkpoint filesystem + state together: frame 3
    write(workspace / "app.py", "print('hallucinated')\n")
    write(workspace / "junk.py", "oops\n")
    acid.rollback(to_frame_index=3)  # back to the savepoint
    assert (workspace / "app.py").read_text() == "print('v1')\n" and not (workspace / "junk.py").exists()
    write(workspace / "app.py", "print('v2')\n")
    acid.commit()  # land the clean work
    assert "v2" in git(workspace, "show", "HEAD:app.py")


def test_langgraph_a_wrapped_builder_runs_without_compiling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("langgraph")
    from typing import TypedDict

    from langgraph.graph import StateGraph

    from recorder import VCRRecorder
    from recorder.integrations.langgraph import VCRLangGraph

    monkeypatch.chdir(tmp_path)

    class Query(TypedDict, total=False):
        query: str
        plan: str
        code: str

    def planner_node(state: Query) -> dict[str, Any]:
        return {"plan": f"plan for {state['query']}"}

    def coder_node(state: Query) -> dict[str, Any]:
        return {"code": f"code for {state['plan']}"}

    # LangGraph itself needs two things the sample leaves out: the state schema and an entry point.
    graph = StateGraph(Query)
    graph.add_node("planner", planner_node)
    graph.add_node("coder", coder_node)
    graph.add_edge("planner", "coder")
    graph.set_entry_point("planner")

    # One line to add recording
    recorder = VCRRecorder()
    graph = VCRLangGraph(recorder).wrap_graph(graph)

    result = graph.invoke({"query": "Build a todo app"})
    assert result["code"] == "code for plan for Build a todo app"
    recorder.save()
    assert recorder.path is not None
    assert [f.node_name for f in VCRPlayer.load(recorder.path)] == ["planner", "coder"]


def test_golden_run_sample_with_the_import_changed(tmp_path: Path) -> None:
    from recorder.golden_cache import GoldenRunCache

    recorder = VCRRecorder(tmp_path / "runs")
    recorder.start_session("rest-api")
    recorder.record_llm_call(
        "gpt-4o", [{"role": "user", "content": "plan"}], "use JWT", tokens_input=30, tokens_output=10, cost_usd=0.004
    )
    recorder.record_tool_call("write_file", {"path": "app.py"}, {"ok": True}, latency_ms=120.0)
    recorder.save()

    cache = GoldenRunCache(cache_dir=str(tmp_path / "golden"))
    fingerprint = cache.save_golden_run("Build a REST API with JWT auth", recorder)
    assert fingerprint and cache.has_golden_run("Build a REST API with JWT auth")
    outputs, ledger = cache.replay("Build a REST API with JWT auth")
    assert len(outputs) == 2
    assert ledger.tokens_saved == 40
    assert str(ledger).startswith("CostLedger(saved=100%")
    assert cache.invalidate("Build a REST API with JWT auth") is True
    assert not cache.has_golden_run("Build a REST API with JWT auth")
