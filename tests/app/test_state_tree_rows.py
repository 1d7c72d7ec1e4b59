"""The state tree draws each row exactly as Textual's Tree draws it, with its styles looked up once per paint.

Every visible row is drawn both ways on the same nodes (open and closed containers, nested guides,
"… N more", the cursor, the hover line, focused and not, after a change of theme) and the strips must match segment by
segment, styles and mouse metadata included.
"""

from __future__ import annotations

from textual.widgets import Tree

from tests.support.app_support import file_screen, press, settle
from vcr_tui.app import VCRApp
from vcr_tui.widgets.state_tree import StateTree

SIZE = (120, 35)


def rows_both_ways(tree: StateTree) -> tuple[list[list[object]], list[list[object]]]:
    """(Tree's rows, the state tree's rows) for every line of the tree, as lists of segments."""
    base = tree.rich_style
    width = tree.size.width
    ours, textual = [], []
    tree.render_lines(tree.region.reset_offset)  # the paint's styles, as a screen update resolves them
    for y in range(len(tree._tree_lines)):
        tree._line_cache.clear()
        ours.append(list(tree._render_line(y, 0, width, base)))
        tree._line_cache.clear()
        textual.append(list(Tree._render_line(tree, y, 0, width, base)))
    return textual, ours


async def test_every_row_matches_textuals_tree(app_recordings) -> None:
    app = VCRApp(app_recordings.demo())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        store = screen.store
        assert store is not None
        nested = next(
            index for index in range(len(store)) if isinstance(store.frame(index).output_state.get("items"), list)
        )
        screen.frame_list.move_to(nested)
        await settle(pilot)
        await press(pilot, "2")  # focus the tree
        tree = screen.state_tree
        items = next(node for node in tree.root.children if node.data is not None and node.data.path == ("items",))
        items.expand()
        await settle(pilot)
        items.children[0].expand()  # a nested container: two levels of guides
        await settle(pilot)
        tree.cursor_line = items.children[0].line + 1
        tree.hover_line = items.line
        await settle(pilot)
        lines = len(tree._tree_lines)
        assert lines > 100  # the chunk, its "… more" row and the rest of the state
        textual, ours = rows_both_ways(tree)
        assert ours == textual
        await press(pilot, "1")  # the tree loses focus: its cursor and guides change colour
        textual, ours = rows_both_ways(tree)
        assert ours == textual
        dark = ours
        app.theme = "textual-light"  # every colour changes: nothing drawn for the old theme is kept
        await settle(pilot)
        textual, ours = rows_both_ways(tree)
        assert ours == textual
        assert ours != dark
