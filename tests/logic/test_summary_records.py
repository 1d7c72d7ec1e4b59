"""The summaries the scanning process sends: cached ones go out as the cache holds them, without
being built into entries first; what the app makes of them must be what a scan in the app
itself finds, field for field, for a cached run, a fresh one, one still being written and one
whose cached record is damaged."""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from recorder.outcome import RunOutcome
from tests.support.vcr_lines import frame, header
from vcr_tui.logic.folder_scan import FolderScan, received_batch, send_batches
from vcr_tui.logic.session_cells import session_cells
from vcr_tui.logic.sessions import SessionEntry, child_path
from vcr_tui.logic.summary_cache import FolderSummaries, cache_file, from_record, read_summary, stamp_of, to_record
from vcr_tui.logic.table_cells import cell_width

AN_HOUR_NS = 3_600 * 10**9


def saved(folder: Path, session_id: str, tokens: int, **closing: object) -> Path:
    path = folder / f"{session_id}.vcr"
    closing.setdefault("tags", ["nightly", "x"])
    last = header(session_id, frame_count=1, total_tokens=tokens, **closing)
    path.write_bytes(header(session_id) + frame("step", 0, session_id=session_id) + last)
    when = os.stat(path).st_mtime_ns - AN_HOUR_NS
    os.utime(path, ns=(when, when))
    return path


def streamed(folder: Path) -> tuple[dict[str, SessionEntry], dict[str, tuple[int, ...]]]:
    """What the app takes from the scanning process's stream (the stream made and read by the
    very code at both ends; only the process between them is left out)."""
    lines: list[bytes] = []
    send_batches(FolderScan(folder, FolderSummaries(folder), helper=False, records=True), lines.append, lambda: None)
    entries: dict[str, SessionEntry] = {}
    widths: dict[str, tuple[int, ...]] = {}
    received: set[str] = set()
    for line in lines:
        batch = received_batch(folder, line, received)
        assert batch is not None and batch.widths is not None
        for entry, measured in zip(batch.entries, batch.widths, strict=True):
            entries[entry.path.name], widths[entry.path.name] = entry, measured
    return entries, widths


def sent(folder: Path) -> dict[str, SessionEntry]:
    return streamed(folder)[0]


def scanned_here(folder: Path) -> dict[str, SessionEntry]:
    scan = FolderScan(folder, FolderSummaries(folder), helper=False)
    return {entry.path.name: entry for batch in scan.batches() for entry in batch.entries}


def test_a_record_keeps_every_field() -> None:
    entry = SessionEntry(
        path=Path("/runs/a.vcr"),
        session_id="a",
        created_at="2026-01-02T03:04:05+00:00",
        frames=7,
        tokens=1234,
        cost_usd=0.5,
        tags=("nightly", "x"),
        parent_session_id="p",
        forked_from_frame=3,
        problems=2,
        error=None,
        outcome=RunOutcome.ERROR,
        metadata_text="model gpt",
        stamp=(10, 20),
    )
    decoded = from_record(entry.path, orjson.loads(orjson.dumps(to_record((10, 20), entry))))
    assert decoded == ((10, 20), entry) and decoded[1].stamp == (10, 20)


def test_cached_summaries_sent_on_as_records_are_what_a_scan_here_finds(tmp_path: Path) -> None:
    saved(tmp_path, "cached", 111, parent_session_id="fresh", forked_from_frame=0)
    saved(tmp_path, "damaged", 222, metadata={"model": "m1"})
    held = saved(tmp_path, "held", 333)
    first = sent(tmp_path)  # reads every file, fills the cache
    saved(tmp_path, "fresh", 444)  # not in the cache yet
    data = orjson.loads(cache_file(tmp_path).read_bytes())
    data["entries"]["damaged.vcr"][5] = "lots"
    cache_file(tmp_path).write_bytes(orjson.dumps(data))
    with held.open("ab"):  # a writer has it open: shown running, from the cache too
        again = sent(tmp_path)
        here = scanned_here(tmp_path)
    assert again == here
    assert sorted(again) == ["cached.vcr", "damaged.vcr", "fresh.vcr", "held.vcr"]
    assert again["held.vcr"].outcome is RunOutcome.RUNNING and first["held.vcr"].outcome is not RunOutcome.RUNNING
    assert again["damaged.vcr"].tokens == 222 and again["cached.vcr"] == first["cached.vcr"]
    assert again["cached.vcr"].parent_session_id == "fresh" and again["damaged.vcr"].metadata_text == "m1"


def test_each_row_is_measured_as_the_list_draws_it(tmp_path: Path) -> None:
    saved(tmp_path, "plain", 5)
    saved(tmp_path, "wide-名前-" + "x" * 40, 1_234_567, parent_session_id="plain", forked_from_frame=12)
    saved(tmp_path, "odd\x1b[2J", 0, tags=["夜間", "\x07bell"], created_at="2026-01-02T\x1b[31m99:99")
    (tmp_path / "broken.vcr").write_bytes(b"not a recording\n")
    for _ in range(2):  # read from the files, then from the cache
        entries, widths = streamed(tmp_path)
        assert len(entries) == 4
        for name, entry in entries.items():
            assert widths[name] == tuple(map(cell_width, session_cells(entry))), name


def test_a_line_that_does_not_check_out_is_taken_whole_or_not_at_all(tmp_path: Path) -> None:
    saved(tmp_path, "a", 1)
    saved(tmp_path, "b", 2)
    lines: list[bytes] = []
    send_batches(
        FolderScan(tmp_path, FolderSummaries(tmp_path), helper=False, records=True), lines.append, lambda: None
    )
    sent_items = [item for line in lines for item in orjson.loads(line)[2]]
    read = total = 2
    received: set[str] = set()
    spoiled = [sent_items[0], [*sent_items[1][:2], [1, 2]]]  # too few widths
    assert received_batch(tmp_path, orjson.dumps([read, total, spoiled]), received) is None
    assert received == set()  # nothing of it counts as sent: a scan here reads both again
    twice = [sent_items[0], sent_items[0]]
    assert received_batch(tmp_path, orjson.dumps([read, total, twice]), received) is None
    batch = received_batch(tmp_path, orjson.dumps([read, total, sent_items]), received)
    assert batch is not None and received == {"a.vcr", "b.vcr"} and len(batch.entries) == 2


def test_a_child_path_made_quickly_is_the_same_path() -> None:
    for folder in (Path("/runs/nightly"), Path("."), Path("relative/runs"), Path("/"), Path("")):
        for name in ("a.vcr", "名前 run.vcr", "..", ".", ""):
            quick, plain = child_path(folder, name), folder / name
            assert (quick, str(quick), hash(quick), quick.name, quick.parent) == (
                plain,
                str(plain),
                hash(plain),
                plain.name,
                plain.parent,
            ), (folder, name)


def test_a_file_changed_since_the_listing_is_read_again_with_its_new_stamp(tmp_path: Path) -> None:
    path = saved(tmp_path, "a", 111)
    listed = stamp_of(os.stat(path))
    saved(tmp_path, "a", 222_222)  # rewritten after the listing saw it: another size and time
    now = stamp_of(os.stat(path))
    assert now != listed
    stamp, entry = read_summary(path, listed)
    assert stamp == now == entry.stamp and entry.tokens == 222_222
    assert read_summary(path, now) == (now, entry)  # unchanged since: read once, same summary


def test_row_widths_kept_in_the_cache_are_sent_while_they_hold_for_the_file(tmp_path: Path) -> None:
    saved(tmp_path, "a", 1)
    held = saved(tmp_path, "b", 2)
    measured = streamed(tmp_path)[1]  # read from the files: measured, and kept beside the summaries
    data = orjson.loads(cache_file(tmp_path).read_bytes())
    assert data["widths"]["a.vcr"][3:] == list(measured["a.vcr"])
    kept = [*data["widths"]["a.vcr"][:3], *[7] * len(measured["a.vcr"])]  # widths no row has: these are sent
    data["widths"]["a.vcr"] = kept
    cache_file(tmp_path).write_bytes(orjson.dumps(data))
    assert streamed(tmp_path)[1]["a.vcr"] == tuple(kept[3:])
    with held.open("ab"):  # shown running, a row of another width: measured again
        assert streamed(tmp_path)[1]["b.vcr"] == tuple(map(cell_width, session_cells(sent(tmp_path)["b.vcr"])))
    for spoiled in ([*kept[:3], -1, *kept[4:]], [*kept[:3], True, *kept[4:]], kept[:-1], [kept[0] + 1, *kept[1:]]):
        data["widths"]["a.vcr"] = spoiled
        cache_file(tmp_path).write_bytes(orjson.dumps(data))
        assert streamed(tmp_path)[1]["a.vcr"] == measured["a.vcr"], spoiled
    data["widths"]["a.vcr"], data["layout"] = kept, data["layout"] + 1  # kept for another layout of the list
    cache_file(tmp_path).write_bytes(orjson.dumps(data))
    assert streamed(tmp_path)[1]["a.vcr"] == measured["a.vcr"]
