"""A plain-Python agent recorded with ``@vcr_record``: sync and async steps, no framework at all.

The agent answers a question from a small offline index: a (scripted) model plans a search
query, an async search tool looks it up, and the model answers from what was found. The planner
misspells the query ("pyhton"), the search finds nothing, and the answer step fails. Fix the
``query`` the search step received and resume from there: the planning call is answered from the
recording instead of being made again.

    python examples/plain_agent.py [FOLDER]              # record a run into FOLDER (./.vcr)
    vcr-tui FOLDER                                        # open it; e on a frame, then r
    python examples/plain_agent.py --resume RUN.vcr --frame 1 --set 'query="python 3.13 release"'
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # its helpers, however it is imported
from example_support import assignment, example_parser, list_recorded, module_name, report, resumed

from recorder import ResumeConfig, ResumeMode, VCRRecorder, report_usage, resume, vcr_record

AGENT_INPUT: dict[str, Any] = {"question": "When was Python 3.13 released?"}
INDEX = {
    "python 3.13 release": ["Python 3.13.0 was released on 7 October 2024."],
    "python 3.12 release": ["Python 3.12.0 was released on 2 October 2023."],
}


@vcr_record(node_name="llm:planner", frame_type="llm")
def plan(state: dict[str, Any]) -> dict[str, Any]:
    """The model turns the question into a search query (and misspells it)."""
    report_usage(model="scripted-planner", tokens_input=40, tokens_output=9, cost_usd=0.0004)
    words = state["question"].lower().rstrip("?").split()
    query = " ".join(["pyhton", *words[words.index("python") + 1 : words.index("python") + 2], "release"])
    return {**state, "query": query}


@vcr_record(node_name="tool:search", frame_type="tool")
async def search(query: str) -> list[str]:
    """An async tool: looks the query up in the offline index."""
    await asyncio.sleep(0)
    return INDEX.get(query, [])


@vcr_record(node_name="llm:writer", frame_type="llm")
def answer(state: dict[str, Any]) -> dict[str, Any]:
    if not state["sources"]:
        raise LookupError(f"no sources found for {state['query']!r}")
    report_usage(model="scripted-writer", tokens_input=120, tokens_output=30, cost_usd=0.0011)
    return {"answer": state["sources"][0], "sources": state["sources"]}


async def run_agent(agent_input: dict[str, Any]) -> dict[str, Any]:
    """The entry point vcr-tui calls to resume (``--agent plain_agent:run_agent``)."""
    state = plan(dict(agent_input))
    sources = await search(state["query"])
    return answer({**state, "sources": sources})


def record(folder: Path) -> Path:
    recorder = VCRRecorder(folder)
    recorder.start_session(
        metadata={
            "task": "answer a question from the index",
            "agent": "plain-Python example",
            "entry_point": f"{module_name(__file__)}:run_agent",
            "agent_input": AGENT_INPUT,
        },
        tags=["example"],
    )
    with recorder:
        try:
            asyncio.run(run_agent(AGENT_INPUT))
        except LookupError as exc:
            print(f"the run failed, as it should: {exc}")
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def main(argv: list[str] | None = None) -> int:
    parser = example_parser("Record (or resume) the plain-Python agent.")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON", help="edit the frame's state")
    parser.add_argument("--mode", choices=[m.value for m in ResumeMode], default="fork")
    args = parser.parse_args(argv)
    if args.resume is None:
        hint = f"or resume: python {sys.argv[0]} --resume RUN.vcr --frame 1 --set 'query=\"python 3.13 release\"'"
        path = record(args.folder)
        list_recorded(path, then=hint.replace("RUN.vcr", str(path)))
        return 0
    if args.frame is None:
        parser.error("--resume needs --frame")
    config = ResumeConfig(args.frame, dict(assignment(item) for item in args.set), mode=ResumeMode(args.mode))
    result = resumed(args.resume, lambda: resume(args.resume, run_agent, config))
    return report(
        result,
        lambda output: output["answer"],
        lambda done: f"calls: {done.counts.live} live, {done.counts.from_recording} from the recording",
    )


if __name__ == "__main__":
    sys.exit(main())
