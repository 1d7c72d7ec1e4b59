"""A LangGraph checkpoint thread read as a recording: one frame per checkpoint, oldest first.

A LangGraph app with a checkpointer already keeps every superstep; this reads that history
without our recorder having been there. Each checkpoint becomes a frame: the node(s) that wrote
it (those whose ``versions_seen`` moved since the checkpoint before), the state before (the
previous checkpoint's channel values) and after, and the superstep in its metadata. The
checkpointer is only read: the thread is never written to.

Checkpointers: SQLite (``sqlite:///path.db``, ``langgraph-checkpoint-sqlite``) and PostgreSQL
(``postgresql://...``, ``langgraph-checkpoint-postgres``), each imported only when used.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from recorder.errors import RecordingNotFoundError, RecordingUnreadableError
from recorder.models import FrameMetadata, FrameType
from recorder.writer import VCRRecorder

CHECKPOINT_KEY = "langgraph_checkpoint"
THREAD_KEY = "langgraph_thread"  # session.metadata[THREAD_KEY]: the thread a recording was read from
_INTERNAL_PREFIXES = ("branch:", "__")
_BOOKKEEPING = frozenset(("__input__", "__interrupt__"))  # entries of versions_seen that are not nodes


class CheckpointError(RecordingUnreadableError):
    """The checkpointer cannot be opened or holds no such thread; the message says why in one line."""


@contextmanager
def open_checkpointer(address: str) -> Iterator[Any]:
    """A saver for ``sqlite:///path`` or a PostgreSQL DSN, closed on exit."""
    if address.startswith("sqlite:///"):
        path = Path(address[len("sqlite:///") :])
        if not path.is_file():
            raise RecordingNotFoundError(errno.ENOENT, f"no such checkpoint database: {path}")
        try:
            from langgraph.checkpoint.sqlite import SqliteSaver
        except ImportError:
            raise CheckpointError(errno.ENOPKG, "sqlite:// needs langgraph-checkpoint-sqlite: pip install it") from None
        import sqlite3

        # Read-only: the thread is evidence, and a typo must not create an empty database.
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        try:
            yield SqliteSaver(connection)
        finally:
            connection.close()
        return
    if address.startswith(("postgres://", "postgresql://")):
        try:
            from langgraph.checkpoint.postgres import PostgresSaver
        except ImportError:
            raise CheckpointError(
                errno.ENOPKG, "a PostgreSQL DSN needs langgraph-checkpoint-postgres: pip install 'vcr-tui[postgres]'"
            ) from None
        try:
            with PostgresSaver.from_conn_string(address) as saver:
                yield saver
        except CheckpointError:
            raise
        except Exception as exc:  # the driver's own classes: one line, never a traceback
            first = str(exc).strip().splitlines()[:1] or [type(exc).__name__]
            raise CheckpointError(errno.EIO, f"cannot use {address}: {first[0]}") from None
        return
    raise CheckpointError(errno.EINVAL, f"{address!r}: write sqlite:///path/to/checkpoints.db or a postgresql:// DSN")


def _visible(values: Any) -> dict[str, Any]:
    """The graph's state channels, without LangGraph's routing channels."""
    if not isinstance(values, dict):
        return {}
    return {key: value for key, value in values.items() if not str(key).startswith(_INTERNAL_PREFIXES)}


def _writers(seen: dict[str, Any], before: dict[str, Any]) -> list[str]:
    return sorted(node for node, versions in seen.items() if node not in _BOOKKEEPING and before.get(node) != versions)


def record_thread(saver: Any, thread_id: str, output_dir: str | Path) -> Path:
    """Write the thread's history as a new recording in ``output_dir``; its path."""
    config = {"configurable": {"thread_id": thread_id}}
    try:
        history = list(saver.list(config))
    except Exception as exc:
        first = str(exc).strip().splitlines()[:1] or [type(exc).__name__]
        raise CheckpointError(errno.EIO, f"cannot read thread {thread_id!r}: {first[0]}") from None
    history = [item for item in history if not item.config["configurable"].get("checkpoint_ns")]
    if not history:
        raise CheckpointError(errno.ENOENT, f"no checkpoints for thread {thread_id!r}")
    history.reverse()  # the saver lists newest first
    recorder = VCRRecorder(output_dir)
    recorder.start_session(
        session_id=f"langgraph-{thread_id}",
        metadata={THREAD_KEY: thread_id},
        tags=["langgraph", "checkpoints"],
    )
    seen_before: dict[str, Any] = {}
    state_before: dict[str, Any] = {}
    for item in history:
        checkpoint, metadata = item.checkpoint, item.metadata or {}
        seen = checkpoint.get("versions_seen") or {}
        values = checkpoint.get("channel_values") or {}
        source = str(metadata.get("source") or "")
        if source == "input":
            node = "__input__"
            state = _visible(values.get("__start__")) or _visible(values)
        else:
            node = "+".join(_writers(seen, seen_before)) or source or "checkpoint"
            state = _visible(values)
        parent = item.parent_config["configurable"].get("checkpoint_id") if item.parent_config else None
        recorder.record_step(
            node,
            state_before,
            state,
            metadata=FrameMetadata(
                custom={
                    CHECKPOINT_KEY: {
                        "thread_id": thread_id,
                        "checkpoint_id": item.config["configurable"].get("checkpoint_id"),
                        "parent_checkpoint_id": parent,
                        "step": metadata.get("step"),
                        "source": source,
                    }
                }
            ),
            frame_type=FrameType.CHECKPOINT if source in ("input", "update", "fork") else FrameType.NODE_EXECUTION,
        )
        seen_before, state_before = seen, state
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def fork_thread(
    graph: Any,
    thread_id: str,
    checkpoint_id: str,
    *,
    values: dict[str, Any] | None = None,
    as_node: str | None = None,
    new_thread_id: str | None = None,
    run: bool = True,
) -> tuple[str, Any]:
    """Continue a thread from one of its checkpoints in a new thread of the same checkpointer.

    The checkpoint (and the writes pending on it) is copied into ``new_thread_id`` (made up when
    not given); ``values`` are then applied with ``update_state``, as if ``as_node`` had returned
    them, and the compiled ``graph`` runs on from there when ``run``. The original thread is only
    read. Returns the new thread's id and what the run returned (None without a run).
    """
    import uuid

    saver = graph.checkpointer
    if saver is None:
        raise CheckpointError(errno.EINVAL, "the graph was compiled without a checkpointer")
    source = saver.get_tuple(
        {"configurable": {"thread_id": thread_id, "checkpoint_ns": "", "checkpoint_id": checkpoint_id}}
    )
    if source is None:
        raise CheckpointError(errno.ENOENT, f"no checkpoint {checkpoint_id} in thread {thread_id!r}")
    new_id = new_thread_id or f"{thread_id}-fork-{uuid.uuid4().hex[:8]}"
    if saver.get_tuple({"configurable": {"thread_id": new_id, "checkpoint_ns": ""}}) is not None:
        raise CheckpointError(errno.EEXIST, f"thread {new_id!r} exists already: choose another id")
    metadata = {
        **(source.metadata or {}),
        "source": "fork",
        "forked_from": {"thread_id": thread_id, "checkpoint_id": checkpoint_id},
    }
    checkpoint = source.checkpoint
    config = saver.put(
        {"configurable": {"thread_id": new_id, "checkpoint_ns": ""}},
        checkpoint,
        metadata,
        checkpoint.get("channel_versions") or {},
    )
    by_task: dict[str, list[tuple[str, Any]]] = {}
    for task_id, channel, value in source.pending_writes or []:
        by_task.setdefault(task_id, []).append((channel, value))
    for task_id, writes in by_task.items():
        saver.put_writes(config, writes, task_id)
    if values is not None:
        config = graph.update_state(config, values, as_node=as_node)
    result = graph.invoke(None, config) if run else None
    return new_id, result
