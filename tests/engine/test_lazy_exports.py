"""Packages that import their public names on first use: each name resolves, and is where it says."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["recorder", "recorder.acid", "recorder.golden", "vcr_tui.sources"]


def imported_names(package: str) -> tuple[dict[str, str], dict[str, str]]:
    """The names the package's ``__init__`` imports from its own modules: at once, and for type checkers only."""
    source = (ROOT / package.replace(".", "/") / "__init__.py").read_text(encoding="utf-8")
    eager: dict[str, str] = {}
    for_types: dict[str, str] = {}

    def collect(statements: list[ast.stmt], into: dict[str, str]) -> None:
        for statement in statements:
            if isinstance(statement, ast.ImportFrom) and (statement.module or "").startswith(package + "."):
                assert statement.module is not None
                for alias in statement.names:
                    into[alias.asname or alias.name] = statement.module

    tree = ast.parse(source)
    collect(tree.body, eager)
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            collect(node.body, for_types)
    eager.pop("lazy_exports", None)
    return eager, for_types


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_resolves_from_the_module_named_for_it(package: str) -> None:
    module = importlib.import_module(package)
    eager, for_types = imported_names(package)
    assert for_types == module.EXPORTS  # what type checkers see is what runs
    assert set(module.__all__) == set(module.EXPORTS) | set(eager)
    for name, home in {**module.EXPORTS, **eager}.items():
        importlib.import_module(home)  # importing a module first must not change what the name is
        assert getattr(module, name) is getattr(importlib.import_module(home), name), name
        assert name in dir(module)


@pytest.mark.parametrize("package", PACKAGES)
def test_an_unknown_name_is_an_attribute_error(package: str) -> None:
    module = importlib.import_module(package)
    with pytest.raises(AttributeError, match="no_such_name"):
        module.no_such_name  # noqa: B018


def test_reading_frames_loads_no_workspace_resume_or_comparison_code() -> None:
    code = (
        "import sys; from recorder import Frame, VCRReader; import recorder.acid;"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('recorder.'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(result.stdout.strip().split(","))
    assert "recorder.reader" in loaded and "recorder.models" in loaded
    for heavy in ("recorder.acid.workspace", "recorder.resume", "recorder.compare", "recorder.golden"):
        assert heavy not in loaded, heavy


def test_importing_the_resume_module_leaves_recorder_resume_the_function() -> None:
    code = (
        "import recorder; from recorder.resume import ResumeConfig; import recorder.resume as named;"
        "from recorder import resume; print(callable(resume) and resume is named and resume.__module__)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "recorder.resume"
