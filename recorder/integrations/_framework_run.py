"""What the CrewAI and AutoGen integrations share: where a run records, and how its frames are marked."""

from __future__ import annotations

import threading
from typing import Any

from recorder.resume_plan import ResumePlan, active_plan
from recorder.writer import VCRRecorder, active_recorder

_NOT_GIVEN: Any = object()


def recorder_for_run(
    own: VCRRecorder | None, lock: threading.Lock, metadata: dict[str, Any], agent_input: Any = _NOT_GIVEN
) -> VCRRecorder | None:
    """Where a run starting now records: the fork during a resume (or the active recorder without
    one of its own), else ``own``, its session started with ``metadata`` (and the run's input, so a
    resume can call the agent with it) when the caller has not started one."""
    if own is None or active_plan() is not None:
        return active_recorder()
    if own.session is None:
        with lock:
            if own.session is None:
                header = dict(metadata)
                if agent_input is not _NOT_GIVEN:
                    header.setdefault("agent_input", agent_input)
                own.start_session(metadata=header)
    return own


class FrameworkRun:
    """One recorded run of a framework: its recorder, the resume plan serving it, its frames' marks."""

    facts_key = ""  # frame.metadata.custom[facts_key]: what a frame was in the framework's run

    def __init__(self, recorder: VCRRecorder, plan: ResumePlan | None) -> None:
        self.recorder = recorder
        self.plan = plan
        self.source = "live" if plan is not None else None

    def custom(self, facts: dict[str, Any]) -> dict[str, Any]:
        """A frame's custom metadata: the framework's facts, and ``source`` during a resume."""
        custom: dict[str, Any] = {self.facts_key: facts}
        if self.source:
            custom["source"] = self.source
        return custom

    def counted(self, frames: int = 1) -> None:
        """Count frames recorded during a resume as steps that ran."""
        if self.plan is not None:
            self.plan.counts.live += frames
