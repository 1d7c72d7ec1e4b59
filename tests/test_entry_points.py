"""Entry points load what they name and fail with one clear sentence otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from recorder.entry_points import EntryPointError, load_entry_point, parse_entry_point


def test_loads_a_function_from_the_users_project(tmp_path: Path) -> None:
    (tmp_path / "my_agent_mod.py").write_text(
        "class Agent:\n    @staticmethod\n    def run(x):\n        return x * 2\nVALUE = 3\n"
    )
    assert load_entry_point("my_agent_mod:Agent.run", search_path=tmp_path)(4) == 8
    with pytest.raises(EntryPointError, match="not a callable"):
        load_entry_point("my_agent_mod:VALUE", search_path=tmp_path)
    with pytest.raises(EntryPointError, match="no attribute 'missing'"):
        load_entry_point("my_agent_mod:missing", search_path=tmp_path)


def test_import_failures_are_sentences(tmp_path: Path) -> None:
    (tmp_path / "broken_agent_mod.py").write_text("raise RuntimeError('needs an API key')\n")
    with pytest.raises(EntryPointError, match="RuntimeError: needs an API key"):
        load_entry_point("broken_agent_mod:run", search_path=tmp_path)
    with pytest.raises(EntryPointError, match="cannot import 'no_such_module_xyz'"):
        load_entry_point("no_such_module_xyz:run")


@pytest.mark.parametrize("spec", ["", "module", "module:", ":f", "a b:c", "os:system; rm -rf", "../x:y"])
def test_malformed_specs_are_refused_before_importing(spec: str) -> None:
    with pytest.raises(EntryPointError, match="module:callable"):
        parse_entry_point(spec)
