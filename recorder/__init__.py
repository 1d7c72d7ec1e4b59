"""The vcr-tui engine: record agent runs to ``.vcr`` files, read them back, compare and fork.

Importing this package never imports Textual, so agents can record with a few small dependencies
and scripts can read recordings without a terminal.
"""

from recorder.acid import ACIDWorkspace, CommitPreview, RollbackPlan, SessionInfo, Snapshot, WorkspaceError
from recorder.async_writer import AsyncVCRRecorder
from recorder.compare import RunComparison, compare_runs
from recorder.decorators import report_usage, vcr_record
from recorder.diffing import StateChange, diff_states, format_path
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
from recorder.resume_plan import ResumeCancelled, ResumeMode
from recorder.vocabulary import FrameSource
from recorder.writer import RecorderClosedError, VCRRecorder, active_recorder

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
