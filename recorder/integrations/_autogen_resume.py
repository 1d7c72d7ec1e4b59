"""Where a resumed AutoGen team run starts: the thread so far, who speaks next, and the turn.

A message frame's input is the thread its sender saw, so resuming from it means: the team holds
that thread (as edited), and the sender speaks again, live. The team is not replayed: the
messages are loaded into the team's state through AgentChat's own ``save_state`` /
``load_state`` and its start messages:

- the manager's state gets the turn count and, for a round-robin team, the sender as the next
  speaker (a selector team gets the previous speaker, and its selector chooses again, live);
- the thread goes in as the run's start messages, which AgentChat appends to the manager's thread,
  delivers to every participant's inbox and counts towards the termination condition, as when
  they were first said. Each participant therefore sees the whole thread when it next speaks
  (its own earlier messages included, as messages of the conversation).

With an edited *output*, the edited message joins the thread and the speaker after its sender
goes on. A model or tool call frame belongs to the turn of the message recorded after it:
resuming from one names that message's frame instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autogen_agentchat.messages import BaseChatMessage, MessageFactory

from recorder.models import Frame
from recorder.reader import VCRReader
from recorder.resume_plan import ResumePlan
from recorder.vocabulary import AUTOGEN_FACTS

FACTS_KEY = AUTOGEN_FACTS  # frame.metadata.custom[FACTS_KEY]: what a frame was in a team run


@dataclass(frozen=True, slots=True)
class TeamStart:
    """The thread to resume with (message dumps), who speaks next (None: the team chooses), the turn."""

    messages: tuple[dict[str, Any], ...]
    speaker: str | None
    after: str | None  # the sender of the last message (a selector's previous speaker)
    turn: int

    def task_messages(self) -> list[BaseChatMessage]:
        """The thread as AgentChat messages, for the run's start; untrusted data, so only known types."""
        factory = MessageFactory()
        made: list[BaseChatMessage] = []
        for index, data in enumerate(self.messages):
            try:
                message = factory.create(data)
            except Exception as exc:
                raise ValueError(
                    f"message {index} of the thread to resume with is not an AgentChat message: {exc}"
                ) from exc
            if not isinstance(message, BaseChatMessage):
                raise ValueError(f"message {index} of the thread to resume with is an event, not a chat message")
            made.append(message)
        return made


def message_facts(frame: Frame) -> dict[str, Any] | None:
    """The AutoGen facts of a frame recorded from a team run, if it was one."""
    facts = frame.metadata.custom.get(FACTS_KEY)
    return facts if isinstance(facts, dict) else None


def team_start(plan: ResumePlan) -> TeamStart | None:
    """How the team resumes for ``plan`` (None when the fork point is not in a team run)."""
    reader = plan.parent
    frame = reader.frame(plan.fork_at)
    facts = message_facts(frame)
    if facts is None:
        return None
    if facts.get("kind") != "message":
        found = _message_after(reader, plan.fork_at)
        where = f"frame {found} (the message it led to)" if found is not None else "a message frame"
        raise ValueError(f"frame {plan.fork_at} is a {facts.get('kind')} call inside a turn; resume from {where}")
    turn = facts.get("turn")
    turn = turn if type(turn) is int else 0
    state = plan.edited_state
    if plan.edit_output:
        message = state.get("message")
        if not isinstance(message, dict):
            raise ValueError('the edited output must hold the message under "message"')
        before = frame.input_state.get("messages")
        thread = [*_thread(before), message]
        return TeamStart(tuple(thread), None, frame.node_name, turn + 1)
    thread = _thread(state.get("messages"))
    last = thread[-1].get("source") if thread else None
    return TeamStart(tuple(thread), frame.node_name, last if isinstance(last, str) else None, turn)


def _thread(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError('the state to resume with must hold the thread as a list of messages under "messages"')
    return list(value)


def _message_after(reader: VCRReader, index: int) -> int | None:
    for later in range(index + 1, len(reader)):
        facts = message_facts(reader.frame(later))
        if facts is not None and facts.get("kind") == "message":
            return later
    return None


async def prepare_team(team: Any, start: TeamStart) -> None:
    """Put the turn count and the next speaker into ``team``'s state (the thread goes in as start messages)."""
    state = dict(await team.save_state())
    agents = dict(state.get("agent_states") or {})
    managers = [name for name, value in agents.items() if _is_manager(value)]
    if len(managers) != 1:
        raise ValueError("resuming needs a group chat team (RoundRobinGroupChat or SelectorGroupChat)")
    participants = [name for name in agents if name not in managers]
    manager = dict(agents[managers[0]])
    manager["current_turn"] = _turns(start, participants)
    if "next_speaker_index" in manager:  # round robin
        manager["next_speaker_index"] = _next_index(start, participants)
    if "previous_speaker" in manager:  # selector
        manager["previous_speaker"] = start.after if start.after in participants else None
    agents[managers[0]] = manager
    state["agent_states"] = agents
    await team.load_state(state)


def _is_manager(value: Any) -> bool:
    kind = value.get("type") if isinstance(value, dict) else None
    return isinstance(kind, str) and kind.endswith("ManagerState")


def _turns(start: TeamStart, participants: list[str]) -> int:
    """Turns the team has taken: the thread's messages from its participants (not the task)."""
    return sum(1 for message in start.messages if message.get("source") in participants)


def _next_index(start: TeamStart, participants: list[str]) -> int:
    if start.speaker in participants:
        return participants.index(start.speaker)
    if start.after in participants:
        return (participants.index(start.after) + 1) % len(participants)
    return 0
