"""Golden runs: a research agent runs once, is saved as golden, and runs again for almost nothing.

The agent (a scripted model, an offline search tool: no network, no keys) plans three searches,
runs them, and writes a summary. The first run makes every call and is saved as the golden run
of its task. The second run of the same task is answered entirely from it. The third changes
the writer's prompt (its ``identity``): only the writer runs again; the planner and the three
searches are still answered, because their inputs did not change.

    python examples/golden_agent.py [FOLDER]     # runs into FOLDER/runs, golden runs in FOLDER/golden
    vcr-tui ledger FOLDER/runs/<third run>.vcr   # the same ledger, from the file
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from recorder import VCRRecorder, report_usage, vcr_record
from recorder.golden import CostLedger, GoldenRunCache

TASK = "Summarise what changed in Python 3.13"
DOCS = {
    "python 3.13 free-threading": "An experimental build without the GIL (PEP 703).",
    "python 3.13 jit": "An experimental JIT compiler, off by default (PEP 744).",
    "python 3.13 repl": "A new interactive interpreter with colour and multi-line editing.",
}


def make_agent(writer_prompt: str) -> Any:
    """The agent's steps; ``writer_prompt`` is the prompt version the writer step is recorded with."""

    @vcr_record(node_name="llm:planner", frame_type="llm", identity="planner-v1")
    def plan(state: dict[str, Any]) -> dict[str, Any]:
        report_usage(model="scripted", tokens_input=420, tokens_output=60, cost_usd=0.0036)
        return {"queries": sorted(DOCS)}

    @vcr_record(node_name="tool:search", frame_type="tool")
    def search(state: dict[str, Any]) -> dict[str, Any]:
        return {"found": DOCS.get(state["query"], "")}

    @vcr_record(node_name="llm:writer", frame_type="llm", identity=writer_prompt)
    def write(state: dict[str, Any]) -> dict[str, Any]:
        report_usage(model="scripted", tokens_input=900, tokens_output=250, cost_usd=0.0105)
        style = "in one line" if writer_prompt.endswith("v2") else "as bullets"
        return {"summary": f"{len(state['notes'])} changes, {style}: " + " / ".join(state["notes"])}

    def agent(task: str) -> str:
        queries = plan({"task": task})["queries"]
        notes = [search({"query": query})["found"] for query in queries]
        return str(write({"task": task, "notes": notes})["summary"])

    return agent


def run(runs: Path, cache: GoldenRunCache, writer_prompt: str) -> tuple[Path, CostLedger]:
    """One run of the agent, served from the task's golden run when there is one."""
    recorder = VCRRecorder(runs)
    recorder.start_session(metadata={"task": TASK})
    with recorder, cache.serving(TASK) as golden:
        make_agent(writer_prompt)(TASK)
        ledger = golden.ledger()
    recorder.close()
    assert recorder.path is not None
    return recorder.path, ledger


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path(".vcr")
    cache = GoldenRunCache(folder / "golden")
    cache.invalidate(TASK)  # start from no golden run, so every run of the example is the same

    first, ledger = run(folder / "runs", cache, "writer-v1")
    print(f"1. first run, every call made:  {ledger}")
    print(f"   saved as golden run {cache.save_golden_run(TASK, first)}")

    _, ledger = run(folder / "runs", cache, "writer-v1")
    print(f"2. same task again:             {ledger}")

    third, ledger = run(folder / "runs", cache, "writer-v2")
    print(f"3. the writer's prompt changed: {ledger}")
    try:
        from rich.console import Console

        from vcr_tui.logic.ledger_text import ledger_table
    except ImportError:  # the engine alone: the ledger's summary is enough
        print(ledger.summary())
    else:
        Console(width=110, highlight=False).print(ledger_table(ledger, title=third.name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
