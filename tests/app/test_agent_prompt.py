"""``r`` with no agent anywhere asks for one in the prompt, then asks before running it.

Real modules written per test are imported from the current folder; the resume runs for real.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from recorder import VCRRecorder
from tests.app.test_fork_resume_keys import agent_module, resumed_to_the_end
from tests.support.app_support import SIZE, dialog, file_screen, notifications, press, recordings_in, settle, wait_until
from vcr_tui.app import VCRApp
from vcr_tui.logic.resume_run import Outcome
from vcr_tui.screens.choice_screen import ChoiceScreen


@pytest.fixture
def recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A recording that names no agent, in ``runs/``; the current folder is ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    recorder = VCRRecorder(tmp_path / "runs")
    recorder.start_session()
    recorder.record_step("step", {"task": 1}, {"task": 1, "done": True})
    recorder.close()
    assert recorder.path is not None
    return recorder.path


STEP_AGENT = (
    "@vcr_record(node_name='step')\n"
    "def step(state):\n"
    "    return {**state, 'done': True}\n\n"
    "def run(task):\n"
    "    return step(task)\n"
)


async def type_agent(pilot, name: str) -> None:
    await press(pilot, "r")
    field = pilot.app.screen.query_one("#prompt-input", Input)
    assert pilot.app.screen.focused is field and "module:callable" in field.placeholder
    field.value = ""
    await pilot.press(*name)
    await press(pilot, "enter")


async def test_a_typed_agent_is_confirmed_then_resumes_and_is_kept(recording: Path, tmp_path: Path) -> None:
    marker = tmp_path / "imported.txt"
    name = agent_module(tmp_path, f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n\n" + STEP_AGENT)
    app = VCRApp(recording)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_agent(pilot, f"{name}:run")
        question = dialog(app)
        assert question.title_text == "Run the agent you named?"
        assert name in question.shown_text and "runs its code" in question.shown_text
        await press(pilot, "n")
        assert "Nothing was run" in notifications(app) and not marker.exists()
        assert recordings_in(recording.parent) == [recording]

        await type_agent(pilot, f"{name}:run")
        await pilot.press("y")
        fork = await resumed_to_the_end(pilot, app)
        assert marker.exists() and fork.following.summary.outcome is Outcome.SUCCEEDED  # type: ignore[union-attr]

        await press(pilot, "escape", "r")  # named and confirmed once: r runs it straight away now
        assert not isinstance(app.screen, ChoiceScreen)
        await wait_until(pilot, lambda: len(recordings_in(recording.parent)) == 3, "a second fork")


@pytest.mark.parametrize(
    ("body", "typed", "said"),
    [
        (None, "no_such_module_4711:run", "no module of that name"),
        ("run = 3\n", "{name}:run", "not a callable"),
        ("def run(task):\n    return task\n", "{name}:missing", "has no attribute 'missing'"),
    ],
)
async def test_a_bad_agent_says_why_in_one_line_and_loses_nothing(
    recording: Path, tmp_path: Path, body: str | None, typed: str, said: str
) -> None:
    name = agent_module(tmp_path, body) if body is not None else ""
    app = VCRApp(recording)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        screen.apply_edit(0, "input", {"task": 2})
        await settle(pilot)
        await type_agent(pilot, typed.format(name=name))
        await press(pilot, "y")
        await wait_until(pilot, lambda: said in notifications(app), f"the reason: {said}")
        line = next(text for text in notifications(app).split("\n") if said in text)
        assert line.startswith("The agent did not load:") and line.endswith("Nothing was run.")
        assert screen.resume_run is None and recordings_in(recording.parent) == [recording]
        assert screen.edited_states == {(0, "input"): {"task": 2}}  # the edit is still there
        await press(pilot, "r")  # the prompt comes back with what was typed, to mend it
        assert app.screen.query_one("#prompt-input", Input).value == typed.format(name=name)


async def test_a_name_of_the_wrong_form_is_refused_before_any_question(recording: Path) -> None:
    app = VCRApp(recording)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_agent(pilot, "just words")
        assert not isinstance(app.screen, ChoiceScreen)
        assert "Not an agent name:" in notifications(app) and "module:callable" in notifications(app)
        assert file_screen(app).resume_run is None
