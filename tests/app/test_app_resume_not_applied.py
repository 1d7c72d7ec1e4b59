"""The debugger says in words when a resume ran but the edit never reached the agent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.test_fork_resume_keys import agent_module, resume_after_the_fix
from tests.support.app_support import SIZE
from vcr_tui.app import VCRApp
from vcr_tui.demo import record_demo
from vcr_tui.logic.agent_choice import AgentSettings
from vcr_tui.logic.resume_run import Outcome, ResumeSummary
from vcr_tui.widgets.resume_banner import ResumeBanner


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCR_DEMO_DELAY", "0")


def test_the_headline_names_the_reason_instead_of_a_success() -> None:
    summary = ResumeSummary(Outcome.NOT_APPLIED, fork_path=Path("f.vcr"), error="the agent took no recorded step")
    text = summary.headline()
    assert text.startswith("⚠ Resume ran, but your edit never reached the agent: the agent took no recorded step")
    assert "succeeded" not in text and "0 replayed, 0 live" in text


async def test_an_agent_that_never_reaches_the_frame_is_shown_as_not_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = record_demo(tmp_path / "runs")
    monkeypatch.chdir(tmp_path)
    name = agent_module(tmp_path, "def run(task):\n    return {'answer': 'no steps were recorded here'}\n")
    app = VCRApp(demo, agent=AgentSettings(spec=f"{name}:run"))
    async with app.run_test(size=SIZE) as pilot:
        fork = await resume_after_the_fix(pilot, app)
        run = fork.following
        assert run is not None and run.summary is not None and run.summary.outcome is Outcome.NOT_APPLIED
        banner = fork.query_one(ResumeBanner)
        shown = str(banner.render())
        assert "your edit never reached the agent" in shown and "took no recorded step" in shown
        assert "Resume succeeded" not in shown and banner.has_class("-unapplied")
