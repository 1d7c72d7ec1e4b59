"""Recording overhead per CrewAI task and per AutoGen message, against the same run unrecorded.

Each framework runs from its own virtualenv (the tests leave them in ``~/.cache/vcr-tui-tests``,
see ``tests/framework_venv.py``), with scripted models, no network:

    ~/.cache/vcr-tui-tests/crewai-*/bin/python bench/bench_frameworks.py crewai [--tasks 10] [--runs 60]
    ~/.cache/vcr-tui-tests/autogen-*/bin/python bench/bench_frameworks.py autogen [--messages 20] [--runs 60]

CrewAI: a crew of ``--tasks`` sequential tasks, one agent whose LLM answers at once (one LLM call
per task), kicked off through ``VCRCrewAI`` and bare, alternately. AutoGen: a round-robin team of
two agents whose model clients reply at once, stopped after ``--messages`` messages, run through
``VCRAutoGen`` and bare, alternately. The overhead per task (message) is (recorded - bare) / tasks
(messages) for each pair of runs; the script prints its median and p95, the bare and recorded
medians per task (message), their ratio, and whether the median stays within the budget (100 µs).
``--cpu`` times the CPU the process used instead of wall time: on a machine other work keeps
busy, wall time mostly measures the wait for a core.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

for _name, _value in (
    ("CREWAI_DISABLE_TELEMETRY", "true"),
    ("CREWAI_DISABLE_TRACKING", "true"),
    ("CREWAI_TRACING_ENABLED", "false"),
    ("OTEL_SDK_DISABLED", "true"),
):
    os.environ.setdefault(_name, _value)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sample_stats import percentile  # noqa: E402

from recorder import VCRRecorder  # noqa: E402

BUDGET_US = 100.0
CLOCK = time.perf_counter  # --cpu: time.process_time, the CPU this process used (steadier on a busy machine)


def pairs(runs: int, bare: Callable[[], None], recorded: Callable[[], None]) -> tuple[list[float], list[float]]:
    """Seconds per run of each, alternated (a warm-up pair first, not counted)."""
    bare()
    recorded()
    plain_times: list[float] = []
    recorded_times: list[float] = []
    gc.disable()
    try:
        for index in range(runs):
            order = (bare, recorded) if index % 2 == 0 else (recorded, bare)
            for run in order:
                started = CLOCK()
                run()
                elapsed = CLOCK() - started
                (plain_times if run is bare else recorded_times).append(elapsed)
            gc.collect()
    finally:
        gc.enable()
    return plain_times, recorded_times


class Inside:
    """CPU time the calling thread spends in the recorder's own methods (wrapped on their classes)."""

    def __init__(self, cls: type, names: tuple[str, ...]) -> None:
        self.seconds = 0.0
        for name in names:
            original = getattr(cls, name)

            def timed(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
                started = time.thread_time()  # this thread only: not CrewAI's handler threads
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.seconds += time.thread_time() - started

            setattr(cls, name, timed)


def frame_floor_us(count: int = 2000) -> float:
    """CPU per ``record_step`` of a ~2 KB state on this machine now: what one frame costs at least."""
    state = {"messages": [{"role": "user", "content": "x" * 80, "source": f"agent-{i}"} for i in range(16)]}
    with tempfile.TemporaryDirectory() as scratch:
        recorder = VCRRecorder(scratch)
        recorder.start_session()
        started = time.process_time()
        for _ in range(count):
            recorder.record_step("floor", state, {"ok": True})
        spent = time.process_time() - started
        recorder.close()
    return spent / count * 1e6


def report(what: str, per: int, plain: list[float], recorded: list[float], inside: Inside | None = None) -> None:
    overheads = [(r - p) / per * 1e6 for p, r in zip(plain, recorded, strict=True)]
    median = statistics.median(overheads)
    plain_us = statistics.median(plain) / per * 1e6
    recorded_us = statistics.median(recorded) / per * 1e6
    print(f"{what}: {len(plain)} pairs of runs, {per} per run")
    print(f"  bare      {plain_us:9.1f} µs per {what} (median)")
    print(f"  recorded  {recorded_us:9.1f} µs per {what} (median), {recorded_us / plain_us:.2f}× bare")
    print(f"  overhead  {median:9.1f} µs median, {percentile(overheads, 0.95):.1f} µs p95 per {what}")
    if inside is not None:  # every recorded run, the warm-up's included
        own = inside.seconds / ((len(recorded) + 1) * per) * 1e6
        floor = frame_floor_us()
        print(f"  in the recorder's own code: {own:.1f} µs CPU per {what}")
        print(
            f"  floor     {floor:.1f} µs CPU for one record_step of a ~2 KB state now: {own / floor:.1f} frames' worth"
        )
    verdict = "within" if median <= BUDGET_US else "OVER"
    print(f"  budget    {BUDGET_US:.0f} µs per {what}: {verdict}")


def bench_crewai(tasks: int, runs: int, folder: Path) -> None:
    from crewai import Agent, Crew, Process, Task

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
    from crewai_crew import ScriptedLLM

    from recorder.integrations.crewai import VCRCrewAI

    agent = Agent(
        role="worker",
        goal="work",
        backstory="works",
        llm=ScriptedLLM(model="instant-1", reply=lambda _: "Thought: done.\nFinal Answer: ok"),
    )
    crew = Crew(
        agents=[agent],
        tasks=[Task(name=f"t{i}", description=f"Step {i}.", expected_output="ok", agent=agent) for i in range(tasks)],
        process=Process.sequential,
    )
    recorder = VCRRecorder(folder)
    recorder.start_session()
    vcr = VCRCrewAI(recorder)
    from recorder.integrations._crewai_run import _CrewRun

    inside = Inside(_CrewRun, ("note", "note_step", "write_noted"))
    plain, recorded = pairs(runs, crew.kickoff, lambda: vcr.kickoff(crew))
    recorder.close()
    report("task", tasks, plain, recorded, inside)


def bench_autogen(messages: int, runs: int, folder: Path) -> None:
    from autogen_agentchat.agents import AssistantAgent
    from autogen_agentchat.conditions import MaxMessageTermination
    from autogen_agentchat.teams import RoundRobinGroupChat

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
    from autogen_team import ScriptedClient

    from recorder.integrations.autogen import VCRAutoGen

    def team() -> RoundRobinGroupChat:
        agents = [
            AssistantAgent(name, model_client=ScriptedClient(f"instant-{name}", lambda _: "ok")) for name in ("a", "b")
        ]
        return RoundRobinGroupChat(agents, termination_condition=MaxMessageTermination(messages))

    recorder = VCRRecorder(folder)
    recorder.start_session()
    vcr = VCRAutoGen(recorder)

    async def timed() -> tuple[list[float], list[float]]:
        bare_team, recorded_team = team(), team()
        plain: list[float] = []
        with_recording: list[float] = []
        for index in range(runs + 1):  # the first pair warms up
            for recorded in (False, True) if index % 2 == 0 else (True, False):
                chosen = recorded_team if recorded else bare_team
                await chosen.reset()
                started = CLOCK()
                if recorded:
                    await vcr.run(chosen, task="go")
                else:
                    await chosen.run(task="go")
                elapsed = CLOCK() - started
                if index:
                    (with_recording if recorded else plain).append(elapsed)
        return plain, with_recording

    from recorder.integrations._autogen_run import _TeamRun

    inside = Inside(_TeamRun, ("seen", "model_call"))
    plain, with_recording = asyncio.run(timed())
    recorder.close()
    report("message", messages, plain, with_recording, inside)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("framework", choices=["crewai", "autogen"])
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--cpu", action="store_true", help="time CPU used by the process, not wall time")
    args = parser.parse_args()
    if args.cpu:
        global CLOCK  # noqa: PLW0603 - the one clock every timing in this run uses
        CLOCK = time.process_time
    with tempfile.TemporaryDirectory() as scratch:
        if args.framework == "crewai":
            bench_crewai(args.tasks, args.runs, Path(scratch))
        else:
            bench_autogen(args.messages, args.runs, Path(scratch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
