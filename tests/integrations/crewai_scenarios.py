"""CrewAI scenarios, run inside the CrewAI virtualenv (see ``framework_venv``); prints one JSON summary.

``python crewai_scenarios.py OUT`` records the example crew (``examples/crewai_crew.py``) into
``OUT``, then resumes that recording every way a user can: FORK with an edit, REPLAY without one,
``resume_crew`` with a crew factory, the debugger's own resume path with ``--agent`` given as a
file, and from a frame inside a task. It also records ``@vcr_task`` functions and a kickoff with
no recorder. CrewAI takes seconds to import, so everything happens in one process; the tests read
the recordings back with the engine and assert on them and on the counts printed here.
"""

from __future__ import annotations

import enum
import json
import sys
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))

import crewai_crew as example  # noqa: E402
from example_support import replaced  # noqa: E402

from recorder import ResumeConfig, ResumeMode, VCRReader, VCRRecorder, resume  # noqa: E402
from recorder.integrations.crewai import VCRCrewAI, resume_crew, vcr_task  # noqa: E402


def frame_of(path: Path, node: str) -> int:
    with VCRReader(path) as reader:
        return next(i for i in range(len(reader)) if reader.frame(i).node_name == node)


def edited_input(path: Path, index: int, old: str, new: str) -> dict[str, Any]:
    with VCRReader(path) as reader:
        return replaced(reader.frame(index).input_state, old, new)  # type: ignore[no-any-return]


def resumed(result: Any, calls_before: dict[str, int]) -> dict[str, Any]:
    calls = {model: count - calls_before.get(model, 0) for model, count in example.CALLS.items()}
    return {
        "fork": str(result.fork_path),
        "succeeded": result.succeeded,
        "error": result.error,
        "raw": getattr(result.output, "raw", None),
        "counts": {
            "from_recording": result.counts.from_recording,
            "replayed": result.counts.replayed,
            "live": result.counts.live,
        },
        "llm_calls": {model: count for model, count in calls.items() if count},
    }


def main(out: Path) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    recording = example.record(out / "runs")
    summary["recording"] = str(recording)
    summary["recorded_llm_calls"] = dict(example.CALLS)
    plan = frame_of(recording, "plan")

    before = dict(example.CALLS)
    fixed = edited_input(recording, plan, "12050", "120.50")
    summary["fork"] = resumed(resume(recording, example.run_crew, ResumeConfig(plan, state=fixed)), before)

    before = dict(example.CALLS)
    config = ResumeConfig(plan, mode=ResumeMode.REPLAY)
    summary["replay"] = resumed(resume(recording, example.run_crew, config), before)

    before = dict(example.CALLS)
    book = frame_of(recording, "book")
    summary["factory"] = resumed(resume_crew(recording, example.build_crew, ResumeConfig(book)), before)

    before = dict(example.CALLS)
    research = frame_of(recording, "research")
    config = ResumeConfig(research, edit_output=True, state=edited_input_output(recording, research))
    summary["edited_output"] = resumed(resume(recording, example.run_crew, config), before)

    before = dict(example.CALLS)
    inner = frame_of(recording, "llm:scripted-plan-1")
    changed = {"messages": [{"role": "user", "content": "something else"}]}
    summary["inner_edit"] = resumed(resume(recording, example.run_crew, ResumeConfig(inner, state=changed)), before)

    fix = ["--resume", str(recording), "--frame", str(plan), "--replace", "12050=120.50"]
    summary["cli"] = [example.main(fix), example.main(["--resume", str(recording), "--frame", "999"])]
    summary["tui"] = debugger_resume(recording, plan, fixed)
    summary["task_decorator"] = task_decorator(out / "tasks")
    summary["unrecorded"] = unrecorded()
    summary["on_disk_at_tool_call"] = on_disk_at_tool_call(out / "durable")
    summary["on_disk_at_human_input"] = on_disk_at_human_input(out / "asked")
    summary["on_disk_as_tasks_start"] = on_disk_as_tasks_start(out / "moving_on")
    summary["task_outputs_unlike_pydantic"] = task_outputs_unlike_pydantic()
    summary["one_call_tasks"] = one_call_tasks(out / "paths")
    summary["sinks_left_after_kickoffs"] = sinks_left()
    return summary


def sinks_left() -> int:
    """How many stream sinks are still set in this context after every kickoff above (none should be)."""
    from crewai.events import stream_context

    return len(stream_context._stream_sinks.get())


def one_call_tasks(folder: Path) -> dict[str, Any]:
    """The example crew recorded and resumed (FORK from ``plan``) twice: with the one-call-task
    path, and with every task written by the event handlers. Their frames must be the same, apart
    from ids, timestamps and latencies; ``taken`` counts the tasks the short path wrote."""
    from recorder.integrations._crewai_run import _CrewRun

    short = _CrewRun._one_call_task
    taken = 0

    def counted(run: Any, noted: Any, ready: Any) -> bool:
        nonlocal taken
        wrote = short(run, noted, ready)
        taken += wrote
        return wrote

    def recorded(where: str) -> list[list[dict[str, Any]]]:
        recording = example.record(folder / where)
        plan = frame_of(recording, "plan")
        fixed = edited_input(recording, plan, "12050", "120.50")
        fork = resume(recording, example.run_crew, ResumeConfig(plan, state=fixed)).fork_path
        return [_frame_records(recording), _frame_records(fork)]

    _CrewRun._one_call_task = counted  # type: ignore[method-assign]
    try:
        with_short_path = recorded("short")
        _CrewRun._one_call_task = lambda *_: False  # type: ignore[method-assign]
        by_handlers = recorded("handlers")
    finally:
        _CrewRun._one_call_task = short  # type: ignore[method-assign]
    return {
        "taken": taken,
        "frames": [len(frames) for frames in with_short_path],
        "same": with_short_path == by_handlers,
    }


# What differs between two runs of the same crew: ids and clocks, CrewAI's and the recorder's.
_RUN_SPECIFIC = {
    "frame_id",
    "parent_frame_id",
    "session_id",
    "timestamp",
    "latency_ms",
    "task_id",
    "copied_from_session",
    "forked_from_frame_id",
}


def _frame_records(path: Path) -> list[Any]:
    """A recording's frame lines, without what differs between two runs of the same crew."""
    lines = (json.loads(line) for line in path.read_bytes().splitlines())
    return [_without_run_specific(record) for record in lines if record.get("type") == "frame"]


def _without_run_specific(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_run_specific(item) for key, item in value.items() if key not in _RUN_SPECIFIC}
    if isinstance(value, list):
        return [_without_run_specific(item) for item in value]
    return value


def _names_on_disk(folder: Path) -> list[str]:
    """The node names of the frames already in the recordings under ``folder``."""
    names: list[str] = []
    for path in folder.glob("**/*.vcr"):
        with VCRReader(path) as reader:
            names.extend(reader.frame(i).node_name for i in range(len(reader)))
    return names


def on_disk_at_tool_call(folder: Path) -> list[str]:
    """The frames already in the file when the research task's tool runs, mid-task."""
    seen: list[str] = []

    class Watched(dict):  # type: ignore[type-arg]
        def __getitem__(self, city: str) -> Any:
            seen.extend(_names_on_disk(folder))
            return super().__getitem__(city)

    rates = example.RATES
    example.RATES = Watched(rates)
    try:
        example.record(folder)
    finally:
        example.RATES = rates
    return seen


def on_disk_as_tasks_start(folder: Path) -> dict[str, list[str]]:
    """The frames in the file when each task's model is first called, and when the crew's
    after-kickoff callback runs: a finished task is on disk before the crew goes on."""
    from crewai import Agent, Crew, Task

    seen: dict[str, list[str]] = {}

    def agent(name: str) -> Any:
        def reply(_: str) -> str:
            seen.setdefault(name, _names_on_disk(folder))
            return f"Thought: done.\nFinal Answer: {name} done"

        llm = example.ScriptedLLM(model=f"scripted-{name}-1", reply=reply)
        return Agent(role=f"{name} agent", goal="work", backstory="works", llm=llm)

    names = ("first", "second", "third")
    agents = {name: agent(name) for name in names}
    tasks = [
        Task(name=name, description=f"The {name} step.", expected_output="Done.", agent=agents[name]) for name in names
    ]

    def after(output: Any) -> Any:
        seen["after kickoff"] = _names_on_disk(folder)
        return output

    crew = Crew(agents=list(agents.values()), tasks=tasks, after_kickoff_callbacks=[after])
    recorder = VCRRecorder(folder)
    try:
        VCRCrewAI(recorder).kickoff(crew)
    finally:
        recorder.close()
    return seen


def on_disk_at_human_input(folder: Path) -> list[str]:
    """The frames already in the file when a task that asks for human input waits for the answer."""
    import builtins

    from crewai import Agent, Crew, Task

    seen: list[str] = []

    def answer(*_: Any) -> str:
        seen.extend(_names_on_disk(folder))
        return ""  # no feedback: the answer stands

    agent = Agent(
        role="writer",
        goal="write",
        backstory="writes",
        llm=example.ScriptedLLM(model="scripted-asked-1", reply=lambda _: "Thought: done.\nFinal Answer: draft"),
    )
    crew = Crew(
        agents=[agent], tasks=[Task(description="Draft.", expected_output="A draft.", agent=agent, human_input=True)]
    )
    recorder = VCRRecorder(folder)
    asking = builtins.input
    builtins.input = answer
    try:
        VCRCrewAI(recorder).kickoff(crew)
    finally:
        builtins.input = asking
        recorder.close()
    return seen


def edited_input_output(path: Path, index: int) -> dict[str, Any]:
    with VCRReader(path) as reader:
        return replaced(reader.frame(index).output_state, "12050", "120.50")  # type: ignore[no-any-return]


def debugger_resume(recording: Path, index: int, state: dict[str, Any]) -> dict[str, Any]:
    """What ``r`` in the debugger runs, with ``--agent`` naming the example's file."""
    from vcr_tui.logic.resume_run import ResumeRequest, ResumeRun, execute

    spec = f"{ROOT / 'examples' / 'crewai_crew.py'}:run_crew"
    request = ResumeRequest(recording, index, "plan", spec, mode=ResumeMode.FORK, state=state)
    done = execute(ResumeRun(request), lambda path: None)
    return {
        "outcome": done.outcome.value,
        "error": done.error,
        "fork": str(done.fork_path),
        "headline": done.headline(),
        "live": done.totals.live,
    }


def task_decorator(folder: Path) -> dict[str, Any]:
    """``@vcr_task`` with an explicit recorder, and without one (into the active recorder)."""
    own = VCRRecorder(folder / "own")

    @vcr_task(own, task_name="research_step")
    def research(context: dict[str, Any]) -> str:
        return f"findings about {context['topic']}"

    @vcr_task
    def summarise(text: str) -> dict[str, Any]:
        return {"summary": text.upper()}

    research({"topic": "hotels"})
    summarise("not recorded: no active recorder")
    active = VCRRecorder(folder / "active")
    active.start_session()
    with active:
        summarise("recorded")
        research({"topic": "inside the active recorder"})
    active.close()
    own.close()
    return {"own": str(own.path), "active": str(active.path)}


def task_outputs_unlike_pydantic() -> list[str]:
    """The task outputs whose frame JSON differs from what pydantic writes for them (none should).

    Flat outputs take a path of our own; every character from 0 to U+01FF, separators, emoji,
    structured outputs and failed tools must still come out byte for byte as pydantic's JSON mode.
    """
    from crewai.tasks.output_format import OutputFormat
    from crewai.tasks.task_output import TaskOutput
    from crewai.tools.tool_failure import ToolFailure, ToolFailureRecord
    from pydantic import BaseModel

    from recorder.integrations._crewai_tasks import task_output_json

    class Answer(BaseModel):
        total: float
        note: str

    every = "".join(chr(code) for code in range(0x200)) + "\u2028\u2029\ufeff\U0001f600"
    outputs = {
        "plain": TaskOutput(description="d", raw="r", agent="a"),
        "every character": TaskOutput(
            description=every, name=every, expected_output=every, summary=every, raw=every, agent=every
        ),
        "json": TaskOutput(
            description="d",
            raw="{}",
            agent="a",
            json_dict={"total": 1.5, "nested": [1, None]},
            output_format=OutputFormat.JSON,
        ),
        "pydantic": TaskOutput(
            description="d",
            raw="r",
            agent="a",
            pydantic=Answer(total=3.25, note=every),
            output_format=OutputFormat.PYDANTIC,
        ),
        "failed tools": TaskOutput(
            description="d",
            raw="r",
            agent="a",
            tool_failures=[ToolFailureRecord(tool_name="rate", failure=ToolFailure(message="timed out"))],
        ),
        "with messages": TaskOutput(description="d", raw="r", agent="a", messages=[{"role": "user", "content": "x"}]),
        # Put in without validation: an enum member whose value is not a str takes pydantic's path.
        "enum of numbers": TaskOutput.model_construct(
            description="d", raw="r", agent="a", output_format=Priority.HIGH, tool_failures=[], messages=[]
        ),
    }
    unlike = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydantic warns of the unexpected enum, and writes it all the same
        for name, output in outputs.items():
            expected = output.__pydantic_serializer__.to_json(output, exclude={"messages"})
            if task_output_json(output) != expected:
                unlike.append(name)
    return unlike


class Priority(enum.Enum):
    HIGH = 3


def unrecorded() -> dict[str, Any]:
    result = VCRCrewAI().kickoff(example.build_crew(), inputs=example.INPUTS)
    return {"raw": result.raw}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(Path(sys.argv[1]))) + "\n")
