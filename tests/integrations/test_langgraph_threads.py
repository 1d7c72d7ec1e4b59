"""LangGraph checkpoint threads opened as recordings, from a real graph's real SQLite checkpointer."""

from __future__ import annotations

import hashlib
import operator
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

from recorder import FrameType, VCRReader
from recorder.integrations.langgraph_threads import CHECKPOINT_KEY, open_checkpointer, record_thread
from tests.support.cli_support import assert_one_line_failure, run_cli

pytest.importorskip("langgraph.checkpoint.sqlite")


class Counter(TypedDict):
    n: int
    log: Annotated[list[str], operator.add]


def build_graph() -> Any:
    """``add`` then ``double`` on a counter and a log of the nodes that ran."""
    from langgraph.graph import END, START, StateGraph

    def add(state: Counter) -> dict[str, Any]:
        return {"n": state["n"] + 1, "log": ["add"]}

    def double(state: Counter) -> dict[str, Any]:
        return {"n": state["n"] * 2, "log": ["double"]}

    graph = StateGraph(Counter)
    graph.add_node("add", add)
    graph.add_node("double", double)
    graph.add_edge(START, "add")
    graph.add_edge("add", "double")
    graph.add_edge("double", END)
    return graph


def checkpointed_thread(database: Path, thread_id: str = "t1") -> None:
    """Two turns of the graph on one thread, kept by SqliteSaver."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    with SqliteSaver.from_conn_string(str(database)) as saver:
        app = build_graph().compile(checkpointer=saver)
        config = {"configurable": {"thread_id": thread_id}}
        app.invoke({"n": 1, "log": []}, config)
        app.invoke({"n": 10}, config)


def history(path: Path) -> list[tuple[Any, ...]]:
    with VCRReader(path) as reader:
        frames = [reader.frame(i) for i in range(len(reader))]
    return [(f.node_name, f.input_state, f.output_state, f.metadata.custom) for f in frames]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_thread_reads_as_one_frame_per_checkpoint(tmp_path: Path) -> None:
    database = tmp_path / "checkpoints.db"
    checkpointed_thread(database)
    before = digest(database)
    with open_checkpointer(f"sqlite:///{database}") as saver:
        path = record_thread(saver, "t1", tmp_path / "out")
    assert digest(database) == before  # read-only: the thread is untouched
    with VCRReader(path) as reader:
        frames = [reader.frame(i) for i in range(len(reader))]
    nodes = [frame.node_name for frame in frames]
    assert nodes == ["__input__", "__start__", "add", "double", "__input__", "__start__", "add", "double"]
    steps = [frame.metadata.custom[CHECKPOINT_KEY]["step"] for frame in frames]
    assert steps == [-1, 0, 1, 2, 3, 4, 5, 6]
    assert frames[2].input_state == {"n": 1, "log": []} and frames[2].output_state == {"n": 2, "log": ["add"]}
    assert frames[3].output_state == {"n": 4, "log": ["add", "double"]}
    assert frames[7].output_state == {"n": 22, "log": ["add", "double", "add", "double"]}
    assert frames[0].frame_type is FrameType.CHECKPOINT and frames[2].frame_type is FrameType.NODE_EXECUTION
    ids = [frame.metadata.custom[CHECKPOINT_KEY]["checkpoint_id"] for frame in frames]
    parents = [frame.metadata.custom[CHECKPOINT_KEY]["parent_checkpoint_id"] for frame in frames]
    assert parents[1:] == ids[:-1] and parents[0] is None


def test_the_command_line_writes_the_thread_or_says_why_not(tmp_path: Path) -> None:
    database = tmp_path / "checkpoints.db"
    checkpointed_thread(database)
    done = run_cli("langgraph", f"sqlite:///{database}", "--thread", "t1", "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = Path(done.stdout.strip().rsplit(": ", 1)[1])
    with VCRReader(tmp_path / written if not written.is_absolute() else written) as reader:
        assert len(reader) == 8 and reader.session.session_id == "langgraph-t1"

    missing = run_cli("langgraph", f"sqlite:///{tmp_path}/nope.db", "--thread", "t1", "-o", "out", cwd=tmp_path)
    assert_one_line_failure(missing, "no such checkpoint database")
    assert not (tmp_path / "nope.db").exists()  # never created by looking
    unknown = run_cli("langgraph", f"sqlite:///{database}", "--thread", "other", "-o", "out", cwd=tmp_path)
    assert_one_line_failure(unknown, "no checkpoints for thread 'other'")
    assert_one_line_failure(run_cli("langgraph", "mysql://x", "--thread", "t1", cwd=tmp_path), "sqlite:///")


def test_a_fork_from_a_checkpoint_runs_in_a_new_thread_and_leaves_the_original_alone(tmp_path: Path) -> None:
    from langgraph.checkpoint.sqlite import SqliteSaver

    from recorder.integrations.langgraph_threads import fork_thread

    database = tmp_path / "checkpoints.db"
    checkpointed_thread(database)
    with open_checkpointer(f"sqlite:///{database}") as saver:
        original = record_thread(saver, "t1", tmp_path / "before")
    with VCRReader(original) as reader:
        after_add = reader.frame(2)  # the checkpoint "add" wrote in the first turn: n == 2
    checkpoint_id = after_add.metadata.custom[CHECKPOINT_KEY]["checkpoint_id"]

    with SqliteSaver.from_conn_string(str(database)) as saver:
        graph = build_graph().compile(checkpointer=saver)
        new_thread, result = fork_thread(graph, "t1", checkpoint_id, values={"n": 50}, as_node="add")
        assert result["n"] == 100  # the edit, then "double" ran on it
        with pytest.raises(Exception, match="exists already"):
            fork_thread(graph, "t1", checkpoint_id, new_thread_id=new_thread)
    with open_checkpointer(f"sqlite:///{database}") as saver:
        again = record_thread(saver, "t1", tmp_path / "again")
        forked = record_thread(saver, new_thread, tmp_path / "forked")
    assert history(again) == history(original)  # the original thread gained nothing
    with VCRReader(forked) as reader:
        last = reader.frame(-1)
        assert last.node_name == "double" and last.output_state["n"] == 100
