"""What "this step changed" compares for a frame.

For most steps that is the frame's input against its output. A graph node is different: it
returns an *update*, which the graph's reducers merge into its state (a list of messages is
appended to, a counter replaced), so input against update would report every key the node left
alone as removed and every appended message as a change of the first one. For such a frame the
pane compares the graph's state before the node with the state after it: the input of the next
node of the same graph, in the same invocation and a later superstep (not one a ``Send``
started, whose input is the send's own). When there is none (the
last node, a failure, a run still being written), it compares only the keys the node returned,
and shows a list it returned as items added: a reducer usually appends them (messages, logs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from recorder.graph_facts import graph_place
from recorder.models import Frame

# How far ahead to look for the next node of the same graph: past the frames of a subgraph or of
# the steps recorded inside the next node, never across a whole long run.
LOOKAHEAD = 200


class StepComparison(NamedTuple):
    """The two states "what this step changed" compares, and what to call each."""

    before: Any
    after: Any
    before_label: str
    after_label: str


def step_comparison(
    frame: Frame, frame_at: Callable[[int], Frame], count: int, state_for: Callable[[Frame, str], Any]
) -> StepComparison:
    """What this step changed: input against output, or for a graph node the state around it.

    ``state_for(frame, side)`` gives a frame's ``"input"`` or ``"output"`` state: the recorded one,
    or the debugger's edit of it.
    """
    before = state_for(frame, "input")
    if graph_place(frame) is None:
        return StepComparison(before, state_for(frame, "output"), f"#{frame.index} input", f"#{frame.index} output")
    after = state_after(frame, frame_at, count)
    if after is not None:
        return StepComparison(
            before, state_for(after, "input"), f"#{frame.index} input", f"#{after.index} input (state after)"
        )
    update = state_for(frame, "output")
    return StepComparison(
        returned_keys(before, update), update, f"#{frame.index} input (keys updated)", f"#{frame.index} update"
    )


def state_after(frame: Frame, frame_at: Callable[[int], Frame], count: int) -> Frame | None:
    """The frame whose input is the graph's state after ``frame``'s node ran, if recorded."""
    place = graph_place(frame)
    if place is None or frame.is_error or place.sent:
        return None  # a Send's worker ran on its own input, not on the graph's state
    for index in range(frame.index + 1, min(count, frame.index + 1 + LOOKAHEAD)):
        following = frame_at(index)
        other = graph_place(following)
        if other is None or other.graph != place.graph or other.sent:
            continue  # a step inside a node, a node of a subgraph, or a Send's worker (its own input)
        if other.run != place.run:
            return None  # the next invocation starts from its own input
        if other.step > place.step:
            return following
    return None


def returned_keys(input_state: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """What to compare an update with: the input narrowed to the keys the update sets.

    The rest of the state did not change. A list the node returned is compared with an empty
    one, so its items show as added rather than as changes to the items already there.
    """
    return {
        key: [] if isinstance(update[key], list) and isinstance(input_state[key], list) else input_state[key]
        for key in update
        if key in input_state
    }
