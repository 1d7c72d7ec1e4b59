"""Forking a recording: a new file that names its parent and continues from one of its frames.

The parent is only read. The fork holds copies of the frames before the fork point (types and
states kept, so a fork reads like the run it came from, each marked ``replayed`` at zero tokens),
then a ``fork:<node>`` checkpoint whose output is the (edited) state the run restarts from.
Recording then continues into the fork.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from typing import Any

from recorder.fork_totals import ForkTotals
from recorder.index import decode_line
from recorder.models import Frame, FrameMetadata, FrameType
from recorder.reader import VCRReader
from recorder.vocabulary import (
    COPIED_FROM_SESSION,
    EDITED_SIDE,
    FORKED_FROM,
    FORKED_FROM_FRAME,
    FORKED_FROM_FRAME_ID,
    RECORDED_COST,
    RECORDED_TOKENS,
    SOURCE,
    FrameSource,
)
from recorder.writer import VCRRecorder


def fork_recording(
    source: str | os.PathLike[str] | VCRReader,
    from_frame: int,
    *,
    new_session_id: str | None = None,
    state_overrides: dict[str, Any] | None = None,
    state: dict[str, Any] | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    fsync: bool = False,
    edit_output: bool = False,
    metadata: dict[str, Any] | None = None,
    tally: ForkTotals | None = None,
) -> VCRRecorder:
    """Write the fork's header, prefix and starting checkpoint; return its open recorder.

    The starting state is ``state`` when given (an edited copy of the frame's input), else the
    recorded input of ``from_frame``; ``state_overrides`` are then merged over it at top level.
    The starting point is the frame's *input* because resuming means running that step again;
    with ``edit_output`` it is the frame's output instead (the step is kept, its result edited).
    ``metadata`` is added to the fork's header. ``source`` is the recording's path, or a reader
    already open on it (which is left open). ``tally`` counts every frame the fork is given,
    from the prefix on (a resume's totals, without reading the fork back).
    """
    reader = source if isinstance(source, VCRReader) else VCRReader(source)
    try:
        if not 0 <= from_frame < len(reader):
            raise ValueError(f"cannot fork at frame {from_frame}: the recording has {len(reader)} frames")
        parent = reader.session
        target = reader.frame(from_frame)
        recorded = target.output_state if edit_output else target.input_state
        start = starting_state(target, state, state_overrides, edit_output=edit_output)

        recorder = VCRRecorder(output_dir if output_dir is not None else reader.path.parent, fsync=fsync)
        recorder.tally = tally
        recorder.start_session(
            session_id=new_session_id,
            parent_session_id=parent.session_id,
            forked_from_frame=from_frame,
            metadata={**parent.metadata, FORKED_FROM: parent.session_id, **(metadata or {})},
            tags=list(parent.tags),
        )
        for index in range(from_frame):
            data = _plain_record_data(reader, index)
            if data is None:
                recorder.record_frame(_as_replayed(reader.frame(index), parent.session_id))
            else:
                recorder.record_copied(_mark_replayed(data, parent.session_id))
        recorder.record_step(
            node_name=f"fork:{target.node_name}",
            input_state=recorded,
            output_state=start,
            metadata=FrameMetadata(
                custom={
                    SOURCE: FrameSource.FORK.value,
                    FORKED_FROM_FRAME: from_frame,
                    FORKED_FROM_FRAME_ID: target.frame_id,
                    EDITED_SIDE: "output" if edit_output else "input",
                }
            ),
            frame_type=FrameType.CHECKPOINT,
            parent_frame_id=target.frame_id or None,
        )
    finally:
        if reader is not source:
            reader.close()
    return recorder


def starting_state(
    frame: Frame,
    state: dict[str, Any] | None,
    state_overrides: dict[str, Any] | None,
    *,
    edit_output: bool = False,
) -> dict[str, Any]:
    """The state a run restarts from at ``frame``; the fork's checkpoint and a resume's plan share it.

    A copy of ``state`` when given, else of the frame's input (its output with ``edit_output``),
    with ``state_overrides`` merged over it at top level.
    """
    start = copy.deepcopy(state if state is not None else frame.output_state if edit_output else frame.input_state)
    start.update(state_overrides or {})
    return start


def _plain_record_data(reader: VCRReader, index: int) -> dict[str, Any] | None:
    """The frame's record data when it can be copied as it stands; None when it needs the reader.

    Diff-mode frames are rebuilt by the reader and mended lines need its repairs; every other
    frame line is copied without building a ``Frame`` (several times cheaper for long prefixes).
    """
    value, error, note = decode_line(reader.raw(index))
    if error is not None or note is not None or not isinstance(value, dict):
        return None
    data = value.get("data")
    if not isinstance(data, dict) or data.get("state_diff") is not None:
        return None
    if not isinstance(data.get("metadata", {}), dict):
        return None
    return data


def _mark_replayed(data: dict[str, Any], parent_session_id: str) -> dict[str, Any]:
    """Mark a copied prefix frame: same step, but it cost nothing this time.

    Its tokens and cost move to ``custom.recorded_tokens`` / ``recorded_cost_usd`` so the fork's
    totals count only what the resumed run spent.
    """
    metadata = dict(data.get("metadata") or {})
    custom = metadata.get("custom")
    custom = dict(custom) if isinstance(custom, dict) else {}
    custom.update({SOURCE: FrameSource.REPLAYED.value, COPIED_FROM_SESSION: parent_session_id})
    if metadata.get("tokens_used") is not None:
        custom[RECORDED_TOKENS] = metadata["tokens_used"]
    if metadata.get("cost_usd") is not None:
        custom[RECORDED_COST] = metadata["cost_usd"]
    metadata.update(tokens_used=None, tokens_input=None, tokens_output=None, cost_usd=None, custom=custom)
    data["metadata"] = metadata
    return data


def _as_replayed(frame: Frame, parent_session_id: str) -> Frame:
    """``_mark_replayed`` for a frame the reader had to rebuild or mend."""
    record = _mark_replayed(frame.to_record()["data"], parent_session_id)
    meta = FrameMetadata.from_dict(record["metadata"])
    return dataclasses.replace(frame, metadata=meta)
