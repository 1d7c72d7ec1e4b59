"""Forks under their parents, in the order they were made; runs by the sort key; a fork of a run
not in the folder, a run that names itself, and parent links in a loop all shown as runs."""

from __future__ import annotations

from pathlib import Path

from vcr_tui.logic.sessions import SessionEntry, nest_forks


def entry(session_id: str, day: int, parent: str | None = None) -> SessionEntry:
    return SessionEntry(Path(f"{session_id}.vcr"), session_id, f"2026-01-{day:02d}", parent_session_id=parent)


def test_forks_nest_under_their_parents_and_broken_links_become_runs() -> None:
    entries = [
        entry("a", 1),
        entry("b", 2),
        entry("a1", 4, "a"),
        entry("a2", 3, "a"),
        entry("a1x", 5, "a1"),
        entry("orphan", 6, "gone"),
        entry("x", 7, "y"),
        entry("y", 8, "x"),
        entry("z", 9, "z"),
    ]
    ordered = nest_forks(entries)
    assert [(e.session_id, e.depth) for e in ordered] == [
        ("z", 0),
        ("y", 0),
        ("x", 0),
        ("orphan", 0),
        ("b", 0),
        ("a", 0),
        ("a2", 1),
        ("a1", 1),
        ("a1x", 2),
    ]
    children = {e.session_id: e.children for e in ordered if e.children}
    assert children == {"a": ("a2", "a1"), "a1": ("a1x",)}
    assert [e.session_id for e in nest_forks(entries, descending=False)][:4] == ["a", "a2", "a1", "a1x"]


def test_runs_without_forks_keep_their_entries_and_each_is_listed_once() -> None:
    entries = [entry(f"r{n}", 1 + n % 28) for n in range(60)]
    ordered = nest_forks([*entries, entries[0]])  # the same entry twice is listed once
    assert len(ordered) == 60 and all(any(e is kept for kept in entries) for e in ordered)
    assert [e.created_at for e in ordered] == sorted((e.created_at for e in entries), reverse=True)
