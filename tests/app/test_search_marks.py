"""Search shows where it matched: the query marked in the state tree and the diff, "match 2 of 4".

The marks are decided by one function (``search_marks.highlighted``) that every pane calls on
the rows it draws; the tests read the rows as drawn, styles included.
"""

from __future__ import annotations

import pytest
from rich.segment import Segment
from rich.text import Text

from tests.app.test_snapshots import keys_then_settle
from tests.support.app_support import SIZE, file_screen, press, settle, status_text
from vcr_tui.app import VCRApp
from vcr_tui.logic.search_marks import highlighted, match_counter, match_spans


def test_spans_ignore_case_and_do_not_overlap() -> None:
    assert match_spans("Patch the PATCH, patch!", "patch") == [(0, 5), (10, 15), (17, 22)]
    assert match_spans("aaaa", "aa") == [(0, 2), (2, 4)]
    assert match_spans("nothing here", "patch") == [] and match_spans("text", "") == []
    assert match_spans("Straße und STRASSE", "straße") == [(0, 6)]  # positions stay true when ß folds


def test_highlighted_styles_only_the_matches_and_leaves_the_original_alone() -> None:
    text = Text("plan: patch code", style="green")
    marked = highlighted(text, "PATCH", "reverse")
    assert marked is not text and marked.plain == text.plain
    assert [(span.start, span.end, str(span.style)) for span in marked.spans] == [(6, 11, "reverse")]
    assert text.spans == [] and highlighted(text, "absent", "reverse") is text


def test_the_counter_says_which_match_the_cursor_is_on() -> None:
    assert match_counter([1, 4, 7, 9], 7) == "match 3 of 4"
    assert match_counter([1, 4, 7, 9], 5) == "4 matches"
    assert match_counter([3], 3) == "match 1 of 1" and match_counter([], 0) == "0 matches"


def marked_words(segments: list[Segment]) -> list[str]:
    """The text of every segment drawn reversed: the search marks."""
    return [segment.text for segment in segments if segment.style is not None and segment.style.reverse]


async def test_search_marks_the_tree_and_the_diff_and_counts_matches(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        await press(pilot, "slash", *"PATCH", "enter")
        search = screen.search_state
        assert search is not None and search.done and len(search.matches) >= 3
        first = screen.frame_list.cursor
        assert first == search.matches[0]
        assert f"/PATCH: match 1 of {len(search.matches)}" in status_text(pilot)

        tree, diff = screen.state_tree, screen.diff_view
        tree_marks = [word for y in range(tree.size.height) for word in marked_words(list(tree.render_line(y)))]
        diff_marks = [word for y in range(len(diff.lines)) for word in marked_words(list(diff.render_line(y)))]
        assert tree_marks and all(word.casefold() == "patch" for word in tree_marks)
        assert diff_marks and all(word.casefold() == "patch" for word in diff_marks)

        await press(pilot, "n")
        assert screen.frame_list.cursor == search.matches[1]
        assert f"match 2 of {len(search.matches)}" in status_text(pilot)
        await press(pilot, "N")
        assert screen.frame_list.cursor == first and "match 1 of" in status_text(pilot)
        await press(pilot, "g")  # #0 matches too when it holds the word; step to one that does not
        off = next(index for index in range(screen.frame_list.frame_count) if index not in search.matches)
        await press(pilot, "colon", *str(off), "enter")
        assert f"/PATCH: {len(search.matches)} matches" in status_text(pilot)


async def test_a_state_without_the_word_has_no_marks(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        await press(pilot, "slash", *"gpt-4o", "enter")  # found in node names and the model, not in states
        assert screen.search_state is not None and screen.search_state.matches
        tree = screen.state_tree
        assert not [word for y in range(tree.size.height) for word in marked_words(list(tree.render_line(y)))]


@pytest.mark.parametrize("size", [pytest.param((80, 24), id="80x24")])
def test_the_search_highlight(snap_compare, app_recordings, size: tuple[int, int]) -> None:
    app = VCRApp(app_recordings.demo())
    assert snap_compare(app, terminal_size=size, run_before=keys_then_settle("slash", *"patch", "enter", "n"))
