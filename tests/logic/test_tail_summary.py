"""A saved run's row read from its last two lines says what indexing the whole file says.

The session list reads a saved run's last lines straight into its row (no ``Session`` built); the
files here are mistyped, odd or big in the ways a record can be, and each is summarized both ways.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from recorder.outcome import RunOutcome
from recorder.run_summary import summary_from_tail, tail_facts
from tests.support.vcr_lines import frame, header
from vcr_tui.logic.sessions import SessionEntry, _indexed, summarize
from vcr_tui.logic.summary_cache import read_summary, stamp_of

_FIELDS = (
    "session_id",
    "created_at",
    "frames",
    "tokens",
    "cost_usd",
    "tags",
    "parent_session_id",
    "forked_from_frame",
    "problems",
    "error",
    "outcome",
    "metadata_text",
)


def _facts(entry: SessionEntry) -> dict[str, object]:
    return {name: getattr(entry, name) for name in _FIELDS}


def _closing(session_id: Any = "run", **fields: object) -> bytes:
    """The session record ``save()`` appends (``session_id`` mistyped at will)."""
    totals: dict[str, object] = {"frame_count": 2, "total_tokens": 42, "total_cost_usd": 0.5}
    return header(session_id, **{**totals, **fields})


NAN_FRAME = frame("b", 1).replace(b'"latency_ms":1.0', b'"latency_ms":NaN')
ERROR_FRAME = frame("b", 1, metadata={"error_type": "ValueError", "custom": {}})
WIDE_TOTALS = _closing().replace(b'"total_tokens":42', b'"total_tokens":' + str(2**70).encode())

CASES = {
    "plain": header("run") + frame("a", 0) + frame("b", 1) + _closing(tags=["nightly"]),
    "mistyped": header("run")
    + frame("a", 0)
    + frame("b", 1)
    + _closing(
        session_id=5, created_at=None, tags=["a", 3, None, "b"], parent_session_id=7, forked_from_frame=2.0, metadata=3
    ),
    "fork": header("run") + frame("a", 0) + frame("b", 1) + _closing(parent_session_id="base", forked_from_frame=1),
    "nested metadata": header("run")
    + frame("a", 0)
    + frame("b", 1)
    + _closing(metadata={"task": "t", "n": [1, 2.5, {"deep": "x"}], "flag": True}),
    "error last": header("run") + frame("a", 0) + ERROR_FRAME + _closing(),
    "error frame type": header("run") + frame("a", 0) + frame("b", 1, frame_type="error") + _closing(),
    "NaN in the last frame": header("run") + frame("a", 0) + NAN_FRAME + _closing(),
    "an integer wider than 64 bits": header("run") + frame("a", 0) + frame("b", 1) + WIDE_TOTALS,
    "a session record longer than the first read": header("run")
    + frame("a", 0)
    + frame("b", 1)
    + _closing(metadata={"notes": "n" * 20_000}),
    "a last frame longer than the first read": header("run")
    + frame("a", 0)
    + frame("b", 1, input_state={"blob": "z" * 20_000})
    + _closing(),
    "CRLF line ends": (header("run") + frame("a", 0) + frame("b", 1) + _closing()).replace(b"\n", b"\r\n"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_row_from_the_tail_is_the_row_from_the_whole_file(tmp_path: Path, case: str) -> None:
    path = tmp_path / "run.vcr"
    path.write_bytes(CASES[case])
    assert tail_facts(path) is not None  # the quick way is the one taken
    quick, indexed = summarize(path), _indexed(path, False)
    assert _facts(quick) == _facts(indexed)
    tail = summary_from_tail(path)
    assert tail is not None and tail.frames == quick.frames and tail.outcome is quick.outcome


def test_the_outcomes_and_odd_fields_are_read_as_written(tmp_path: Path) -> None:
    """Not only alike both ways: what each odd field gives (so a test of two wrong readers fails)."""
    path = tmp_path / "run.vcr"
    path.write_bytes(CASES["mistyped"])
    entry = summarize(path)
    assert (entry.session_id, entry.created_at, entry.tags) == ("run", "", ("a", "b"))
    assert (entry.parent_session_id, entry.forked_from_frame, entry.metadata_text) == (None, 2, "")
    assert type(entry.forked_from_frame) is int
    path.write_bytes(CASES["error last"])
    assert summarize(path).outcome is RunOutcome.ERROR
    path.write_bytes(CASES["NaN in the last frame"])
    assert summarize(path).outcome is RunOutcome.OK
    path.write_bytes(CASES["an integer wider than 64 bits"])
    assert summarize(path).tokens == 2**70


def test_a_last_line_longer_than_the_longest_tail_is_not_a_session_record(tmp_path: Path) -> None:
    path = tmp_path / "run.vcr"
    path.write_bytes(header("run") + frame("a", 0) + _closing(metadata={"notes": "n" * 70_000}))
    assert tail_facts(path) is None
    assert summarize(path).frames == 1  # indexed instead


def test_the_stamp_after_reading_the_tail_is_the_files(tmp_path: Path) -> None:
    path = tmp_path / "run.vcr"
    path.write_bytes(CASES["plain"])
    facts = tail_facts(path)
    listed = stamp_of(path.stat())
    assert facts is not None and facts.stamp == listed
    assert read_summary(path, listed)[0] == listed
    assert read_summary(path, (listed[0] + 1, listed[1]))[0] == listed  # a change since the listing: read again
