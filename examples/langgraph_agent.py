"""A LangGraph agent with a scripted model, recorded with one line and resumable from any node.

The agent checks an expense against a budget: a "model" reads the amount out of the request, a
tool-calling "model" asks for the exchange rate, a real LangGraph ``ToolNode`` runs the tool,
and a last node checks the total. No network and no keys: the model is a small deterministic
class. It misreads "120.50 USD" as 12050 (it drops the decimal point), so the budget check two
nodes later fails. Fix ``amount`` in the state the ``agent`` node received and resume from there:
the model call that misread is not made again.

    python examples/langgraph_agent.py [FOLDER]          # record a run into FOLDER (./.vcr)
    vcr-tui FOLDER                                        # open it; e on a frame, then r
    python examples/langgraph_agent.py --resume RUN.vcr --frame 1 --set amount=120.5 [--mode replay]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, tools_condition

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its helpers, however it is imported
from example_support import assignment, example_parser, list_recorded, module_name, report, resumed

from recorder import ResumeConfig, ResumeMode, VCRRecorder, resume
from recorder.integrations.langgraph import VCRLangGraph

AGENT_INPUT: dict[str, Any] = {"request": "Dinner with the client: 120.50 USD. Budget: 150 EUR.", "limit_eur": 150}
RATES = {("USD", "EUR"): 0.92, ("GBP", "EUR"): 1.17, ("EUR", "EUR"): 1.0}


class Expense(TypedDict, total=False):
    request: str
    limit_eur: float
    amount: float
    currency: str
    total_eur: float
    messages: Annotated[list[AnyMessage], add_messages]


@tool
def fx_rate(source: str, target: str) -> float:
    """The exchange rate from one currency to another."""
    return RATES[(source, target)]


class ScriptedModel:
    """Stands in for a chat model: the same messages always get the same reply, with token counts."""

    name = "scripted-expenses-1"

    def reply(self, content: str, prompt: str, **fields: Any) -> AIMessage:
        used_in, used_out = len(prompt.split()) * 3, len(content.split()) * 2 + 8
        return AIMessage(
            content=content,
            usage_metadata={"input_tokens": used_in, "output_tokens": used_out, "total_tokens": used_in + used_out},
            response_metadata={"model_name": self.name},
            **fields,
        )


MODEL = ScriptedModel()


def parse_request(state: Expense) -> dict[str, Any]:
    """The model reads amount and currency out of the request (and drops the decimal point)."""
    words = state["request"].replace(":", " ").split()
    currency = next(word.strip(".") for word in words if word.strip(".") in ("USD", "GBP", "EUR"))
    number = next(word for word in words if word[0].isdigit())
    amount = float(number.replace(".", ""))  # the misreading: "120.50" becomes 12050
    note = MODEL.reply(f"The expense is {amount:g} {currency}.", state["request"])
    return {"amount": amount, "currency": currency, "messages": [note]}


def agent(state: Expense) -> dict[str, Any]:
    """The model asks for the rate once, then states the converted amount."""
    rates = [m for m in state["messages"] if isinstance(m, ToolMessage)]
    prompt = " ".join(str(m.content) for m in state["messages"])
    if not rates:
        call = {"name": "fx_rate", "args": {"source": state["currency"], "target": "EUR"}, "id": "call-fx-1"}
        return {"messages": [MODEL.reply("", prompt, tool_calls=[call])]}
    total = round(state["amount"] * float(rates[-1].content), 2)
    reply = MODEL.reply(f"{state['amount']:g} {state['currency']} is {total:g} EUR.", prompt)
    return {"total_eur": total, "messages": [reply]}


def check_budget(state: Expense) -> dict[str, Any]:
    if state["total_eur"] > state["limit_eur"]:
        raise ValueError(f"over budget: {state['total_eur']:g} EUR against a limit of {state['limit_eur']:g} EUR")
    return {"messages": [AIMessage(content=f"Within budget: {state['total_eur']:g} of {state['limit_eur']:g} EUR.")]}


def build_graph() -> StateGraph:
    builder = StateGraph(Expense)
    builder.add_node("parse_request", parse_request)
    builder.add_node("agent", agent)
    builder.add_node("tools", ToolNode([fx_rate]))
    builder.add_node("check_budget", check_budget)
    builder.add_edge(START, "parse_request")
    builder.add_edge("parse_request", "agent")
    builder.add_conditional_edges("agent", tools_condition, {"tools": "tools", END: "check_budget"})
    builder.add_edge("tools", "agent")
    builder.add_edge("check_budget", END)
    return builder


# The one line of integration. Without a recorder of its own, it records into the active one
# (``with recorder:``), and during a resume into the fork.
app = (
    VCRLangGraph(frame_types={"parse_request": "llm", "agent": "llm", "tools": "tool"})
    .wrap_graph(build_graph())
    .compile()
)


def run_agent(agent_input: dict[str, Any]) -> dict[str, Any]:
    """The entry point vcr-tui calls to resume (``--agent langgraph_agent:run_agent``)."""
    state = {**agent_input, "messages": [HumanMessage(content=agent_input["request"])]}
    return app.invoke(state)  # type: ignore[no-any-return]


def record(folder: Path) -> Path:
    recorder = VCRRecorder(folder)
    recorder.start_session(
        metadata={
            "task": "check an expense against the budget",
            "agent": "LangGraph example",
            "entry_point": f"{module_name(__file__)}:run_agent",
            "agent_input": AGENT_INPUT,
        },
        tags=["example", "langgraph"],
    )
    with recorder:
        try:
            run_agent(AGENT_INPUT)
        except ValueError as exc:
            print(f"the run failed, as it should: {exc}")
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def main(argv: list[str] | None = None) -> int:
    parser = example_parser("Record (or resume) the LangGraph expense agent.")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON", help="edit the frame's state")
    parser.add_argument("--mode", choices=[m.value for m in ResumeMode], default="fork")
    args = parser.parse_args(argv)
    if args.resume is None:
        path = record(args.folder)
        list_recorded(path, then=f"or resume: python {sys.argv[0]} --resume {path} --frame 1 --set amount=120.5")
        return 0
    if args.frame is None:
        parser.error("--resume needs --frame")
    config = ResumeConfig(args.frame, dict(assignment(item) for item in args.set), mode=ResumeMode(args.mode))
    result = resumed(args.resume, lambda: resume(args.resume, run_agent, config))
    return report(
        result,
        lambda output: output["messages"][-1].content,
        lambda done: f"calls: {done.counts.live} live, {done.counts.replayed} replayed, {done.counts.mocked} mocked",
    )


if __name__ == "__main__":
    sys.exit(main())
