"""Recording overhead per CrewAI task and per AutoGen message, against the same run unrecorded.

Each framework runs from its own virtualenv (the tests leave them in ``~/.cache/vcr-tui-tests``,
see ``tests/support/framework_venv.py``), with scripted models, no network:

    PYTHONPATH=. ~/.cache/vcr-tui-tests/crewai-*/bin/python bench/bench_frameworks.py crewai [--tasks 10] [--runs 60] [--control]
    PYTHONPATH=. ~/.cache/vcr-tui-tests/autogen-*/bin/python bench/bench_frameworks.py autogen [--messages 20] [--runs 60]

CrewAI: a crew of ``--tasks`` sequential tasks, one agent whose LLM answers at once (one LLM call
per task), kicked off through ``VCRCrewAI`` and bare, alternately. AutoGen: a round-robin team of
two agents whose model clients reply at once, stopped after ``--messages`` messages, run through
``VCRAutoGen`` and bare, alternately. The headline is the end-to-end overhead per task (message),
(recorded - bare) / tasks (messages) for each pair of runs, its median and p95, beside the bare
run per task (message), the floor measured in the same run, and the budget (100 µs). Nothing is
timed inside those runs. ``--cpu`` times the CPU the whole process used (every thread) instead
of wall time: on a machine other work keeps busy, wall time mostly measures the wait for a core.

A CrewAI task costs CrewAI itself tens of milliseconds, whose spread between runs is far wider
than the budget, so the end-to-end figure for CrewAI cannot resolve 100 µs (``--control`` shows
how finely it reads: the bare run alternated with itself). A second pass therefore times the
recorder's own code (its entry points wrapped with this thread's CPU clock, which costs a system
call a reading, so only in that pass) and counts frames, bytes and
``write`` calls per task (message), so a figure taken on a loaded machine can be told apart from
a change in the work done. For CrewAI a third pass repeats one task's write in a tight loop: the
same work with the recorder's code and data in the caches, and a fourth replaces the write with a
bare-bones one (the same two lines straight from the events, one ``write``), cold in the same kickoffs: the
least any design that writes once per task could cost there. Another pass counts the bytecodes
recording adds per task (every thread, traced): unlike the timings, it does not depend on the
load (it varies by tens between runs). The load average is printed at the start and the end.
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
from sample_stats import median_interval, percentile  # noqa: E402

from recorder import VCRRecorder  # noqa: E402

BUDGET_US = 100.0
CLOCK = time.perf_counter  # --cpu: time.process_time, the CPU this process used (steadier on a busy machine)
PROFILED_RUNS = 20


class OwnTime:
    """This thread's CPU in the recorder's own entry points, summed per recorded run (profile pass only).

    Each named method is wrapped on its class; what reading the clock costs is measured and
    taken off each call. A named method called from inside another (a write at a step's end
    from inside the event that ended it) counts in its own line but only once in the run's
    total; the names must differ across classes. ``remove()`` puts the methods back.
    """

    def __init__(self, *targets: tuple[Any, tuple[str, ...]]) -> None:
        clock = time.thread_time_ns
        cost = _clock_cost_ns(clock)
        self.originals = {(cls, name): cls.__dict__[name] for cls, names in targets for name in names}
        self.calls: dict[str, list[int]] = {name: [0, 0] for _, name in self.originals}  # name -> [calls, ns]
        self.current = 0
        self.depth = 0
        self.per_run: list[int] = []
        for (cls, name), original in self.originals.items():
            tally = self.calls[name]

            def timed(*args: Any, _original: Any = original, _tally: list[int] = tally, **kwargs: Any) -> Any:
                self.depth += 1
                started = clock()
                try:
                    return _original(*args, **kwargs)
                finally:
                    spent = max(clock() - started - cost, 0)
                    self.depth -= 1
                    _tally[0] += 1
                    _tally[1] += spent
                    if self.depth == 0:
                        self.current += spent

            setattr(cls, name, timed)

    def run_done(self) -> None:
        self.per_run.append(self.current)
        self.current = 0

    def remove(self) -> None:
        for (cls, name), original in self.originals.items():
            setattr(cls, name, original)


def _clock_cost_ns(clock: Callable[[], int], samples: int = 2000) -> int:
    """What one reading of ``clock`` adds to an interval timed with it (the median of many)."""
    spans = []
    for _ in range(samples):
        started = clock()
        spans.append(clock() - started)
    return int(statistics.median(spans))


class Written:
    """Frames, bytes and ``write`` calls of a recorder over the profile pass."""

    def __init__(self, recorder: VCRRecorder) -> None:
        self.recorder = recorder
        self.writes = 0
        original = recorder._write_out

        def counted(line: bytes) -> None:
            self.writes += 1
            original(line)

        recorder._write_out = counted  # type: ignore[method-assign]
        session = recorder.session
        self.frames0 = session.frame_count if session is not None else 0
        self.bytes0 = recorder.path.stat().st_size if recorder.path is not None else 0

    def since(self) -> tuple[int, int, int]:
        session = self.recorder.session
        frames = (session.frame_count if session is not None else 0) - self.frames0
        size = (self.recorder.path.stat().st_size if self.recorder.path is not None else 0) - self.bytes0
        return frames, size, self.writes


class Bytecodes:
    """Bytecodes executed in one run, every thread, by function: a count that does not depend on the
    machine's load or caches, so a change to the work done reads about the same on any run.

    Tracing slows the run many times over, so it only counts; nothing is timed with it on.
    """

    def __init__(self, run: Callable[[], None]) -> None:
        import collections
        import threading

        self.counts: collections.Counter[tuple[str, str]] = collections.Counter()
        counts = self.counts

        def tracer(frame: Any, event: str, arg: Any) -> Any:
            frame.f_trace_opcodes = True
            frame.f_trace_lines = False
            key = (frame.f_code.co_filename, frame.f_code.co_name)

            def local(frame: Any, event: str, arg: Any) -> Any:
                if event == "opcode":
                    counts[key] += 1
                return local

            return local

        sys.settrace(tracer)
        threading.settrace(tracer)
        try:
            run()
        finally:
            sys.settrace(None)
            threading.settrace(None)

    def total(self) -> int:
        return sum(self.counts.values())


def bytecode_lines(what: str, per: int, bare: Callable[[], None], recorded: Callable[[], None]) -> None:
    """The bytecodes recording adds per unit, and the recorder's functions that run most of them."""
    plain, again, with_recording = Bytecodes(bare), Bytecodes(bare), Bytecodes(recorded)
    added = (with_recording.total() - plain.total()) / per
    print(
        f"  bytecodes {added:9.0f} added per {what} by recording ({plain.total() / per:,.0f} per {what} bare; "
        f"the bare run against itself: {(again.total() - plain.total()) / per:+.0f})"
    )
    root = str(Path(__file__).resolve().parents[1])
    ours = [
        (count / per, f"{Path(name).relative_to(root)}:{function}")
        for (name, function), count in with_recording.counts.items()
        if name.startswith(root + "/recorder/")
    ]
    for count, where in sorted(ours, reverse=True)[:8]:
        print(f"    {count:7.0f}  {where}")


def headline(what: str, per: int, plain: list[float], recorded: list[float]) -> None:
    """The end-to-end figures: overhead per unit (median, p95) over the bare run, the floor."""
    overheads = [(r - p) / per * 1e6 for p, r in zip(plain, recorded, strict=True)]
    median = statistics.median(overheads)
    low, high = median_interval(overheads)
    plain_us = statistics.median(plain) / per * 1e6
    recorded_us = statistics.median(recorded) / per * 1e6
    clock = "CPU of the whole process" if CLOCK is time.process_time else "wall"
    verdict = "within" if median <= BUDGET_US else "OVER"
    print(f"{what}: {len(plain)} pairs of runs, {per} {what}s a run, {clock} time")
    print(
        f"  overhead  {median:9.1f} µs median, {percentile(overheads, 0.95):.1f} µs p95 per {what}, end to end: "
        f"{verdict} the budget of {BUDGET_US:.0f} µs"
    )
    print(f"            the median lies between {low:.1f} and {high:.1f} µs (95 % confidence, from order statistics)")
    print(f"  bare      {plain_us:9.1f} µs per {what} (median): the floor")
    print(f"  recorded  {recorded_us:9.1f} µs per {what} (median), {recorded_us / plain_us:.3f}× the floor")


def control_line(what: str, per: int, first: list[float], second: list[float]) -> None:
    """The same bare run alternated with itself: the "overhead" the method reports for nothing,
    i.e. how finely the end-to-end figure above can be read on this machine."""
    differences = [(b - a) / per * 1e6 for a, b in zip(first, second, strict=True)]
    low, high = median_interval(differences)
    print(
        f"  control   {statistics.median(differences):9.1f} µs median per {what} ({low:.1f} to {high:.1f}): the bare "
        f"run against itself, {len(differences)} pairs (what the end-to-end figure reads for no work at all)"
    )


def profile(what: str, per: int, own: OwnTime, written: Written) -> None:
    """The second pass: the recorder's own CPU on the run's thread, and what it wrote, per unit."""
    runs = len(own.per_run)
    own_us = [ns / per / 1000 for ns in own.per_run]
    print(
        f"  profile pass ({runs} recorded runs, instrumented): the recorder's own code "
        f"{statistics.median(own_us):.1f} µs CPU median, {percentile(own_us, 0.95):.1f} µs p95 per {what}"
    )
    frames, size, writes = written.since()
    print(
        f"    per {what}: {frames / (runs * per):.2f} frames, {size / (runs * per):,.0f} bytes, "
        f"{writes / (runs * per):.2f} write calls"
    )
    for name, (calls, ns) in own.calls.items():
        if calls:
            print(f"    {name:<14} {calls / (runs * per):5.2f} calls per {what}, {ns / calls / 1000:7.1f} µs a call")
    print(f"  load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


PROGRESS_EVERY = 1000  # pairs between two progress lines on stderr, for runs long enough to need them


def alternate(runs: int, bare: Callable[[], None], recorded: Callable[[], None]) -> tuple[list[float], list[float]]:
    """Seconds per run of each, alternated (a warm-up pair first, not counted); a run of many
    pairs tells stderr how far it has got, with the figure so far."""
    bare()
    recorded()
    plain_times: list[float] = []
    recorded_times: list[float] = []
    gc.disable()  # a collection lands in whichever run allocates past the threshold: one between pairs
    try:
        for index in range(runs):
            order = (bare, recorded) if index % 2 == 0 else (recorded, bare)
            for run in order:
                started = CLOCK()
                run()
                elapsed = CLOCK() - started
                (plain_times if run is bare else recorded_times).append(elapsed)
            gc.collect()
            if (index + 1) % PROGRESS_EVERY == 0 and index + 1 < runs:
                so_far = [r - p for p, r in zip(plain_times, recorded_times, strict=True)]
                print(
                    f"  … {index + 1} of {runs} pairs, difference so far {statistics.median(so_far) * 1e6:.0f} µs a run",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        gc.enable()
    return plain_times, recorded_times


def bench_crewai(tasks: int, runs: int, folder: Path, control: bool = False) -> None:
    from crewai import Agent, Crew, Process, Task

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
    from crewai_crew import ScriptedLLM

    from recorder.integrations._crewai_run import _CrewRun
    from recorder.integrations._run_lines import RunLines
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
    plain, recorded = alternate(runs, crew.kickoff, lambda: vcr.kickoff(crew))
    headline("task", tasks, plain, recorded)
    if control:
        first, second = alternate(runs, crew.kickoff, crew.kickoff)  # two bound methods, told apart by identity
        control_line("task", tasks, first, second)
    bytecode_lines("task", tasks, crew.kickoff, lambda: vcr.kickoff(crew))

    own = OwnTime((_CrewRun, ("heard", "note_step", "write_noted")), (RunLines, ("close",)))
    written = Written(recorder)
    for _ in range(PROFILED_RUNS):
        vcr.kickoff(crew)
        own.run_done()
    own.remove()
    profile("task", tasks, own, written)
    hot_task_write(crew, recorder, _CrewRun)
    cold_floor(vcr, crew, tasks, folder, _CrewRun)
    recorder.close()


def hot_task_write(crew: Any, recorder: VCRRecorder, run_class: Any, repeats: int = 3000) -> None:
    """One task's write (its noted events turned into frames and handed to the OS), repeated in a
    tight loop: what the same work costs with the recorder's code and data in the caches, against
    the profile pass, where CrewAI's own work between two tasks has pushed them out."""
    batches: list[list[Any]] = []
    original = run_class.write_noted

    def keep(run: Any) -> None:
        with run.lock:
            batches.append(list(run.noted))
        original(run)

    run_class.write_noted = keep
    try:
        from recorder.integrations.crewai import VCRCrewAI

        VCRCrewAI(recorder).kickoff(crew)
    finally:
        run_class.write_noted = original
    batch = max(batches, key=len)
    run = run_class(recorder, crew, None)
    run.server.wrap(crew.tasks)
    clock = time.thread_time_ns
    spent = []
    try:
        for _ in range(repeats):
            run.noted = list(batch)
            started = clock()
            run.write_noted()
            spent.append((clock() - started) / 1000)
    finally:
        run.server.unwrap()
    spent = spent[repeats // 5 :]  # the first repeats warm the caches
    print(
        f"  hot: one task's write ({len(batch)} events) repeated {repeats} times in a loop: "
        f"{statistics.median(spent):.1f} µs CPU median, {percentile(spent, 0.95):.1f} µs p95 "
        "(the profile pass's figure less this is what cold caches cost)"
    )


def cold_floor(vcr: Any, crew: Any, tasks: int, folder: Path, run_class: Any) -> None:
    """The least a task's write could cost where the recorder's runs, cold: the same kickoffs with
    ``write_noted`` replaced by a bare-bones one (the model call's and the task's lines built
    straight from their events, two dicts, two ``orjson`` calls, one ``write`` to a scratch file),
    timed the same way as the profile pass. Not a recording anyone could use (no ids, metadata,
    latency or safety for odd values): a reference, measured in the same run, for what the
    profile pass's ``write_noted`` spends beyond the unavoidable."""
    import orjson

    fd = os.open(folder / "floor.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    original = run_class.__dict__["write_noted"]

    def bare_write(run: Any) -> None:
        with run.writing:
            with run.lock:
                noted, run.noted = run.noted, []
                run.finished = False
            noted.sort()
            lines = []
            for _, _, event in noted:
                name = type(event).__name__
                if name == "LLMCallCompletedEvent":
                    frame = {"node_name": f"llm:{event.model}", "input_state": {"messages": event.messages}}
                    frame["output_state"] = {"response": event.response}
                elif name == "TaskCompletedEvent":
                    frame = {"node_name": event.task_name, "input_state": {"description": event.task.description}}
                    frame["output_state"] = {"raw": event.output.raw, "agent": event.output.agent}
                else:
                    continue
                lines.append(orjson.dumps({"type": "frame", "data": frame}, option=orjson.OPT_APPEND_NEWLINE))
            if lines:
                os.write(fd, b"".join(lines))

    run_class.write_noted = bare_write
    own = OwnTime((run_class, ("write_noted",)))
    try:
        for _ in range(PROFILED_RUNS):
            vcr.kickoff(crew)
            own.run_done()
    finally:
        own.remove()
        run_class.write_noted = original
        os.close(fd)
    per_task = [ns / tasks / 1000 for ns in own.per_run]
    print(
        f"  floor: a bare-bones write of the same two lines, cold in the same kickoffs: "
        f"{statistics.median(per_task):.1f} µs CPU median per task (the least any design that writes "
        "once per task could cost; the profile pass's write_noted less this is what the recorder adds)"
    )


def bench_autogen(messages: int, runs: int, folder: Path) -> None:
    from autogen_agentchat.agents import AssistantAgent
    from autogen_agentchat.conditions import MaxMessageTermination
    from autogen_agentchat.teams import RoundRobinGroupChat

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
    from autogen_team import ScriptedClient

    from recorder.integrations._autogen_run import _TeamRun
    from recorder.integrations._run_lines import RunLines
    from recorder.integrations.autogen import VCRAutoGen

    def team() -> RoundRobinGroupChat:
        agents = [
            AssistantAgent(name, model_client=ScriptedClient(f"instant-{name}", lambda _: "ok")) for name in ("a", "b")
        ]
        return RoundRobinGroupChat(agents, termination_condition=MaxMessageTermination(messages))

    recorder = VCRRecorder(folder)
    recorder.start_session()
    vcr = VCRAutoGen(recorder)
    loop = asyncio.new_event_loop()
    bare_team, recorded_team = team(), team()

    def bare() -> None:
        loop.run_until_complete(bare_team.reset())
        loop.run_until_complete(bare_team.run(task="go"))

    def recorded() -> None:
        loop.run_until_complete(recorded_team.reset())
        loop.run_until_complete(vcr.run(recorded_team, task="go"))

    try:
        plain, with_recording = alternate(runs, bare, recorded)
        headline("message", messages, plain, with_recording)
        # The frames a run still holds are built and written at the loop's next turn and at its end.
        own = OwnTime((_TeamRun, ("seen", "model_call")), (RunLines, ("_scheduled_write", "close")))
        written = Written(recorder)
        for _ in range(PROFILED_RUNS):
            recorded()
            own.run_done()
        own.remove()
        profile("message", messages, own, written)
    finally:
        loop.close()
    recorder.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("framework", choices=["crewai", "autogen"])
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--cpu", action="store_true", help="time CPU used by the process, not wall time")
    parser.add_argument(
        "--control", action="store_true", help="CrewAI: also alternate the bare run with itself, to show the noise"
    )
    args = parser.parse_args()
    print(f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    if args.cpu:
        global CLOCK  # noqa: PLW0603 - the one clock every timing in this run uses
        CLOCK = time.process_time
    with tempfile.TemporaryDirectory() as scratch:
        if args.framework == "crewai":
            bench_crewai(args.tasks, args.runs, Path(scratch), control=args.control)
        else:
            bench_autogen(args.messages, args.runs, Path(scratch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
