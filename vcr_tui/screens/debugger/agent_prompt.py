"""Naming the agent from inside the app, when neither the command line nor the recording has one.

``r`` then asks for ``module:callable`` (or ``path/to/agent.py:callable``) in the prompt bar. The
name is checked for its form first (nothing runs), then the same question as for a recording's
own agent is asked, since running it imports code. Only after a "yes" is the module imported, in
a worker; a name that cannot be imported or is not callable gets one line saying why, and nothing
is lost: no fork is written, the edits stay, and the typed name comes back in the prompt on the
next ``r``. An agent that loads is kept for the rest of the run, as ``--agent`` would be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vcr_tui.host import options_of
from vcr_tui.logic.safe_text import clean, shorten

if TYPE_CHECKING:
    from vcr_tui.logic.agent_choice import AgentChoice
    from vcr_tui.screens.debugger.file_screen import FileScreen

# The agent's name is checked, and the agent loaded, by modules imported when a name is typed.

PROMPT_KIND = "agent"
ORIGIN = "the name typed in vcr-tui"
PLACEHOLDER = "the agent to resume with: module:callable (e.g. my_agent.main:run) or path/to/agent.py:run"


class AgentPrompt:
    """What the prompt was opened for (the frame and mode of the ``r`` that asked), and what was typed."""

    def __init__(self) -> None:
        self.frame: int | None = None
        self.mode = ""
        self.typed = ""


def prompt_of(screen: Any) -> AgentPrompt:
    found = screen.__dict__.get("_agent_prompt")
    if found is None:
        found = screen.__dict__["_agent_prompt"] = AgentPrompt()
    return found  # type: ignore[no-any-return]


def ask_for_agent(screen: FileScreen, frame: int, mode: str) -> None:
    """Open the prompt for the agent ``r`` at ``frame`` (in ``mode``) should run."""
    prompt = prompt_of(screen)
    prompt.frame, prompt.mode = frame, mode
    screen.prompt_bar.open(PROMPT_KIND, "agent ", prompt.typed, placeholder=PLACEHOLDER)


def agent_typed(screen: FileScreen, value: str) -> None:
    """The prompt's answer: check its form, then ask before anything is imported."""
    prompt = prompt_of(screen)
    prompt.typed = value
    if prompt.frame is None:
        return
    from recorder.entry_points import EntryPointError, parse_agent_spec
    from vcr_tui.logic.agent_choice import AgentChoice

    try:
        parse_agent_spec(value)
    except EntryPointError as exc:
        screen.say(f"Not an agent name: {clean(str(exc))}", severity="warning")
        return
    from vcr_tui.screens.debugger.time_travel import confirm_agent_dialog

    choice = AgentChoice(value.strip(), ORIGIN, needs_confirmation=True)

    def answer(run_it: bool | None) -> None:
        if run_it:
            screen.run_worker(
                lambda: _check_and_resume(screen, choice), thread=True, group="agent-check", exit_on_error=False
            )
        else:
            screen.say("Nothing was run.")

    screen.app.push_screen(confirm_agent_dialog(choice), answer)


def _check_and_resume(screen: FileScreen, choice: AgentChoice) -> None:
    """In a worker: import the agent (confirmed by now); resume with it, or say in one line why not."""
    from recorder.entry_points import EntryPointError
    from vcr_tui.logic.agent_choice import load_agent

    try:
        load_agent(choice.spec)
    except (EntryPointError, SystemExit) as exc:  # a module that exits while importing is no agent either
        reason = shorten(clean(str(exc) or type(exc).__name__), 160)
        screen.app.call_from_thread(
            screen.say, f"The agent did not load: {reason}. Nothing was run.", severity="warning"
        )
        return
    screen.app.call_from_thread(_resume_with, screen, choice)


def _resume_with(screen: FileScreen, choice: AgentChoice) -> None:
    prompt = prompt_of(screen)
    settings = options_of(screen).agents  # type: ignore[arg-type]
    settings.spec, settings.origin = choice.spec, ORIGIN  # as if given with --agent, for this run
    settings.approved.add(choice.spec)
    frame, mode = prompt.frame, prompt.mode
    prompt.frame = None
    if frame is not None:
        screen.resume_with_agent(frame, choice.spec, mode)
