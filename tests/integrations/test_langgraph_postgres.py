"""LangGraph checkpoint threads kept by a real PostgreSQL server, read and forked as SQLite ones are."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langgraph.checkpoint.postgres")

from recorder import VCRReader
from recorder.integrations.langgraph_threads import CHECKPOINT_KEY, fork_thread, open_checkpointer, record_thread
from tests.integrations.test_langgraph_threads import build_graph, history
from tests.support.cli_support import assert_one_line_failure, run_cli
from tests.support.postgres_support import postgres_dsn

__all__ = ["postgres_dsn"]  # the fixture, used by name
_threads = itertools.count(1)


def postgres_thread(dsn: str) -> str:
    """Two turns of the graph on a new thread, kept by PostgresSaver; the thread's id."""
    from langgraph.checkpoint.postgres import PostgresSaver

    thread_id = f"pg-{next(_threads)}"
    with PostgresSaver.from_conn_string(dsn) as saver:
        saver.setup()
        app = build_graph().compile(checkpointer=saver)
        config = {"configurable": {"thread_id": thread_id}}
        app.invoke({"n": 1, "log": []}, config)
        app.invoke({"n": 10}, config)
    return thread_id


def frames(path: Path) -> list[Any]:
    with VCRReader(path) as reader:
        return [reader.frame(index) for index in range(len(reader))]


def test_a_postgres_thread_reads_as_one_frame_per_checkpoint(postgres_dsn: str, tmp_path: Path) -> None:
    thread_id = postgres_thread(postgres_dsn)
    with open_checkpointer(postgres_dsn) as saver:
        path = record_thread(saver, thread_id, tmp_path)
    read = frames(path)
    assert [f.node_name for f in read] == ["__input__", "__start__", "add", "double"] * 2
    assert [f.metadata.custom[CHECKPOINT_KEY]["step"] for f in read] == [-1, 0, 1, 2, 3, 4, 5, 6]
    assert read[2].input_state == {"n": 1, "log": []} and read[2].output_state == {"n": 2, "log": ["add"]}
    assert read[-1].output_state == {"n": 22, "log": ["add", "double", "add", "double"]}


def test_the_command_line_opens_a_postgres_thread_or_says_why_not(postgres_dsn: str, tmp_path: Path) -> None:
    thread_id = postgres_thread(postgres_dsn)
    done = run_cli("langgraph", postgres_dsn, "--thread", thread_id, "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = Path(done.stdout.strip().rsplit(": ", 1)[1])
    assert len(frames(written if written.is_absolute() else tmp_path / written)) == 8
    unknown = run_cli("langgraph", postgres_dsn, "--thread", "no-such-thread", "-o", "out", cwd=tmp_path)
    assert_one_line_failure(unknown, "no checkpoints for thread 'no-such-thread'")
    wrong = postgres_dsn.rsplit("/", 1)[0] + "/no_such_database"
    assert_one_line_failure(run_cli("langgraph", wrong, "--thread", thread_id, cwd=tmp_path), "cannot use")


def test_a_fork_of_a_postgres_thread_runs_in_a_new_thread_of_the_same_server(postgres_dsn: str, tmp_path: Path) -> None:
    from langgraph.checkpoint.postgres import PostgresSaver

    thread_id = postgres_thread(postgres_dsn)
    with open_checkpointer(postgres_dsn) as saver:
        original = record_thread(saver, thread_id, tmp_path / "before")
    checkpoint_id = frames(original)[2].metadata.custom[CHECKPOINT_KEY]["checkpoint_id"]  # after "add": n == 2
    with PostgresSaver.from_conn_string(postgres_dsn) as saver:
        graph = build_graph().compile(checkpointer=saver)
        new_thread, result = fork_thread(graph, thread_id, checkpoint_id, values={"n": 50}, as_node="add")
    assert result["n"] == 100  # the edit, then "double" ran on it
    with open_checkpointer(postgres_dsn) as saver:
        again = record_thread(saver, thread_id, tmp_path / "again")
        forked = record_thread(saver, new_thread, tmp_path / "forked")
    assert history(again) == history(original)  # the original thread gained nothing
    last = frames(forked)[-1]
    assert last.node_name == "double" and last.output_state["n"] == 100
