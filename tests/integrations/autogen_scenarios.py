"""AutoGen scenarios, run inside the AutoGen virtualenv (see ``framework_venv``); prints one JSON summary.

``python autogen_scenarios.py OUT`` records the example team (``examples/autogen_team.py``, a
``RoundRobinGroupChat``) into ``OUT`` and resumes it from the planner's message with the rate
fixed, from an edited message output, and through the debugger's own resume path; then records a
``SelectorGroupChat`` whose selector is a scripted model too and resumes that. The tests read the
recordings back with the engine and assert on them and on the counts printed here.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))

import autogen_team as example  # noqa: E402
from autogen_agentchat.conditions import MaxMessageTermination  # noqa: E402
from autogen_agentchat.teams import SelectorGroupChat  # noqa: E402
from example_support import replaced  # noqa: E402

from recorder import ResumeConfig, VCRReader, VCRRecorder, resume  # noqa: E402
from recorder.integrations.autogen import VCRAutoGen  # noqa: E402


def frame_of(path: Path, node: str) -> int:
    with VCRReader(path) as reader:
        return next(i for i in range(len(reader)) if reader.frame(i).node_name == node)


def state_of(path: Path, index: int, *, output: bool = False) -> dict[str, Any]:
    with VCRReader(path) as reader:
        frame = reader.frame(index)
        return frame.output_state if output else frame.input_state


def resumed(result: Any, before: dict[str, int]) -> dict[str, Any]:
    calls = {model: count - before.get(model, 0) for model, count in example.CALLS.items()}
    last = result.output.messages[-1].to_text() if result.output is not None else None
    return {
        "fork": str(result.fork_path),
        "succeeded": result.succeeded,
        "error": result.error,
        "last": last,
        "live": result.counts.live,
        "model_calls": {model: count for model, count in calls.items() if count},
    }


def main(out: Path) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    recording = example.record(out / "runs")
    summary["recording"] = str(recording)
    summary["recorded_model_calls"] = dict(example.CALLS)
    planner = frame_of(recording, "planner")

    before = dict(example.CALLS)
    fixed = replaced(state_of(recording, planner), "12050", "120.50")
    summary["fork"] = resumed(resume(recording, example.run_team, ResumeConfig(planner, state=fixed)), before)

    before = dict(example.CALLS)
    researcher = frame_of(recording, "researcher")
    edited = replaced(state_of(recording, researcher, output=True), "12050", "120.50")
    config = ResumeConfig(researcher, state=edited, edit_output=True)
    summary["edited_output"] = resumed(resume(recording, example.run_team, config), before)

    before = dict(example.CALLS)
    inner = frame_of(recording, "tool:nightly_rate")
    summary["inner"] = resumed(resume(recording, example.run_team, ResumeConfig(inner)), before)

    fix = ["--resume", str(recording), "--frame", str(planner), "--replace", "12050=120.50"]
    summary["cli"] = [example.main(fix), example.main(["--resume", str(recording), "--frame", "999"])]
    summary["tui"] = debugger_resume(recording, planner, fixed)
    summary["selector"] = selector(out / "selector")
    summary["unrecorded"] = asyncio.run(unrecorded())
    return summary


def debugger_resume(recording: Path, index: int, state: dict[str, Any]) -> dict[str, Any]:
    """What ``r`` in the debugger runs, with ``--agent`` naming the example's file."""
    from recorder import ResumeMode
    from vcr_tui.logic.resume_run import ResumeRequest, ResumeRun, execute

    spec = f"{ROOT / 'examples' / 'autogen_team.py'}:run_team"
    request = ResumeRequest(recording, index, "planner", spec, mode=ResumeMode.FORK, state=state)
    done = execute(ResumeRun(request), lambda path: None)
    return {"outcome": done.outcome.value, "error": done.error, "fork": str(done.fork_path), "live": done.totals.live}


def _select(text: str) -> str:
    """The selector's scripted model: whoever has not spoken yet, in the order of the work."""
    history = text.split("Only return the role.")[1].split("Read the above conversation", maxsplit=1)[0]
    for name in ("researcher", "planner", "booker"):
        if f"{name}:" not in history:
            return name
    return "booker"


def selector_team() -> SelectorGroupChat:
    return SelectorGroupChat(
        example.build_agents(),
        model_client=example.ScriptedClient("scripted-selector-1", _select),
        termination_condition=MaxMessageTermination(4),
        allow_repeated_speaker=False,
    )


async def run_selector(task: str) -> Any:
    return await VCRAutoGen().run(selector_team(), task=task)


def selector(folder: Path) -> dict[str, Any]:
    recorder = VCRRecorder(folder)
    recorder.start_session(metadata={"agent_input": example.TASK})
    with recorder:
        result = asyncio.run(run_selector(example.TASK))
    recorder.close()
    recording = recorder.path
    assert recording is not None
    planner = frame_of(recording, "planner")
    fixed = replaced(state_of(recording, planner), "12050", "120.50")
    before = dict(example.CALLS)
    again = resumed(resume(recording, run_selector, ResumeConfig(planner, state=fixed)), before)
    return {"recording": str(recording), "last": result.messages[-1].to_text(), "resumed": again}


async def unrecorded() -> dict[str, Any]:
    result = await VCRAutoGen().run(example.build_team(), task=example.TASK)
    return {"last": result.messages[-1].to_text(), "messages": len(result.messages)}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(Path(sys.argv[1]))) + "\n")
