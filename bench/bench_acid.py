"""Workspace benchmark: what a savepoint and a rollback cost on a 1,000-file project.

A real git repository of 1,000 committed files (~2 KB each, in nested folders) plus the user's
own untracked and ignored files. Each round changes 10 files, then:

(a) ``savepoint()``: median and p95 ms, against baselines measured in the same run on the same
    repository with the same 10 changes: plain ``git status --porcelain`` and
    ``git stash create`` (the closest thing git has to "snapshot the working tree");
(b) ``rollback()`` to the previous savepoint (which includes snapshotting the state before it,
    restoring the 10 files, deleting 2 created ones and recreating 1 deleted one): median and
    p95 ms, without and with a recorder attached (the fork it writes is part of the cost);
(c) ``begin()`` once (it hashes every file), for scale.

Budgets: savepoint ≤ 200 ms, rollback ≤ 500 ms. Run: ``python bench/bench_acid.py``
(``--rounds N`` for more or fewer rounds, ``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sample_stats import percentile

from recorder import VCRRecorder
from recorder.acid import ACIDWorkspace

BUDGET_SAVEPOINT_MS = 200.0
BUDGET_ROLLBACK_MS = 500.0
FILES = 1_000
CHANGED = 10


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def make_project(root: Path) -> list[Path]:
    """1,000 committed files in 40 nested folders, plus untracked and ignored user files."""
    root.mkdir(parents=True)
    git(root, "init", "-q")
    git(root, "config", "user.name", "Bench")
    git(root, "config", "user.email", "bench@example.com")
    (root / ".gitignore").write_text(".env\nbuild/\n")
    rng = random.Random(7)
    files = []
    for index in range(FILES):
        folder = root / f"pkg{index % 8}" / f"mod{index % 5}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"file_{index:04d}.py"
        path.write_text("".join(f"line {n} {rng.random()}\n" for n in range(80)))
        files.append(path)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "project")
    (root / ".env").write_text("SECRET=1\n")
    (root / "build").mkdir()
    (root / "build" / "out.o").write_bytes(os.urandom(4096))
    (root / "notes.txt").write_text("the user's own notes\n")
    return files


def change_ten(files: list[Path], rng: random.Random, tag: str) -> None:
    for path in rng.sample(files, CHANGED):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"# changed {tag} {rng.random()}\n")


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000.0


def summary(name: str, samples: list[float], baseline: float | None = None, budget: float | None = None) -> str:
    median = statistics.median(samples)
    p95 = percentile(samples, 0.95)
    text = f"{name:<44} median {median:7.1f} ms   p95 {p95:7.1f} ms"
    if baseline:
        text += f"   x{median / baseline:5.1f} baseline"
    if budget is not None:
        text += f"   budget {budget:.0f} ms: {'ok' if p95 <= budget else 'OVER'}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="5 rounds, for a smoke run")
    options = parser.parse_args()
    rounds = 5 if options.quick else options.rounds

    scratch = Path(tempfile.mkdtemp(prefix="bench-acid-"))
    os.environ.update({"HOME": str(scratch / "home"), "GIT_CONFIG_NOSYSTEM": "1"})
    (scratch / "home").mkdir()
    try:
        root = scratch / "project"
        files = make_project(root)
        rng = random.Random(11)

        workspace = ACIDWorkspace(root)
        begin_ms = timed(workspace.begin)

        status_ms, stash_ms, savepoint_ms = [], [], []
        for round_number in range(rounds):
            change_ten(files, rng, f"s{round_number}")
            status_ms.append(timed(lambda: git(root, "status", "--porcelain")))
            stash_ms.append(timed(lambda: git(root, "stash", "create")))
            state = {"round": round_number}
            savepoint_ms.append(timed(lambda: workspace.savepoint(state, "bench")))  # noqa: B023 - called at once

        rollback_ms = rollback_rounds(workspace, root, files, rng, rounds)
        workspace.abort()

        recorder = VCRRecorder(scratch / "recordings")
        recorder.start_session(session_id="bench")
        recorded = ACIDWorkspace(root, recorder)
        recorded.begin()
        rollback_recorded_ms = rollback_rounds(recorded, root, files, rng, rounds)
        recorded.abort()
        if recorded.recorder is not None:
            recorded.recorder.close()
        recorder.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    baseline = statistics.median(status_ms)
    print(f"workspace: {FILES} committed files, {CHANGED} changed per round, {rounds} rounds, git {git_version()}")
    print(f"{'begin() (hashes every file, once)':<44} {begin_ms:7.1f} ms")
    print(summary("baseline: git status --porcelain", status_ms))
    print(summary("baseline: git stash create", stash_ms, baseline))
    print(summary("savepoint()", savepoint_ms, baseline, BUDGET_SAVEPOINT_MS))
    print(summary("rollback() (no recorder)", rollback_ms, baseline, BUDGET_ROLLBACK_MS))
    print(summary("rollback() (recorder: fork + checkpoint)", rollback_recorded_ms, baseline, BUDGET_ROLLBACK_MS))
    print(f"savepoint vs git stash create: x{statistics.median(savepoint_ms) / statistics.median(stash_ms):.2f}")


def rollback_rounds(
    workspace: ACIDWorkspace, root: Path, files: list[Path], rng: random.Random, rounds: int
) -> list[float]:
    """Savepoint, then 10 edits, 2 new files and 1 deletion, then time the rollback."""
    samples = []
    for round_number in range(rounds):
        snapshot = workspace.savepoint({"round": round_number}, "before")
        target = snapshot.frame_index if snapshot.frame_index is not None else snapshot.number
        change_ten(files, rng, f"r{round_number}")
        (root / "pkg0" / f"new_{round_number}_a.py").write_text("a = 1\n")
        (root / "pkg1" / "fresh" / f"new_{round_number}_b.py").parent.mkdir(exist_ok=True)
        (root / "pkg1" / "fresh" / f"new_{round_number}_b.py").write_text("b = 2\n")
        victim = rng.choice(files)
        victim.unlink()
        samples.append(timed(lambda: workspace.rollback(target)))  # noqa: B023 - called at once
        assert victim.exists()
    return samples


def git_version() -> str:
    return subprocess.run(["git", "--version"], check=True, capture_output=True, text=True).stdout.split()[-1]


if __name__ == "__main__":
    main()
