"""Resuming a LangGraph checkpoint thread from one of its frames, inside the same checkpointer.

A recording read from a checkpoint thread (``record_thread``) has one frame per checkpoint. Resuming
from such a frame does not replay a recording: the thread is forked from a checkpoint into a new
thread (``fork_thread``), the edit is applied there with ``update_state``, and the user's compiled
graph runs on; the new thread's history is then read back as the fork's recording. The original
thread is only read.

Which checkpoint, and what the edit means, follow the frame's two states:

- an edited *input* (the state before the checkpoint's node ran): fork from the checkpoint before
  it, apply the edit as the node that wrote that one, so the node runs again on the edited state;
- an edited *output*: fork from the checkpoint itself, apply the edit as the node that wrote it,
  and the graph goes on from there;
- no edit: fork from the checkpoint before, and the node runs again as it was.

Only the keys whose values the edit changed are handed to ``update_state``: the state's other
channels stay as the checkpoint holds them (a channel with a reducer, such as a message list,
merges what is handed to it, as ``update_state`` always does).
"""

from __future__ import annotations

import errno
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recorder.integrations.langgraph_threads import CHECKPOINT_KEY, CheckpointError, fork_thread, record_thread
from recorder.models import Frame


@dataclass(frozen=True)
class ThreadResume:
    """What a resume from a checkpoint frame made: the new thread, its recording, and how the run ended."""

    thread_id: str
    path: Path | None
    error: str | None = None


def checkpoint_facts(frame: Frame) -> dict[str, Any] | None:
    """The checkpoint a frame of a checkpoint thread stands for, or None for any other frame."""
    facts = frame.metadata.custom.get(CHECKPOINT_KEY)
    if not isinstance(facts, dict):
        return None
    if not isinstance(facts.get("thread_id"), str) or not isinstance(facts.get("checkpoint_id"), str):
        return None
    return facts


def changed_keys(edited: dict[str, Any] | None, recorded: dict[str, Any]) -> dict[str, Any] | None:
    """The keys of ``edited`` whose values differ from ``recorded`` (None when nothing changed)."""
    if edited is None:
        return None
    changed = {key: value for key, value in edited.items() if key not in recorded or recorded[key] != value}
    return changed or None


def resume_thread(
    graph: Any,
    frame: Frame,
    *,
    state: dict[str, Any] | None,
    edit_output: bool,
    output_dir: str | Path,
) -> ThreadResume:
    """Fork the frame's thread as the module docstring says, run ``graph`` there, record the new thread.

    ``graph`` is the user's compiled graph, with a checkpointer that holds the thread. A run that
    raises still leaves its new thread (recorded, with the error); a fork that cannot start raises
    ``CheckpointError``.
    """
    facts = checkpoint_facts(frame)
    if facts is None:
        raise CheckpointError(errno.EINVAL, f"frame {frame.index} is not a checkpoint of a LangGraph thread")
    if not hasattr(graph, "invoke") or not hasattr(graph, "update_state"):
        raise CheckpointError(errno.EINVAL, f"the agent is a {type(graph).__name__}, not a compiled LangGraph graph")
    parent = facts.get("parent_checkpoint_id")
    from_output = edit_output or not isinstance(parent, str)
    checkpoint_id = facts["checkpoint_id"] if from_output else parent
    recorded = frame.output_state if from_output else frame.input_state
    values = changed_keys(state, recorded)
    as_node = frame.node_name if from_output and frame.node_name in getattr(graph, "nodes", {}) else None
    thread_id = facts["thread_id"]
    new_id = f"{thread_id}-fork-{uuid.uuid4().hex[:8]}"
    error: str | None = None
    try:
        fork_thread(graph, thread_id, str(checkpoint_id), values=values, as_node=as_node, new_thread_id=new_id)
    except CheckpointError:
        raise
    except Exception as exc:  # the graph raised while running on: its new thread shows how far it got
        error = f"{type(exc).__name__}: {exc}"
    try:
        path: Path | None = record_thread(graph.checkpointer, new_id, output_dir)
    except CheckpointError:
        if error is None:
            raise
        path = None  # it failed before its first checkpoint
    return ThreadResume(new_id, path, error)
