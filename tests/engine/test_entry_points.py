"""Entry points load what they name and fail with one clear sentence otherwise."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from recorder.entry_points import (
    EntryPointError,
    ModuleMissingError,
    load_entry_point,
    parse_agent_spec,
    parse_entry_point,
)


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


def test_a_file_named_by_path_loads_with_its_folder_first_on_the_import_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    project = tmp_path / "project"
    project.mkdir()
    (project / "helper_for_file_agent.py").write_text("FACTOR = 3\n")
    (project / "file_agent_mod.py").write_text(
        "from helper_for_file_agent import FACTOR\ndef run(x):\n    return x * FACTOR\n"
    )
    monkeypatch.delitem(sys.modules, "file_agent_mod", raising=False)
    monkeypatch.delitem(sys.modules, "helper_for_file_agent", raising=False)
    monkeypatch.chdir(tmp_path)
    agent = load_entry_point("project/file_agent_mod.py:run", allow_files=True)
    assert agent(2) == 6
    monkeypatch.delitem(sys.modules, "file_agent_mod")
    monkeypatch.delitem(sys.modules, "helper_for_file_agent")


def test_a_path_is_only_accepted_where_the_user_typed_the_name(tmp_path: Path) -> None:
    (tmp_path / "somewhere_agent.py").write_text("def run():\n    return 1\n")
    spec = f"{tmp_path}/somewhere_agent.py:run"
    with pytest.raises(EntryPointError, match="module:callable"):
        load_entry_point(spec)  # a recording's name: module form only
    parse_agent_spec(spec)  # what --agent accepts
    with pytest.raises(EntryPointError, match="no such file"):
        parse_agent_spec(f"{tmp_path}/missing.py:run")
    (tmp_path / "not-a-module.py").write_text("")
    with pytest.raises(EntryPointError, match="cannot be imported as a module"):
        parse_agent_spec(f"{tmp_path}/not-a-module.py:run")


def test_a_missing_module_is_told_apart_from_one_that_fails_to_import(tmp_path: Path) -> None:
    with pytest.raises(ModuleMissingError, match=f"no module of that name in {tmp_path}"):
        load_entry_point("no_such_module_abc:run", search_path=tmp_path)
    (tmp_path / "needs_a_package_mod.py").write_text("import no_such_dependency_xyz\n")
    with pytest.raises(EntryPointError, match="no_such_dependency_xyz") as caught:
        load_entry_point("needs_a_package_mod:run", search_path=tmp_path)
    assert not isinstance(caught.value, ModuleMissingError)
