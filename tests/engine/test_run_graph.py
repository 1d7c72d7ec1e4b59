"""A run drawn as a graph: supersteps of a real LangGraph graph as levels, Sends fanned out,
forks as branches, and the Mermaid / dot exports safe against hostile names."""

from __future__ import annotations

import operator
from pathlib import Path
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from recorder import VCRRecorder, fork_recording
from recorder.integrations.langgraph import VCRLangGraph
from recorder.run_graph import build_graph, forks_beside, to_dot, to_mermaid
from tests.support.app_support import press, settle
from tests.support.cli_support import assert_one_line_failure, run_cli
from tests.support.vcr_lines import frame, header
from vcr_tui.compare_app import GraphApp
from vcr_tui.screens.debugger.file_screen import FileScreen
from vcr_tui.screens.graph_screen import GraphCanvas, GraphScreen


class Fan(TypedDict):
    topics: list[str]
    notes: Annotated[list[str], operator.add]
    summary: str


def run_and_fork(folder: Path, session: str, fork_session: str, fork_state: dict[str, object]) -> tuple[Path, Path]:
    """A three-step run (plan, code, test) and a fork of it from ``code`` that ran ``code`` again."""
    recorder = VCRRecorder(folder)
    recorder.start_session(session)
    for name in ("plan", "code", "test"):
        recorder.record_step(name, {"at": name}, {"done": name})
    recorder.close()
    fork = fork_recording(recorder.path, 1, new_session_id=fork_session, state=fork_state)
    fork.record_step("code", fork_state, {"done": "code"})
    fork.close()
    assert recorder.path is not None and fork.path is not None
    return recorder.path, fork.path


def record_fan_out(folder: Path) -> Path:
    """plan → (research × 3 by Send) → (left ‖ right, side by side) → write."""

    def plan(state: Fan) -> dict[str, object]:
        return {"topics": ["a", "b", "c"]}

    def fan(state: Fan) -> list[Send]:
        return [Send("research", {"topics": [topic], "notes": [], "summary": ""}) for topic in state["topics"]]

    def research(state: Fan) -> dict[str, object]:
        return {"notes": [f"note on {state['topics'][0]}"]}

    def left(state: Fan) -> dict[str, object]:
        return {"notes": ["left"]}

    def right(state: Fan) -> dict[str, object]:
        return {"notes": ["right"]}

    def write(state: Fan) -> dict[str, object]:
        return {"summary": " / ".join(state["notes"])}

    builder = StateGraph(Fan)
    for name, node in (("plan", plan), ("research", research), ("left", left), ("right", right), ("write", write)):
        builder.add_node(name, node)
    builder.add_edge(START, "plan")
    builder.add_conditional_edges("plan", fan, ["research"])
    builder.add_edge("research", "left")
    builder.add_edge("research", "right")
    builder.add_edge(["left", "right"], "write")
    builder.add_edge("write", END)
    recorder = VCRRecorder(folder)
    recorder.start_session("fan-out")
    app = VCRLangGraph(recorder).wrap_graph(builder).compile()
    app.invoke({"topics": [], "notes": [], "summary": ""})
    recorder.close()
    return recorder.path


def test_supersteps_are_levels_and_sends_fan_out(tmp_path: Path) -> None:
    path = record_fan_out(tmp_path)
    graph = build_graph(path)
    shape = [sorted(node.name for node in level.nodes) for level in graph.levels]
    assert shape == [["plan"], ["research", "research", "research"], ["left", "right"], ["write"]]
    assert all(node.sent for node in graph.levels[1].nodes)
    assert [level.superstep for level in graph.levels] == [1, 2, 3, 4]
    edges = {(a.name, b.name) for a, b, _ in graph.edges()}
    assert ("plan", "research") in edges and ("research", "left") in edges and ("right", "write") in edges
    mermaid = to_mermaid(graph)
    assert mermaid.startswith("flowchart TD") and "f0 --> f1" in mermaid
    dot = to_dot(graph)
    assert "rank=same" in dot and dot.rstrip().endswith("}")


def test_a_plain_recording_is_one_chain_and_forks_branch_off(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session("plain")
    for name in ("plan", "code", "test"):
        recorder.record_step(name, {"at": name}, {"done": name})
    recorder.close()
    fork = fork_recording(recorder.path, 1, new_session_id="plain-fix", state={"at": "code", "fixed": True})
    fork.record_step("code", {"at": "code", "fixed": True}, {"done": "code"})
    fork.record_step("test", {}, {"passed": True})
    fork.close()
    graph = build_graph(recorder.path, forks=forks_beside(recorder.path))
    assert [[n.name for n in level.nodes] for level in graph.levels] == [["plan"], ["code"], ["test"]]
    assert len(graph.branches) == 1
    branch = graph.branches[0]
    assert branch.forked_from_frame == 1
    assert [[n.name for n in level.nodes] for level in branch.levels] == [["code"], ["test"]]
    fork_edges = [(a.index, b.run, b.name) for a, b, is_fork in graph.edges() if is_fork]
    assert fork_edges == [(0, "plain-fix", "code")]
    assert "-.->" in to_mermaid(graph) and "style=dashed" in to_dot(graph)
    assert graph.step_count == 3  # the run's own: the fork's two steps are the fork's


async def test_the_graph_title_counts_the_runs_steps_and_its_forks_apart(tmp_path: Path) -> None:
    parent, _ = run_and_fork(tmp_path, "titled", "titled-fix", {"at": "code"})
    async with GraphApp(parent).run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert pilot.app.screen.query_one(GraphCanvas).border_title == "Run graph · 3 steps · 1 fork"


def test_hostile_names_cannot_change_the_diagram(tmp_path: Path) -> None:
    evil = 'x"]; click f0 "javascript:alert(1)"\n%%{init}%% \x1b[31m'
    path = tmp_path / "evil.vcr"
    path.write_bytes(header("evil") + frame(evil, 0) + frame("ok", 1))
    mermaid = to_mermaid(build_graph(path))
    node_lines = [line for line in mermaid.splitlines() if line.strip().startswith("f0[")]
    assert len(node_lines) == 1
    assert '"' not in node_lines[0][node_lines[0].index('["') + 2 : node_lines[0].rindex('"]')]
    assert "\x1b" not in mermaid and "\nclick" not in mermaid and "%%{" not in mermaid
    dot = to_dot(build_graph(path))
    assert '\\"]; click' in dot and "\x1b" not in dot


def test_graph_command_prints_and_fails_clearly(tmp_path: Path) -> None:
    path = record_fan_out(tmp_path)
    printed = run_cli("graph", str(path), "--format", "mermaid", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith("flowchart TD")
    dot = run_cli("graph", str(path), "--format", "dot", cwd=tmp_path)
    assert dot.returncode == 0 and dot.stdout.startswith("digraph run {")
    assert_one_line_failure(run_cli("graph", "missing.vcr", "--format", "dot", cwd=tmp_path), "missing.vcr")


async def test_the_graph_view_selects_a_frame_in_the_debugger(tmp_path: Path) -> None:
    path = record_fan_out(tmp_path)
    app = GraphApp(path)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, GraphScreen)
        canvas = screen.query_one(GraphCanvas)
        assert canvas.selected is not None and canvas.selected.name == "plan"
        await press(pilot, "j", "l", "l")
        selected = canvas.selected
        assert selected is not None and selected.name == "research" and selected.sent
        rows = "\n".join(canvas.render_line(y).text for y in range(8))
        assert "┬" in rows and "Send ×3" in rows and "step 2" in rows
        await press(pilot, "enter")
        assert isinstance(app.screen, FileScreen)
        await settle(pilot)
        assert app.screen.frame_list.cursor == selected.index


async def test_v_in_the_debugger_opens_the_graph_and_c_compares_a_fork_with_its_parent(tmp_path: Path) -> None:
    from vcr_tui.app import VCRApp
    from vcr_tui.screens.compare_screen import CompareScreen

    parent, fork_path = run_and_fork(tmp_path, "parent-run", "the-fork", {"at": "code", "fixed": True})
    app = VCRApp(parent)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await press(pilot, "c")  # not a fork: said in words, nothing opens
        assert isinstance(app.screen, FileScreen)
        assert any("not a fork" in n.message for n in app._notifications)
        await press(pilot, "v")
        assert isinstance(app.screen, GraphScreen)
        await press(pilot, "j", "j", "enter")
        assert isinstance(app.screen, FileScreen)
        assert app.screen.frame_list.cursor == 2

    app = VCRApp(fork_path)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        assert (compare.first, compare.second) == (parent, fork_path)
        assert compare.view is not None and compare.view.comparison.fork_of == "b"
