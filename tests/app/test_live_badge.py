"""The badge says what a followed file is doing: LIVE only while written, else IDLE or COMPLETE."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.support.app_support import SIZE, file_screen, settle, status_text, wait_until
from tests.support.live_support import Writer, visible_rows
from tests.support.vcr_lines import frame, header
from vcr_tui.app import VCRApp
from vcr_tui.logic import live_badge
from vcr_tui.logic.live_badge import honest_marker

QUIET = -1.0  # stands for: quiet for longer than a file may be before it is idle


@pytest.mark.parametrize(
    ("marker", "complete", "quiet", "shown"),
    [
        ("LIVE", False, 1.0, "LIVE"),
        ("PAUSED", False, 1.0, "PAUSED"),
        ("LIVE", False, QUIET, "IDLE"),
        ("LIVE", False, None, "LIVE"),  # a pipe: no file to ask
        ("LIVE", True, 1.0, "COMPLETE"),
        ("ENDED", True, None, "COMPLETE"),
        ("ENDED", False, None, "ENDED"),
        ("RECONNECTING", True, 1.0, "RECONNECTING"),
        (None, True, 1.0, None),
    ],
)
def test_the_rule(marker: str | None, complete: bool, quiet: float | None, shown: str | None) -> None:
    if quiet == QUIET:
        quiet = live_badge.IDLE_AFTER + 1
    assert honest_marker(marker, totals_written=complete, quiet_for=quiet) == shown


def make_old(path: Path) -> None:
    past = time.time() - 2 * live_badge.IDLE_AFTER
    os.utime(path, (past, past))


async def test_a_finished_recording_is_complete_not_live(app_recordings) -> None:
    path = app_recordings.demo()  # ends with a session record holding the totals
    app = VCRApp(path, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: "COMPLETE" in status_text(pilot), "the COMPLETE badge")
        assert "LIVE" not in status_text(pilot) and "PAUSED" not in status_text(pilot)
        assert file_screen(app).frame_list.cursor == 0  # a finished file opens where any recording does


async def test_a_quiet_unfinished_file_is_idle_until_it_grows(tmp_path: Path) -> None:
    path = tmp_path / "stopped.vcr"
    path.write_bytes(header() + frame("a", 0) + frame("b", 1))
    make_old(path)
    app = VCRApp(path, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: "IDLE" in status_text(pilot), "the IDLE badge")
        screen = file_screen(app)
        assert screen.frame_list.cursor == 0  # abandoned, not live: opened on its first frame
        screen.frame_list.move_to(1)
        with path.open("ab") as out:
            out.write(frame("c", 2))
        await wait_until(pilot, lambda: " LIVE " in status_text(pilot), "the LIVE badge once the file grows")


async def test_a_session_being_written_opens_on_its_newest_frame_and_follows(tmp_path: Path) -> None:
    writer = Writer(tmp_path)
    try:
        writer.append(40)  # more than the list shows: the newest frame is scrolled into view
        app = VCRApp(writer.path, follow=True)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = file_screen(app)
            await wait_until(pilot, lambda: screen.frame_list.cursor == 39, "the newest frame")
            await wait_until(pilot, lambda: " LIVE " in status_text(pilot), "the LIVE badge")
            writer.append(2)
            await wait_until(pilot, lambda: screen.frame_list.cursor == 41, "following the new frames")
            await settle(pilot)
            assert screen.state_tree.shown_index == 41
            assert any("step-41" in row for row in visible_rows(screen))
    finally:
        writer.close()
    reopened = VCRApp(writer.path, follow=True)  # the writer saved its totals: a finished file now
    async with reopened.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: "COMPLETE" in status_text(pilot), "the COMPLETE badge")
        assert file_screen(reopened).frame_list.cursor == 0
