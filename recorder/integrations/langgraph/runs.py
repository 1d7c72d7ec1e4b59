"""Numbering the top-level invocations of recorded graphs within one recording session.

Many agents invoke their graph once per turn of a conversation. A frame that says which turn it
ran in lets a resume answer the earlier turns from the recording and start the graph at the fork
point in the right one. The number travels in the invocation's config metadata (under
``RUN_KEY``), which LangGraph hands on to every node and subgraph; it counts per recorder and
session, so a resumed run, which records into a fork of its own, counts its turns from one
again, in step with the agent it replays.
"""

from __future__ import annotations

import threading
import weakref

from recorder.writer import VCRRecorder

RUN_KEY = "vcr_run"

_runs: weakref.WeakKeyDictionary[VCRRecorder, tuple[str, int]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def next_run(recorder: VCRRecorder) -> int:
    """The number of the invocation starting now: 1 for the first in the recorder's session."""
    session = recorder.session
    session_id = session.session_id if session is not None else ""
    with _lock:
        previous = _runs.get(recorder)
        count = previous[1] + 1 if previous is not None and previous[0] == session_id else 1
        _runs[recorder] = (session_id, count)
        return count
