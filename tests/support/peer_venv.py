"""The public ``ai-agent-vcr`` package, installed in throwaway virtualenvs and driven by subprocess.

The format promise is "what that package writes loads here, and what we write loads there", so
the tests run the real package rather than a copy of its schema. This module has two halves:

- the test side (``require_peer``), stdlib only: creates one virtualenv per peer version, caches
  it between runs, and runs this very file inside it;
- the peer side (``python peer_venv.py <command> ...``), which runs in the peer's virtualenv,
  imports ``agent_vcr``, records scenarios with its recorders or loads files with its player, and
  prints a JSON summary on stdout for the tests to assert on.

Virtualenvs are cached under ``$VCR_TUI_PEER_CACHE``, else ``~/.cache/vcr-tui-tests``, keyed by
version and Python version, so only the first run needs the network. Without it the tests that
need the peer skip, saying why.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

# What each peer label installs. "1.5" follows the newest 1.5.x release.
PEER_SPECS = {"0.5.0": "ai-agent-vcr==0.5.0", "1.5": "ai-agent-vcr>=1.5,<1.6"}
PIP_TIMEOUT_S = 600

# -- values both halves know, so the tests can state what each scenario must read back --------

WHEN = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc)
WHEN_ISO = "2026-01-02T03:04:05.678901+00:00"


class Priority(enum.Enum):
    LOW = "low"
    HIGH = "high"


DIFF_STEPS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    # Each step changes every key of the one before, so even a 0.5.0 diff file (which drops the
    # first state) can be rebuilt from its ops from the second frame on.
    ("start", {}, {"step": 1, "notes": ["a"]}),
    ("think", {"step": 1, "notes": ["a"]}, {"step": 2, "notes": ["a", "b"], "when": WHEN}),
    ("act", {"step": 2, "notes": ["a", "b"], "when": WHEN}, {"step": 3, "notes": ["a", "b", "c"], "when": WHEN}),
    ("finish", {"step": 3, "notes": ["a", "b", "c"], "when": WHEN}, {"step": 4, "done": True}),
]


# == test side ===================================================================================


@dataclasses.dataclass(frozen=True)
class PeerVenv:
    """One installed peer: its interpreter and the exact version pip chose."""

    label: str
    python: Path
    version: str

    def run(self, command: str, *args: str, cwd: Path, timeout: float = 180) -> Any:
        """Run this file's peer half with ``command`` in the peer's venv; its JSON output, parsed.

        ``cwd`` should be a scratch folder: the peer drops a ``manifest.json`` where it works.
        """
        env = {**os.environ, "PYTHONUTF8": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8"}
        env.pop("PYTHONPATH", None)
        done = subprocess.run(
            [str(self.python), str(Path(__file__).resolve()), command, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=cwd,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"ai-agent-vcr {self.version} `{command}` failed ({done.returncode}):\n{done.stderr[-4000:]}"
            )
        return json.loads(done.stdout)


class PeerUnavailable(Exception):
    """The peer could not be installed here (usually: no network on a first run)."""


def ensure_peer(label: str, root: Path) -> PeerVenv:
    """The cached venv for ``label``, created on first use; raises PeerUnavailable with the reason."""
    from tests.support.cached_venv import cached_venv  # the test side only: this file also runs in the peer's venv

    name = f"ai-agent-vcr-{label}-py{sys.version_info.major}.{sys.version_info.minor}"
    python = cached_venv(
        root / name,
        [PEER_SPECS[label]],
        lambda python: _installed_version(python) is not None,
        options=("--timeout", "20", "--retries", "1"),
        timeout=PIP_TIMEOUT_S,
        probe="agent_vcr",
        unavailable=PeerUnavailable,
    )
    return PeerVenv(label, python, _installed_version(python) or "")


_known: dict[str, PeerVenv | Exception] = {}


def require_peer(label: str) -> PeerVenv:
    """The peer for ``label`` (built once per test session), or skip the calling test saying why."""
    from tests.support.cached_venv import built_once, cache_root

    return built_once(_known, label, lambda: ensure_peer(label, cache_root()), PeerUnavailable, f"ai-agent-vcr {label}")


def _installed_version(python: Path) -> str | None:
    if not python.exists():
        return None
    probe = subprocess.run(
        [str(python), "-c", "import agent_vcr, importlib.metadata as m; print(m.version('ai-agent-vcr'))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


# == peer side (runs inside the peer's venv) =====================================================


def _plain(value: Any) -> Any:
    """What the peer handed back, as JSON the tests can compare (datetimes tagged, bytes decoded)."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": bytes(value).decode("latin-1")}
    if isinstance(value, enum.Enum):
        return {"$enum": _plain(value.value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return {"$model": _plain(value.model_dump(mode="json"))}
    return value


def _summary(scenario: str, recorder: Any, path: Any, expected: Any = None) -> dict[str, Any]:
    from agent_vcr.models import StateSerializer

    session = recorder.get_session()
    return {
        "scenario": scenario,
        "path": str(path),
        "session": session.model_dump(mode="json"),
        "frames": [frame.model_dump(mode="json") for frame in recorder.get_frames()],
        "expected": None
        if expected is None
        else [[StateSerializer.serialize(i), StateSerializer.serialize(o)] for i, o in expected],
    }


def _record_sync(out: Path) -> list[dict[str, Any]]:
    from agent_vcr.models import FrameMetadata
    from agent_vcr.recorder import VCRRecorder
    from pydantic import BaseModel

    class Ticket(BaseModel):
        title: str
        points: int

    made = []
    rec = VCRRecorder(output_dir=str(out))
    rec.start_session(session_id="peer-helpers", metadata={"task": "fix calc", "agent": "demo"}, tags=["interop"])
    rec.record_step(
        "plan",
        {"task": "fix calc", "step": 0},
        {
            "task": "fix calc",
            "step": 1,
            "when": WHEN,
            "priority": Priority.HIGH,
            "ticket": Ticket(title="calc", points=3),
            "plan": ["read", "patch"],
            "text": "café ☕",
        },
        metadata=FrameMetadata(latency_ms=5.0, custom={"note": "first"}),
    )
    rec.record_llm_call(
        "gpt-4o-mini",
        [{"role": "user", "content": "fix?"}],
        {"role": "assistant", "content": "swap the sign"},
        tokens_input=12,
        tokens_output=8,
        latency_ms=250.0,
        cost_usd=0.0002,
    )
    rec.record_tool_call("run_tests", {"cmd": "pytest -q"}, {"passed": 3, "failed": 1}, latency_ms=1200.0)
    rec.record_tool_call("write_file", {"path": "calc.py"}, None, latency_ms=3.0, error="Permission denied")
    rec.record_error("patch", {"file": "calc.py"}, PermissionError("read-only file system"), latency_ms=1.5)
    if hasattr(rec, "record_checkpoint"):
        rec.record_checkpoint({"step": 5, "when": WHEN}, label="before_patch")
    # 0.5.0 forks from its unsaved buffer, so fork before saving.
    fork = rec.fork(0, new_session_id="peer-fork", state_overrides={"plan": ["other plan"]})
    fork.record_step("plan_b", {"step": 1}, {"step": 2, "plan": ["other plan"]})
    made.append(_summary("helpers", rec, rec.save()))
    made.append(_summary("fork", fork, fork.save()))

    many = VCRRecorder(output_dir=str(out))
    many.start_session(session_id="peer-many")
    for step in range(250):  # more than the peer's buffer of 100: it flushes twice on the way
        many.record_step(f"step_{step % 5}", {"step": step}, {"step": step + 1}, metadata=FrameMetadata(tokens_used=2))
        if step == 120:
            many.save()
    made.append(_summary("many", many, many.save()))

    diff = VCRRecorder(output_dir=str(out), diff_mode=True)
    diff.start_session(session_id="peer-diff")
    for node, before, after in DIFF_STEPS:
        diff.record_step(node, before, after)
    made.append(_summary("diff", diff, diff.save(), expected=[(before, after) for _, before, after in DIFF_STEPS]))
    return made


def _record_async(out: Path) -> list[dict[str, Any]]:
    from agent_vcr.async_recorder import AsyncVCRRecorder

    async def scenario() -> dict[str, Any]:
        rec = AsyncVCRRecorder(output_dir=str(out))
        await rec.start_session(session_id="peer-async", tags=["async"])
        await rec.record_step("plan", {"step": 0}, {"step": 1, "when": WHEN})
        await rec.record_llm_call(
            "gpt-4o-mini",
            [{"role": "user", "content": "hi"}],
            "hello",
            tokens_input=5,
            tokens_output=7,
            latency_ms=10.0,
        )
        await rec.record_tool_call("search", {"q": "calc bug"}, ["result one"], latency_ms=2.0)
        await rec.record_error("boom", {"x": 1}, ValueError("bad value"))
        return _summary("async", rec, await rec.save())

    return [asyncio.run(scenario())]


def _load(paths: list[str]) -> list[dict[str, Any]]:
    from agent_vcr.models import StateSerializer
    from agent_vcr.player import VCRPlayer

    loaded = []
    for path in paths:
        try:
            player = VCRPlayer.load(path)
        except Exception as exc:  # the test reports what the peer said
            loaded.append({"path": path, "error": f"{type(exc).__name__}: {exc}"})
            continue
        frames = []
        for index, frame in enumerate(player.frames):
            try:
                output = _plain(player.goto_frame(index))
            except Exception as exc:
                output = {"$error": f"{type(exc).__name__}: {exc}"}
            try:
                inputs = _plain(StateSerializer.deserialize(frame.input_state))
            except Exception as exc:
                inputs = {"$error": f"{type(exc).__name__}: {exc}"}
            frames.append(
                {
                    "frame_id": frame.frame_id,
                    "node_name": frame.node_name,
                    "frame_type": frame.frame_type.value,
                    "timestamp": frame.timestamp.isoformat(),
                    "metadata": frame.metadata.model_dump(mode="json"),
                    "input": inputs,
                    "output": output,
                }
            )
        loaded.append(
            {
                "path": path,
                "session": player.session.model_dump(mode="json"),
                "frames": frames,
                "nodes": player.list_nodes(),
                "skipped_lines": getattr(player, "skipped_lines", None),
            }
        )
    return loaded


GOLDEN_TASK = "Build a REST API with JWT auth"


def _golden_save(folder: Path) -> dict[str, Any]:
    """Record a short run with the peer and save it with the peer's own golden cache."""
    from agent_vcr.golden_cache import GoldenRunCache
    from agent_vcr.recorder import VCRRecorder

    rec = VCRRecorder(output_dir=str(folder / "runs"))
    rec.start_session(session_id="peer-golden")
    rec.record_step("plan", {"task": GOLDEN_TASK}, {"plan": ["routes", "auth"]})
    rec.record_llm_call(
        "gpt-4o-mini",
        [{"role": "user", "content": "write the routes"}],
        "app.get('/items')",
        tokens_input=30,
        tokens_output=20,
        latency_ms=400.0,
        cost_usd=0.003,
    )
    rec.record_tool_call("run_tests", {"cmd": "pytest -q"}, {"passed": 4}, latency_ms=900.0)
    fingerprint = GoldenRunCache(str(folder / "golden")).save_golden_run(GOLDEN_TASK, rec, tags=["peer"])
    return {"task": GOLDEN_TASK, "fingerprint": fingerprint}


def _golden_replay(folder: Path, task: str) -> dict[str, Any]:
    """Replay a golden run from a folder with the peer's cache (which we may have written)."""
    from agent_vcr.golden_cache import GoldenRunCache

    cache = GoldenRunCache(str(folder))
    outputs, ledger = cache.replay(task, recorder=None)
    return {"has": cache.has_golden_run(task), "outputs": _plain(outputs), "summary": ledger.summary()}


def _peer_main(argv: list[str]) -> int:
    command, args = argv[0], argv[1:]
    if command == "record-sync":
        result: Any = _record_sync(Path(args[0]))
    elif command == "record-async":
        result = _record_async(Path(args[0]))
    elif command == "load":
        result = _load(args)
    elif command == "golden-save":
        result = _golden_save(Path(args[0]))
    elif command == "golden-replay":
        result = _golden_replay(Path(args[0]), args[1])
    else:
        print(f"unknown command {command!r}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(_peer_main(sys.argv[1:]))
