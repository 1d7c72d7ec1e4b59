"""VCRPlayer: the seed's read API over a lazily indexed recording.

``goto_frame`` and friends return decoded states (a recorded datetime comes back as a
``datetime``); ``export_state`` returns the state exactly as stored, ready to dump as JSON.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recorder.diffing import StateChange, diff_states
from recorder.encoding import decode_value, to_jsonable
from recorder.frame_comparison import FrameComparison
from recorder.index import IndexUpdate
from recorder.models import Frame, Problem, Session
from recorder.reader import VCRReader
from recorder.writer import VCRRecorder

if TYPE_CHECKING:
    from recorder.resume import ResumeConfig, ResumeResult


class VCRPlayer:
    """Navigate, inspect, compare and fork one recording. Only a missing or unreadable path raises."""

    def __init__(self, reader: VCRReader) -> None:
        self._reader = reader
        self.current_index = 0
        self._handed_out: tuple[int, dict[str, Any]] | None = None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> VCRPlayer:
        """Index the file (without parsing its frames) and return a player over it."""
        return cls(VCRReader(path))

    # -- the file ----------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self._reader.path

    @property
    def reader(self) -> VCRReader:
        return self._reader

    @property
    def session(self) -> Session:
        """The last session header (the one with the newest totals)."""
        return self._reader.session

    @property
    def problems(self) -> list[Problem]:
        """(line number, reason) for every line skipped or mended."""
        return self._reader.problems

    def __len__(self) -> int:
        return len(self._reader)

    def __iter__(self) -> Iterator[Frame]:
        return self.iter_frames()

    def iter_frames(self, start: int = 0) -> Iterator[Frame]:
        """Frames in file order (recording order), parsed one at a time."""
        for index in range(start, len(self._reader)):
            yield self._reader.frame(index)

    def update(self) -> IndexUpdate:
        """Pick up frames appended since loading (the file may still be being written)."""
        return self._reader.update()

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> VCRPlayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- frames ------------------------------------------------------------------------------

    def get_frame(self, index: int) -> Frame:
        return self._reader.frame(index)

    def goto_frame(self, index: int) -> dict[str, Any]:
        """Move to a frame and return the state after it (its output), decoded."""
        frame = self._reader.frame(index)
        self.current_index = frame.index
        state: dict[str, Any] = decode_value(frame.output_state)
        self._handed_out = (frame.index, state)  # changed in place, it is the edit ``resume`` uses
        return state

    def get_input_state(self, index: int) -> dict[str, Any]:
        return decode_value(self._reader.frame(index).input_state)  # type: ignore[no-any-return]

    def get_output_state(self, index: int) -> dict[str, Any]:
        return decode_value(self._reader.frame(index).output_state)  # type: ignore[no-any-return]

    def export_state(self, index: int | None = None) -> dict[str, Any]:
        """The output state as stored (typed wrappers kept): JSON you can save or edit."""
        return self._reader.frame(self.current_index if index is None else index).output_state

    def list_nodes(self) -> list[str]:
        """Node names in order of first appearance."""
        return list(dict.fromkeys(frame.node_name for frame in self.iter_frames()))

    def get_errors(self) -> list[Frame]:
        """Error frames and steps that recorded an error type (failed tool calls)."""
        return [frame for frame in self.iter_frames() if frame.is_error]

    def compare_frames(self, frame_a: int, frame_b: int) -> FrameComparison:
        """Nested differences from frame a's output state to frame b's (a list of ``StateChange``).

        The same result read with a key (``["added"]``, ``["removed"]``, ``["modified"]``,
        ``["unchanged"]``) is the peer's dict of top-level keys over the decoded states.
        """
        before = self._reader.frame(frame_a).output_state
        after = self._reader.frame(frame_b).output_state
        return FrameComparison(diff_states(before, after), decode_value(before), decode_value(after))

    def step_changes(self, index: int) -> list[StateChange]:
        """What one step changed: its input state against its output state."""
        frame = self._reader.frame(index)
        return diff_states(frame.input_state, frame.output_state)

    def fork(
        self,
        from_frame: int,
        new_session_id: str | None = None,
        state_overrides: dict[str, Any] | None = None,
        *,
        state: dict[str, Any] | None = None,
        output_dir: str | os.PathLike[str] | None = None,
    ) -> VCRRecorder:
        """A new recording that continues this one from ``from_frame``; this file is untouched."""
        from recorder.forking import fork_recording

        return fork_recording(
            self.path,
            from_frame,
            new_session_id=new_session_id,
            state_overrides=state_overrides,
            state=state,
            output_dir=output_dir,
        )

    def resume(
        self,
        agent: object = None,
        config: ResumeConfig | None = None,
        *,
        from_frame: int | None = None,
        output_dir: str | os.PathLike[str] | None = None,
        cancel: threading.Event | None = None,
    ) -> ResumeResult:
        """Run ``agent`` again from a frame into a fork; see ``recorder.resume``.

        The frame is ``config.from_frame``, else ``from_frame``, else the one ``goto_frame`` last
        moved to. A state ``goto_frame`` returned for that frame and changed since is the edit
        (of the frame's output, which is what ``goto_frame`` returns), unless the config already
        carries one. Without an agent, the recording's ``entry_point`` is imported and run.
        """
        from recorder.resume import ResumeConfig, resume

        if config is None:
            config = ResumeConfig(from_frame=self.current_index if from_frame is None else from_frame)
        elif from_frame is not None and from_frame != config.from_frame:
            raise ValueError(f"from_frame={from_frame} but config.from_frame={config.from_frame}: give one")
        config = self._with_goto_edit(config)
        return resume(self._reader, agent, config, output_dir=output_dir, cancel=cancel)

    def _with_goto_edit(self, config: ResumeConfig) -> ResumeConfig:
        """``config`` with the state ``goto_frame`` handed out as its output edit, if it was changed."""
        handed = self._handed_out
        if handed is None or config.state is not None or config.edit_output:
            return config
        index, state = handed
        frame = self._reader.frame(config.from_frame)
        if frame.index != index:
            return config
        if state == decode_value(frame.output_state):
            return config  # handed out and left as it was: no edit
        return dataclasses.replace(config, state=to_jsonable(state), edit_output=True)

    def __repr__(self) -> str:
        return f"VCRPlayer(path={str(self.path)!r}, frames={len(self)}, problems={len(self.problems)})"
