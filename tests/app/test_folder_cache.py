"""The folder view's summaries on disk: a folder opened again reads no recording, a changed file
is read again, a damaged or unwritable cache costs speed and nothing else; and a big folder
fills in from a separate process, with a count, while the list answers keys."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import orjson
import pytest
from textual.message import Message

from tests.support.app_support import notifications, settle, wait_until
from tests.support.vcr_lines import frame, header
from vcr_tui.app import VCRApp
from vcr_tui.logic import folder_prefetch
from vcr_tui.logic.folder_prefetch import start_early
from vcr_tui.logic.folder_scan import ELSEWHERE_FROM, FIRST_BATCH, FolderScan, ScanBatch
from vcr_tui.logic.session_browse import SortColumn
from vcr_tui.logic.sessions import SessionEntry
from vcr_tui.logic.summary_cache import SETTLED_NS, FolderSummaries, cache_file
from vcr_tui.messages import SessionsScanned
from vcr_tui.screens.directory_screen import DirectoryScreen

SIZE = (120, 30)
AN_HOUR_AGO_NS = 3_600 * 10**9


def saved(folder: Path, session_id: str, tokens: int, *, age_ns: int = AN_HOUR_AGO_NS) -> Path:
    """A saved run whose file was last written ``age_ns`` ago (settled, unless told otherwise)."""
    path = folder / f"{session_id}.vcr"
    closing = header(session_id, frame_count=1, total_tokens=tokens, tags=["nightly"])
    path.write_bytes(header(session_id) + frame("step", 0, session_id=session_id) + closing)
    when = os.stat(path).st_mtime_ns - age_ns
    os.utime(path, ns=(when, when))
    return path


def rewrite_keeping_stamp(path: Path, old: bytes, new: bytes) -> None:
    """New content of the same size, with the old modification time put back."""
    info = os.stat(path)
    data = path.read_bytes()
    assert len(old) == len(new) and old in data
    path.write_bytes(data.replace(old, new))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def signal_helper_once(app: VCRApp, signum: int, signalled: list[subprocess.Popen[bytes]]) -> Callable[[Message], None]:
    """A message hook: at the first summaries the helper process sends, send it ``signum`` (once)."""

    def hook(message: Message) -> None:
        if not isinstance(message, SessionsScanned) or not message.entries or signalled:
            return
        screen = app.screen
        child = screen._scan._child if isinstance(screen, DirectoryScreen) and screen._scan else None
        if child is not None and child.poll() is None:
            os.kill(child.pid, signum)
            signalled.append(child)

    return hook


def listed(folder: Path) -> dict[str, SessionEntry]:
    """One open of the folder, as the view does it (a fresh process: nothing in memory)."""
    entries = [entry for batch in FolderScan(folder, FolderSummaries(folder)).batches() for entry in batch.entries]
    return {entry.session_id: entry for entry in entries}


def test_a_second_open_reads_no_recording(tmp_path: Path) -> None:
    path = saved(tmp_path, "a", 111)
    saved(tmp_path, "b", 222)
    assert listed(tmp_path)["a"].tokens == 111
    assert cache_file(tmp_path).is_file()
    rewrite_keeping_stamp(path, b'"total_tokens":111', b'"total_tokens":999')
    assert listed(tmp_path)["a"].tokens == 111  # the cache answered: the file was not read


def test_a_file_whose_size_or_time_changed_is_read_again(tmp_path: Path) -> None:
    path = saved(tmp_path, "a", 111)
    listed(tmp_path)
    rewrite_keeping_stamp(path, b'"total_tokens":111', b'"total_tokens":999')
    info = os.stat(path)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000))  # same size, another time
    assert listed(tmp_path)["a"].tokens == 999
    with path.open("ab") as out:  # grown: frames after the totals, no totals after them
        out.write(frame("late", 1, session_id="a"))
    grown = listed(tmp_path)["a"]
    assert grown.frames == 2 and grown.outcome is not None and grown.outcome.value == "unfinished"


def test_a_file_written_a_moment_ago_is_not_kept_on_disk(tmp_path: Path) -> None:
    path = saved(tmp_path, "fresh", 111, age_ns=0)
    listed(tmp_path)
    rewrite_keeping_stamp(path, b'"total_tokens":111', b'"total_tokens":999')
    assert listed(tmp_path)["fresh"].tokens == 999  # a coarse clock could hide a change: read again
    summaries = FolderSummaries(tmp_path)
    entry = listed(tmp_path)["fresh"]
    info = os.stat(path)
    summaries.remember((info.st_size, info.st_mtime_ns), entry, now_ns=info.st_mtime_ns + SETTLED_NS)
    assert summaries.save()
    assert path.name in orjson.loads(cache_file(tmp_path).read_bytes())["entries"]


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"\x00garbage{",
        b"[1, 2, 3]",
        b'{"format": "vcr-tui session summaries", "version": 999, "entries": {}}',
    ],
    ids=["empty", "garbage", "not-an-object", "another-version"],
)
def test_a_damaged_cache_is_ignored_and_rebuilt(tmp_path: Path, damage: bytes) -> None:
    saved(tmp_path, "a", 111)
    saved(tmp_path, "b", 222)
    listed(tmp_path)
    cache_file(tmp_path).write_bytes(damage)
    entries = listed(tmp_path)
    assert {name: entry.tokens for name, entry in entries.items()} == {"a": 111, "b": 222}
    rebuilt = orjson.loads(cache_file(tmp_path).read_bytes())
    assert sorted(rebuilt["entries"]) == ["a.vcr", "b.vcr"]


def test_a_record_that_does_not_check_out_is_read_from_the_file(tmp_path: Path) -> None:
    saved(tmp_path, "a", 111)
    listed(tmp_path)
    data = orjson.loads(cache_file(tmp_path).read_bytes())
    data["entries"]["a.vcr"][5] = "lots"  # tokens must be a number
    cache_file(tmp_path).write_bytes(orjson.dumps(data))
    assert listed(tmp_path)["a"].tokens == 111
    assert orjson.loads(cache_file(tmp_path).read_bytes())["entries"]["a.vcr"][5] == 111


def test_a_cache_of_another_folder_is_not_used(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    saved(one, "a", 111)
    path = saved(two, "a", 222)
    listed(one)
    os.replace(cache_file(one), cache_file(two))  # a file that names another folder
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(one / "a.vcr").st_mtime_ns))
    assert listed(two)["a"].tokens == 222


def test_removed_recordings_leave_the_cache(tmp_path: Path) -> None:
    saved(tmp_path, "a", 1)
    gone = saved(tmp_path, "b", 2)
    listed(tmp_path)
    gone.unlink()
    listed(tmp_path)
    assert list(orjson.loads(cache_file(tmp_path).read_bytes())["entries"]) == ["a.vcr"]


async def test_an_unwritable_cache_folder_still_lists_and_says_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("VCR_TUI_CACHE", str(blocker / "cache"))
    runs = tmp_path / "runs"
    runs.mkdir()
    for number in range(3):
        saved(runs, f"run-{number}", 10 + number)
    app = VCRApp(runs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DirectoryScreen) and screen.scan_done
        assert sorted(entry.session_id for entry in screen.entries) == ["run-0", "run-1", "run-2"]
        assert notifications(app) == ""  # no word about the cache
        assert not screen.summaries.save()  # it really cannot be written
    assert app.return_code in (None, 0) and not app.failure


async def test_the_app_opens_a_known_folder_from_its_cache(tmp_path: Path) -> None:
    path = saved(tmp_path, "a", 111)
    async with VCRApp(tmp_path).run_test(size=SIZE) as pilot:
        await settle(pilot)
    rewrite_keeping_stamp(path, b'"total_tokens":111', b'"total_tokens":999')
    app = VCRApp(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DirectoryScreen)
        assert [entry.tokens for entry in screen.entries] == [111]
        with path.open("ab") as out:
            out.write(frame("late", 1, session_id="a"))  # changed while listed
        screen.refresh_sessions()
        await settle(pilot)
        assert [entry.frames for entry in screen.entries] == [2]


async def test_a_big_folder_fills_in_with_a_count_and_answers_keys_meanwhile(tmp_path: Path) -> None:
    count = max(4000, ELSEWHERE_FROM * 2)
    for number in range(count):
        saved(tmp_path, f"run-{number:05d}", number, age_ns=AN_HOUR_AGO_NS - number * 1000)  # later, newer
    seen: list[SessionsScanned] = []
    titles: list[str] = []
    paused: list[subprocess.Popen[bytes]] = []
    app = VCRApp(tmp_path)
    stop_the_helper = signal_helper_once(app, signal.SIGSTOP, paused)

    def hold_the_reader(message: Message) -> None:
        """At the first summaries from the helper process, stop it until the keys are tried."""
        if not isinstance(message, SessionsScanned) or any(message is earlier for earlier in seen):
            return  # (a message is dispatched again as it bubbles up)
        seen.append(message)
        screen = app.screen
        if isinstance(screen, DirectoryScreen):
            titles.append(str(screen.query_one("#sessions-title").render()))
        stop_the_helper(message)

    async with app.run_test(size=SIZE, message_hook=hold_the_reader) as pilot:
        screen = app.screen
        assert isinstance(screen, DirectoryScreen)
        await wait_until(pilot, lambda: paused, "the helper process to send its first summaries")
        try:
            await wait_until(pilot, lambda: screen.ordered, "the first rows")
            assert not screen.scan_done and screen.scan_read < count
            first = next(message for message in seen if message.entries)
            assert len(first.entries) == FIRST_BATCH and first.total == count
            # Newest first: the top of the list (newest first) is what arrives first.
            assert {entry.session_id for entry in first.entries} == {
                f"run-{number:05d}" for number in range(count - FIRST_BATCH, count)
            }
            # The scan's worker is waiting on the stopped process: keys are pressed, not settled.
            await pilot.press("j", "j", "k")
            assert screen.table.cursor_row == 1
            await pilot.press("s")
            assert screen.sort_column is SortColumn.SESSION
            await pilot.press("slash", *"03999", "enter")
            await wait_until(pilot, lambda: len(screen.ordered) == 1, "the filter to apply")
            assert screen.ordered[0].session_id == f"run-{count - 1:05d}" and not screen.scan_done
            await pilot.press("escape")
            await wait_until(pilot, lambda: screen.filter_text == "", "the filter to clear")
            assert not screen.scan_done
        finally:
            os.kill(paused[0].pid, signal.SIGCONT)
        await wait_until(pilot, lambda: screen.scan_done, "the scan to finish")
        await settle(pilot)
        assert len(screen.entries) == count == len({entry.path for entry in screen.entries})
        reads = [message.read for message in seen]
        assert reads == sorted(reads) and reads[-1] == count and len(seen) > 2
        assert any(f"of {count:,} read" in title for title in titles)
        assert f"{count:,} recordings" in str(screen.query_one("#sessions-title").render())
    assert len(orjson.loads(cache_file(tmp_path).read_bytes())["entries"]) == count


async def test_leaving_the_list_ends_the_process_reading_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(ELSEWHERE_FROM * 5):
        saved(tmp_path, f"run-{number:05d}", number)
    children: list[subprocess.Popen[bytes]] = []
    app = VCRApp(tmp_path)
    signal_it = signal_helper_once(app, signal.SIGSTOP, children)  # still reading when the app quits
    stopped = threading.Event()

    def stop_the_helper(message: Message) -> None:
        signal_it(message)
        if children:
            stopped.set()

    # However quick the helper and however busy the machine, it cannot be done before it is
    # stopped: after the first batch the app reads no more until then, so the helper's next
    # lines (far more than a pipe holds) leave it blocked on a full pipe, alive.
    from_helper = FolderScan._from_helper

    def first_batch_then_wait(scan: FolderScan, *args: Any) -> Generator[ScanBatch, None, bool]:
        batches = from_helper(scan, *args)
        while True:
            try:
                batch = next(batches)
            except StopIteration as finished:
                return bool(finished.value)
            yield batch
            if batch.entries:
                break
        assert stopped.wait(60), "the first summaries never reached the app"
        return (yield from batches)

    monkeypatch.setattr(FolderScan, "_from_helper", first_batch_then_wait)

    async with app.run_test(size=SIZE, message_hook=stop_the_helper) as pilot:
        await wait_until(pilot, lambda: children, "the helper process to send its first summaries")
        screen = app.screen
        assert isinstance(screen, DirectoryScreen) and not screen.scan_done
        await pilot.press("q")
    assert children[0].wait(timeout=30) is not None  # killed, not left stopped
    # What was read before the app quit is kept for the next open (written by the scan's worker
    # as it winds down, which the process waits for at exit and this test polls for).
    deadline = time.monotonic() + 60
    while not cache_file(tmp_path).is_file() and time.monotonic() < deadline:
        threading.Event().wait(0.05)
    assert len(orjson.loads(cache_file(tmp_path).read_bytes())["entries"]) >= FIRST_BATCH


async def test_what_changed_between_an_early_scan_and_the_watcher_is_read_again(tmp_path: Path) -> None:
    grown = saved(tmp_path, "grown", 5)
    saved(tmp_path, "same", 6)
    start_early(tmp_path)  # as the command line does, before the app exists
    helper = folder_prefetch._early[os.path.realpath(tmp_path)]
    assert helper.wait(timeout=60) == 0  # its summaries wait in the pipe, as of before the changes
    with grown.open("ab") as out:
        out.write(frame("late", 1, session_id="grown"))
    saved(tmp_path, "new", 7)
    app = VCRApp(tmp_path, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, DirectoryScreen)
        await wait_until(pilot, lambda: screen.scan_done, "the scan")

        def frames() -> dict[str, int]:
            return {entry.session_id: entry.frames for entry in screen.entries}

        await wait_until(pilot, lambda: frames() == {"grown": 2, "same": 1, "new": 1}, "the watcher to catch up")


def test_a_file_that_could_not_be_read_is_tried_again(tmp_path: Path) -> None:
    summaries = FolderSummaries(tmp_path)
    broken = SessionEntry(path=tmp_path / "b.vcr", session_id="b", error="Permission denied")
    summaries.remember((10, 10), broken, now_ns=AN_HOUR_AGO_NS * 2)
    assert summaries.lookup(tmp_path / "b.vcr", (10, 10)) is None
    assert summaries.save() and not cache_file(tmp_path).exists()  # nothing was worth writing


async def test_a_helper_that_dies_part_way_is_made_up_for_here(tmp_path: Path) -> None:
    count = ELSEWHERE_FROM * 3
    for number in range(count):
        saved(tmp_path, f"run-{number:05d}", number)
    killed: list[subprocess.Popen[bytes]] = []
    app = VCRApp(tmp_path)

    async with app.run_test(size=SIZE, message_hook=signal_helper_once(app, signal.SIGKILL, killed)) as pilot:
        screen = app.screen
        assert isinstance(screen, DirectoryScreen)
        await wait_until(pilot, lambda: screen.scan_done, "the scan to finish")
        assert killed
        assert len(screen.entries) == count == len({entry.path for entry in screen.entries})
        assert sorted(entry.tokens for entry in screen.entries) == list(range(count))


@pytest.mark.skipif(
    not Path("/proc/sys/fs/pipe-max-size").is_file() or int(Path("/proc/sys/fs/pipe-max-size").read_text()) < 1 << 20,
    reason="a pipe here cannot hold a megabyte",
)
def test_the_helper_reads_the_whole_folder_before_the_app_reads_a_line(tmp_path: Path) -> None:
    """Its summaries wait in the pipe however many there are (well past a 64 KB pipe's worth),
    so the helper is not held up while the app is still loading."""
    count = 1_200
    for number in range(count):
        saved(tmp_path, f"run-{number:05d}", number)
    helper = folder_prefetch.start_helper(tmp_path)
    assert helper is not None and helper.stdout is not None
    try:
        assert helper.wait(timeout=60) == 0  # done, and nothing has read the pipe yet
        sent = helper.stdout.read()
    finally:
        if helper.poll() is None:
            helper.kill()
            helper.wait()
        helper.stdout.close()
    assert len(sent) > 64 << 10
    lines = [orjson.loads(line) for line in sent.splitlines()]
    assert lines[-1][:2] == [count, count] and sum(len(batch[2]) for batch in lines) == count
