"""``r`` on a frame of a LangGraph checkpoint thread: fork the thread in its checkpointer and run on.

A recording read from a checkpoint thread (``vcr-tui langgraph ... --agent module:graph``) is
resumed by LangGraph itself rather than by the engine's replay: see
``recorder.integrations.langgraph_thread_resume``. This turns what that made into the summary the
screen shows, and hands the new thread's recording to the screen to open. No Textual here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from recorder import VCRReader
from recorder.index import decode_line
from recorder.integrations.langgraph_thread_resume import checkpoint_facts, resume_thread
from recorder.integrations.langgraph_threads import CHECKPOINT_KEY, THREAD_KEY
from recorder.models import Frame
from vcr_tui.logic.resume_run import Outcome, ResumeRun, ResumeSummary, failure_reason


def checkpoint_frame(source: Path, index: int) -> Frame | None:
    """The frame at ``index`` when it stands for a checkpoint of a thread, else None."""
    if not _read_from_a_thread(source):
        return None  # every other recording: decided from its first line, no index built twice
    try:
        with VCRReader(source) as reader:
            frame = reader.frame(index)
    except (OSError, IndexError, ValueError):
        return None
    return frame if checkpoint_facts(frame) is not None else None


def _read_from_a_thread(source: Path) -> bool:
    """Whether the recording's first header says it was read from a checkpoint thread."""
    try:
        with source.open("rb") as handle:
            first = handle.readline(1 << 20)
    except OSError:
        return False
    value = decode_line(first).value
    data = value.get("data") if isinstance(value, dict) else None
    metadata = data.get("metadata") if isinstance(data, dict) else None
    return isinstance(metadata, dict) and THREAD_KEY in metadata


def resume_checkpoint(run: ResumeRun, graph: Any, frame: Frame, on_fork: Callable[[Path], object]) -> ResumeSummary:
    """Fork the frame's thread with the request's edit and run ``graph``; never raises."""
    request = run.request
    try:
        made = resume_thread(
            graph,
            frame,
            state=request.state,
            edit_output=request.edit_output,
            output_dir=request.output_dir or request.source.parent,
        )
    except Exception as exc:  # no checkpointer, no such checkpoint, not a graph, ...
        return ResumeSummary(Outcome.FAILED, error=f"cannot fork the thread: {failure_reason(exc)}")
    summary = ResumeSummary(Outcome.FAILED if made.error else Outcome.SUCCEEDED, fork_path=made.path, error=made.error)
    if made.path is None:
        return summary
    run.fork_path = made.path
    with VCRReader(made.path) as reader:
        summary.totals.frames = len(reader)
        for index in range(len(reader)):
            facts = reader.frame(index).metadata.custom.get(CHECKPOINT_KEY)
            if isinstance(facts, dict) and facts.get("source") == "loop":
                summary.totals.live += 1  # a superstep the graph ran in the new thread
    on_fork(made.path)
    return summary
