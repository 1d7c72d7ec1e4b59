"""The frame timestamp is exactly what ``datetime.isoformat`` writes for the same instant."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from recorder import writer


@pytest.mark.parametrize(
    "ns",
    [
        0,
        1_000,  # one microsecond
        999_999_999,  # the last microsecond of a second (the nanoseconds below it dropped)
        1_780_000_000_000_000_000 + 7_000,
        1_780_000_000_123_456_789,
        1_780_000_000_999_000_000,
        1_780_000_001_000_999_000,  # a microsecond short of the next millisecond
    ],
)
def test_timestamp_matches_isoformat_to_the_microsecond(monkeypatch: pytest.MonkeyPatch, ns: int) -> None:
    clock = writer._UtcClock()
    monkeypatch.setattr(writer.time, "time_ns", lambda: ns)
    expected = datetime.fromtimestamp(ns // 1_000_000_000, timezone.utc).replace(microsecond=ns // 1000 % 1_000_000)
    assert clock.now_iso() == expected.isoformat(timespec="microseconds")


def test_seconds_in_a_row_each_get_their_own_date_and_time(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = writer._UtcClock()
    readings = iter([1_780_000_000_999_999_000, 1_780_000_001_000_000_000, 1_780_000_001_000_001_000])
    monkeypatch.setattr(writer.time, "time_ns", lambda: next(readings))
    assert [clock.now_iso() for _ in range(3)] == [
        "2026-05-28T20:26:40.999999+00:00",
        "2026-05-28T20:26:41.000000+00:00",
        "2026-05-28T20:26:41.000001+00:00",
    ]
