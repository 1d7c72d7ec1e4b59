"""REPLAY cost: resuming an agent whose 1,000-step prefix is unchanged.

Prints the median and p95 of (a) resuming from frame 1,000 of a 1,001-step run (the prefix is
answered from the recording, no step runs) and (b) REPLAY from frame 0 with nothing edited, where
every step is answered and recorded as replayed; beside a baseline measured in the same run:
forking at the same frame without running anything. Also counts agent calls (must be 0).

    python bench/bench_resume.py [--steps 1000] [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sample_stats import percentile

from recorder import ResumeConfig, ResumeMode, VCRPlayer, VCRRecorder, fork_recording, vcr_record

CALLS = {"step": 0}


@vcr_record
def step(state: dict[str, Any]) -> dict[str, Any]:
    CALLS["step"] += 1
    return {"n": state["n"] + 1, "notes": state["notes"]}


def make_agent(steps: int) -> Any:
    def agent(state: dict[str, Any]) -> dict[str, Any]:
        for _ in range(steps):
            state = step(state)
        return state

    return agent


def timed(runs: int, action: Any) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)


def describe(name: str, samples: list[float], baseline: float | None = None) -> str:
    median = statistics.median(samples)
    p95 = percentile(samples, 0.95)
    ratio = f"  ({median / baseline:.1f}x baseline)" if baseline else ""
    return f"{name:<48} median {median:8.2f} ms   p95 {p95:8.2f} ms{ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        agent = make_agent(args.steps + 1)
        recorder = VCRRecorder(out / "runs")
        recorder.start_session()
        with recorder:
            agent({"n": 0, "notes": "x" * 500})
        recorder.close()
        assert recorder.path is not None
        player = VCRPlayer.load(recorder.path)
        forks = out / "forks"

        baseline = timed(args.runs, lambda: fork_recording(player.path, args.steps, output_dir=forks).close())
        CALLS["step"] = 0
        prefix = timed(
            args.runs,
            lambda: player.resume(agent, ResumeConfig(from_frame=args.steps, mode=ResumeMode.REPLAY), output_dir=forks),
        )
        prefix_calls = CALLS["step"] / args.runs
        CALLS["step"] = 0
        replay_all = timed(
            args.runs,
            lambda: player.resume(agent, ResumeConfig(from_frame=0, mode=ResumeMode.REPLAY), output_dir=forks),
        )
        replay_calls = CALLS["step"] / args.runs

    base = statistics.median(baseline)
    print(f"REPLAY with an unchanged {args.steps}-step prefix ({args.runs} runs each)")
    print(describe(f"baseline: fork at frame {args.steps} (copy prefix)", baseline))
    print(
        describe(f"resume from frame {args.steps}, prefix answered", prefix, base)
        + f"   agent calls {prefix_calls:.0f}"
    )
    print(
        describe(f"REPLAY all {args.steps + 1} steps from frame 0", replay_all, base)
        + f"   agent calls {replay_calls:.0f}"
    )


if __name__ == "__main__":
    main()
