"""Forks of recordings that are only temporary copies, edits when the file is replaced, and how a
resumed run's fork looks once the run has ended (its marker and what the banner says it saved).

Everything is real: a pipe feeds ``vcr-tui -``'s source, the demo agent is imported and resumed,
a file followed by the app is replaced on disk.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recorder import VCRReader
from tests.app.test_fork_resume_keys import demo_agent, fix_the_formula, header, resumed_to_the_end
from tests.support.app_support import SIZE, dialog, file_screen, notifications, press, settle, status_text, wait_until
from tests.support.vcr_lines import frame
from tests.support.vcr_lines import header as header_line
from vcr_tui.app import VCRApp
from vcr_tui.demo import record_demo
from vcr_tui.logic.fork_place import fork_folder
from vcr_tui.logic.resume_run import Outcome
from vcr_tui.sources import Source, StandardInput, parse_location
from vcr_tui.widgets.resume_banner import ResumeBanner


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VCR_DEMO_DELAY", "0")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return record_demo(tmp_path / "runs")


@pytest.fixture
def work_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder vcr-tui is started in (empty: no file there may be taken for the recording)."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def piped(recording: Path) -> Source:
    """A source reading ``recording`` from a pipe that is already closed (the stream is complete)."""
    read_end, write_end = os.pipe()
    data = recording.read_bytes()
    assert len(data) < 60_000  # fits in the pipe's buffer: written at once, no thread needed
    os.write(write_end, data)
    os.close(write_end)
    return Source(StandardInput(), stdin_fd=read_end)


async def opened_stream(pilot) -> None:
    await settle(pilot)
    await wait_until(pilot, lambda: "COMPLETE" in status_text(pilot))  # the stream ended with its totals
    await wait_until(pilot, lambda: file_screen(pilot.app).frame_list.frame_count == 5)
    await settle(pilot)


async def on_frame(pilot, index: int) -> None:
    """Put the cursor on frame ``index`` (a stream's view follows its end)."""
    file_screen(pilot.app).frame_list.move_to(index)
    await settle(pilot)


# -- 1: forks of a streamed recording outlive the temporary copy --------------------------------


async def test_a_fork_of_a_piped_recording_is_kept_in_dot_vcr_of_the_current_folder(
    demo: Path, work_folder: Path
) -> None:
    source = piped(demo)
    app = VCRApp(Path("stdin"), source=source)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await opened_stream(pilot)
            await on_frame(pilot, 2)
            fix_the_formula(file_screen(app))
            await press(pilot, "f")
            kept = sorted((work_folder / ".vcr").glob("*.vcr"))
            assert len(kept) == 1
            question = dialog(app).shown_text
            assert str(kept[0]) in question and "./.vcr/" in question and "deleted when vcr-tui exits" in question
            await press(pilot, "o")
            assert file_screen(app).path == kept[0] and file_screen(app).frame_list.frame_count == 3
    finally:
        source.close()  # deletes the spool, as leaving the program does
    assert kept[0].exists()
    assert header(kept[0])["parent_session_id"] == header(demo)["session_id"]
    with VCRReader(kept[0]) as reader:
        assert reader.frame(2).node_name == "fork:llm:coder"
    assert sorted(demo.parent.iterdir()) == [demo]  # nothing was written beside the original either


async def test_a_resume_of_a_piped_recording_writes_its_fork_into_dot_vcr_and_says_so(
    demo: Path, work_folder: Path
) -> None:
    source = piped(demo)
    app = VCRApp(Path("stdin"), source=source, agent=demo_agent())
    try:
        async with app.run_test(size=SIZE) as pilot:
            await opened_stream(pilot)
            await on_frame(pilot, 2)
            fix_the_formula(file_screen(app))
            await pilot.press("r")
            fork = await resumed_to_the_end(pilot, app)
            summary = fork.following.summary  # type: ignore[union-attr]
            assert summary is not None and summary.outcome is Outcome.SUCCEEDED
            assert fork.path.parent == work_folder / ".vcr"
            assert f"kept in ./.vcr/{fork.path.name}" in str(fork.query_one(ResumeBanner).render())
            assert str(fork.path) in notifications(app) and "./.vcr/" in notifications(app)
    finally:
        source.close()
    assert fork.path.exists()
    with VCRReader(fork.path) as reader:
        assert len(reader) == 6 and "all 3 tests pass" in str(reader.frame(5).output_state)


def test_only_copies_of_streams_and_remote_files_fork_into_dot_vcr(work_folder: Path) -> None:
    assert fork_folder(None) is None
    assert fork_folder(Source(parse_location(str(work_folder / "run.vcr")))) is None
    assert fork_folder(Source(parse_location("build-box:runs/run.vcr"))) == work_folder / ".vcr"
    assert fork_folder(Source(StandardInput())) == work_folder / ".vcr"


# -- 2: edits do not move over to the frames of a replaced file ---------------------------------


async def test_edits_and_their_marks_are_dropped_when_the_followed_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "run.vcr"
    path.write_bytes(header_line("old") + b"".join(frame(f"old-{i}", i) for i in range(5)))
    app = VCRApp(path, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        await wait_until(pilot, lambda: " LIVE " in status_text(pilot))  # just written: on its newest frame
        await press(pilot, "g", "j")
        screen.apply_edit(1, "input", {"i": 1, "edited": "on the old file"})
        await settle(pilot)
        assert screen.frame_list.edited == {1} and screen.edit_for(1)[0] is not None

        fresh = tmp_path / "run.vcr.new"
        fresh.write_bytes(header_line("new") + b"".join(frame(f"new-{i}", i) for i in range(3)))
        os.replace(fresh, path)
        await wait_until(pilot, lambda: screen.store.session.session_id == "new")  # type: ignore[union-attr]
        await settle(pilot)
        assert screen.edited_states == {} and screen.frame_list.edited == set()
        assert screen.edit_for(1) == (None, False)  # f and r start from the new file's own state
        assert "your edits of 1 frame were discarded" in notifications(app)
        await press(pilot, "k", "j")  # back on #1: the new file's frame, as recorded
        assert screen.current is not None and screen.current.node_name == "new-1"
        assert screen.state_for(screen.current, "input") == {"i": 1}


async def test_a_replaced_file_without_edits_says_nothing_about_edits(tmp_path: Path) -> None:
    path = tmp_path / "run.vcr"
    path.write_bytes(header_line("old") + b"".join(frame(f"old-{i}", i) for i in range(3)))
    app = VCRApp(path, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        await wait_until(pilot, lambda: " LIVE " in status_text(pilot))  # following, on its newest frame
        fresh = tmp_path / "run.vcr.new"
        fresh.write_bytes(header_line("new") + frame("new-0", 0))
        os.replace(fresh, path)
        await wait_until(pilot, lambda: "read again from the start" in notifications(app))
        assert "edits" not in notifications(app)
        assert screen.frame_list.frame_count == 1


# -- 3 and 4: the fork's screen once the resumed run has ended -----------------------------------


async def test_a_finished_resume_shows_its_fork_as_ended_with_the_cost_it_saved(demo: Path) -> None:
    app = VCRApp(demo, agent=demo_agent())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j")
        fix_the_formula(file_screen(app))
        await pilot.press("r")
        fork = await resumed_to_the_end(pilot, app)
        await wait_until(pilot, lambda: "COMPLETE" in status_text(pilot))  # its totals are written
        assert "LIVE" not in status_text(pilot) and "PAUSED" not in status_text(pilot)
        assert "⑂" in status_text(pilot)  # the fork keeps its identity; the outcome is the banner's
        assert "succeeded" in str(fork.query_one(ResumeBanner).render())
        assert fork.frame_list.frame_count == 6  # every frame was shown before following stopped

        summary = fork.following.summary  # type: ignore[union-attr]
        assert summary is not None and summary.totals.cost_saved_usd == pytest.approx(
            0.0021
        )  # the replayed planner call
        banner = str(fork.query_one(ResumeBanner).render())
        assert "508 tokens / $0.0021 saved" in banner
        assert "kept in" not in banner  # a local recording forks beside itself, as always
        assert fork.path.parent == demo.parent


async def test_a_failed_resume_ends_its_fork_too(demo: Path) -> None:
    app = VCRApp(demo, agent=demo_agent())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j")
        file_screen(app).action_resume("fork")  # no fix: the run fails at its report again
        fork = await resumed_to_the_end(pilot, app)
        assert fork.following.summary.outcome is Outcome.FAILED  # type: ignore[union-attr]
        await wait_until(pilot, lambda: "COMPLETE" in status_text(pilot))  # its totals are written
        assert "LIVE" not in status_text(pilot)
        assert "failed" in str(fork.query_one(ResumeBanner).render())
