"""The state of one frame as a tree whose children are built only when a node is expanded.

A 1 MB state must not freeze the screen, so nothing below the top level exists until it is
expanded, containers are filled ``CHUNK`` children at a time with a "… N more" row that loads the
next chunk, and long strings are cut in the label and readable line by line when expanded.

Expanded paths and the cursor's path are remembered, so stepping from frame to frame keeps the
same part of the state open: the way a debugger's watch window behaves.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final, Literal

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from recorder.encoding import describe_typed
from recorder.state_paths import PathPart, format_path
from vcr_tui.logic.formatting import is_message, value_preview
from vcr_tui.logic.safe_text import clean, shorten
from vcr_tui.logic.search_marks import highlighted
from vcr_tui.theme import VALUE_STYLES
from vcr_tui.widgets.kept_lines import KeptLines

CHUNK = 100
LONG_STRING = 80
STRING_PIECE = 200
PREVIEW = 60

EntryKind = Literal["value", "more", "text", "note"]


class Entry:
    """What a tree node stands for: a value at a path, a "… N more" row, or a piece of a string."""

    __slots__ = ("kind", "loaded", "next_start", "path", "pieces", "value")

    def __init__(
        self,
        path: tuple[PathPart, ...],
        value: Any = None,
        kind: EntryKind = "value",
        next_start: int = 0,
        loaded: bool = False,
        pieces: list[str] | None = None,
    ) -> None:
        self.path = path
        self.value = value
        self.kind = kind
        self.next_start = next_start
        self.loaded = loaded
        self.pieces: list[str] = [] if pieces is None else pieces

    @property
    def path_text(self) -> str:
        return format_path(self.path)


Children = tuple[tuple[PathPart, ...], list[tuple[PathPart, Any]]]


def _children_of(value: Any) -> Children | None:
    """(path prefix, (key, child) pairs) a value expands into, or None for a leaf.

    A typed wrapper expands into its payload, whose real path goes through ``data``.
    """
    typed = describe_typed(value)
    if typed is not None:
        payload = value.get("data", value.get("repr"))
        inner = _children_of(payload) if isinstance(payload, (dict, list)) else None
        if inner is None:
            return None
        key = "data" if "data" in value else "repr"
        return (key, *inner[0]), inner[1]
    if isinstance(value, dict):
        return ((), list(value.items())) if value else None
    if isinstance(value, list):
        return ((), list(enumerate(value))) if value else None
    return None


def _string_pieces(value: str) -> list[str]:
    """A long string as display rows: its lines, each cut into pieces of ``STRING_PIECE``."""
    pieces: list[str] = []
    for line in value.split("\n"):
        if not line:
            pieces.append("")
        for start in range(0, len(line), STRING_PIECE):
            pieces.append(line[start : start + STRING_PIECE])
    return pieces


def _is_long_string(value: Any) -> bool:
    return isinstance(value, str) and (len(value) > LONG_STRING or "\n" in value)


GuideStrings = tuple[str, str, str, str]
"""Space, vertical, terminator and cross, each ``guide_depth`` cells wide."""


class _PaintStyles:
    """The tree's component styles and guide strings for one paint of the pane."""

    __slots__ = (
        "cursor",
        "focused",
        "guide_strings",
        "guides",
        "guides_hover",
        "guides_selected",
        "highlight",
        "hover_line",
        "hover_strings",
        "label",
        "selected_strings",
    )

    def __init__(
        self,
        focused: bool,
        hover_line: Style,
        label: Style,
        highlight: Style,
        cursor: Style,
        guides: Style,
        guides_hover: Style,
        guides_selected: Style,
        guide_strings: GuideStrings,
        hover_strings: GuideStrings,
        selected_strings: GuideStrings,
    ) -> None:
        self.focused: Final = focused
        self.hover_line: Final = hover_line
        self.label: Final = label
        self.highlight: Final = highlight
        self.cursor: Final = cursor
        self.guides: Final = guides
        self.guides_hover: Final = guides_hover
        self.guides_selected: Final = guides_selected
        self.guide_strings: Final = guide_strings
        self.hover_strings: Final = hover_strings
        self.selected_strings: Final = selected_strings

    @classmethod
    def of(cls, tree: StateTree) -> _PaintStyles:
        def hidden(component: str) -> bool:  # a transparent guide colour turns the guides off
            return tree.get_component_styles(component).color.a == 0

        def strings(style: Style, off: bool) -> GuideStrings:
            if not tree.show_guides or off:
                chars: tuple[str, str, str, str] = ("  ", "  ", "  ", "  ")
            else:
                chars = tree.LINES["bold" if style.bold else "double" if style.underline2 else "default"]
            extra = max(0, tree.guide_depth - 2)
            return (
                f"{chars[0][0]}{chars[0][1] * extra} ",
                f"{chars[1][0]}{chars[1][1] * extra} ",
                f"{chars[2][0]}{chars[2][1] * extra} ",
                f"{chars[3][0]}{chars[3][1] * extra} ",
            )

        base = tree.get_component_rich_style("tree--guides", partial=True)
        on_hover = base + tree.get_component_rich_style("tree--guides-hover", partial=True)
        on_selected = base + tree.get_component_rich_style("tree--guides-selected", partial=True)
        return cls(
            focused=tree.has_focus,
            hover_line=tree.get_component_rich_style("tree--highlight-line"),
            label=tree.get_component_rich_style("tree--label", partial=True),
            highlight=tree.get_component_rich_style("tree--highlight", partial=True),
            cursor=tree.get_component_rich_style("tree--cursor", partial=False),
            guides=base,
            guides_hover=on_hover,
            guides_selected=on_selected,
            guide_strings=strings(base, hidden("tree--guides")),
            hover_strings=strings(on_hover, hidden("tree--guides-hover")),
            selected_strings=strings(on_selected, hidden("tree--guides-selected")),
        )


class StateTree(KeptLines, Tree[Entry]):
    """One frame's state, lazily expanded, literal and safe whatever the file holds."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "down", show=False, id="tree.down"),
        Binding("k,up", "cursor_up", "up", show=False, id="tree.up"),
        Binding("l,right", "expand_or_enter", "expand", show=False, id="tree.expand"),
        Binding("h,left", "collapse_or_parent", "collapse", show=False, id="tree.collapse"),
        Binding("space", "toggle_node", "expand or collapse (on a value: read it whole)", show=False, id="tree.toggle"),
        Binding(
            "enter",
            "view_or_select",
            "read a value, a long string or a message whole; load the next chunk (on … more)",
            show=False,
            id="tree.select",
        ),
        Binding("g,home", "scroll_home", "top", show=False, id="tree.top"),
        Binding("G,end", "scroll_end", "bottom", show=False, id="tree.bottom"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = Tree.COMPONENT_CLASSES | {"state-tree--match"}
    DEFAULT_CSS = "StateTree > .state-tree--match { color: $warning; text-style: bold reverse; }"

    search_query = ""  # the search's text, marked wherever a row shows it
    _filling = False  # show_state is adding nodes (a class default: Tree's own __init__ may invalidate)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("state"), Entry(()), id=id)
        self.show_root = False
        self.guide_depth = 3
        self.shown_index: int | None = None
        self.shown_side = "output"
        self._expanded_paths: set[tuple[PathPart, ...]] = set()
        self._cursor_path: tuple[PathPart, ...] | None = None
        self._by_path: dict[tuple[PathPart, ...], TreeNode[Entry]] = {}
        self._placed_cursor: TreeNode[Entry] | None = None
        self._paint: _PaintStyles | None = None  # kept while the pseudo-classes and the CSS stay
        self._paint_key: tuple[object, ...] = ()
        self._base_style = Style()  # the widget's style, resolved once per paint
        self._paint_resolved = False  # whether this paint has resolved its styles yet

    def validate_virtual_size(self, size: Size) -> Size:
        """At least the pane's size, and never wider (labels are cut, not scrolled sideways).

        Stepping to a frame whose state has a different number of rows then changes nothing
        about the layout, so the screen is repainted without being laid out again.
        """
        visible = self.size  # not the scrollable region: that one shrinks while a scrollbar shows
        return Size(visible.width, max(size.height, visible.height))

    def _invalidate(self) -> None:
        """As ``Tree._invalidate``, minus the request to lay out the whole screen again.

        Tree asks for a layout on every node added; this pane has a fixed size and a pinned
        virtual size (above), so a repaint is enough, and a step costs half as much. While a
        state is being shown its nodes are added without it: ``show_state`` invalidates once.
        """
        if self._filling:
            return
        self._clear_line_cache()
        self._updates += 1
        self.root._reset()
        self.refresh()

    # -- drawing -----------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines kept from the last paint while the pane is unchanged (``KeptLines``), else drawn."""
        return self.kept_lines(crop, self._draw_lines)

    def _draw_lines(self, crop: Region) -> list[Strip]:
        """Resolve the pane's styles once per paint; each row then only assembles its text.

        Tree resolves the widget's style and five component styles for every row it draws,
        which was most of the cost of showing a new frame's state. None can change during one
        paint, and the component styles only change with the pseudo-classes, the theme or the
        CSS, so they are kept until then.
        """
        self._paint_resolved = False  # by the first row this paint draws (most paints draw none)
        return ScrollView.render_lines(self, crop)

    def _resolve_paint(self) -> None:
        self._paint_resolved = True
        self._pseudo_class_state = self.get_pseudo_class_state()
        key = (self._pseudo_class_state, self.has_focus, self.app.theme)
        if self._paint is None or self._paint_key != key:
            self._paint, self._paint_key = _PaintStyles.of(self), key
        self._base_style = self.rich_style

    def notify_style_update(self) -> None:
        self._paint = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        if not self._paint_resolved:
            self._resolve_paint()
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        return self._render_line(y + scroll_y, scroll_x, scroll_x + width, self._base_style)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """One row as Tree draws it (guides, ▶/▼, label, cursor and hover), from the paint's styles."""
        paint = self._paint
        if paint is None:  # drawn outside a paint (Tree's own callers): resolve for this row
            paint = _PaintStyles.of(self)
        tree_lines = self._tree_lines
        width = self.size.width
        if y >= len(tree_lines):
            return Strip.blank(width, base_style)
        line = tree_lines[y]
        path = line.path
        is_hover = self.hover_line >= 0 and any(node._hover for node in path)
        key = (y, is_hover, width, self._updates, self._pseudo_class_state, tuple(node._updates for node in path))
        strip = self._line_cache.get(key)
        if strip is None:
            strip = self._draw_line(y, line, is_hover, width, base_style, paint)
            self._line_cache[key] = strip
        return strip.crop(x1, x2)

    def _draw_line(
        self, y: int, line: Any, is_hover: bool, width: int, base_style: Style, paint: _PaintStyles
    ) -> Strip:
        path: list[TreeNode[Entry]] = line.path
        line_style = (paint.hover_line if is_hover else base_style) + Style(meta={"line": y})
        guides = Text(style=line_style)
        focused = paint.focused
        hover = path[0]._hover
        selected = path[0]._selected and focused
        guide_style, strings = paint.guides, paint.guide_strings
        last = path[-1]
        for node in path[1:]:
            guide_style, strings = paint.guides, paint.guide_strings
            if hover:
                guide_style, strings = paint.guides_hover, paint.hover_strings
            if selected:
                guide_style, strings = paint.guides_selected, paint.selected_strings
            if node is not last:
                guides.append(strings[0] if node.is_last else strings[1], style=guide_style)
            hover = hover or node._hover
            selected = (selected or node._selected) and focused
        if len(path) > 1:
            guides.append(strings[2] if line.last else strings[3], style=guide_style)
        label_style = paint.label
        if self.hover_line == y:
            label_style += paint.highlight
        if self.cursor_line == y:
            label_style += paint.cursor
        label = self.render_label(last, line_style, label_style).copy()
        label.stylize(Style(meta={"node": last._id}))
        guides.append(label)
        segments = list(guides.render(self.app.console))
        pad = max(self.virtual_size.width, width) - guides.cell_len
        if pad > 0:
            segments.append(Segment(" " * pad, line_style))
        return Strip(segments)

    # -- content -----------------------------------------------------------------------------

    def show_state(self, state: dict[str, Any], *, index: int, side: str) -> None:
        """Show ``state`` (frame ``index``'s input or output), keeping the open paths open."""
        self.clear()
        self._by_path = {}
        self.root.data = Entry((), state)
        self.shown_index = index
        self.shown_side = side
        self._filling = True  # one invalidation for the whole state, not one per node added
        try:
            if not state:
                self.root.add_leaf(Text("(empty state)", style=VALUE_STYLES["more"]), Entry((), kind="note"))
            else:
                self._populate(self.root)
        finally:
            self._filling = False
        self._invalidate()
        self._restore_cursor()

    def show_note(self, message: str, *, index: int | None = None) -> None:
        """A one-line message instead of a state (loading, unreadable frame, no frames)."""
        self.clear()
        self._by_path = {}
        self.shown_index = index
        self.root.add_leaf(Text(message, style=VALUE_STYLES["more"]), Entry((), kind="note"))

    def mark_query(self, query: str) -> None:
        """Mark ``query`` in every row from now on (the search's text; "" marks nothing)."""
        if query != self.search_query:
            self.search_query = query
            self._invalidate()

    def render_label(self, node: TreeNode[Entry], base_style: Style, style: Style) -> Text:
        label = super().render_label(node, base_style, style)
        if not self.search_query:
            return label
        return highlighted(label, self.search_query, self.get_component_rich_style("state-tree--match"))

    def selected_entry(self) -> Entry | None:
        node = self.cursor_node
        if node is None or node.data is None or node.data.kind == "note":
            return None
        return node.data

    # -- building ----------------------------------------------------------------------------

    def _populate(self, node: TreeNode[Entry]) -> None:
        """Add the first chunk of ``node``'s children (and re-open those that were open)."""
        entry = node.data
        if entry is None or entry.loaded:
            return
        entry.loaded = True
        if _is_long_string(entry.value):
            entry.pieces = _string_pieces(entry.value)
            self._add_pieces(node, entry, 0)
            return
        children = _children_of(entry.value)
        if children is not None:
            self._add_child_nodes(node, entry, children, 0)

    def _add_child_nodes(self, node: TreeNode[Entry], entry: Entry, children: Children, start: int) -> None:
        prefix, pairs = children
        stop = min(start + CHUNK, len(pairs))
        for key, value in pairs[start:stop]:
            path = (*entry.path, *prefix, key)
            expandable = _children_of(value) is not None or _is_long_string(value)
            child = node.add(
                self._label(key, value, self._room(len(path))), Entry(path, value), allow_expand=expandable
            )
            self._by_path[path] = child
            if expandable and path in self._expanded_paths:
                self._populate(child)
                child.expand()
        if stop < len(pairs):
            rest = len(pairs) - stop
            node.add_leaf(
                Text(f"… {rest:,} more", style=VALUE_STYLES["more"]),
                Entry(entry.path, entry.value, kind="more", next_start=stop),
            )

    def _add_pieces(self, node: TreeNode[Entry], entry: Entry, start: int) -> None:
        stop = min(start + CHUNK, len(entry.pieces))
        for number, piece in enumerate(entry.pieces[start:stop], start):
            label = Text(f"{number + 1:>4} ", style=VALUE_STYLES["container"])
            label.append(clean(piece), style=VALUE_STYLES["string"])
            node.add_leaf(label, Entry(entry.path, piece, kind="text"))
        if stop < len(entry.pieces):
            rest = len(entry.pieces) - stop
            node.add_leaf(
                Text(f"… {rest:,} more lines", style=VALUE_STYLES["more"]),
                Entry(entry.path, entry.value, kind="more", next_start=stop, pieces=entry.pieces),
            )

    def _load_more(self, more: TreeNode[Entry]) -> None:
        """Replace a "… N more" row by the next chunk, keeping the cursor where the row was."""
        entry = more.data
        parent = more.parent
        if entry is None or parent is None or parent.data is None:
            return
        position = more.line
        more.remove()
        if entry.pieces:
            self._add_pieces(parent, parent.data, entry.next_start)
        else:
            children = _children_of(entry.value)
            if children is not None:
                self._add_child_nodes(parent, parent.data, children, entry.next_start)
        self.get_node_at_line(0)  # lay the lines out again so the cursor lands on the new row
        self.cursor_line = position

    def _room(self, depth: int) -> int:
        """The cells a row at ``depth`` has for its key and value: the pane's width, not a constant."""
        width = self.size.width
        if width <= 0:
            return PREVIEW + 20  # not laid out yet
        return max(24, width - (depth - 1) * self.guide_depth - 3)  # guides, the ▶ icon, the scrollbar

    def _label(self, key: PathPart, value: Any, room: int = PREVIEW + 20) -> Text:
        label = Text(no_wrap=True, end="")
        if isinstance(key, int):
            label.append(f"{key}", style=VALUE_STYLES["container"])
        else:
            label.append(shorten(clean(key), 60), style=VALUE_STYLES["key"])
        label.append(": ", style=VALUE_STYLES["container"])
        left = max(16, room - label.cell_len)
        if _is_long_string(value):
            first_line = value.split("\n", 1)[0]
            lines = value.count("\n") + 1
            detail = f" … {len(value):,} chars" + (f", {lines:,} lines" if lines > 1 else "")
            label.append('"', style=VALUE_STYLES["string"])
            label.append(clean(shorten(first_line, max(8, left - len(detail) - 2))), style=VALUE_STYLES["string"])
            label.append('"', style=VALUE_STYLES["string"])
            label.append(detail, style=VALUE_STYLES["more"])
        elif is_message(value) and isinstance(value["content"], str):
            role = clean(shorten(str(value["role"]), 20))  # a message reads as its role and its text
            label.append(f"{{{len(value):,}}} ", style=VALUE_STYLES["container"])
            label.append(f"{role}: ", style="bold")
            label.append(clean(shorten(value["content"], max(8, left - len(role) - 8))), style=VALUE_STYLES["string"])
        elif isinstance(value, str) and len(value) > left - 2:  # quotes, and the length it says when cut
            label.append_text(value_preview(value, max(8, left - 2 - len(f" ({len(value):,} chars)"))))
        else:
            label.append_text(value_preview(value, left))
        return label

    def _restore_cursor(self) -> None:
        """Put the cursor on the remembered path, or the nearest ancestor shown, or the top."""
        self.get_node_at_line(0)  # lay out the lines so nodes know their line numbers
        target = self._cursor_path
        while target:
            node = self._by_path.get(target)
            if node is not None and node.line >= 0:
                self._place_cursor(node.line)
                return
            target = target[:-1]
        self._place_cursor(0)

    def _place_cursor(self, line: int) -> None:
        """Move the cursor for the program, not the user: the remembered path stays as it was."""
        self._placed_cursor = self.get_node_at_line(line)
        self.cursor_line = line
        self.scroll_to_line(line, animate=False)

    # -- events and keys ---------------------------------------------------------------------

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[Entry]) -> None:
        event.stop()
        entry = event.node.data
        if entry is None:
            return
        self._expanded_paths.add(entry.path)
        self._populate(event.node)

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed[Entry]) -> None:
        event.stop()
        if event.node.data is not None:
            self._expanded_paths.discard(event.node.data.path)

    def on_tree_node_selected(self, event: Tree.NodeSelected[Entry]) -> None:
        event.stop()
        if event.node.data is not None and event.node.data.kind == "more":
            self._load_more(event.node)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Entry]) -> None:
        event.stop()
        if event.node is self._placed_cursor:
            self._placed_cursor = None
            return
        data = event.node.data
        if data is not None and data.kind != "note":
            self._cursor_path = data.path

    def action_expand_or_enter(self) -> None:
        node = self.cursor_node
        if node is None or node.data is None:
            return
        if node.data.kind == "more":
            self._load_more(node)
        elif node.allow_expand and not node.is_expanded:
            node.expand()
        elif node.is_expanded and node.children:
            self.action_cursor_down()

    def action_toggle_node(self) -> None:
        node = self.cursor_node
        if node is not None and self._view_leaf(node):
            return
        super().action_toggle_node()

    def action_view_or_select(self) -> None:
        """Enter: a value, a long string or a message opens in the viewer; anything else as before."""
        node = self.cursor_node
        entry = node.data if node is not None else None
        if entry is not None and entry.kind == "value" and (_is_long_string(entry.value) or is_message(entry.value)):
            self.open_viewer(entry)
            return
        if node is not None and self._view_leaf(node):
            return
        self.action_select_cursor()

    def _view_leaf(self, node: TreeNode[Entry]) -> bool:
        """On a value with nothing to expand (a number, a short string), open it in the viewer."""
        entry = node.data
        if entry is None or entry.kind not in ("value", "text") or node.allow_expand or not entry.path:
            return False
        whole = node.parent.data if entry.kind == "text" and node.parent is not None else None
        self.open_viewer(whole or entry)  # a line of a long string: the whole string
        return True

    def open_viewer(self, entry: Entry) -> None:
        from vcr_tui.screens.value_viewer_screen import ValueViewerScreen  # loads when a value is opened

        self.app.push_screen(ValueViewerScreen(entry.path_text, entry.value))

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.get_node_at_line(0)
            self.cursor_line = node.parent.line
