"""What the command line decided, in one typed object every screen reads.

The command line (or a test) builds one ``AppOptions``; the app holds it and the screens read it
through ``vcr_tui.host.options_of``. Nothing here imports Textual: the view models read the same
object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from recorder.slotted import Slotted
from recorder.vocabulary import ResumeMode

Keymap = dict[str, str]  # binding id -> keys, as the user's keymap file writes them


class AgentSettings(Slotted):
    """What the command line said about agents, plus the names confirmed since it started."""

    __slots__ = ("approved", "mode", "origin", "spec")

    def __init__(
        self,
        spec: str | None = None,
        origin: str = "--agent",
        mode: ResumeMode = ResumeMode.REPLAY,
        approved: set[str] | None = None,
    ) -> None:
        self.spec = spec  # named by the user: trusted as it is
        self.origin = origin  # how the user named it, for messages
        self.mode = mode  # the mode ``r`` uses
        self.approved: set[str] = set() if approved is None else approved  # names from recordings the user confirmed


class AppOptions(Slotted):
    """The settings of one run of vcr-tui; ``agents`` also remembers the names confirmed since."""

    __slots__ = ("agents", "follow", "freeze_gc", "keymap", "workspace")

    def __init__(
        self,
        keymap: Keymap | None = None,
        workspace: Path | None = None,
        follow: bool = False,
        freeze_gc: bool = False,
        agents: AgentSettings | None = None,
    ) -> None:
        self.keymap: Final[Keymap] = {} if keymap is None else keymap  # the user's remapping, over the bindings
        self.workspace: Final = workspace  # --workspace: the folder u and C act on, trusted as typed
        self.follow: Final = follow  # files opened (directly or from a folder) are followed as they grow
        self.freeze_gc: Final = freeze_gc  # built objects are kept out of the cycle collector (the real program)
        self.agents: Final = AgentSettings() if agents is None else agents  # the agent r may run, and how

    def with_keymap(self, keymap: Keymap) -> AppOptions:
        """These options with another keymap (the checked one, once its problems are dropped)."""
        return AppOptions(keymap, self.workspace, self.follow, self.freeze_gc, self.agents)
