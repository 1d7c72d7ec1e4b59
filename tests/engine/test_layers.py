"""The floors of the code: the engine, the sources and the view models never import Textual.

Every module of those packages is imported in a fresh interpreter; none may pull in Textual (or,
for the engine, the app). An optional integration whose framework is not installed is skipped:
it imports its framework only when used, and its own test says so.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_PROBE = r"""
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
found, skipped = {}, []
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    before = set(sys.modules)
    try:
        importlib.import_module(info.name)
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] in ("recorder", "vcr_tui"):
            raise
        skipped.append(info.name)
        continue
    banned = sorted(m for m in set(sys.modules) - before if m.split(".")[0] in sys.argv[2:])
    if banned:
        found[info.name] = banned[:3]
print(json.dumps({"found": found, "skipped": skipped, "root": sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[2:])}))
"""


@pytest.mark.parametrize(
    ("package", "banned"),
    [
        ("recorder", ("textual", "vcr_tui")),
        ("vcr_tui.sources", ("textual",)),
        ("vcr_tui.logic", ("textual",)),
    ],
)
def test_no_module_of_the_floor_imports_what_sits_above_it(package: str, banned: tuple[str, ...]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, package, *banned], capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout)
    assert report["found"] == {}, f"{package}: modules that import {banned}: {report['found']}"
    assert report["root"] == []
