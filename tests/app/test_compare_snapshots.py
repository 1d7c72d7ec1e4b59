"""How the compare screen looks, at 80×24 and 120×35 (baselines in the top-level ``snapshots/``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.app.test_compare_screen import write_run
from tests.support.app_support import settle
from vcr_tui.compare_app import CompareApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 35), id="120x35")]


@pytest.mark.parametrize("size", SIZES)
def test_compare_screen_on_the_first_divergence(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    a = write_run(
        tmp_path / "a.vcr",
        "nightly-run",
        [
            ("plan", {"task": "convert"}, {"formula": "(f - 32) * 9 / 5"}),
            ("llm:gpt-4o-mini", {"formula": "(f - 32) * 9 / 5"}, {"code": "return (f - 32) * 9 / 5"}),
            ("tool:run_tests", {"cmd": "pytest -q"}, {"passed": 1, "failed": 2}),
            ("report", {"failed": 2}, {"status": "failed"}),
        ],
    )
    b = write_run(
        tmp_path / "b.vcr",
        "fixed-run",
        [
            ("plan", {"task": "convert"}, {"formula": "(f - 32) * 5 / 9"}),
            ("llm:gpt-4o-mini", {"formula": "(f - 32) * 5 / 9"}, {"code": "return (f - 32) * 5 / 9"}),
            ("tool:lint", {"cmd": "ruff"}, {"clean": True}),
            ("tool:run_tests", {"cmd": "pytest -q"}, {"passed": 3, "failed": 0}),
            ("report", {"failed": 0}, {"status": "ok"}),
        ],
    )

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)

    assert snap_compare(CompareApp(a, b), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_graph_view_of_a_fan_out(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    from tests.engine.test_run_graph import record_fan_out
    from vcr_tui.compare_app import GraphApp

    path = record_fan_out(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("j", "l")
        await settle(pilot)

    assert snap_compare(GraphApp(path), terminal_size=size, run_before=run_before)


def test_session_browser_filtered_and_sorted(snap_compare, tmp_path: Path) -> None:
    from tests.support.vcr_lines import frame, header
    from vcr_tui.app import VCRApp

    runs = [
        ("nightly-001", "2026-01-03T01:00:00.000000+00:00", ["nightly"], None, 120, False),
        ("nightly-002", "2026-01-04T01:00:00.000000+00:00", ["nightly"], None, 480, True),
        ("nightly-002-fix", "2026-01-04T02:00:00.000000+00:00", ["nightly", "fork"], "nightly-002", 90, False),
        ("adhoc-17", "2026-01-05T09:30:00.000000+00:00", ["adhoc"], None, 40, False),
    ]
    for session_id, created, tags, parent, tokens, failed in runs:
        fields = {
            "created_at": created,
            "tags": tags,
            "parent_session_id": parent,
            "forked_from_frame": 1 if parent else None,
        }
        last = frame("apply", 1, session_id=session_id, frame_type="error" if failed else "node")
        closing = header(session_id, **fields, frame_count=2, total_tokens=tokens, total_cost_usd=tokens / 100_000)
        (tmp_path / f"{session_id}.vcr").write_bytes(
            header(session_id, **fields) + frame("plan", 0, session_id=session_id) + last + closing
        )

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in ("slash", *"tag:nightly", "enter", "s", "s", "s", "s"):
            await pilot.press(key)
        await settle(pilot)

    assert snap_compare(VCRApp(tmp_path), terminal_size=(120, 35), run_before=run_before)
