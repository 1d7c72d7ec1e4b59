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
from vcr_tui.logic.folder_scan import FolderScan
from vcr_tui.logic.sessions import SessionEntry
from vcr_tui.logic.summary_cache import FolderSummaries, cache_file, from_record, to_record

AN_HOUR_NS = 3_600 * 10**9


def saved(folder: Path, session_id: str, tokens: int, **closing: object) -> Path:
    path = folder / f"{session_id}.vcr"
    last = header(session_id, frame_count=1, total_tokens=tokens, tags=["nightly", "x"], **closing)
    path.write_bytes(header(session_id) + frame("step", 0, session_id=session_id) + last)
    when = os.stat(path).st_mtime_ns - AN_HOUR_NS
    os.utime(path, ns=(when, when))
    return path


def sent(folder: Path) -> dict[str, SessionEntry]:
    """What the app decodes from the scanning process's stream (without the process)."""
    scan = FolderScan(folder, FolderSummaries(folder), helper=False, records=True)
    found: dict[str, SessionEntry] = {}
    for batch in scan.batches():
        items = batch.records + [[entry.path.name, to_record(entry.stamp or (0, 0), entry)] for entry in batch.entries]
        for name, record in orjson.loads(orjson.dumps(items)):
            decoded = from_record(folder / name, record)
            assert decoded is not None
            found[name] = decoded[1]
    return found


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
