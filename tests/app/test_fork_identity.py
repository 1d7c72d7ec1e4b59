"""After a resume the fork keeps its identity on the status line; the outcome is on the banner."""

from __future__ import annotations

from pathlib import Path

import pytest

from recorder import VCRReader
from tests.app.test_fork_resume_keys import demo_agent, resume_after_the_fix
from tests.support.app_support import status_text, wait_until
from vcr_tui.app import VCRApp
from vcr_tui.demo import record_demo
from vcr_tui.widgets.resume_banner import ResumeBanner


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCR_DEMO_DELAY", "0")


@pytest.mark.parametrize("size", [pytest.param((80, 24), id="80x24"), pytest.param((120, 35), id="120x35")])
async def test_the_resumed_fork_says_whose_fork_it_is(tmp_path: Path, size: tuple[int, int]) -> None:
    demo = record_demo(tmp_path / "runs")
    parent = VCRReader(demo).session.session_id
    app = VCRApp(demo, agent=demo_agent())
    async with app.run_test(size=size) as pilot:
        fork = await resume_after_the_fix(pilot, app)
        session = VCRReader(Path(fork.path)).session
        await wait_until(pilot, lambda: "COMPLETE" in status_text(pilot), "the fork marked COMPLETE")
        status = status_text(pilot)
        assert session.session_id[:20] in status
        assert f"⑂ {parent[:19]}" in status and "@#2" in status
        assert "resumed run ended" not in status  # the outcome is the banner's
        assert "succeeded" in fork.query_one(ResumeBanner).render().plain.lower()  # type: ignore[attr-defined]


def test_the_status_line_keeps_the_session_and_its_parent_before_the_steps_facts() -> None:
    from vcr_tui.widgets.status_line import StatusFields, build_parts, fit

    fields = StatusFields(session_id="fork-session", index=5, count=6, live="COMPLETE")
    fields.fork, fields.totals = "⑂ parent-run@#2", "Σ 599 tok $0.0024"
    fields.extras.append("↺ 2 · saved 508 tokens / $0.0021")
    narrow = fit(build_parts(fields), 60).plain
    assert "fork-session" in narrow and "⑂ parent-run@#2" in narrow and "#5 (6/6)" in narrow
    assert "Σ 599 tok" in fit(build_parts(fields), 120).plain
