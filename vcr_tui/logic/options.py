"""What the command line decided, in one typed object every screen reads.

The command line (or a test) builds one ``AppOptions``; the app holds it and the screens read it
through ``vcr_tui.host.options_of``. Nothing here imports Textual: the view models read the same
object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from recorder.vocabulary import ResumeMode

Keymap = dict[str, str]  # binding id -> keys, as the user's keymap file writes them


@dataclass
class AgentSettings:
    """What the command line said about agents, plus the names confirmed since it started."""

    spec: str | None = None  # named by the user: trusted as it is
    origin: str = "--agent"  # how the user named it, for messages
    mode: ResumeMode = ResumeMode.REPLAY  # the mode ``r`` uses
    approved: set[str] = field(default_factory=set)  # names from recordings the user confirmed


@dataclass(frozen=True)
class AppOptions:
    """The settings of one run of vcr-tui; ``agents`` also remembers the names confirmed since."""

    keymap: Keymap = field(default_factory=dict)  # the user's remapping, applied over the bindings
    workspace: Path | None = None  # --workspace: the folder u and C act on, trusted as typed
    follow: bool = False  # files opened (directly or from a folder) are followed as they grow
    freeze_gc: bool = False  # built objects are kept out of the cycle collector (the real program)
    agents: AgentSettings = field(default_factory=AgentSettings)  # the agent r may run, and how
