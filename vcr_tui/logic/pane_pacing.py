"""When the state tree and the diff follow a step: after its paint, or once the steps pause.

A step moves the frame list's cursor, the frame's details and the status line in the key's own
screen update; filling the tree and the diff costs more than all of those together. So they
follow: once the step's paint is out when the panes had caught up with the step before (one
press of ``j``: the tree and the diff arrive ``PAINT_OUT`` later), and while steps come
faster than the panes catch up (``j`` held, a quick series of presses, a fast live recording)
once the steps pause for ``quiet`` seconds, or at the latest ``longest`` seconds after the burst
began. Holding ``j`` therefore never queues a rebuild per key: the panes show the newest frame
when they are filled, and nothing in between.
"""

from __future__ import annotations

QUIET = 0.05  # seconds without a step before the panes follow a burst
# Seconds a step's paint is given to reach the terminal before the tree and the diff are built:
# Textual writes the screen from a thread of its own, which a build started at once would keep
# off the interpreter lock, delaying the very paint it follows (by about 6 ms of a 37 ms press,
# measured through tmux).
PAINT_OUT = 0.05
LONGEST = 0.5  # seconds: during a long burst the panes still follow this often


class PanePacing:
    """Whether the slow panes owe a fill, and since when steps have come without a pause."""

    __slots__ = ("burst_since", "longest", "pending", "quiet")

    def __init__(
        self,
        quiet: float = QUIET,
        longest: float = LONGEST,
        pending: bool = False,
        burst_since: float | None = None,
    ) -> None:
        self.quiet = quiet
        self.longest = longest
        self.pending = pending
        self.burst_since = burst_since

    def step(self, now: float, caught_up: bool) -> float | None:
        """A step was shown at ``now``; ``caught_up`` says the panes show the step before.

        Returns None when the panes should be filled right after this step's paint, else the
        seconds to wait for the next step before filling them.
        """
        if not self.pending and caught_up:
            self.pending = True
            return None
        self.pending = True
        if self.burst_since is None:
            self.burst_since = now
        wait = min(self.quiet, self.burst_since + self.longest - now)
        return None if wait <= 0 else wait

    def filled(self) -> None:
        """The panes show the current frame: the next step starts afresh."""
        self.pending = False
        self.burst_since = None
