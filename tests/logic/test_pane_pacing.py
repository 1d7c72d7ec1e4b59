"""When the tree and the diff follow a step, decided on a clock the test holds."""

from __future__ import annotations

from vcr_tui.logic.pane_pacing import PanePacing


def test_a_step_after_the_panes_caught_up_is_followed_after_its_paint() -> None:
    pacing = PanePacing(quiet=0.05, longest=0.5)
    assert pacing.step(10.0, caught_up=True) is None
    assert pacing.pending
    pacing.filled()
    assert not pacing.pending
    assert pacing.step(11.0, caught_up=True) is None  # a lone step again: no waiting


def test_steps_faster_than_the_panes_wait_for_a_pause() -> None:
    pacing = PanePacing(quiet=0.05, longest=0.5)
    assert pacing.step(10.0, caught_up=True) is None
    assert pacing.step(10.03, caught_up=False) == 0.05  # the first one's fill is still owed
    assert pacing.step(10.06, caught_up=False) == 0.05  # each step starts the quiet time again


def test_a_step_whose_predecessor_is_still_drawing_its_diff_waits_too() -> None:
    pacing = PanePacing(quiet=0.05, longest=0.5)
    assert pacing.step(10.0, caught_up=False) == 0.05


def test_a_long_burst_is_followed_at_least_every_longest_seconds() -> None:
    pacing = PanePacing(quiet=0.05, longest=0.5)
    pacing.step(10.0, caught_up=True)
    waits = [pacing.step(10.0 + 0.03 * n, caught_up=False) for n in range(1, 30)]
    assert waits[0] == 0.05
    due = waits.index(None)  # the step at which the panes are filled anyway
    assert 10.0 + 0.03 * (due + 1) >= 10.5 - 1e-9
    assert all(wait is not None and wait <= 0.05 for wait in waits[:due])
    assert waits[due - 1] is not None and waits[due - 1] < 0.05  # the last wait is cut to the deadline
    pacing.filled()
    assert pacing.burst_since is None and not pacing.pending
