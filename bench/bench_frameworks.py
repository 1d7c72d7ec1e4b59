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

A CrewAI task costs CrewAI itself tens of milliseconds, whose spread between runs is far wider
than the budget, so the end-to-end difference cannot resolve 100 µs. The script therefore also
times the recorder's own code on the agent's path: its entry points (the events noted, the
frames written at a task's end; each stream item and model call of a team) are wrapped with a
cheap clock, summed per recorded run and divided by its tasks (messages): median and p95 over
the runs, beside the unrecorded run's time per task (message) as the floor. A profile per task
(message) follows: calls of each entry point with their mean, frames, bytes and writes, so a
figure taken on a loaded machine can be told apart from a change in the work done. The load
average is printed at the start and the end.
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

try:  # the writer thread runs hand their frames to (absent from the code before it: nothing is timed there)
    from recorder.integrations import _deferred as writer_thread
except ImportError:
    import types

    writer_thread = types.SimpleNamespace(_write_batch=lambda items: None)  # type: ignore[assignment]


BUDGET_US = 100.0
CLOCK = time.perf_counter  # --cpu: time.process_time, the CPU this process used (steadier on a busy machine)


def pairs(
    runs: int, bare: Callable[[], None], recorded: Callable[[], None], warmed: Callable[[], object]
) -> tuple[list[float], list[float]]:
    """Seconds per run of each, alternated (a warm-up pair first, not counted; ``warmed`` follows it)."""
    bare()
    recorded()
    warmed()
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


class OwnTime:
    """Time the calling thread spends in the recorder's own entry points, summed per recorded run.

    Each named method is wrapped on its class with ``perf_counter_ns`` (a tenth of a microsecond
    a call), or with this thread's CPU clock under ``--cpu`` (wall time on a loaded machine is
    mostly the wait for a core); what reading the clock costs is measured and taken off each
    call. The methods named must not call one another, so no time is counted twice.
    ``run_done`` closes a run's sum.
    """

    def __init__(self, cls: Any, names: tuple[str, ...]) -> None:
        clock = time.thread_time_ns if CLOCK is time.process_time else time.perf_counter_ns
        cost = _clock_cost_ns(clock)
        self.calls: dict[str, list[int]] = {name: [0, 0] for name in names}  # name -> [calls, ns]
        self.current = 0
        self.per_run: list[int] = []
        for name in names:
            original = getattr(cls, name)
            tally = self.calls[name]

            def timed(*args: Any, _original: Any = original, _tally: list[int] = tally, **kwargs: Any) -> Any:
                started = clock()
                try:
                    return _original(*args, **kwargs)
                finally:
                    spent = max(clock() - started - cost, 0)
                    _tally[0] += 1
                    _tally[1] += spent
                    self.current += spent

            setattr(cls, name, timed)

    def run_done(self) -> None:
        self.per_run.append(self.current)
        self.current = 0

    def forget(self) -> None:
        """Drop what the warm-up counted."""
        self.per_run.clear()
        self.current = 0
        for tally in self.calls.values():
            tally[0] = tally[1] = 0


def _clock_cost_ns(clock: Callable[[], int], samples: int = 2000) -> int:
    """What one reading of ``clock`` adds to an interval timed with it (the median of many)."""
    spans = []
    for _ in range(samples):
        started = clock()
        spans.append(clock() - started)
    return int(statistics.median(spans))


class Written:
    """Frames, bytes and ``write`` calls of a recorder, to report per task (message)."""

    def __init__(self, recorder: VCRRecorder) -> None:
        self.recorder = recorder
        self.writes = 0
        original = recorder._write_out

        def counted(line: bytes) -> None:
            self.writes += 1
            original(line)

        recorder._write_out = counted  # type: ignore[method-assign]
        self.frames0, self.bytes0, self.writes0 = 0, 0, 0

    def mark(self) -> None:
        session = self.recorder.session
        self.frames0 = session.frame_count if session is not None else 0
        self.bytes0 = self.recorder.path.stat().st_size if self.recorder.path is not None else 0
        self.writes0 = self.writes

    def since(self) -> tuple[int, int, int]:
        session = self.recorder.session
        frames = (session.frame_count if session is not None else 0) - self.frames0
        size = (self.recorder.path.stat().st_size if self.recorder.path is not None else 0) - self.bytes0
        return frames, size, self.writes - self.writes0


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


def report(
    what: str, per: int, plain: list[float], recorded: list[float], own: OwnTime, written: Written, behind: OwnTime
) -> None:
    overheads = [(r - p) / per * 1e6 for p, r in zip(plain, recorded, strict=True)]
    median = statistics.median(overheads)
    plain_us = statistics.median(plain) / per * 1e6
    recorded_us = statistics.median(recorded) / per * 1e6
    clock = "CPU" if CLOCK is time.process_time else "wall"
    print(f"{what}: {len(plain)} pairs of runs, {per} per run, {clock} time")
    print(f"  bare      {plain_us:9.1f} µs per {what} (median): the floor")
    print(f"  recorded  {recorded_us:9.1f} µs per {what} (median), {recorded_us / plain_us:.2f}× bare")
    print(f"  overhead  {median:9.1f} µs median, {percentile(overheads, 0.95):.1f} µs p95 per {what} (end to end)")
    runs = len(own.per_run)
    own_us = [ns / per / 1000 for ns in own.per_run]
    own_median = statistics.median(own_us)
    print(
        f"  recorder's own code on the agent's path: {own_median:.1f} µs median, "
        f"{percentile(own_us, 0.95):.1f} µs p95 per {what} ({own_median / plain_us * 100:.2f}% of the floor)"
    )
    behind_us = [ns / per / 1000 for ns in behind.per_run]
    if any(behind_us):
        print(
            f"  the run's writer thread (building, encoding, writing its frames): {statistics.median(behind_us):.1f} µs "
            f"median, {percentile(behind_us, 0.95):.1f} µs p95 per {what}"
        )
    frames, size, writes = written.since()
    print(
        f"  per {what}: {frames / (runs * per):.2f} frames, {size / (runs * per):,.0f} bytes, "
        f"{writes / (runs * per):.2f} writes"
    )
    for name, (calls, ns) in own.calls.items():
        if calls:
            print(f"    {name:<14} {calls / (runs * per):5.2f} calls per {what}, {ns / calls / 1000:7.1f} µs a call")
    floor = frame_floor_us()
    print(f"  one record_step of a ~2 KB state now: {floor:.1f} µs CPU (own code = {own_median / floor:.1f} of those)")
    verdict = "within" if own_median <= BUDGET_US else "OVER"
    print(f"  budget    {BUDGET_US:.0f} µs per {what} (the recorder's own code): {verdict}")
    print(f"  load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


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

    own = OwnTime(_CrewRun, ("note", "note_step", "write_noted"))
    behind = OwnTime(writer_thread, ("_write_batch",))
    written = Written(recorder)

    def recorded_run() -> None:
        vcr.kickoff(crew)
        own.run_done()
        behind.run_done()

    plain, recorded = pairs(runs, crew.kickoff, recorded_run, lambda: (own.forget(), behind.forget(), written.mark()))
    report("task", tasks, plain, recorded, own, written, behind)
    recorder.close()


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
                if recorded:
                    own.run_done()
                    behind.run_done()
                if index:
                    (with_recording if recorded else plain).append(elapsed)
            if not index:
                own.forget()
                behind.forget()
                written.mark()
            gc.collect()
        return plain, with_recording

    from recorder.integrations._autogen_run import _TeamRun

    own = OwnTime(_TeamRun, ("seen", "model_call"))
    behind = OwnTime(writer_thread, ("_write_batch",))
    written = Written(recorder)
    gc.disable()  # as for CrewAI: a collection lands in whichever run allocates past the threshold
    try:
        plain, with_recording = asyncio.run(timed())
    finally:
        gc.enable()
    report("message", messages, plain, with_recording, own, written, behind)
    recorder.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("framework", choices=["crewai", "autogen"])
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--cpu", action="store_true", help="time CPU used by the process, not wall time")
    args = parser.parse_args()
    print(f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
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
