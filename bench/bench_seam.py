"""Work at the engine/app seam, before and after it was done once: the resume banner and u + y.

Three measurements on large files, each timed the way the debugger used to do it and the way it
does it now, beside a floor measured in the same run:

(a) the resume banner's figures once a resume of a 100,000-frame run has ended: before, the fork
    was opened and every frame parsed to count them (what ``CostLedger.of_recording`` still does
    for a file); now ``summarize`` reads the totals the engine counted while writing. Floor:
    indexing the fork, what any viewer pays to show it.
(b) ``r`` until the fork's file exists (when the screen opens it), given the recording's path
    (the parent is indexed again) against a reader on the index the screen already built. Floor:
    the same given the reader.
(c) ``u`` then ``y`` on a recording of about 330 MB whose frame 1 is a savepoint: before, three
    passes over the file (the dry run, the fresh dry run on ``y``, the rollback, each by frame
    index); now the dry run is given the frame's snapshot and ``y`` reuses it. Floor: the same
    ``u`` + ``y`` on a recording of three frames (the git work alone).

    python bench/bench_seam.py [--frames 100000] [--state-bytes 3300] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sample_stats import p95

from recorder import ResumeConfig, ResumeMode, VCRReader, VCRRecorder, resume, vcr_record
from recorder.acid import ACIDWorkspace
from recorder.golden import CostLedger
from vcr_tui.logic.resume_run import ResumeRequest, ResumeRun, summarize
from vcr_tui.logic.workspace_link import (
    Origin,
    WorkspaceTarget,
    apply_rollback,
    propose_rollback,
    propose_undo,
    snapshot_commit,
)


@vcr_record(node_name="llm:step", frame_type="llm")
def step(state: dict[str, Any]) -> dict[str, Any]:
    return {"n": state["n"] + 1, "notes": state["notes"]}


def make_agent(steps: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def agent(state: dict[str, Any]) -> dict[str, Any]:
        for _ in range(steps):
            state = step(state)
        return state

    return agent


def timed(runs: int, action: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def line(name: str, samples: list[float], floor: list[float] | None = None) -> str:
    median = statistics.median(samples)
    ratio = f"  {median / statistics.median(floor):8.2f}x floor" if floor else ""
    return f"  {name:<58} median {median:10.2f} ms   p95 {p95(samples):10.2f} ms{ratio}"


def record_run(folder: Path, steps: int, notes: str) -> Path:
    recorder = VCRRecorder(folder)
    recorder.start_session(session_id=f"run-{steps}")
    with recorder:
        make_agent(steps)({"n": 0, "notes": notes})
    assert recorder.path is not None
    return recorder.path


def banner_and_reader(scratch: Path, frames: int, runs: int) -> None:
    notes = "x" * 200
    parent = record_run(scratch / "parent", frames, notes)
    agent = make_agent(frames)
    config = ResumeConfig(from_frame=frames - 1, mode=ResumeMode.REPLAY)
    out = scratch / "forks"
    result = resume(parent, agent, config, output_dir=out)
    run = ResumeRun(ResumeRequest(parent, frames - 1, "llm:step", "bench:agent"))
    print(f"(a) banner figures after a resume whose fork has {result.frames:,} frames")
    floor = timed(runs, lambda: VCRReader(result.fork_path).close())
    before = timed(runs, lambda: CostLedger.of_recording(result.fork_path))
    after = timed(max(runs, 50), lambda: summarize(result, run))
    print(line("floor: index the fork (any viewer opening it)", floor))
    print(line("before: open the fork and parse every frame", before, floor))
    print(line("now: summarize from the result's totals", after, floor))
    summary = summarize(result, run)
    ledger = CostLedger.of_recording(result.fork_path)
    same = (summary.totals.replayed, summary.totals.tokens_saved) == (ledger.steps_replayed, ledger.tokens_saved)
    print(f"  the figures agree with reading the fork back: {same}")

    print(f"(b) r to the fork's file on a {frames:,}-frame run: resume from frame 10, stopped at its next step")
    early = ResumeConfig(from_frame=10, mode=ResumeMode.REPLAY, state_overrides={"n": -1})

    def until_forked(source: Path | VCRReader) -> None:
        cancel = threading.Event()
        resume(source, agent, early, output_dir=out, cancel=cancel, on_fork=lambda _: cancel.set())

    with VCRReader(parent) as open_reader:
        given_path = timed(runs, lambda: until_forked(parent))
        given_reader = timed(runs, lambda: until_forked(open_reader.sharing()))
    print(line("floor = now: given a reader on the screen's index", given_reader))
    print(line("before: given the path (indexed again)", given_path, given_reader))


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def acid_recording(scratch: Path, name: str, frames: int, state_bytes: int) -> tuple[Path, Path]:
    """A repository, and a recording whose frame 1 is a savepoint, then ``frames`` more steps."""
    repo = scratch / name
    (repo / "src").mkdir(parents=True)
    for number in range(50):
        (repo / "src" / f"m{number}.py").write_text(f"VALUE = {number}\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "start")
    recorder = VCRRecorder(scratch / f"{name}-runs")
    recorder.start_session(session_id=name)
    workspace = ACIDWorkspace(repo, recorder)
    workspace.begin()
    recorder.record_step("think", {}, {})
    workspace.savepoint({}, "saved")
    (repo / "src" / "made.py").write_text("MADE = True\n")
    state = {"notes": "y" * state_bytes}
    with recorder:
        for _ in range(frames):
            recorder.record_step("work", state, state)
    workspace.detach()
    recorder.close()
    assert recorder.path is not None
    return repo, recorder.path


def frame_commit(recording: Path) -> str | None:
    """The snapshot frame 1 names: the screen has that frame parsed already when ``u`` is pressed."""
    with VCRReader(recording) as reader:
        return snapshot_commit(reader.frame(1).metadata.custom)


def u_and_y(repo: Path, recording: Path, commit: str | None) -> None:
    """``u`` then ``y`` as the viewer does them; ``commit`` None: the old way, by frame index alone."""
    target = WorkspaceTarget(repo, Origin.OPTION, recording, session_id=recording.stem)
    if commit is None:  # every step named the frame, and the engine read the file for it
        workspace = ACIDWorkspace.attach(repo, recording.stem, recording=recording)
        try:
            workspace.plan_rollback(1)  # u
            workspace.plan_rollback(1)  # y: the fresh dry run
            workspace.rollback(1)  # y: the rollback
        finally:
            workspace.detach()
    else:
        apply_rollback(propose_rollback(target, 1, commit))
    apply_rollback(propose_undo(target))  # put the files back for the next run (in every figure)


def rollback(scratch: Path, frames: int, state_bytes: int, runs: int) -> None:
    big_repo, big = acid_recording(scratch, "big", frames, state_bytes)
    small_repo, small = acid_recording(scratch, "small", 1, state_bytes)
    size = os.path.getsize(big) / 1e6
    print(f"(c) u then y, rollback to frame 1 of a {size:,.0f} MB recording (and its undo, in each figure)")
    small_commit, big_commit = frame_commit(small), frame_commit(big)
    floor = timed(runs, lambda: u_and_y(small_repo, small, small_commit))
    before = timed(runs, lambda: u_and_y(big_repo, big, None))
    after = timed(runs, lambda: u_and_y(big_repo, big, big_commit))
    print(line("floor: the same on a 3-frame recording", floor))
    print(line("before: by frame index (the file read three times)", before, floor))
    print(line("now: the frame's snapshot, reused on y", after, floor))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--state-bytes", type=int, default=1600, help="each of a frame's two states in (c)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-resume", action="store_true", help="leave out (a) and (b)")
    parser.add_argument("--skip-rollback", action="store_true", help="leave out (c)")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="vcr-seam-") as scratch:
        if not args.skip_resume:
            banner_and_reader(Path(scratch), args.frames, args.runs)
        if not args.skip_rollback:
            rollback(Path(scratch), args.frames, args.state_bytes, args.runs)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
