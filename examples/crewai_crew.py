"""A CrewAI crew with a scripted LLM, recorded with one line and resumable from any task.

Three agents work through three tasks in order to book a hotel: the researcher looks the nightly
rate up with a tool, the planner works out the total, the booker books it with a tool that
refuses anything over the budget. No network and no keys: the LLM is a small deterministic
``BaseLLM``. The researcher misreads the rate "120.50" as 12050 (it drops the decimal point), so
the booking fails two tasks later. Fix the rate in the context the planner's task received and
resume from that task: the research task is answered from the recording (no LLM call).

    python examples/crewai_crew.py [FOLDER]              # record a run into FOLDER (./.vcr)
    vcr-tui FOLDER                                       # open it; e on the plan task, then r
    python examples/crewai_crew.py --resume RUN.vcr --frame N --replace 12050=120.50
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

# CrewAI stays offline: no telemetry, no tracing prompt.
for _name, _value in (
    ("CREWAI_DISABLE_TELEMETRY", "true"),
    ("CREWAI_DISABLE_TRACKING", "true"),
    ("CREWAI_TRACING_ENABLED", "false"),
    ("OTEL_SDK_DISABLED", "true"),
):
    os.environ.setdefault(_name, _value)

from crewai import Agent, Crew, Process, Task  # noqa: E402
from crewai.events.types.llm_events import LLMCallType  # noqa: E402
from crewai.llms.base_llm import BaseLLM, llm_call_context  # noqa: E402
from crewai.tools import tool  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its helpers, however it is imported
from example_support import example_parser, list_recorded, module_name, replacing, report, resumed  # noqa: E402

from recorder import ResumeConfig, ResumeResult, VCRPlayer, VCRRecorder, resume  # noqa: E402
from recorder.integrations.crewai import VCRCrewAI  # noqa: E402

INPUTS: dict[str, Any] = {"city": "Lisbon", "nights": 3, "budget": 500}
RATES = {"Lisbon": "120.50", "Porto": "95.00"}
CALLS: Counter[str] = Counter()  # LLM calls made in this process, by model: a resume shows what it saved


class ScriptedLLM(BaseLLM):
    """Stands in for a model: its reply is a function of the conversation, with token counts.

    Like CrewAI's own providers, it reports each call on CrewAI's event bus, which is what the
    recording reads.
    """

    reply: Callable[[str], str]

    def get_input_tokens_count(self, messages: Any, tools: Any = None, response_model: Any = None) -> int:
        """A native count, as providers have: one token a word."""
        return len(_text(messages).split())

    def call(
        self,
        messages: Any,
        tools: Any = None,
        callbacks: Any = None,
        available_functions: Any = None,
        from_task: Any = None,
        from_agent: Any = None,
        response_model: Any = None,
    ) -> str:
        with llm_call_context():
            self._emit_call_started_event(
                messages=messages,
                tools=tools,
                callbacks=callbacks,
                available_functions=available_functions,
                from_task=from_task,
                from_agent=from_agent,
            )
            CALLS[self.model] += 1
            text = _text(messages)
            answer = self.reply(text)
            usage = {"prompt_tokens": len(text.split()), "completion_tokens": len(answer.split())}
            self._emit_call_completed_event(
                response=answer,
                call_type=LLMCallType.LLM_CALL,
                from_task=from_task,
                from_agent=from_agent,
                messages=messages,
                usage=usage,
            )
            return answer


def _text(messages: Any) -> str:
    return messages if isinstance(messages, str) else "\n".join(str(m.get("content", "")) for m in messages)


@tool("nightly_rate")
def nightly_rate(city: str) -> str:
    """The hotel's nightly rate in EUR for a city."""
    return RATES[city]


@tool("book")
def book(total_eur: float) -> str:
    """Book the stay for a total in EUR; refuses a total over the budget of 500 EUR."""
    if float(total_eur) > INPUTS["budget"]:
        raise ValueError(f"over budget: {float(total_eur):g} EUR against {INPUTS['budget']} EUR")
    return f"booked for {float(total_eur):g} EUR"


def _research(text: str) -> str:
    looked_up = re.findall(r"Observation:\s*(\d+\.\d\d)", text)
    if not looked_up:
        city = re.search(r"Find the nightly rate in (\w+)", text)
        arguments = json.dumps({"city": city[1] if city else "Lisbon"})
        return f"Thought: I need the rate.\nAction: nightly_rate\nAction Input: {arguments}"
    return f"Thought: I have it.\nFinal Answer: The nightly rate is {looked_up[-1].replace('.', '')} EUR."


def _plan(text: str) -> str:
    nights = int(re.findall(r"for (\d+) nights", text)[-1])
    rate = float(re.findall(r"nightly rate is ([\d.]+) EUR", text)[-1])
    return f"Thought: Multiply.\nFinal Answer: Total for {nights} nights: {round(nights * rate, 2):g} EUR."


def _book(text: str) -> str:
    if "booked for" in text:
        return "Thought: Done.\nFinal Answer: BOOKED."
    if "over budget" in text:
        return "Thought: It was refused.\nFinal Answer: CANNOT BOOK: the total is over budget."
    total = float(re.findall(r"Total for \d+ nights: ([\d.]+) EUR", text)[-1])
    return f"Thought: Book it.\nAction: book\nAction Input: {json.dumps({'total_eur': total})}"


def build_crew() -> Crew:
    """A new crew, with new scripted LLMs: what a resume kicks off again."""
    researcher = Agent(
        role="researcher",
        goal="Find hotel rates",
        backstory="Knows every hotel.",
        llm=ScriptedLLM(model="scripted-research-1", reply=_research),
        tools=[nightly_rate],
    )
    planner = Agent(
        role="planner",
        goal="Work out totals",
        backstory="Good with numbers.",
        llm=ScriptedLLM(model="scripted-plan-1", reply=_plan),
    )
    booker = Agent(
        role="booker",
        goal="Book stays",
        backstory="Books within budget.",
        llm=ScriptedLLM(model="scripted-book-1", reply=_book),
        tools=[book],
    )
    research = Task(
        name="research",
        description="Find the nightly rate in {city}.",
        expected_output="The nightly rate in EUR.",
        agent=researcher,
    )
    plan = Task(
        name="plan",
        description="Work out the total for {nights} nights.",
        expected_output="The total in EUR.",
        agent=planner,
    )
    booking = Task(
        name="book", description="Book the stay for the total.", expected_output="BOOKED, or why not.", agent=booker
    )
    return Crew(agents=[researcher, planner, booker], tasks=[research, plan, booking], process=Process.sequential)


def run_crew(inputs: dict[str, Any]) -> Any:
    """The entry point vcr-tui calls to resume (``--agent examples/crewai_crew.py:run_crew``)."""
    result = VCRCrewAI().kickoff(build_crew(), inputs=inputs)
    if "BOOKED" not in result.raw or "CANNOT" in result.raw:
        raise RuntimeError(f"the booking failed: {result.raw}")
    return result


def record(folder: Path) -> Path:
    recorder = VCRRecorder(folder)
    recorder.start_session(
        metadata={
            "task": "book a hotel within budget",
            "agent": "CrewAI example",
            "entry_point": f"{module_name(__file__)}:run_crew",
            "agent_input": INPUTS,
        },
        tags=["example", "crewai"],
    )
    with recorder:
        try:
            run_crew(INPUTS)
        except RuntimeError as exc:
            print(f"the run failed, as it should: {exc}")
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def main(argv: list[str] | None = None) -> int:
    parser = example_parser("Record (or resume) the CrewAI booking crew.", "the task frame to resume from")
    parser.add_argument("--replace", action="append", default=[], metavar="OLD=NEW", help="edit that task's input")
    parser.add_argument("--mode", choices=["fork", "replay"], default="fork")
    args = parser.parse_args(argv)
    if args.resume is None:
        list_recorded(record(args.folder), width=24)
        return 0
    if args.frame is None:
        parser.error("--resume needs --frame")

    def edited_resume() -> ResumeResult:
        with VCRPlayer.load(args.resume) as player:
            state = replacing(player.get_input_state(args.frame), args.replace)
        return resume(args.resume, run_crew, ResumeConfig(args.frame, state=state, mode=args.mode))

    result = resumed(args.resume, edited_resume)
    return report(
        result,
        lambda output: output.raw,
        lambda done: f"tasks: {done.counts.from_recording} from the recording, {done.counts.replayed} replayed",
    )


if __name__ == "__main__":
    sys.exit(main())
