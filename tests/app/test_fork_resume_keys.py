"""``f`` and ``r`` (and ``x``) in the app, with the demo agent and small agents written per test.

Resumes run for real: the agent is imported, the engine forks the recording and runs it in a
worker thread, and the fork's screen follows the new file until the run ends.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import orjson
import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from recorder import VCRReader, VCRRecorder
from tests.support.app_support import (
    SIZE,
    dialog,
    file_screen,
    notifications,
    press,
    recordings_in,
    settle,
    wait_until,
)
from vcr_tui.app import VCRApp
from vcr_tui.demo import ENTRY_POINT, record_demo
from vcr_tui.logic.agent_choice import AgentSettings
from vcr_tui.logic.resume_run import Outcome
from vcr_tui.screens.choice_screen import ChoiceScreen
from vcr_tui.screens.debugger.file_screen import FileScreen
from vcr_tui.widgets.resume_banner import ResumeBanner

FIXED = "(f - 32) * 5 / 9"


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCR_DEMO_DELAY", "0")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return record_demo(tmp_path / "runs")


def demo_agent() -> AgentSettings:
    return AgentSettings(spec=ENTRY_POINT, origin="the built-in demo")


def fix_the_formula(screen: FileScreen) -> None:
    """What ``e`` leaves after the user's fix (the editor round trip has its own tests)."""
    frame = screen.current
    assert frame is not None and frame.index == 2
    screen.apply_edit(2, "input", {**frame.input_state, "formula": FIXED})


def header(path: Path) -> dict[str, object]:
    return orjson.loads(path.read_bytes().split(b"\n", 1)[0])["data"]  # type: ignore[no-any-return]


def agent_module(folder: Path, body: str) -> str:
    """A module ``agent_<random>.py`` in ``folder`` (imported from the current folder); its name."""
    name = f"agent_{uuid.uuid4().hex[:10]}"
    (folder / f"{name}.py").write_text("from recorder import vcr_record\n\n" + body, encoding="utf-8")
    return name


def fork_screen_of(app: VCRApp) -> FileScreen:
    screen = app.screen
    assert isinstance(screen, FileScreen) and screen.following is not None, "the fork is not on screen"
    return screen


OUTCOME_CLASSES = ("-succeeded", "-failed", "-cancelled", "-unapplied")


def fork_banner(app: VCRApp) -> ResumeBanner | None:
    """The banner of the fork's screen once that screen is mounted with it, else None."""
    screen = app.screen
    if not isinstance(screen, FileScreen) or screen.following is None:
        return None
    found = screen.query(ResumeBanner)
    return found.first() if found else None


async def resumed_to_the_end(pilot, app: VCRApp) -> FileScreen:
    """Wait for the resume's worker to end and its fork's screen to show the outcome and every frame.

    Each wait is on something the app does (the screen mounted with its banner, the outcome set
    on the banner, the frames of the fork listed), never on how long it usually takes.
    """
    await wait_until(pilot, lambda: fork_banner(app) is not None, "the fork's screen with its banner")
    fork = fork_screen_of(app)

    def outcome_shown() -> bool:
        banner = fork_banner(app)
        return banner is not None and any(banner.has_class(name) for name in OUTCOME_CLASSES)

    await wait_until(pilot, outcome_shown, "the resume's outcome on the banner")
    run = fork.following
    assert run is not None and run.summary is not None
    frames = run.summary.totals.frames
    await wait_until(pilot, lambda: fork.frame_list.frame_count >= frames, f"the fork's {frames} frames listed")
    await settle(pilot)
    return fork


async def resume_after_the_fix(pilot, app: VCRApp) -> FileScreen:
    """``j j``, the fix at frame 2, ``r``: the fork's screen once the resumed run has ended."""
    await settle(pilot)
    await press(pilot, "j", "j")
    fix_the_formula(file_screen(app))
    await pilot.press("r")
    return await resumed_to_the_end(pilot, app)


# -- f ---------------------------------------------------------------------------------------


async def test_f_writes_a_fork_beside_the_parent_and_offers_to_open_it(demo: Path) -> None:
    parent_bytes = demo.read_bytes()
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j")
        fix_the_formula(file_screen(app))
        await press(pilot, "f")
        question = dialog(app).shown_text
        forks = [path for path in recordings_in(demo.parent) if path != demo]
        assert len(forks) == 1
        fork = forks[0]
        assert "Fork written" in question and str(fork) in question and "your edited input" in question

        data = header(fork)
        assert data["parent_session_id"] == header(demo)["session_id"] and data["forked_from_frame"] == 2
        with VCRReader(fork) as reader:
            assert [reader.frame(i).node_name for i in range(len(reader))] == [
                "tool:read_tests",
                "llm:planner",
                "fork:llm:coder",
            ]
            assert reader.frame(2).output_state["formula"] == FIXED
            assert [reader.frame(i).metadata.custom.get("source") for i in range(2)] == ["replayed", "replayed"]

        await press(pilot, "o")
        opened = file_screen(app)
        assert opened.path == fork and opened.from_directory  # Escape comes back to the parent
        assert opened.frame_list.frame_count == 3
        await press(pilot, "escape")
        assert file_screen(app).path == demo
    assert demo.read_bytes() == parent_bytes


async def test_a_fork_of_a_file_gone_since_it_was_opened_says_why(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        demo.rename(demo.with_suffix(".moved"))
        await press(pilot, "f")
        assert "Cannot fork at #0" in notifications(app) and demo.name in notifications(app)
        assert recordings_in(demo.parent) == []
        assert file_screen(app).path == demo  # no dialog, still on the recording


# -- r ---------------------------------------------------------------------------------------


async def test_r_after_the_fix_resumes_into_a_fork_that_succeeds_with_the_prefix_replayed(demo: Path) -> None:
    parent_bytes = demo.read_bytes()
    app = VCRApp(demo, agent=demo_agent())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j")
        fix_the_formula(file_screen(app))
        await pilot.press("r")
        fork = await resumed_to_the_end(pilot, app)
        summary = fork.following.summary  # type: ignore[union-attr]
        assert summary is not None and summary.outcome is Outcome.SUCCEEDED
        assert (summary.totals.replayed, summary.totals.live, summary.totals.tokens_saved) == (2, 3, 508)
        banner = str(fork.query_one(ResumeBanner).render())
        assert (
            "Resume succeeded" in banner and "2 replayed, 3 live" in banner and "508 tokens / $0.0021 saved" in banner
        )

        assert fork.frame_list.frame_count == 6 and fork.frame_list.cursor == 5  # followed to the end
        rows = [fork.store.row(i) for i in range(6)]  # type: ignore[union-attr]
        assert [row.source for row in rows] == ["replayed", "replayed", "fork", "live", "live", "live"]
        assert [row.tokens for row in rows[:2]] == [None, None]  # replayed at zero tokens
        assert "all 3 tests pass" in str(fork.store.frame(5).output_state)  # type: ignore[union-attr]
        assert header(fork.path)["forked_from_frame"] == 2

        await press(pilot, "escape")  # back to the parent, which is as it was
        assert file_screen(app).path == demo
    assert demo.read_bytes() == parent_bytes


async def test_r_without_an_edit_in_fork_mode_runs_every_step_and_fails_again(demo: Path) -> None:
    app = VCRApp(demo, agent=demo_agent())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j")
        file_screen(app).action_resume("fork")
        fork = await resumed_to_the_end(pilot, app)
        summary = fork.following.summary  # type: ignore[union-attr]
        assert summary is not None and summary.outcome is Outcome.FAILED
        assert summary.totals.failed_at == "report" and "AssertionError" in (summary.error or "")
        assert summary.totals.live == 3 and summary.totals.replayed == 2
        assert "Resume failed at report" in notifications(app)
        assert header(fork.path)["metadata"]["resume_mode"] == "fork"  # type: ignore[index]


async def test_an_agent_that_raises_is_shown_as_a_failure_and_its_fork_kept(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = agent_module(tmp_path, "def run(task):\n    raise RuntimeError('the agent broke: no model configured')\n")
    app = VCRApp(demo, agent=AgentSettings(spec=f"{name}:run"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j")
        await pilot.press("r")
        fork = await resumed_to_the_end(pilot, app)
        summary = fork.following.summary  # type: ignore[union-attr]
        assert summary is not None and summary.outcome is Outcome.FAILED
        assert summary.error == "RuntimeError: the agent broke: no model configured"
        banner = str(fork.query_one(ResumeBanner).render())
        assert "Resume failed" in banner and "the agent broke" in banner
        assert "-failed" in fork.query_one(ResumeBanner).classes
        assert fork.store is not None and fork.store.row(len(fork.store) - 1).is_error


async def test_an_agent_that_cannot_be_imported_fails_before_any_fork(demo: Path) -> None:
    app = VCRApp(demo, agent=AgentSettings(spec="no_such_module_4711:run"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        await wait_until(pilot, lambda: "cannot load the agent" in notifications(app))
        assert "no_such_module_4711" in notifications(app)
        assert "--agent path/to/agent.py:CALLABLE" in notifications(app)  # what to do about it
        assert recordings_in(demo.parent) == [demo]
        assert file_screen(app).path == demo


async def test_x_cancels_a_running_resume_at_the_agents_next_step(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = agent_module(
        tmp_path,
        "import time\n\n"
        "@vcr_record(node_name='tick')\n"
        "def tick(state):\n"
        "    time.sleep(0.02)\n"
        "    return {**state, 'n': state.get('n', 0) + 1}\n\n"
        "def run(task):\n"
        "    state = dict(task)\n"
        "    for _ in range(3000):\n"
        "        state = tick(state)\n"
        "    return state\n",
    )
    app = VCRApp(demo, agent=AgentSettings(spec=f"{name}:run"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, FileScreen) and app.screen.following is not None)
        fork = fork_screen_of(app)
        await wait_until(pilot, lambda: fork.frame_list.frame_count >= 4)  # ticks are arriving
        assert fork.check_action("cancel_resume", ()) is True
        await pilot.press("x")
        fork = await resumed_to_the_end(pilot, app)
        summary = fork.following.summary  # type: ignore[union-attr]
        assert summary is not None and summary.outcome is Outcome.CANCELLED
        assert 0 < summary.totals.live < 3000
        assert "Resume cancelled" in str(fork.query_one(ResumeBanner).render())
        assert fork.check_action("cancel_resume", ()) is False
        with VCRReader(fork.path) as reader:
            assert reader.frame(-1).node_name == "cancelled"


async def test_the_recordings_entry_point_runs_only_after_the_user_confirms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "imported.txt"
    name = agent_module(
        tmp_path,
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('imported')\n\n"
        "@vcr_record(node_name='step')\n"
        "def step(state):\n"
        "    return {**state, 'done': True}\n\n"
        "def run(task):\n"
        "    return step(task)\n",
    )
    folder = tmp_path / "runs"
    recorder = VCRRecorder(folder)
    recorder.start_session(metadata={"entry_point": f"{name}:run"})
    recorder.record_step("step", {"task": 1}, {"task": 1, "done": True})
    recorder.close()
    assert recorder.path is not None
    recording = recorder.path

    app = VCRApp(recording)  # no --agent: only the recording names one
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        question = dialog(app).shown_text
        assert "Run code named by this recording?" in question
        assert name in question and "runs its code" in question and "--agent" in question
        await press(pilot, "n")
        assert "Nothing was run" in notifications(app)
        assert not marker.exists() and recordings_in(folder) == [recording]

        await press(pilot, "r")
        await press(pilot, "escape")  # Escape is "no" as well
        assert not marker.exists() and recordings_in(folder) == [recording]

        await pilot.press("r")
        await press(pilot, "y")
        fork = await resumed_to_the_end(pilot, app)
        assert marker.exists()
        assert fork.following.summary.outcome is Outcome.SUCCEEDED  # type: ignore[union-attr]

        await press(pilot, "escape", "r")  # confirmed once: not asked again in this run
        assert not isinstance(app.screen, ChoiceScreen)
        await wait_until(pilot, lambda: len(recordings_in(folder)) == 3)


async def test_r_without_any_agent_asks_for_one_in_the_prompt(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        screen = file_screen(app)
        assert screen.prompt_bar.has_class("-open") and screen.prompt_bar.kind == "agent"
        assert "module:callable" in screen.query_one("#prompt-input", Input).placeholder
        assert screen.resume_run is None
        await press(pilot, "escape")  # nothing typed: nothing asked, nothing run
        assert not screen.prompt_bar.has_class("-open") and screen.resume_run is None


async def test_a_malformed_entry_point_in_a_recording_is_never_shown_or_run(tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path)
    recorder.start_session(metadata={"entry_point": "os; rm -rf /:run\x1b[2J"})
    recorder.record_step("step", {"a": 1}, {"a": 2})
    recorder.close()
    assert recorder.path is not None
    app = VCRApp(recorder.path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        text = notifications(app)
        assert "not of the form module:callable" in text and "rm -rf" not in text
        assert file_screen(app).resume_run is None


async def test_mock_mode_returns_edited_outputs_of_later_steps(demo: Path) -> None:
    app = VCRApp(demo, agent=demo_agent())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        await press(pilot, "j", "j", "j")  # tool:run_tests: say every test passed
        frame = screen.current
        assert frame is not None and frame.node_name == "tool:run_tests"
        screen.apply_edit(3, "output", {**frame.output_state, "failed": 0})
        await press(pilot, "k")
        screen.action_resume("mock")
        fork = await resumed_to_the_end(pilot, app)
        summary = fork.following.summary  # type: ignore[union-attr]
        assert summary is not None and summary.outcome is Outcome.SUCCEEDED and summary.totals.mocked == 1


async def test_help_lists_the_new_keys_by_binding_id_and_a_keymap_can_move_them(demo: Path) -> None:
    app = VCRApp(demo, keymap={"file.resume": "R"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        shown = {entry.binding_id: entry.keys for _, entries in app.screen.shown for entry in entries}  # type: ignore[attr-defined]
        assert shown["file.edit"] == ("e",) and shown["file.edit-output"] == ("E",)
        assert shown["file.fork"] == ("f",) and shown["file.resume"] == ("R",)
        assert shown["file.cancel-resume"] == ("x",)
        await press(pilot, "escape", "R")
        assert "Run code named by this recording?" in dialog(app).shown_text


async def test_the_demo_opens_its_run_over_the_folder_and_the_fork_is_listed_under_it(tmp_path: Path) -> None:
    from vcr_tui.demo.walkthrough import walkthrough_text
    from vcr_tui.screens.directory_screen import DirectoryScreen
    from vcr_tui.widgets.walkthrough_panel import WalkthroughPanel

    folder = tmp_path / "vcr-demo"
    recording = record_demo(folder)
    app = VCRApp(folder, agent=demo_agent(), open_first=recording, welcome=walkthrough_text(in_app=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert file_screen(app).path == recording
        assert "j j" in str(file_screen(app).query_one(WalkthroughPanel).render())
        await press(pilot, "j", "j")
        fix_the_formula(file_screen(app))
        await pilot.press("r")
        fork = await resumed_to_the_end(pilot, app)
        assert fork.following.summary.outcome is Outcome.SUCCEEDED  # type: ignore[union-attr]
        await press(pilot, "escape")
        await press(pilot, "escape")
        sessions = app.screen
        assert isinstance(sessions, DirectoryScreen)
        await wait_until(pilot, lambda: len(sessions.ordered) == 2)
        parent, child = sessions.ordered
        assert parent.path == recording and child.path == fork.path and child.depth == 1


async def test_the_palette_resumes_in_another_mode(demo: Path) -> None:
    app = VCRApp(demo, agent=demo_agent())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "ctrl+p")
        await pilot.press(*"FORK", "space", *"mode")

        def first_hit() -> str:
            if not isinstance(app.screen, CommandPalette):
                return ""
            hits = app.screen.query_one(CommandList)
            return str(hits.get_option_at_index(0).prompt) if hits.option_count else ""

        await wait_until(pilot, lambda: "Resume from this frame in FORK mode" in first_hit())
        await pilot.press("enter")
        fork = await resumed_to_the_end(pilot, app)
        assert fork.following.request.mode.value == "fork"  # type: ignore[union-attr]
        assert header(fork.path)["metadata"]["resume_mode"] == "fork"  # type: ignore[index]
