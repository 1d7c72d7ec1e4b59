"""Every key of the debugger screen, driven through Textual's Pilot on real recording files."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from tests.support.app_support import assert_showing, diff_text, file_screen, notifications, press, settle
from vcr_tui.app import VCRApp
from vcr_tui.logic.diff_model import DiffMode
from vcr_tui.screens.debugger.file_screen import FileScreen
from vcr_tui.screens.help_screen import HelpScreen
from vcr_tui.widgets.frame_list import FrameList
from vcr_tui.widgets.state_tree import StateTree
from vcr_tui.widgets.status_line import StatusLine

SIZE = (120, 40)


@pytest.fixture
def demo(app_recordings) -> Path:
    return app_recordings.demo()


async def test_opens_on_the_first_frame_with_tree_diff_and_status(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert_showing(app, 0)
        status = app.screen.query_one(StatusLine).render().plain
        assert "run-1" in status and "#0 (1/12)" in status and "plan" in status
        assert "2 changes: 1 added, 1 changed" in diff_text(app)
        assert app.focused is app.screen.query_one(FrameList)


@pytest.mark.parametrize(("keys", "expected"), [(("j",), 1), (("down",), 1), (("j", "j", "k"), 1), (("j", "up"), 0)])
async def test_j_k_and_arrows_step_one_frame(demo: Path, keys: tuple[str, ...], expected: int) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, *keys)
        assert_showing(app, expected)


async def test_k_at_the_top_and_j_at_the_bottom_stay_in_range(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "k")
        assert_showing(app, 0)
        await press(pilot, "G", "j", "j")
        assert_showing(app, 11)


@pytest.mark.parametrize("last_key", ["G", "end"])
async def test_g_home_and_G_end_jump_to_first_and_last(demo: Path, last_key: str) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, last_key)
        assert_showing(app, 11)
        await press(pilot, "g")
        assert_showing(app, 0)
        await press(pilot, "end", "home")
        assert_showing(app, 0)


async def test_pages_and_half_pages(app_recordings) -> None:
    app = VCRApp(app_recordings.many(500))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        frames = app.screen.query_one(FrameList)
        page = frames.page
        assert page > 4
        await press(pilot, "pagedown")
        assert frames.cursor == page
        await press(pilot, "pageup")
        assert frames.cursor == 0
        await press(pilot, "ctrl+d")
        assert frames.cursor == page // 2
        await press(pilot, "ctrl+d", "ctrl+u")
        assert frames.cursor == page // 2
        assert_showing(app, page // 2)
        await press(pilot, "G")
        assert frames.cursor == 499
        # the cursor row is on screen: the list scrolled without animation
        assert frames.scroll_y <= 499 < frames.scroll_y + frames.scrollable_content_region.height


async def test_clicking_a_row_selects_its_frame(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.click(FrameList, offset=(5, 1 + 4))  # inside the border, fifth row
        await settle(pilot)
        assert_showing(app, 4)


async def test_colon_goes_to_a_frame_number(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "colon")
        assert isinstance(app.focused, Input)
        await pilot.press("7", "enter")
        await settle(pilot)
        assert_showing(app, 7)
        assert app.focused is app.screen.query_one(FrameList)
        await press(pilot, "colon", "minus", "1", "enter")
        assert_showing(app, 11)


async def test_colon_with_bad_input_says_so_and_stays(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "colon", "x", "y", "enter")
        assert_showing(app, 1)
        assert "Not a frame number" in notifications(app)
        await press(pilot, "colon", "9", "9", "9", "enter")
        assert_showing(app, 11)
        assert "frames are 0 to 11" in notifications(app)
        await press(pilot, "colon", "5", "escape")
        assert_showing(app, 11)
        await press(pilot, "slash", "q", "escape")  # keys typed into the prompt are text, not commands
        assert app.is_running
        assert_showing(app, 11)


async def test_tab_shift_tab_and_number_keys_move_focus(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        assert app.focused is screen.frame_list
        await press(pilot, "tab")
        assert app.focused is screen.state_tree
        await press(pilot, "tab")
        assert app.focused is screen.diff_view
        await press(pilot, "shift+tab")
        assert app.focused is screen.state_tree
        await press(pilot, "3")
        assert app.focused is screen.diff_view
        await press(pilot, "1")
        assert app.focused is screen.frame_list
        await press(pilot, "2")
        assert app.focused is screen.state_tree


async def test_tree_h_l_and_arrows_collapse_and_expand(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "2")  # frame 0 output: task, step, plan
        tree = app.screen.query_one(StateTree)
        await press(pilot, "j", "j")
        node = tree.cursor_node
        assert node is not None and node.data is not None and node.data.path == ("plan",)
        assert not node.is_expanded and not node.children
        await press(pilot, "l")
        assert node.is_expanded and len(node.children) == 3
        await press(pilot, "l")  # on an open node, l goes to its first child
        assert tree.cursor_node is node.children[0]
        await press(pilot, "h")  # on a leaf, h goes to the parent
        assert tree.cursor_node is node
        await press(pilot, "h")
        assert not node.is_expanded
        await press(pilot, "right")
        assert node.is_expanded
        await press(pilot, "left")
        assert not node.is_expanded


async def test_expanded_paths_stay_open_while_stepping(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "2", "j", "j", "l")  # open "plan" on frame 0
        await press(pilot, "1", "j", "j", "j", "j", "j")  # frame 5 (a checkpoint) has "plan" too
        tree = app.screen.query_one(StateTree)
        assert tree.shown_index == 5
        plan = next(node for node in tree.root.children if node.data and node.data.path == ("plan",))
        assert plan.is_expanded and len(plan.children) == 3
        assert tree.cursor_node is plan


async def test_long_lists_load_in_chunks_and_long_strings_by_line(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "colon", "6", "enter", "2")
        tree = app.screen.query_one(StateTree)
        items = next(node for node in tree.root.children if node.data and node.data.path == ("items",))
        tree.cursor_line = items.line
        await press(pilot, "l")
        assert len(items.children) == 101  # 100 items and "… 150 more"
        assert str(items.children[-1].label) == "… 150 more"
        tree.cursor_line = items.children[-1].line
        await press(pilot, "enter")
        assert len(items.children) == 201
        tree.cursor_line = items.children[-1].line
        await press(pilot, "l")
        assert len(items.children) == 250
        assert items.children[-1].data.path == ("items", 249)
        # typed values are shown as what they are, and expand into their payload
        labels = {node.data.path[0]: str(node.label) for node in tree.root.children if node.data}
        assert labels["when"].startswith("when: datetime")
        assert labels["priority"].startswith("priority: Priority")
        assert labels["forecast"].startswith("forecast: Forecast")
        # a long multi-line string reads line by line
        await press(pilot, "1", "colon", "2", "enter", "2")
        result = next(node for node in tree.root.children if node.data and node.data.path == ("result",))
        assert "40 lines" in str(result.label)
        tree.cursor_line = result.line
        await press(pilot, "l")
        assert len(result.children) == 40
        assert "line 1: the quick brown fox" in str(result.children[0].label)


async def test_slash_searches_and_n_N_move_between_matches(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        await pilot.press(*"gpt-4o")
        await press(pilot, "enter")
        screen = file_screen(app)
        assert screen.search_state is not None and screen.search_state.done
        assert screen.search_state.matches == [1, 7]
        assert_showing(app, 1)  # jumped to the first match
        assert screen.frame_list.matches == {1, 7}
        await press(pilot, "n")
        assert_showing(app, 7)
        await press(pilot, "n")  # wraps around
        assert_showing(app, 1)
        await press(pilot, "N")
        assert_showing(app, 7)
        assert "/gpt-4o: match 2 of 2" in app.screen.query_one(StatusLine).render().plain


async def test_search_finds_state_text_and_reports_no_match(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "slash", *"ALL GREEN", "enter")
        assert_showing(app, 9)  # "report": "all green", matched case-insensitively
        await press(pilot, "slash", *"no-such-text", "enter")
        assert file_screen(app).search_state.matches == []
        assert "No frame matches" in notifications(app)
        await press(pilot, "n")
        assert_showing(app, 9)


async def test_brackets_jump_between_error_frames(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert file_screen(app).errors == [3, 4]
        await press(pilot, "right_square_bracket")
        assert_showing(app, 3)  # the failed tool call
        await press(pilot, "right_square_bracket")
        assert_showing(app, 4)  # the error frame
        await press(pilot, "right_square_bracket")
        assert_showing(app, 4)
        assert "No error frame after" in notifications(app)
        await press(pilot, "left_square_bracket")
        assert_showing(app, 3)


async def test_i_toggles_input_and_output_state(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(StateTree)
        keys = lambda: [node.data.path[0] for node in tree.root.children if node.data]  # noqa: E731
        assert keys() == ["task", "step", "plan"]
        await press(pilot, "i")
        assert tree.shown_side == "input" and keys() == ["task", "step"]
        assert "Input state" in str(app.screen.query_one("#frame-pane").border_title)
        await press(pilot, "j")  # the choice sticks while stepping
        assert tree.shown_side == "input" and keys() == ["messages"]
        await press(pilot, "i")
        assert keys() == ["response"]


async def test_d_cycles_diff_modes_and_m_marks(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        await press(pilot, "j", "j")
        assert "#2 input → #2 output" in diff_text(app)
        await press(pilot, "d")
        assert screen.diff_mode is DiffMode.PREVIOUS
        assert "#1 output → #2 output" in diff_text(app)
        assert "vs previous" in str(screen.diff_view.border_title)
        await press(pilot, "d")
        assert screen.diff_mode is DiffMode.MARKED
        assert "No frame is marked" in diff_text(app)
        await press(pilot, "g", "m")
        assert screen.marked == 0 and screen.frame_list.marked == 0
        await press(pilot, "j", "j")
        assert "#0 output → #2 output" in diff_text(app)
        assert "◉ #0" in app.screen.query_one(StatusLine).render().plain
        await press(pilot, "g", "m")  # m on the marked frame unmarks it
        assert screen.marked is None
        await press(pilot, "d")
        assert screen.diff_mode is DiffMode.STEP


async def test_diff_result_for_a_frame_left_behind_is_dropped(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        from vcr_tui.messages import DiffReady

        screen.post_message(DiffReady((5, DiffMode.STEP, "output", None), [], "stale"))
        await settle(pilot)
        assert screen.diff_view.shown_key[0] == 0
        assert "2 changes: 1 added, 1 changed" in diff_text(app)


async def test_y_copies_the_selected_value_and_Y_its_path(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "y")  # from the frame list: the whole shown state
        assert '"plan": [' in app.clipboard and '"task": "fix the failing test"' in app.clipboard
        await press(pilot, "2", "y")
        assert app.clipboard == "fix the failing test"
        await press(pilot, "Y")
        assert app.clipboard == "$.task"
        await press(pilot, "j", "j", "l", "j", "Y")
        assert app.clipboard == "$.plan[0]"
        await press(pilot, "y")
        assert app.clipboard == "read test"
        await press(pilot, "3", "y")
        assert app.clipboard.startswith("#0 input → #0 output")


async def test_J_and_K_step_frames_from_another_pane(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "2", "J", "J")
        assert_showing(app, 2)
        assert app.focused is app.screen.query_one(StateTree)
        await press(pilot, "K")
        assert_showing(app, 1)


@pytest.mark.parametrize("key", ["question_mark", "f1"])
async def test_help_lists_the_real_bindings(demo: Path, key: str) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, key)
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(entry.description for _, entries in app.screen.shown for entry in entries)
        for words in (
            "next frame",
            "search node names",
            "next error frame",
            "input or its output",
            "vs the marked",
            "copy JSON path",
            "expand",
        ):
            assert words in text
        await press(pilot, "escape")
        assert isinstance(app.screen, FileScreen)


async def test_help_follows_a_user_keymap(demo: Path) -> None:
    app = VCRApp(demo, keymap={"file.next-error": "e", "frames.down": "ctrl+n"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+n")
        assert_showing(app, 1)
        await press(pilot, "e")
        assert_showing(app, 3)
        await press(pilot, "question_mark")
        helps = {entry.binding_id: entry.keys for entry in _help_entries(app)}
        assert helps["file.next-error"] == ("e",)
        assert helps["frames.down"] == ("^n",)


def _help_entries(app: VCRApp):
    from vcr_tui.key_help import key_help

    below = next(screen for screen in app.screen_stack if isinstance(screen, FileScreen))
    for node in below.command_nodes():
        yield from key_help(node, app.get_key_display, app.options.keymap)


async def test_ctrl_p_palette_runs_the_apps_own_commands(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await pilot.press(*"next error")
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)
        assert_showing(app, 3)


async def test_q_quits(demo: Path) -> None:
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_frames_appended_while_open_extend_the_list_and_follow_when_live(app_recordings) -> None:
    """The extension point a follower of a growing file uses: append, count, follow the end."""
    path = app_recordings.many(5)
    app = VCRApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        more = path.read_bytes().splitlines(keepends=True)[1:3]  # two more frame lines
        with path.open("ab") as out:
            out.writelines(more)
        screen.frames_appended(screen.store.update().new_frames)
        await settle(pilot)
        assert screen.frame_list.frame_count == 7
        assert_showing(app, 0)  # not following: the cursor stays
        assert "+2 new" not in app.screen.query_one(StatusLine).render().plain
        screen.set_live("PAUSED")
        with path.open("ab") as out:
            out.writelines(more)
        screen.frames_appended(screen.store.update().new_frames)
        await settle(pilot)
        status = app.screen.query_one(StatusLine).render().plain
        assert "PAUSED" in status and "+2 new" in status
        await press(pilot, "G")
        screen.set_live("LIVE")
        with path.open("ab") as out:
            out.writelines(more)
        screen.frames_appended(screen.store.update().new_frames)
        await settle(pilot)
        assert_showing(app, 10)  # following the end
        assert "LIVE" in app.screen.query_one(StatusLine).render().plain


async def test_marking_a_frame_edited_shows_in_the_list(demo: Path) -> None:
    """The extension point an editor uses: an edited state replaces the recorded one on screen."""
    app = VCRApp(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        screen.edited_states[(0, "output")] = {"task": "edited"}
        screen.frame_list.mark_edited(0)
        screen.show_frame(0)
        await settle(pilot)
        assert [node.data.path for node in screen.state_tree.root.children] == [("task",)]
        assert "✎" in screen.frame_list.render_line(0).text
        assert "edited" in diff_text(app)
