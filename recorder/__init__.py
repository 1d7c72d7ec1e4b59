"""The vcr-tui engine: record agent runs to ``.vcr`` files, read them back, compare and fork.

Importing this package never imports Textual, so agents can record with a few small dependencies
and scripts can read recordings without a terminal.

Each public name is imported from its module when it is first used (``EXPORTS`` says where it
lives), so ``import recorder`` costs only what the caller touches: a viewer that reads frames never
loads the workspace, resume or comparison machinery, and starts that much sooner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from recorder.lazy_exports import lazy_exports

if TYPE_CHECKING:  # the same names as EXPORTS, for type checkers and editors
    from recorder.acid import ACIDWorkspace, CommitPreview, RollbackPlan, SessionInfo, Snapshot, WorkspaceError
    from recorder.async_writer import AsyncVCRRecorder
    from recorder.compare import RunComparison, compare_runs
    from recorder.decorators import report_usage, vcr_record
    from recorder.diffing import StateChange, diff_states
    from recorder.encoding import decode_value, to_jsonable
    from recorder.errors import RecordingNotFoundError, RecordingUnreadableError
    from recorder.fork_totals import ForkTotals
    from recorder.forking import fork_recording
    from recorder.models import (
        Frame,
        FrameMetadata,
        FrameType,
        Problem,
        ProblemKind,
        Session,
    )
    from recorder.player import VCRPlayer
    from recorder.reader import VCRReader
    from recorder.resume import ResumeConfig, ResumeResult, aresume, resume
    from recorder.resume_plan import ResumeCancelled
    from recorder.state_paths import format_path
    from recorder.vocabulary import FrameSource, ResumeMode
    from recorder.writer import RecorderClosedError, VCRRecorder, active_recorder

EXPORTS: dict[str, str] = {
    "ACIDWorkspace": "recorder.acid",
    "CommitPreview": "recorder.acid",
    "RollbackPlan": "recorder.acid",
    "SessionInfo": "recorder.acid",
    "Snapshot": "recorder.acid",
    "WorkspaceError": "recorder.acid",
    "AsyncVCRRecorder": "recorder.async_writer",
    "RunComparison": "recorder.compare",
    "compare_runs": "recorder.compare",
    "report_usage": "recorder.decorators",
    "vcr_record": "recorder.decorators",
    "StateChange": "recorder.diffing",
    "diff_states": "recorder.diffing",
    "format_path": "recorder.state_paths",
    "decode_value": "recorder.encoding",
    "to_jsonable": "recorder.encoding",
    "RecordingNotFoundError": "recorder.errors",
    "RecordingUnreadableError": "recorder.errors",
    "ForkTotals": "recorder.fork_totals",
    "fork_recording": "recorder.forking",
    "Frame": "recorder.models",
    "FrameMetadata": "recorder.models",
    "FrameType": "recorder.models",
    "Problem": "recorder.models",
    "ProblemKind": "recorder.models",
    "Session": "recorder.models",
    "VCRPlayer": "recorder.player",
    "VCRReader": "recorder.reader",
    "ResumeConfig": "recorder.resume",
    "ResumeResult": "recorder.resume",
    "aresume": "recorder.resume",
    "resume": "recorder.resume",
    "ResumeCancelled": "recorder.resume_plan",
    "ResumeMode": "recorder.vocabulary",
    "FrameSource": "recorder.vocabulary",
    "RecorderClosedError": "recorder.writer",
    "VCRRecorder": "recorder.writer",
    "active_recorder": "recorder.writer",
}
"""Each public name and the module that defines it."""

__all__ = [
    "ACIDWorkspace",
    "AsyncVCRRecorder",
    "CommitPreview",
    "ForkTotals",
    "Frame",
    "FrameMetadata",
    "FrameSource",
    "FrameType",
    "Problem",
    "ProblemKind",
    "RecorderClosedError",
    "RecordingNotFoundError",
    "RecordingUnreadableError",
    "ResumeCancelled",
    "ResumeConfig",
    "ResumeMode",
    "ResumeResult",
    "RollbackPlan",
    "RunComparison",
    "Session",
    "SessionInfo",
    "Snapshot",
    "StateChange",
    "VCRPlayer",
    "VCRReader",
    "VCRRecorder",
    "WorkspaceError",
    "active_recorder",
    "aresume",
    "compare_runs",
    "decode_value",
    "diff_states",
    "fork_recording",
    "format_path",
    "report_usage",
    "resume",
    "to_jsonable",
    "vcr_record",
]


if not TYPE_CHECKING:  # type checkers see the imports above, and flag a name that is not one
    __getattr__, __dir__ = lazy_exports(__name__, EXPORTS, globals())
