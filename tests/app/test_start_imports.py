"""What opening a recording loads before its first screen: nothing that only a later key needs.

Every module imported on the way to the first screen costs start-up time, so the dialogs, the
editors, the workspace machinery, the compare and graph views and the diff library load when
they are first used. A fresh interpreter imports what the command line and the debugger screen
import and reports which modules it holds; an import added at the top of a start-path module
that pulls in one of these shows up here, whatever the machine's speed.
"""

from __future__ import annotations

import json
import subprocess
import sys

# What the program imports to open a recording: the command line, the app, the debugger screen.
START_PATH = (
    "vcr_tui.cli",
    "vcr_tui.app",
    "vcr_tui.screens.debugger.file_screen",
)

# Loaded only when a key (or another kind of target) asks for them.
LATER_ONLY = (
    "click",  # ``vcr-tui PATH`` opens without it: only other command lines are parsed by click
    "deepdiff",  # the diff pane's library: its worker loads it once the first screen is drawn
    "recorder.golden.ledger",
    "recorder.acid.workspace",
    "recorder.compare",
    "recorder.diffing",  # the diff engine: the diff pane's worker loads it with the first diff
    "recorder.entry_points",
    "recorder.player",
    "recorder.resume",
    "recorder.resume_plan",
    "recorder.storage",
    "textual.widgets._data_table",
    "textual.widgets._text_area",
    "vcr_tui.cli_cloud",
    "vcr_tui.cli_golden",
    "vcr_tui.cli_group",
    "vcr_tui.key_help",  # what help and the command palette list
    "vcr_tui.logic.agent_choice",
    "vcr_tui.logic.checkpoint_resume",
    "vcr_tui.logic.compare_view",
    "vcr_tui.logic.editing",
    "vcr_tui.logic.graph_layout",
    "vcr_tui.logic.resume_run",
    "vcr_tui.logic.workspace_link",
    "vcr_tui.logic.workspace_text",
    "vcr_tui.screens.choice_screen",
    "vcr_tui.screens.compare_screen",
    "vcr_tui.screens.debugger.run_views",
    "vcr_tui.screens.debugger.workspace_dialogs",
    "vcr_tui.screens.directory_screen",
    "vcr_tui.screens.error_screen",
    "vcr_tui.screens.graph_screen",
    "vcr_tui.screens.help_screen",
    "vcr_tui.screens.json_editor_screen",
    "vcr_tui.screens.ledger_screen",
    "vcr_tui.screens.problems_screen",
    "vcr_tui.screens.value_viewer_screen",
)

PROGRAM = (
    "import importlib, json, sys\n"
    "for name in sys.argv[1:]:\n"
    "    importlib.import_module(name)\n"
    "print(json.dumps(sorted(sys.modules)))\n"
)


def loaded_by_start() -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, *START_PATH], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(done.stdout))


def test_the_start_path_leaves_later_modules_unloaded() -> None:
    loaded = loaded_by_start()
    assert set(START_PATH) <= loaded  # the check looked at a real start
    early = sorted(name for name in LATER_ONLY if name in loaded)
    assert early == [], f"loaded before the first screen: {early}"


def test_the_later_modules_exist() -> None:
    """Each name above is a real module: a renamed one would make the check pass for nothing."""
    program = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    subprocess.run([sys.executable, "-c", program, *LATER_ONLY], check=True, timeout=180)
