"""Which agent ``r`` may run, and whether the user has to be asked first.

Opening a recording never runs code. An agent is run only when the user named it (``--agent``,
or ``vcr-tui demo`` for the built-in one), or when the recording names one in its metadata
(``entry_point``) *and* the user confirmed that name in a dialog. A confirmation lasts for the
rest of the program's run, for that exact name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recorder.entry_points import EntryPointError, load_entry_point, parse_entry_point
from recorder.vocabulary import ENTRY_POINT
from vcr_tui.logic.options import AgentSettings

METADATA_KEY = ENTRY_POINT
HOW_TO_NAME_AN_AGENT = (
    "Name one when you start: vcr-tui FILE --agent module:callable (e.g. --agent my_agent.main:run),"
    " or --agent path/to/agent.py:run."
)


@dataclass(frozen=True, slots=True)
class AgentChoice:
    """The agent ``r`` would run: its ``module:callable`` name and where that name came from."""

    spec: str
    origin: str
    needs_confirmation: bool

    @property
    def module(self) -> str:
        return parse_entry_point(self.spec)[0]

    @property
    def callable_name(self) -> str:
        return parse_entry_point(self.spec)[1]


@dataclass(frozen=True, slots=True)
class NoAgent:
    """Why there is nothing to run, in one sentence that says what to do."""

    reason: str


def choose_agent(settings: AgentSettings, metadata: Mapping[str, Any]) -> AgentChoice | NoAgent:
    """The user's own agent if they named one, else the recording's (to be confirmed), else why not."""
    if settings.spec:
        return AgentChoice(settings.spec, settings.origin, needs_confirmation=False)
    named = metadata.get(METADATA_KEY)
    if named is None or named == "":
        return NoAgent(f"No agent to resume with: this recording names none. {HOW_TO_NAME_AN_AGENT}")
    if not isinstance(named, str):
        return NoAgent(f"No agent to resume with: this recording's entry_point is not text. {HOW_TO_NAME_AN_AGENT}")
    try:
        parse_entry_point(named)
    except EntryPointError:
        # Not shown: a name that fails the check may hold anything, and it is never run anyway.
        return NoAgent(
            f"No agent to resume with: this recording's entry_point is not of the form module:callable. {HOW_TO_NAME_AN_AGENT}"
        )
    spec = named.strip()
    return AgentChoice(spec, "this recording", needs_confirmation=spec not in settings.approved)


def load_agent(spec: str, *, search_path: Path | None = None) -> Callable[..., Any]:
    """Import the agent (the current folder first on the import path); ``EntryPointError`` says why not.

    A file path (``agent.py:run``) is accepted: only a name the user typed can be one, since
    ``choose_agent`` refuses any name from a recording that is not ``module:callable``.
    """
    where = search_path if search_path is not None else Path.cwd()
    return load_entry_point(spec, search_path=where, allow_files=True)
