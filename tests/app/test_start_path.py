"""The program's start: the cycle collector waits for the first screen and runs again after it.

Each check runs in a fresh interpreter: freezing objects (what the real program does) must not
happen in the test process, and what a start loads can only be seen from a clean one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "vcr_tui" / "samples" / "sample.vcr"

FIRST_SCREEN_PROBE = """
import gc, json, sys, time
from pathlib import Path

from vcr_tui.app import VCRApp
from vcr_tui.logic.gc_pause import start_paused

seen = {}


async def first_screen(pilot):
    deadline = time.monotonic() + 60
    while not gc.isenabled() and time.monotonic() < deadline:
        await pilot.pause()
    seen["enabled_while_running"] = gc.isenabled()
    seen["frozen"] = gc.get_freeze_count()
    seen["frames_shown"] = pilot.app.screen.frame_list.frame_count
    pilot.app.exit()


with start_paused():
    seen["paused_before"] = not gc.isenabled()
    app = VCRApp(Path(sys.argv[1]), freeze_gc=True)
    app.run(headless=True, size=(120, 35), auto_pilot=first_screen)
print(json.dumps(seen))
"""


def run_probe(code: str, *args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_first_screen_lets_the_collector_run_again_after_freezing_what_the_start_built() -> None:
    seen = run_probe(FIRST_SCREEN_PROBE, str(SAMPLE))
    assert seen["paused_before"] is True
    assert seen["enabled_while_running"] is True  # not only once the program has ended
    assert isinstance(seen["frozen"], int) and seen["frozen"] > 0
    assert isinstance(seen["frames_shown"], int) and seen["frames_shown"] > 0
