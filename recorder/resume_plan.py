"""The resume plan: for each step an agent takes while resuming, answer from the recording or run it.

Steps are matched to the parent recording by node name, in order: the next recorded frame with
the same name, searching forward from the last one matched. Frames of inner steps that the
matched frame covers are stepped over, and identical repeated calls match successive frames, so
they replay in recorded order.

Before the fork point a matched step returns its recorded output without being called (the fork
already holds copies of those frames). The step at the fork point runs live with the edited state
(or, for an edited output, returns it). After that, FORK runs everything live; REPLAY keeps
answering from the recording while a step's input equals the recorded one, and goes live for good
at the first difference. A step whose recorded frame lies past the fork point while the plan is
still before it (an outer step that contains the fork point) runs live so its inner steps happen,
unless the caller names the frame the step repeats: a branch that ran side by side with the fork
point is past it whichever thread calls first. Mocks and skips (``skip_nodes``) apply after
the fork point, in every mode; before it the recording answers.

A recorded failure (an error frame) has no output to hand back, so REPLAY never answers a step
from one: that step runs live. Frameworks that can start a run at a node (LangGraph) skip the
prefix instead of replaying it: ``start_at`` moves matching forward to where that node's frames
begin.
"""

from __future__ import annotations

import contextvars
import enum
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from recorder.models import Frame
from recorder.reader import VCRReader
from recorder.vocabulary import RECORDED_COST, RECORDED_TOKENS, RETURNS, FrameSource, ResumeMode


class ResumeCancelled(BaseException):
    """Raised inside the agent at its next step when the user cancels a resume.

    A BaseException, like KeyboardInterrupt, so an agent's ``except Exception`` does not swallow it.
    """


class Action(enum.Enum):
    """What the decorator does with one call."""

    RECORDED = "recorded"  # before the fork point: recorded output, not re-recorded
    REPLAY = "replay"  # after the fork point, input unchanged: recorded output, recorded as replayed
    LIVE = "live"  # call the function (with ``Decision.state`` as input when set)
    MOCK = "mock"  # a value from ``inject_mocks``
    SKIP = "skip"  # a node in ``skip_nodes``
    EDITED_OUTPUT = "edited_output"  # the fork point, when the edit was to its output


@dataclass(slots=True)
class Decision:
    action: Action
    output: dict[str, Any] | None = None
    state: dict[str, Any] | None = None
    source: str | None = None
    custom: dict[str, Any] = field(default_factory=dict)
    matched: Frame | None = None  # the parent frame that answered (or is being re-run), if any


@dataclass(slots=True)
class PlanCounts:
    """How the resumed run's steps were served; REPLAY's promise is ``agent_calls`` staying low."""

    from_recording: int = 0
    replayed: int = 0
    live: int = 0
    mocked: int = 0
    skipped: int = 0


class ResumePlan:
    """Decides, call by call, how a resumed agent's steps are served."""

    def __init__(
        self,
        parent: VCRReader,
        fork_at: int,
        mode: ResumeMode,
        *,
        edited_state: dict[str, Any],
        edit_output: bool = False,
        skip_nodes: tuple[str, ...] = (),
        mocks: dict[str, Any] | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.parent = parent
        self.fork_at = fork_at
        self.mode = mode
        self.edited_state = edited_state
        self.edit_output = edit_output
        self.skip_nodes = frozenset(skip_nodes)
        self.mocks = dict(mocks or {})
        self.cancel = cancel
        self.position = 0  # next parent frame that can be matched
        self.forked = False  # the fork point has been reached
        self.all_live = False  # REPLAY diverged, or FORK past the fork point
        self.counts = PlanCounts()
        # The agent is the graph itself (``app.invoke``): invoked once, so it starts at the fork
        # point in that invocation, whichever of the recorded invocations the fork point ran in.
        self.one_invocation = False
        self.missed: str | None = None  # why the edit could not reach the agent, once known

    def decide(self, node_name: str, actual_input: dict[str, Any], *, repeats: Frame | None = None) -> Decision:
        """How to serve one call of ``node_name`` with ``actual_input``.

        ``repeats`` is the recorded frame this call runs again, when the caller knows it: the
        branches of one LangGraph superstep call in any order, and the same node started by
        several ``Send``s has one frame per send, so taking the next frame by name could pair
        a call with a sibling's frame. Without it, the next frame of the same name is taken.
        """
        if self.cancel is not None and self.cancel.is_set():
            raise ResumeCancelled("resume cancelled")
        if repeats is not None and repeats.index < self.fork_at:
            # A branch recorded before the fork point, side by side with it in one superstep: answered
            # from the recording even when, in this run, its thread got here after the fork point's.
            return self._recorded(repeats)
        if not self.forked:
            match = self._find(node_name) if repeats is None else repeats
            if match is not None and match.index < self.fork_at:
                return self._recorded(match)
            if match is not None and match.index == self.fork_at:
                return self._at_fork_point(match)
            if repeats is None:
                return self._live()  # an outer step around the fork point, or a step the recording lacks
            # A branch recorded after the fork point that called before it (side by side in one
            # superstep): it is past the fork point, whichever thread got here first.
        return self._past_fork_point(node_name, actual_input, repeats)

    def _recorded(self, match: Frame) -> Decision:
        self.position = max(self.position, match.index + 1)
        self.counts.from_recording += 1
        return Decision(Action.RECORDED, output=match.output_state, custom=dict(match.metadata.custom), matched=match)

    def _past_fork_point(self, node_name: str, actual_input: dict[str, Any], repeats: Frame | None) -> Decision:
        mock = self._mock_for(node_name)
        if mock is not None:
            self.counts.mocked += 1
            return mock
        if node_name in self.skip_nodes:
            return self._skip(node_name, actual_input, repeats)
        if self.all_live:
            return self._live()
        match = self._find(node_name) if repeats is None else repeats
        if (
            self.mode is ResumeMode.REPLAY
            and match is not None
            and not match.is_error
            and match.input_state == actual_input
        ):
            self.position = max(self.position, match.index + 1)
            return self._replay(match)
        self.all_live = True
        return self._live()

    def _skip(self, node_name: str, actual_input: dict[str, Any], repeats: Frame | None) -> Decision:
        """A step named in ``skip_nodes``, in any mode: its recorded output, or its input handed back.

        Matching looks for the step's recorded frame even after FORK or a REPLAY divergence went
        live, so a skipped step still answers with what it returned when it was recorded.
        """
        self.counts.skipped += 1
        match = self._find(node_name) if repeats is None else repeats
        if match is not None:
            self.position = max(self.position, match.index + 1)
        output = match.output_state if match is not None else actual_input
        return Decision(Action.SKIP, output=output, source=FrameSource.SKIPPED.value, matched=match)

    def edit_missed(self, reason: str) -> None:
        """Say that the step at the fork point ran without the edited state reaching it."""
        if self.missed is None:
            self.missed = reason

    @property
    def steps_taken(self) -> int:
        """How many of the agent's steps this plan has served, however it served them."""
        counts = self.counts
        return counts.from_recording + counts.replayed + counts.live + counts.mocked + counts.skipped

    def start_at(self, index: int) -> None:
        """Match steps from parent frame ``index`` on, for an agent that starts at a node.

        A graph that can begin its run at the fork point's node never calls the steps before
        it, so they cannot be matched in order; without this, a node that also ran earlier (in
        a loop) would match its first recorded run instead of the one at the fork point.
        ``index`` is where the frames of the step containing the fork point begin (at most
        ``fork_at``); matching never moves backwards.
        """
        if not 0 <= index <= self.fork_at:
            raise ValueError(f"cannot start at frame {index}: the fork point is frame {self.fork_at}")
        self.position = max(self.position, index)

    def _at_fork_point(self, match: Frame) -> Decision:
        self.forked = True
        self.position = max(self.position, match.index + 1)
        if self.mode is not ResumeMode.REPLAY:
            self.all_live = True
        if self.edit_output:
            self.counts.from_recording += 1
            return Decision(
                Action.EDITED_OUTPUT,
                output=self.edited_state,
                source=FrameSource.EDITED.value,
                custom=_returns(match),
                matched=match,
            )
        if self.mode is ResumeMode.REPLAY and not match.is_error and self.edited_state == match.input_state:
            return self._replay(match)  # an edit that changed nothing: the recorded step still holds
        self.counts.live += 1
        return Decision(Action.LIVE, state=self.edited_state, source=FrameSource.LIVE.value, matched=match)

    def _replay(self, match: Frame) -> Decision:
        """The recorded output of ``match``, counted as replayed, with what it cost when recorded."""
        self.counts.replayed += 1
        custom = _returns(match)
        custom[RECORDED_TOKENS] = match.metadata.tokens_used
        custom[RECORDED_COST] = match.metadata.cost_usd
        return Decision(
            Action.REPLAY, output=match.output_state, source=FrameSource.REPLAYED.value, custom=custom, matched=match
        )

    def _live(self) -> Decision:
        self.counts.live += 1
        return Decision(Action.LIVE, source=FrameSource.LIVE.value)

    def _find(self, node_name: str) -> Frame | None:
        for index in range(self.position, len(self.parent)):
            frame = self.parent.frame(index)
            if frame.node_name == node_name:
                return frame
        return None

    def _mock_for(self, node_name: str) -> Decision | None:
        if not self.mocks:
            return None
        short = node_name.split(":", 1)[1] if ":" in node_name else node_name
        for key in (node_name, short):
            if key in self.mocks:
                value = self.mocks[key]
                output = dict(value) if isinstance(value, dict) else {"return": value}
                custom = {} if isinstance(value, dict) else {RETURNS: "value"}
                return Decision(Action.MOCK, output=output, source=FrameSource.MOCKED.value, custom=custom)
        return None


def _returns(match: Frame) -> dict[str, Any]:
    """The part of a frame's custom metadata a decision carries: how the function returned."""
    return {k: v for k, v in match.metadata.custom.items() if k == RETURNS}


_active_plan: contextvars.ContextVar[ResumePlan | None] = contextvars.ContextVar("vcr_resume_plan", default=None)


def active_plan() -> ResumePlan | None:
    """The plan of the resume running in this context, if any."""
    return _active_plan.get()


@contextmanager
def plan_active(plan: ResumePlan) -> Iterator[ResumePlan]:
    token = _active_plan.set(plan)
    try:
        yield plan
    finally:
        _active_plan.reset(token)


@contextmanager
def plan_paused() -> Iterator[None]:
    """No plan in this context for a while: steps called here record live, matched to nothing."""
    token = _active_plan.set(None)
    try:
        yield
    finally:
        _active_plan.reset(token)
