"""The examples run as users run them (real subprocesses), and the integration stays optional.

Each example records a failing run into a temporary folder, is resumed from its guilty frame
with an edit from the command line, and again through its recorded entry point the way the
debugger's ``r`` does. ``import recorder`` must never import LangGraph, and the integration
module must import (and explain itself) where LangGraph is missing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from recorder import ResumeConfig, VCRPlayer, resume
from recorder.entry_points import load_entry_point

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=_env(), check=False
    )


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)  # the examples import the engine from this checkout
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # no __pycache__ left in the repository
    return env


def recording_in(folder: Path) -> Path:
    (path,) = folder.glob("*.vcr")
    return path


def load_agent(spec: str, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setattr(sys, "path", list(sys.path))  # load_entry_point prepends the folder
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # no __pycache__ left in examples/
    module = spec.partition(":")[0]
    monkeypatch.delitem(sys.modules, module, raising=False)
    agent = load_entry_point(spec, search_path=EXAMPLES)
    monkeypatch.delitem(sys.modules, module, raising=False)  # undone after the test, too
    return agent


def test_the_langgraph_example_records_a_failure_and_resumes_fixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("langgraph")
    recorded = run(str(EXAMPLES / "langgraph_agent.py"), str(tmp_path / "runs"), cwd=tmp_path)
    assert recorded.returncode == 0, recorded.stderr
    assert "over budget: 11086 EUR" in recorded.stdout
    path = recording_in(tmp_path / "runs")
    player = VCRPlayer.load(path)
    assert [f.node_name for f in player] == ["parse_request", "agent", "tools", "agent", "check_budget"]
    assert player.get_frame(1).input_state["amount"] == 12050.0 and player.get_frame(-1).is_error
    assert player.session.metadata["entry_point"] == "langgraph_agent:run_agent"

    fixed = run(
        str(EXAMPLES / "langgraph_agent.py"),
        "--resume",
        str(path),
        "--frame",
        "1",
        "--set",
        "amount=120.5",
        cwd=tmp_path,
    )
    assert fixed.returncode == 0, fixed.stderr
    assert "Within budget: 110.86 of 150 EUR." in fixed.stdout

    agent = load_agent(player.session.metadata["entry_point"], monkeypatch)
    result = resume(path, agent, ResumeConfig(from_frame=1, state_overrides={"amount": 120.5}))  # type: ignore[arg-type]
    assert result.succeeded, result.error
    fork = VCRPlayer.load(result.fork_path)
    assert [(f.node_name, f.source) for f in fork] == [
        ("parse_request", "replayed"),
        ("fork:agent", "fork"),
        ("agent", "live"),
        ("tools", "live"),
        ("agent", "live"),
        ("check_budget", "live"),
    ]
    assert fork.session.total_tokens == 113  # the two model calls made again, not the misreading one


def test_the_plain_example_records_a_failure_and_resumes_fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = run(str(EXAMPLES / "plain_agent.py"), str(tmp_path / "runs"), cwd=tmp_path)
    assert recorded.returncode == 0, recorded.stderr
    assert "no sources found for 'pyhton 3.13 release'" in recorded.stdout
    path = recording_in(tmp_path / "runs")
    player = VCRPlayer.load(path)
    assert [f.node_name for f in player] == ["llm:planner", "tool:search", "llm:writer"]
    assert player.get_frame(1).input_state == {"query": "pyhton 3.13 release"}

    fixed = run(
        str(EXAMPLES / "plain_agent.py"),
        *("--resume", str(path), "--frame", "1", "--set", 'query="python 3.13 release"'),
        cwd=tmp_path,
    )
    assert fixed.returncode == 0, fixed.stderr
    assert "Python 3.13.0 was released on 7 October 2024." in fixed.stdout

    agent = load_agent(player.session.metadata["entry_point"], monkeypatch)
    result = resume(path, agent, ResumeConfig(from_frame=1, state_overrides={"query": "python 3.12 release"}))  # type: ignore[arg-type]
    assert result.succeeded and result.output["answer"].startswith("Python 3.12.0")
    assert result.counts.from_recording == 1 and result.counts.live == 2  # the planner was not called


def test_a_bad_resume_request_is_a_clear_message(tmp_path: Path) -> None:
    missing = run(str(EXAMPLES / "plain_agent.py"), "--resume", str(tmp_path / "nope.vcr"), cwd=tmp_path)
    assert missing.returncode != 0 and "--resume needs --frame" in missing.stderr
    bad_set = run(
        str(EXAMPLES / "plain_agent.py"), "--resume", "x.vcr", "--frame", "1", "--set", "novalue", cwd=tmp_path
    )
    assert bad_set.returncode != 0 and "--set takes KEY=VALUE" in bad_set.stderr
    no_file = run(str(EXAMPLES / "plain_agent.py"), "--resume", "nope.vcr", "--frame", "1", cwd=tmp_path)
    assert no_file.returncode == 2 and "cannot resume nope.vcr: " in no_file.stderr
    recorded = run(str(EXAMPLES / "plain_agent.py"), str(tmp_path), cwd=tmp_path)
    assert recorded.returncode == 0
    path = recording_in(tmp_path)
    far = run(str(EXAMPLES / "plain_agent.py"), "--resume", str(path), "--frame", "99", cwd=tmp_path)
    assert far.returncode == 2 and "frame 99 out of range" in far.stderr
    assert "Traceback" not in missing.stderr + bad_set.stderr + no_file.stderr + far.stderr


def test_importing_the_engine_never_imports_langgraph() -> None:
    code = (
        "import sys, recorder, recorder.integrations, recorder.integrations.langgraph;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('langgraph', 'langchain_core')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_env())
    assert result.stdout.strip() == "[]"


def test_the_integration_explains_itself_where_langgraph_is_missing() -> None:
    code = (
        "import sys\n"
        "sys.modules['langgraph'] = None  # as if it were not installed\n"
        "from recorder.integrations.langgraph import LangGraphMissingError, VCRLangGraph\n"
        "try:\n"
        "    VCRLangGraph().wrap_graph(object())\n"
        "except LangGraphMissingError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_env())
    assert "needs the langgraph package (pip install langgraph)" in result.stdout
