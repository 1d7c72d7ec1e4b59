"""The folder view as a session browser: outcomes, the filter, sorting, mark-and-compare, and the
fast summary of saved runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from recorder import VCRReader, VCRRecorder
from recorder.outcome import RunOutcome
from recorder.run_summary import summary_from_tail
from recorder.writers import held_for_writing, held_in_folder
from tests.support.app_support import press, settle
from tests.support.vcr_lines import frame, header
from vcr_tui.app import VCRApp
from vcr_tui.logic.session_browse import SessionFilter, SortColumn, browse
from vcr_tui.logic.sessions import scan, summarize
from vcr_tui.screens.compare_screen import CompareScreen
from vcr_tui.screens.directory_screen import DirectoryScreen

SIZE = (140, 35)


def saved_run(folder: Path, session_id: str, *, tags: list[str], error: bool = False, tokens: int = 10) -> Path:
    recorder = VCRRecorder(folder)
    recorder.start_session(session_id, tags=tags, metadata={"task": f"task of {session_id}"})
    recorder.record_llm_call("m", [{"role": "user", "content": "hi"}], "ok", tokens_input=tokens, tokens_output=0)
    if error:
        recorder.record_error("apply", {}, RuntimeError("boom"))
    recorder.close()
    return recorder.path


def test_a_saved_run_is_summarized_from_its_tail_exactly(tmp_path: Path) -> None:
    path = saved_run(tmp_path, "r1", tags=["nightly"])
    quick = summary_from_tail(path)
    assert quick is not None and quick.outcome is RunOutcome.OK
    with VCRReader(path) as reader:
        assert quick.frames == len(reader) == 1
    failed = summary_from_tail(saved_run(tmp_path, "r2", tags=[], error=True))
    assert failed is not None and failed.outcome is RunOutcome.ERROR and failed.frames == 2
    recorder = VCRRecorder(tmp_path)  # a last frame far longer than the tail that is read first
    recorder.start_session("big-last")
    recorder.record_step("small", {}, {})
    recorder.record_error("huge", {"blob": "z" * 300_000}, ValueError("too big"))
    recorder.close()
    big = summary_from_tail(recorder.path)
    assert big is not None and big.frames == 2 and big.outcome is RunOutcome.ERROR


def test_files_that_do_not_end_with_totals_are_indexed(tmp_path: Path) -> None:
    unsaved = tmp_path / "unsaved.vcr"
    unsaved.write_bytes(header("u") + frame("a", 0) + frame("b", 1))
    assert summary_from_tail(unsaved) is None
    entry = summarize(unsaved)
    assert entry.frames == 2 and entry.outcome is RunOutcome.UNFINISHED
    peer_style = tmp_path / "peer.vcr"  # a writer that rewrites the file puts its totals first
    peer_style.write_bytes(header("p", frame_count=2) + frame("a", 0) + frame("b", 1))
    assert summarize(peer_style).outcome is RunOutcome.OK
    garbage = tmp_path / "garbage.vcr"
    garbage.write_bytes(b"not json\n" + header("g", frame_count=5))  # totals after no frame at all
    assert summary_from_tail(garbage) is None
    assert summarize(garbage).frames == 0


def test_a_file_held_open_by_its_writer_is_running(tmp_path: Path) -> None:
    path = tmp_path / "live.vcr"
    path.write_bytes(header("live") + frame("a", 0))
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; f = open(sys.argv[1], 'ab'); print('ready', flush=True); sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        assert held_for_writing([path], exclude_self=True) == {path}
        assert [entry.outcome for entry in scan(tmp_path)] == [RunOutcome.RUNNING]
    finally:
        writer.communicate("")
    assert held_for_writing([path]) == set()
    with path.open("rb"):  # a reader is not a writer
        assert held_for_writing([path]) == set()


def test_a_file_held_open_is_found_through_a_linked_folder_or_a_link_to_it(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    path = real / "run.vcr"
    path.write_bytes(header("w"))
    (tmp_path / "linked").symlink_to(real, target_is_directory=True)
    (tmp_path / "alias.vcr").symlink_to(path)
    through_folder, through_link = tmp_path / "linked" / "run.vcr", tmp_path / "alias.vcr"
    with path.open("ab"):
        assert held_for_writing([through_folder, tmp_path / "absent.vcr"]) == {through_folder}
        assert held_for_writing([through_link]) == {through_link}
    assert held_for_writing([through_folder, through_link]) == set()


def test_the_files_of_a_folder_held_open_are_found_by_name(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    other = tmp_path / "other"
    other.mkdir()
    for folder in (real, other):
        for name in ("run.vcr", "idle.vcr"):
            (folder / name).write_bytes(header("w"))
    (tmp_path / "linked").symlink_to(real, target_is_directory=True)
    (real / "alias.vcr").symlink_to(other / "idle.vcr")
    names = {"run.vcr", "idle.vcr", "alias.vcr"}
    with (real / "run.vcr").open("ab"), (other / "idle.vcr").open("ab"), (real / "idle.vcr").open("rb"):
        assert held_in_folder(real, names, links={"alias.vcr"}) == {"run.vcr", "alias.vcr"}
        assert held_in_folder(tmp_path / "linked", names, links={"alias.vcr"}) == {"run.vcr", "alias.vcr"}
        assert held_in_folder(real, names) == {"run.vcr"}  # (a link not said to be one is not followed)
        assert held_in_folder(real, {"idle.vcr"}) == set()  # open for reading only; the other folder's is written
        assert held_in_folder(other, {"idle.vcr", "run.vcr"}) == {"idle.vcr"}
    assert held_in_folder(real, names, links={"alias.vcr"}) == set()


def test_filter_words_tags_and_outcomes(tmp_path: Path) -> None:
    saved_run(tmp_path, "alpha", tags=["nightly", "gpu"])
    saved_run(tmp_path, "beta", tags=["nightly"], error=True)
    saved_run(tmp_path, "gamma", tags=["adhoc"])
    entries = list(scan(tmp_path))

    def names(text: str) -> list[str]:
        return sorted(entry.session_id for entry in browse(entries, text=text))

    assert names("tag:nightly") == ["alpha", "beta"]
    assert names("tag:nightly error") == ["beta"]
    assert names("ok") == ["alpha", "gamma"]
    assert names("GAMMA") == ["gamma"]
    assert names("task of alpha") == ["alpha"]  # metadata values are searched
    assert names("tag:none") == []
    assert SessionFilter.parse("").empty


def test_sorting_keeps_forks_under_their_parents(tmp_path: Path) -> None:
    small = saved_run(tmp_path, "small", tags=[], tokens=5)
    saved_run(tmp_path, "large", tags=[], tokens=50)
    fork = VCRReader(small)
    fork.close()
    from recorder import fork_recording

    child = fork_recording(small, 0, new_session_id="small-fork")
    child.record_llm_call("m", [], "again", tokens_input=500, tokens_output=0)
    child.close()
    entries = list(scan(tmp_path))
    by_tokens = [(e.session_id, e.depth) for e in browse(entries, column=SortColumn.TOKENS, descending=True)]
    assert by_tokens == [("large", 0), ("small", 0), ("small-fork", 1)]
    ascending = [(e.session_id, e.depth) for e in browse(entries, column=SortColumn.TOKENS, descending=False)]
    assert ascending == [("small", 0), ("small-fork", 1), ("large", 0)]


async def test_the_browser_filters_live_sorts_and_compares(tmp_path: Path) -> None:
    saved_run(tmp_path, "alpha", tags=["nightly"], tokens=30)
    saved_run(tmp_path, "beta", tags=["nightly"], error=True, tokens=20)
    saved_run(tmp_path, "gamma", tags=["adhoc"], tokens=10)
    app = VCRApp(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DirectoryScreen)
        outcomes = {entry.session_id: entry.outcome for entry in screen.ordered}
        assert outcomes == {"alpha": RunOutcome.OK, "beta": RunOutcome.ERROR, "gamma": RunOutcome.OK}
        await press(pilot, "slash", *"tag:nightly")
        assert sorted(entry.session_id for entry in screen.ordered) == ["alpha", "beta"]
        await press(pilot, "enter")
        assert "2 match" in str(screen.query_one("#sessions-title").render())
        await press(pilot, "escape")
        assert len(screen.ordered) == 3
        for _ in range(3):  # created → session → frames → tokens
            await press(pilot, "s")
        assert screen.sort_column is SortColumn.TOKENS
        assert [entry.session_id for entry in screen.ordered] == ["alpha", "beta", "gamma"]
        await press(pilot, "m", "j", "c")
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        assert (compare.first.name, compare.second.name) == ("alpha.vcr", "beta.vcr")
        await press(pilot, "escape")
        assert app.screen is screen
        await press(pilot, "m", "c")  # unmarked again: nothing to compare with, and it says so
        assert app.screen is screen
        assert any("Mark a session" in n.message for n in app._notifications)
