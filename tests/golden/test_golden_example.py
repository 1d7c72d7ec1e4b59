"""The golden-run example runs as the README shows: saved once, answered whole, then all but one step."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from recorder import VCRPlayer
from recorder.golden import CostLedger

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "golden_agent.py"


def test_the_example_saves_serves_and_reruns_only_the_changed_step(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(tmp_path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("1. first run, every call made:  CostLedger(saved=0% | $0.0000 | 0 tokens")
    assert lines[2].startswith("2. same task again:             CostLedger(saved=100% | $0.0141 | 1630 tokens")
    assert lines[3].startswith("3. the writer's prompt changed: CostLedger(saved=26% | $0.0036 | 480 tokens")

    runs = sorted((tmp_path / "runs").glob("*.vcr"), key=lambda p: p.stat().st_mtime_ns)
    assert len(runs) == 3
    third = VCRPlayer.load(runs[-1])
    assert [f.source for f in third] == ["golden_cache"] * 4 + ["live"]
    assert str(CostLedger.of_recording(runs[-1])).startswith("CostLedger(saved=26% | $0.0036 | 480 tokens")

    again = subprocess.run(
        [sys.executable, str(EXAMPLE), str(tmp_path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert again.returncode == 0
    # It starts from no golden run every time: the same savings (the time saved is measured, so it varies).
    assert [without_time(line) for line in again.stdout.splitlines()[:4]] == [without_time(line) for line in lines[:4]]


def without_time(line: str) -> str:
    return re.sub(r"\d+(\.\d+)?\s*(ms|s)\b", "<time>", line)
