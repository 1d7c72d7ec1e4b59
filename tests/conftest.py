"""Shared test setup for the app: a stable terminal environment and where snapshot SVGs live.

Kept to what every app test needs; fixtures of one area belong in that area's own modules.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_textual_snapshot
from textual.widgets import Input, TextArea

from tests.support import phoenix_support
from tests.support.app_support import keep_notification_log
from vcr_tui.logic import live_badge

SNAPSHOT_DIR = Path(__file__).resolve().parents[1] / "snapshots"

# Variables that change how Textual or Rich draw: cleared so tests and snapshots look the same
# on every machine and in CI, whatever the developer's shell exports.
_DISPLAY_VARIABLES = (
    "NO_COLOR",
    "FORCE_COLOR",
    "COLORTERM",
    "TEXTUAL_THEME",
    "TEXTUAL_ANIMATIONS",
    "TEXTUAL_COLOR_SYSTEM",
    "TEXTUAL_DEBUG",
    "TEXTUAL_DEVTOOLS_HOST",
    "TEXTUAL_DEVTOOLS_PORT",
    "TEXTUAL_FPS",
    "TEXTUAL_PRESS",
    "TEXTUAL_SCREENSHOT",
    "TEXTUAL_SHOW_RETURN",
    "TEXTUAL_ALLOW_SIGNALS",
    "VCR_TUI_KEYMAP",
)


def _without_blink(init: Callable[..., None]) -> Callable[..., None]:
    """``init`` of a text widget, then its cursor told not to blink, through the public attribute."""

    def init_without_blink(self: Input | TextArea, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.cursor_blink = False

    return init_without_blink


@pytest.fixture(autouse=True)
def _stable_terminal_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    for name in _DISPLAY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    # No user keymap or config from the developer's home directory.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    # No summaries or indexes cached by another test or by the developer's own use.
    monkeypatch.setenv("VCR_TUI_CACHE", str(tmp_path_factory.mktemp("cache")))
    # What the app said stays readable however long a busy machine takes to get to the check.
    keep_notification_log(monkeypatch)
    # A text cursor that blinks is drawn or not depending on how long a busy machine took to get
    # to the screenshot: it stays drawn, as in the first half-second of every blink cycle.
    for widget in (Input, TextArea):
        monkeypatch.setattr(widget, "__init__", _without_blink(widget.__init__))
    # A busy machine can take longer than the ten seconds after which a file no longer written to
    # is shown IDLE, between a test's write and its look at the badge: in tests that takes an hour
    # (the badge's own tests age their files past it).
    monkeypatch.setattr(live_badge, "IDLE_AFTER", 3600.0)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the slow servers now, so they come up while the tests before theirs run."""
    phoenix_support.start_early(session.items)


def pytest_sessionfinish(session: pytest.Session) -> None:
    phoenix_support.stop()


def _snapshot_dirname(cls: type, *, test_location: object) -> str:
    """``snapshots/<test module>/``: the top-level folder, one subfolder per test module."""
    return str(SNAPSHOT_DIR / test_location.basename)  # type: ignore[attr-defined]


pytest_textual_snapshot.SVGImageExtension.dirname = classmethod(_snapshot_dirname)  # type: ignore[method-assign,assignment]


# -- recordings for the app's tests ----------------------------------------------------------------
# Written line by line with fixed ids and timestamps, so every screen they produce is reproducible.

_STAMP = "2026-01-02T03:04:{second:02d}.{micro:06d}+00:00"


def _session_record(session_id: str, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "session_id": session_id,
        "parent_session_id": None,
        "forked_from_frame": None,
        "created_at": "2026-01-02T03:04:00.000000+00:00",
        "updated_at": "2026-01-02T03:05:00.000000+00:00",
        "metadata": {},
        "tags": [],
        "frame_count": 0,
        "total_tokens": 0,
        "total_cost_usd": 0.0,
    }
    data.update(fields)
    return {"type": "session", "data": data}


def _frame_record(
    index: int,
    node: str,
    kind: str = "node",
    inputs: object = None,
    outputs: object = None,
    session_id: str = "run-1",
    **metadata: object,
) -> dict[str, object]:
    meta: dict[str, object] = {
        "model": None,
        "latency_ms": 1.0 + index,
        "tokens_used": None,
        "tokens_input": None,
        "tokens_output": None,
        "cost_usd": None,
        "error_type": None,
        "error_message": None,
        "custom": {},
    }
    meta.update(metadata)
    return {
        "type": "frame",
        "data": {
            "frame_id": f"00000000-0000-4000-8000-{index:012d}",
            "session_id": session_id,
            "parent_frame_id": None,
            "timestamp": _STAMP.format(second=index % 60, micro=index * 1000 % 1_000_000),
            "frame_type": kind,
            "node_name": node,
            "input_state": inputs if inputs is not None else {},
            "output_state": outputs if outputs is not None else {},
            "metadata": meta,
            "state_diff": None,
        },
    }


def _write(path: Path, records: list[object]) -> Path:
    import orjson

    with path.open("wb") as out:
        for record in records:
            out.write(record if isinstance(record, bytes) else orjson.dumps(record) + b"\n")
    return path


class AppRecordings:
    """Factory of deterministic recordings in a test's temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def demo(self, name: str = "demo.vcr", session_id: str = "run-1") -> Path:
        """Twelve frames of a small agent: every frame type, a failed tool, an error, typed values."""
        start = {"task": "fix the failing test", "step": 0}
        planned = {**start, "step": 1, "plan": ["read test", "patch code", "run tests"]}
        messages = [{"role": "user", "content": "How do I fix test_add?"}]
        answer = {"role": "assistant", "content": "Change + to - in add()"}
        long_text = "\n".join(f"line {n}: the quick brown fox jumps over the lazy dog" for n in range(1, 41))
        items = [{"id": n, "name": f"item-{n}"} for n in range(250)]
        records: list[object] = [
            _session_record(session_id, metadata={"task": "fix the failing test"}, tags=["demo"]),
            _frame_record(0, "plan", "node", start, planned, session_id),
            _frame_record(
                1,
                "llm:gpt-4o-mini",
                "llm",
                {"messages": messages},
                {"response": answer},
                session_id,
                model="gpt-4o-mini",
                tokens_input=20,
                tokens_output=8,
                tokens_used=28,
                cost_usd=0.00042,
                latency_ms=850.0,
            ),
            _frame_record(
                2, "tool:read_file", "tool", {"path": "calc.py"}, {"result": long_text, "error": None}, session_id
            ),
            _frame_record(
                3,
                "tool:write_file",
                "tool",
                {"path": "calc.py"},
                {"result": None, "error": "Permission denied"},
                session_id,
                error_type="ToolError",
                error_message="Permission denied",
            ),
            _frame_record(
                4,
                "apply_patch",
                "error",
                planned,
                {"error": "patch does not apply"},
                session_id,
                error_type="ValueError",
                error_message="patch does not apply",
            ),
            _frame_record(
                5,
                "checkpoint:before-retry",
                "checkpoint",
                planned,
                planned,
                session_id,
                custom={"checkpoint_label": "before-retry"},
            ),
            _frame_record(
                6,
                "collect",
                "node",
                planned,
                {
                    **planned,
                    "step": 2,
                    "items": items,
                    "when": {"__type__": "datetime", "data": "2024-01-02T03:04:05+00:00"},
                    "priority": {"__type__": "Enum", "__class__": "Priority", "data": "high"},
                    "forecast": {
                        "__type__": "Forecast",
                        "__module__": "weather",
                        "data": {"city": "Lisbon", "high": 19.5},
                    },
                },
                session_id,
            ),
            _frame_record(
                7,
                "llm:gpt-4o-mini",
                "llm",
                {"messages": messages},
                {"response": answer},
                session_id,
                model="gpt-4o-mini",
                tokens_input=35,
                tokens_output=12,
                tokens_used=47,
                cost_usd=0.0007,
                latency_ms=1210.0,
            ),
            _frame_record(8, "run_tests", "node", {"step": 2}, {"step": 3, "passed": 3, "failed": 0}, session_id),
            _frame_record(9, "report", "node", {"step": 3}, {"step": 4, "report": "all green"}, session_id),
            _frame_record(
                10, "tool:notify", "tool", {"channel": "#dev"}, {"result": {"ok": True}, "error": None}, session_id
            ),
            _frame_record(11, "finish", "node", {"step": 4}, {"step": 5, "done": True}, session_id),
            _session_record(
                session_id,
                metadata={"task": "fix the failing test"},
                tags=["demo"],
                frame_count=12,
                total_tokens=75,
                total_cost_usd=0.00112,
            ),
        ]
        return _write(self.folder / name, records)

    def many(self, count: int, name: str = "many.vcr", errors_every: int = 0) -> Path:
        """``count`` small frames named ``node_<i % 7>``; every ``errors_every``-th is an error."""
        records: list[object] = [_session_record("many")]
        for index in range(count):
            kind = "error" if errors_every and index % errors_every == errors_every - 1 else "node"
            records.append(_frame_record(index, f"node_{index % 7}", kind, {"i": index}, {"i": index + 1}, "many"))
        return _write(self.folder / name, records)

    def hostile(self, name: str = "hostile.vcr") -> Path:
        """Markup and terminal control sequences in node names, keys and values."""
        evil = "[bold red]x[/] [link=http://e]click[/link] \x1b]52;c;aGFjaw==\x07 \x1b[31mred\r\x9bover"
        records: list[object] = [
            _session_record("[bold]sess\x1b[2J"),
            _frame_record(
                0,
                evil,
                "node",
                {evil: evil},
                {"value": evil, "nested": {"k": [evil]}},
                "x",
                model="[i]m\x1b[5m",
                error_type=None,
            ),
            _frame_record(
                1,
                "tool:[red]t",
                "tool",
                {"a": 1},
                {"result": None, "error": evil},
                "x",
                error_type="Tool[bold]Error",
                error_message=evil,
            ),
        ]
        return _write(self.folder / name, records)

    def with_problems(self, name: str = "broken.vcr") -> Path:
        """Three good frames and three lines that cannot be used."""
        records: list[object] = [
            _session_record("broken"),
            _frame_record(0, "first", "node", {"a": 1}, {"a": 2}, "broken"),
            b"this is not json\n",
            _frame_record(1, "second", "node", {"a": 2}, {"a": 3}, "broken"),
            b'{"type": "frame", "data": {"frame_id": "cut\n',
            b"[1, 2, 3]\n",
            _frame_record(2, "third", "node", {"a": 3}, {"a": 4}, "broken"),
        ]
        return _write(self.folder / name, records)

    def big_state(self, name: str = "big.vcr", megabytes: float = 1.0) -> Path:
        """A frame whose state is about ``megabytes`` MB, between two small ones."""
        count = int(megabytes * 1_000_000 / 60)
        rows = [{"id": n, "text": "z" * 40, "tags": ["a", "b"]} for n in range(count)]
        changed = [dict(row) for row in rows]
        changed[count // 2]["text"] = "changed"
        records: list[object] = [
            _session_record("big"),
            _frame_record(0, "small", "node", {"a": 1}, {"a": 2}, "big"),
            _frame_record(1, "huge", "node", {"rows": rows, "blob": "y" * 200_000}, {"rows": changed}, "big"),
            _frame_record(2, "small-again", "node", {"a": 2}, {"a": 3}, "big"),
        ]
        return _write(self.folder / name, records)

    def diff_mode(self, name: str = "diffmode.vcr") -> Path:
        """A file in the peer's "diff mode": states rebuilt from ``state_diff`` ops."""
        first = _frame_record(0, "start", "node", {}, {"a": 1, "b": [1]}, "dm")
        second = _frame_record(1, "grow", "node", {}, {}, "dm")
        second["data"]["state_diff"] = [{"op": "add", "path": "/c", "value": "new"}]  # type: ignore[index]
        third = _frame_record(2, "shrink", "node", {}, {}, "dm")
        third["data"]["state_diff"] = [{"op": "remove", "path": "/a"}]  # type: ignore[index]
        return _write(self.folder / name, [_session_record("dm"), first, second, third])

    def sessions_folder(self, name: str = "runs") -> Path:
        """A folder with two runs, a fork of one of them (and a fork of the fork), and a junk file."""
        folder = self.folder / name
        folder.mkdir()
        self.demo_into(folder / "run-1.vcr", "run-1", created="2026-01-02T03:04:00.000000+00:00")
        self.demo_into(folder / "run-2.vcr", "run-2", created="2026-01-03T08:00:00.000000+00:00")
        self.demo_into(
            folder / "run-1-fork.vcr",
            "run-1-fork",
            created="2026-01-02T04:00:00.000000+00:00",
            parent="run-1",
            forked_from=4,
        )
        self.demo_into(
            folder / "run-1-fork-b.vcr",
            "run-1-fork-b",
            created="2026-01-02T05:00:00.000000+00:00",
            parent="run-1-fork",
            forked_from=2,
        )
        (folder / "notes.txt").write_text("not a recording\n")
        (folder / "empty.vcr").write_bytes(b"")
        return folder

    def demo_into(
        self, path: Path, session_id: str, *, created: str, parent: str | None = None, forked_from: int | None = None
    ) -> Path:
        records: list[object] = [
            _session_record(
                session_id,
                created_at=created,
                parent_session_id=parent,
                forked_from_frame=forked_from,
                tags=["demo"] if parent is None else ["demo", "fork"],
            ),
            _frame_record(0, "plan", "node", {"s": 0}, {"s": 1}, session_id),
            _frame_record(
                1,
                "llm:gpt-4o-mini",
                "llm",
                {"m": 1},
                {"r": 2},
                session_id,
                model="gpt-4o-mini",
                tokens_used=30,
                cost_usd=0.0005,
            ),
            _frame_record(2, "finish", "node", {"s": 1}, {"s": 2}, session_id),
        ]
        return _write(path, records)

    def golden_served(self, name: str = "served.vcr") -> Path:
        """A run served from a golden run: two steps answered (what they saved), two run live."""

        def answered(tokens: int | None, cost: float | None, latency: float) -> dict[str, object]:
            saved = {"recorded_tokens": tokens, "recorded_cost_usd": cost, "recorded_latency_ms": latency}
            return {"latency_ms": 0.0, "custom": {"source": "golden_cache", "golden_run": "f6a811c3a99d5b52", **saved}}

        live = {"source": "live"}
        records: list[object] = [
            _session_record("served-1", metadata={"task": "Summarise what changed in Python 3.13"}),
            _frame_record(
                0,
                "llm:planner",
                "llm",
                {"task": "py313"},
                {"queries": ["jit"]},
                "served-1",
                **answered(480, 0.0036, 850.0),
            ),
            _frame_record(
                1,
                "tool:search",
                "tool",
                {"query": "jit"},
                {"found": "PEP 744"},
                "served-1",
                **answered(None, None, 120.0),
            ),
            _frame_record(
                2,
                "tool:search",
                "tool",
                {"query": "repl"},
                {"found": "new REPL"},
                "served-1",
                latency_ms=95.0,
                custom=live,
            ),
            _frame_record(
                3,
                "llm:writer",
                "llm",
                {"notes": ["PEP 744", "new REPL"]},
                {"summary": "2 changes"},
                "served-1",
                model="scripted",
                tokens_used=1150,
                cost_usd=0.0105,
                latency_ms=1400.0,
                custom=live,
            ),
        ]
        return _write(self.folder / name, records)


@pytest.fixture
def app_recordings(tmp_path: Path) -> AppRecordings:
    return AppRecordings(tmp_path)
