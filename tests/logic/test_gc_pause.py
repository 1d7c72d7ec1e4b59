"""The cycle collector's pauses: a block's, and the program start's that the app ends early."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from vcr_tui.logic.gc_pause import collection_paused, end_start_pause, start_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    """Each test starts with the collector on, and leaves it on whatever happened."""
    gc.enable()
    yield
    end_start_pause()
    gc.enable()


def test_the_start_pause_lasts_until_it_is_ended_early() -> None:
    with start_paused():
        assert not gc.isenabled()
        end_start_pause()  # the first screen is drawn
        assert gc.isenabled()
        end_start_pause()  # asked again (each frozen batch asks): nothing changes
        assert gc.isenabled()
    assert gc.isenabled()


def test_the_start_pause_ends_with_its_block_when_no_screen_was_drawn() -> None:
    with pytest.raises(SystemExit), start_paused():
        assert not gc.isenabled()
        raise SystemExit(2)  # a bad path: the program exits before any screen
    assert gc.isenabled()


def test_ending_the_start_pause_leaves_a_block_paused() -> None:
    with start_paused():
        with collection_paused():  # a folder's rows being built when the first screen is drawn
            end_start_pause()
            assert not gc.isenabled()
        assert gc.isenabled()


def test_a_block_that_ends_first_leaves_the_start_paused() -> None:
    with start_paused():
        with collection_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with start_paused():
        end_start_pause()
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_start_is_paused_once() -> None:
    with start_paused(), pytest.raises(RuntimeError, match="already"), start_paused():
        pass
    assert gc.isenabled()
