"""Following a recording in the app while a real writer process appends to it, rewrites it, or
streams it through a pipe; and the folder view as sessions appear."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from recorder import fork_recording
from tests.support.app_support import assert_showing, file_screen, settle, status_text, wait_until
from tests.support.live_support import Writer, visible_rows
from tests.support.vcr_lines import frame, header
from vcr_tui.app import VCRApp
from vcr_tui.screens.directory_screen import DirectoryScreen
from vcr_tui.screens.error_screen import ErrorScreen
from vcr_tui.sources import Source, StandardInput

SIZE = (120, 35)


@pytest.fixture
def writer(tmp_path: Path):
    started = Writer(tmp_path)
    yield started
    started.close()


# -- a growing file ---------------------------------------------------------------------------------


async def test_the_view_follows_the_end_and_pauses_when_the_user_moves_away(writer: Writer) -> None:
    writer.append(3)
    app = VCRApp(writer.path, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        await wait_until(pilot, lambda: screen.frame_list.frame_count == 3, "the first frames")
        await wait_until(pilot, lambda: screen.frame_list.cursor == 2, "the newest frame")
        await settle(pilot)
        assert_showing(app, 2)  # a session still being written opens on its newest frame
        assert "LIVE" in status_text(pilot)

        await pilot.press("g")
        await settle(pilot)
        assert "PAUSED" in status_text(pilot)
        await pilot.press("G")
        await settle(pilot)
        assert "LIVE" in status_text(pilot)
        writer.append(5)
        await wait_until(pilot, lambda: screen.frame_list.cursor == 7, "the cursor to follow to frame 7")
        await settle(pilot)
        assert_showing(app, 7)
        assert any("step-7" in row for row in visible_rows(screen))
        assert "LIVE" in status_text(pilot) and "(8/8)" in status_text(pilot)

        await pilot.press("k")
        await settle(pilot)
        assert "PAUSED" in status_text(pilot)
        writer.append(4)
        await wait_until(pilot, lambda: screen.frame_list.frame_count == 12, "four more frames")
        await settle(pilot)
        assert_showing(app, 6)  # the view stays put
        assert "PAUSED" in status_text(pilot) and "+4 new frames" in status_text(pilot)
        assert any("step-11" in row for row in visible_rows(screen))  # new rows still appear

        await pilot.press("F")
        await settle(pilot)
        assert_showing(app, 11)
        assert "LIVE" in status_text(pilot) and "new frame" not in status_text(pilot)

        await pilot.press("k")
        writer.append(1)
        await wait_until(pilot, lambda: "+1 new frame" in status_text(pilot), "one new frame counted")
        await pilot.press("end")
        await settle(pilot)
        assert_showing(app, 12)
        assert "LIVE" in status_text(pilot) and "new frame" not in status_text(pilot)
        writer.append(2)
        await wait_until(pilot, lambda: screen.frame_list.cursor == 14, "following again after End")
        await settle(pilot)
        assert_showing(app, 14)


async def test_an_empty_recording_follows_from_its_first_frame(writer: Writer) -> None:
    app = VCRApp(writer.path, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        await wait_until(pilot, lambda: "LIVE" in status_text(pilot), "the LIVE marker")
        assert screen.frame_list.frame_count == 0
        writer.append(1)
        await wait_until(pilot, lambda: screen.frame_list.frame_count == 1, "the first frame")
        await settle(pilot)
        assert_showing(app, 0)
        writer.append(30)  # more than the list shows at once: the list scrolls with the cursor
        await wait_until(pilot, lambda: screen.frame_list.cursor == 30, "the cursor on the last frame")
        await settle(pilot)
        assert_showing(app, 30)
        assert any("step-30" in row for row in visible_rows(screen))


async def test_a_last_line_without_its_newline_waits_until_it_is_complete(tmp_path: Path) -> None:
    path = tmp_path / "partial.vcr"
    path.write_bytes(header() + frame("first", 0))
    app = VCRApp(path, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        await wait_until(pilot, lambda: "LIVE" in status_text(pilot), "the LIVE marker")
        line = frame("second", 1)
        with path.open("ab") as out:
            out.write(line[:40])
        with path.open("ab") as out:
            out.write(line[40:] + frame("third", 2)[:10])
        await wait_until(pilot, lambda: screen.frame_list.frame_count == 2, "the completed second frame")
        await settle(pilot)
        assert screen.frame_list.cursor == 1
        assert screen.state_tree.shown_index == 1 and screen.current is not None
        assert screen.current.node_name == "second"
        assert not screen.problems  # the unfinished third line is not reported as broken


async def test_a_bad_line_written_later_is_counted_as_skipped(tmp_path: Path) -> None:
    path = tmp_path / "run.vcr"
    path.write_bytes(header() + frame("first", 0))
    app = VCRApp(path, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        await wait_until(pilot, lambda: "LIVE" in status_text(pilot), "the LIVE marker")
        assert "skipped" not in status_text(pilot)
        with path.open("ab") as out:
            out.write(b"this is not json\n" + frame("second", 1))
        await wait_until(pilot, lambda: screen.frame_list.frame_count == 2, "the frame after the bad line")
        await wait_until(pilot, lambda: "1 line skipped" in status_text(pilot), "the bad line counted")
        assert [problem.line for problem in screen.problems] == [3]


# -- a file replaced or cut short -------------------------------------------------------------------


def _rows(screen) -> list[str]:
    return [screen.store.row(index).node_name for index in range(screen.frame_list.frame_count)]


async def test_a_replaced_file_is_read_again_and_the_screen_reloads(tmp_path: Path) -> None:
    path = tmp_path / "run.vcr"
    path.write_bytes(header("old") + b"".join(frame(f"old-{i}", i) for i in range(10)))
    app = VCRApp(path, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        await pilot.press("G", "m")  # follow the end; mark a frame that will not exist afterwards
        await settle(pilot)
        assert_showing(app, 9)

        fresh = tmp_path / "run.vcr.new"
        fresh.write_bytes(header("new") + b"".join(frame(f"new-{i}", i) for i in range(4)))
        os.replace(fresh, path)  # how log rotation and the peer's 1.5.x save a file
        await wait_until(pilot, lambda: screen.store.session.session_id == "new", "the new file")
        await wait_until(pilot, lambda: screen.frame_list.frame_count == 4, "the new file's frames")
        await settle(pilot)
        assert _rows(screen) == [f"new-{i}" for i in range(4)]
        assert_showing(app, 3)  # it was following: it follows the new file's end
        assert screen.current is not None and screen.current.node_name == "new-3"
        assert screen.marked is None
        assert not any("old-" in row for row in visible_rows(screen))
        assert "LIVE" in status_text(pilot) and "new" in status_text(pilot)


async def test_a_truncated_file_clamps_the_cursor_and_shows_the_new_content(tmp_path: Path) -> None:
    path = tmp_path / "run.vcr"
    path.write_bytes(header("s1") + b"".join(frame(f"first-{i}", i) for i in range(8)))
    app = VCRApp(path, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        await pilot.press("g", *"jjjjj")  # frame 5, paused (just written, the file opened on its newest)
        await settle(pilot)
        assert "PAUSED" in status_text(pilot)

        with path.open("r+b") as out:  # cut short in place, then rewritten with other frames
            out.truncate(0)
            out.write(header("s1") + frame("second-0", 0, input_state={"cut": True}) + frame("second-1", 1))
        await wait_until(pilot, lambda: screen.frame_list.frame_count == 2, "the rewritten file")
        await settle(pilot)
        assert _rows(screen) == ["second-0", "second-1"]
        assert_showing(app, 1)  # clamped to the last frame there is
        assert screen.current is not None and screen.current.node_name == "second-1"
        assert not any("first-" in row for row in visible_rows(screen))

        with path.open("ab") as out:
            out.write(frame("second-2", 2))
        await wait_until(pilot, lambda: screen.frame_list.frame_count == 3, "an append after the rewrite")
        assert _rows(screen) == ["second-0", "second-1", "second-2"]

        with path.open("r+b") as out:
            out.truncate(0)
        await wait_until(pilot, lambda: screen.frame_list.frame_count == 0, "the emptied file")
        await settle(pilot)
        assert "no frames" in status_text(pilot)
        assert "No frames" in str(screen.state_tree.root.children[0].label)


# -- not following ----------------------------------------------------------------------------------


async def test_no_follow_shows_the_file_as_it_was_opened(writer: Writer) -> None:
    writer.append(3)
    app = VCRApp(writer.path, follow=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        assert screen.frame_list.frame_count == 3 and screen.source is None
        writer.append(5)
        # Nothing can be waited for when nothing should happen: give a follower (polling every
        # 25 ms) forty times its interval, then check that nothing did.
        await pilot.pause(1.0)
        await settle(pilot)
        assert screen.frame_list.frame_count == 3
        for marker in ("LIVE", "PAUSED", "new frame"):
            assert marker not in status_text(pilot)
        await pilot.press("F")
        await settle(pilot)
        assert_showing(app, 2)  # F still goes to the last frame, and says why nothing follows


# -- a pipe -----------------------------------------------------------------------------------------


async def test_a_recording_streamed_through_a_pipe(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    source = Source(StandardInput(), stdin_fd=read_end)
    lines = header("piped") + b"".join(frame(f"piped-{i}", i) for i in range(6))
    app = VCRApp(Path("stdin"), source=source)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = file_screen(app)
            await wait_until(pilot, lambda: "LIVE" in status_text(pilot), "the LIVE marker")
            os.write(write_end, lines[:-30])  # the last frame arrives in two pieces
            await wait_until(pilot, lambda: screen.frame_list.frame_count == 5, "five complete frames")
            await settle(pilot)
            assert_showing(app, 4)
            os.write(write_end, lines[-30:])
            await wait_until(pilot, lambda: screen.frame_list.frame_count == 6, "the sixth frame")
            os.close(write_end)
            write_end = -1
            await wait_until(pilot, lambda: "ENDED" in status_text(pilot), "the end of the stream")
            await settle(pilot)
            assert_showing(app, 5)
            assert screen.store.session.session_id == "piped"
            assert "stdin closed" in status_text(pilot)
    finally:
        if write_end >= 0:
            os.close(write_end)
        source.close()
    assert app.return_code in (0, None) and app.failure is None


async def test_a_stream_cut_in_the_middle_of_a_line_reports_it_when_it_ends(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    source = Source(StandardInput(), stdin_fd=read_end)
    app = VCRApp(Path("stdin"), source=source)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = file_screen(app)
            os.write(write_end, header("cut") + frame("whole", 0) + frame("cut-off", 1)[:25])
            await wait_until(pilot, lambda: screen.frame_list.frame_count == 1, "the whole frame")
            assert "skipped" not in status_text(pilot)  # still being written, as far as anyone knows
            os.close(write_end)
            write_end = -1
            await wait_until(pilot, lambda: "ENDED" in status_text(pilot), "the end of the stream")
            await wait_until(pilot, lambda: "1 line skipped" in status_text(pilot), "the cut-off line counted")
            assert "incomplete" in screen.problems[-1].reason
    finally:
        if write_end >= 0:
            os.close(write_end)
        source.close()


async def test_a_source_that_cannot_start_shows_why_and_quits_with_2(tmp_path: Path) -> None:
    app = VCRApp(tmp_path / "gone.vcr", follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        assert "gone.vcr" in app.screen.message
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 2


async def test_leaving_the_screen_stops_the_follower(app_recordings) -> None:
    folder = app_recordings.sessions_folder()
    app = VCRApp(folder, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = file_screen(app)
        source = screen.source
        assert source is not None
        # the source is open and on screen (its badge may be LIVE, PAUSED or, on a slow machine, IDLE)
        await wait_until(pilot, lambda: screen.view.follow.opened, "the source open on screen")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DirectoryScreen)
        assert source.status.state.name == "CLOSED"


# -- the folder view --------------------------------------------------------------------------------


async def test_the_folder_view_shows_new_sessions_and_forks_under_their_parents(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    first = Writer(folder, session_id="run-a", prefix="a")
    first.append(2)
    app = VCRApp(folder, follow=True)
    second: Writer | None = None
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DirectoryScreen)
            assert [entry.session_id for entry in screen.ordered] == ["run-a"]

            second = Writer(folder, session_id="run-b", prefix="b")
            second.append(3)
            await wait_until(pilot, lambda: len(screen.ordered) == 2, "the new session in the list")
            assert {entry.session_id: entry.frames for entry in screen.ordered} == {"run-a": 2, "run-b": 3}

            first.append(4)  # a session that grows gets its new frame count
            await wait_until(pilot, lambda: _frames_of(screen, "run-a") == 6, "run-a's new frame count")

            fork = fork_recording(first.path, 3, new_session_id="run-a-fork")
            fork.record_step("after-fork", {"x": 1}, {"x": 2})
            fork.close()
            await wait_until(pilot, lambda: len(screen.ordered) == 3, "the fork in the list")
            order = [(entry.session_id, entry.depth) for entry in screen.ordered]
            parent = order.index(("run-a", 0))
            assert order[parent + 1] == ("run-a-fork", 1), order
            row = [cell.plain.strip() for cell in screen.table.get_row_at(parent + 1)]
            assert row[0].endswith("run-a-fork") and row[7] == "run-a @#3"

            second.path.unlink()
            await wait_until(pilot, lambda: len(screen.ordered) == 2, "the removed session to go")
    finally:
        first.close()
        if second is not None:
            second.close()


def _frames_of(screen: DirectoryScreen, session_id: str) -> int:
    return next((entry.frames for entry in screen.ordered if entry.session_id == session_id), -1)


async def test_a_session_opened_from_the_folder_is_followed(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    writer = Writer(folder, session_id="run-a", prefix="a")
    try:
        writer.append(1)
        app = VCRApp(folder, follow=True)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            screen = file_screen(app)
            await wait_until(pilot, lambda: "LIVE" in status_text(pilot), "the LIVE marker")
            writer.append(2)
            await wait_until(pilot, lambda: screen.frame_list.cursor == 2, "the cursor to follow")
            await settle(pilot)
            assert_showing(app, 2)
            lines = writer.path.read_bytes().splitlines()
            assert orjson.loads(lines[-1])["data"]["node_name"] == "a-2"
    finally:
        writer.close()
