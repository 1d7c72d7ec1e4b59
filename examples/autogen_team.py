"""An AutoGen AgentChat team with scripted models, recorded with one line and resumable from any message.

Three agents take turns (a ``RoundRobinGroupChat``) to book a hotel: the researcher looks the
nightly rate up with a tool and reports it, the planner works out the total, the booker books it
with a tool that refuses anything over the budget. No network and no keys: each agent's model is
a small deterministic client. The researcher's model misreads the rate "120.50" as 12050 (it
drops the decimal point), so two messages later the booking fails. Fix the rate in the thread
the planner saw and resume from the planner's message: the researcher's model and tool are not
called again.

    python examples/autogen_team.py [FOLDER]             # record a run into FOLDER (./.vcr)
    vcr-tui FOLDER                                       # open it; e on the planner's frame, then r
    python examples/autogen_team.py --resume RUN.vcr --frame N --replace 12050=120.5
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.base import TaskResult
from autogen_agentchat.conditions import MaxMessageTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_core import EVENT_LOGGER_NAME, CancellationToken, FunctionCall
from autogen_core.logging import LLMCallEvent
from autogen_core.models import CreateResult, LLMMessage, ModelFamily, ModelInfo, RequestUsage
from autogen_ext.models.replay import ReplayChatCompletionClient

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its helpers, however it is imported
from example_support import example_parser, list_recorded, module_name, replacing, report, resumed

from recorder import ResumeConfig, ResumeResult, VCRPlayer, VCRRecorder, resume
from recorder.integrations.autogen import VCRAutoGen

TASK = "Book 3 nights in Lisbon. Budget: 500 EUR."
RATES = {"Lisbon": "120.50", "Porto": "95.00"}
BUDGET = 500.0
CALLS: Counter[str] = Counter()  # model calls made in this process, by model: a resume shows what it saved

Reply = Callable[[str], "str | list[FunctionCall]"]


class ScriptedClient(ReplayChatCompletionClient):
    """A model client whose reply is a function of the conversation; it logs each call as real clients do.

    AutoGen's model clients write an ``LLMCallEvent`` to AutoGen's event logger for every call;
    that is what the recording reads, so this one does the same.
    """

    def __init__(self, model: str, reply: Reply) -> None:
        info = ModelInfo(
            vision=False, function_calling=True, json_output=False, family=ModelFamily.UNKNOWN, structured_output=False
        )
        super().__init__([], model_info=info)
        self.model = model
        self.reply = reply

    async def create(
        self, messages: Sequence[LLMMessage], *, cancellation_token: CancellationToken | None = None, **_: Any
    ) -> CreateResult:
        CALLS[self.model] += 1
        text = "\n".join(str(getattr(m, "content", "")) for m in messages)
        content = self.reply(text)
        usage = RequestUsage(prompt_tokens=len(text.split()), completion_tokens=len(str(content).split()) + 4)
        result = CreateResult(
            finish_reason="function_calls" if isinstance(content, list) else "stop",
            content=content,
            usage=usage,
            cached=False,
        )
        logging.getLogger(EVENT_LOGGER_NAME).info(
            LLMCallEvent(
                messages=[m.model_dump(mode="json") for m in messages],
                response=result.model_dump(mode="json"),
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                model=self.model,
            )
        )
        return result


def nightly_rate(city: str) -> str:
    """The hotel's nightly rate in EUR."""
    return RATES[city]


def book(total_eur: float) -> str:
    """Book the stay; refuses a total over the budget."""
    if total_eur > BUDGET:
        raise ValueError(f"over budget: {total_eur:g} EUR against {BUDGET:g} EUR")
    return f"booked for {total_eur:g} EUR"


def _researcher(text: str) -> str | list[FunctionCall]:
    looked_up = re.search(r"content='(\d+\.\d\d)'", text)  # the tool's result, once it has run
    if looked_up is None:
        city = re.search(r"nights in (\w+)", text)
        arguments = json.dumps({"city": city[1] if city else "Lisbon"})
        return [FunctionCall(id="call-rate", name="nightly_rate", arguments=arguments)]
    return f"The nightly rate is {looked_up[1].replace('.', '')} EUR."  # the misreading: 120.50 becomes 12050


def _planner(text: str) -> str:
    nights = int(re.search(r"(\d+) nights", text)[1])  # type: ignore[index]
    rate = float(re.findall(r"nightly rate is ([\d.]+) EUR", text)[-1])
    return f"Total for {nights} nights: {round(nights * rate, 2):g} EUR."


def _booker(text: str) -> str | list[FunctionCall]:
    if "booked for" in text or "over budget" in text:
        return "BOOKED." if "booked for" in text else "CANNOT BOOK: the total is over budget."
    total = float(re.findall(r"Total for \d+ nights: ([\d.]+) EUR", text)[-1])
    return [FunctionCall(id="call-book", name="book", arguments=json.dumps({"total_eur": total}))]


def build_agents() -> list[AssistantAgent]:
    """The three agents, each with a new scripted model."""
    researcher = AssistantAgent(
        "researcher",
        model_client=ScriptedClient("scripted-research-1", _researcher),
        tools=[nightly_rate],
        reflect_on_tool_use=True,
    )
    planner = AssistantAgent("planner", model_client=ScriptedClient("scripted-plan-1", _planner))
    booker = AssistantAgent(
        "booker", model_client=ScriptedClient("scripted-book-1", _booker), tools=[book], reflect_on_tool_use=True
    )
    return [researcher, planner, booker]


def build_team() -> RoundRobinGroupChat:
    """A new team: what a resume runs again."""
    return RoundRobinGroupChat(build_agents(), termination_condition=MaxMessageTermination(4))


async def run_team(task: str) -> TaskResult:
    """The entry point vcr-tui calls to resume (``--agent examples/autogen_team.py:run_team``)."""
    result: TaskResult = await VCRAutoGen().run(build_team(), task=task)
    last = result.messages[-1]
    if "BOOKED" not in last.to_text():
        raise RuntimeError(f"the booking failed: {last.to_text()}")
    return result


def record(folder: Path) -> Path:
    recorder = VCRRecorder(folder)
    recorder.start_session(
        metadata={
            "task": "book a hotel within budget",
            "agent": "AutoGen example",
            "entry_point": f"{module_name(__file__)}:run_team",
            "agent_input": TASK,
        },
        tags=["example", "autogen"],
    )
    with recorder:
        try:
            asyncio.run(run_team(TASK))
        except RuntimeError as exc:
            print(f"the run failed, as it should: {exc}")
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def main(argv: list[str] | None = None) -> int:
    parser = example_parser("Record (or resume) the AutoGen booking team.", "the message frame to resume from")
    parser.add_argument(
        "--replace", action="append", default=[], metavar="OLD=NEW", help="edit the thread that frame saw"
    )
    args = parser.parse_args(argv)
    if args.resume is None:
        list_recorded(record(args.folder), width=28)
        return 0
    if args.frame is None:
        parser.error("--resume needs --frame")

    def edited_resume() -> ResumeResult:
        with VCRPlayer.load(args.resume) as player:
            state = replacing(player.get_input_state(args.frame), args.replace)
        return resume(args.resume, run_team, ResumeConfig(args.frame, state=state))

    return report(resumed(args.resume, edited_resume), lambda output: output.messages[-1].to_text())


if __name__ == "__main__":
    sys.exit(main())
