"""Small scripted editors: real programs that ``$EDITOR`` can name, each doing one kind of edit.

Each is a Python script that receives the file to edit as its last argument (as any editor
does), may take arguments of its own before it (``EDITOR="python3 script.py --flag"``), and
logs what it saw, so a test can check that text typed in an earlier round was kept.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

_HEADER = """\
import json, pathlib, sys
path = pathlib.Path(sys.argv[-1])
text = path.read_text(encoding="utf-8")
log = pathlib.Path({log!r})
runs = log.read_text(encoding="utf-8").count("\\n=== run\\n") if log.exists() else 0
with log.open("a", encoding="utf-8") as out:
    out.write("\\n=== run\\n" + " ".join(sys.argv[1:-1]) + "\\n" + text)
"""


def write_editor(folder: Path, name: str, body: str, *args: str) -> tuple[str, Path]:
    """A scripted editor in ``folder``: the ``$EDITOR`` value that runs it, and its log file.

    ``body`` is Python run after the header above, with ``path``, ``text`` and ``runs`` (how
    many times the editor ran before) defined.
    """
    script = folder / f"{name}.py"
    log = folder / f"{name}.log"
    script.write_text(_HEADER.format(log=str(log)) + body, encoding="utf-8")
    command = shlex.join([sys.executable, str(script), *args])
    return command, log


def runs_seen(log: Path) -> list[str]:
    """The text the editor was given at each run, in order."""
    if not log.exists():
        return []
    chunks = log.read_text(encoding="utf-8").split("\n=== run\n")[1:]
    return [chunk.split("\n", 1)[1] for chunk in chunks]


FIX_FORMULA = """
path.write_text(text.replace("(f - 32) * 9 / 5", "(f - 32) * 5 / 9"), encoding="utf-8")
"""

LEAVE_ALONE = """
pass
"""

# First run: the fix, but with a comma deleted (invalid JSON). Second run: put the comma back.
BREAK_THEN_FIX = """
if runs == 0:
    fixed = text.replace("(f - 32) * 9 / 5", "(f - 32) * 5 / 9")
    path.write_text(fixed.replace('"plan": [', '"plan" [', 1), encoding="utf-8")
else:
    path.write_text(text.replace('"plan" [', '"plan": [', 1), encoding="utf-8")
"""

SET_OUTPUT_CODE = """
state = json.loads(text)
state["code"] = "def f_to_c(f):\\n    return 0\\n"
path.write_text(json.dumps(state, indent=2), encoding="utf-8")
"""

GIVE_UP = """
path.write_text(text.replace("(f - 32) * 9 / 5", "(f - 32) * 5 / 9"), encoding="utf-8")
sys.exit(1)
"""
