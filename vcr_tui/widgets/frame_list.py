"""The frame list: one row per frame, drawn with Textual's Line API.

Only the rows on screen are rendered (``render_line``), each from a cached ``FrameRow`` that was
read from the raw line without parsing states, so 100,000 frames cost what 10 do. The widget owns
the cursor; it posts ``FrameHighlighted`` once a move is on screen, and never loads frames itself.

Extension points kept deliberately small: ``marked`` (the frame diffs compare against),
``edited`` (frames whose state was edited in memory), ``matches`` (search hits) and
``frames_appended`` for recordings that grow while they are open.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from recorder.models import FrameType
from recorder.vocabulary import ANSWERED_SOURCES
from vcr_tui.logic.formatting import format_cost, format_latency, format_timestamp, format_tokens
from vcr_tui.logic.frame_columns import NARROW, Columns, name_cells
from vcr_tui.logic.frame_rows import FrameRow
from vcr_tui.logic.frame_store import FrameStore
from vcr_tui.logic.preview_store import PreviewStore
from vcr_tui.logic.safe_text import clean
from vcr_tui.messages import FrameHighlighted
from vcr_tui.theme import (
    EDITED_GLYPH,
    ERROR_ROW_STYLE,
    FAILED_TOOL_GLYPH,
    MARK_GLYPH,
    MATCH_GLYPH,
    REPLAYED_GLYPH,
    SNAPSHOT_GLYPH,
    SNAPSHOT_STYLE,
    TYPE_LOOKS,
    bold,
)

_STRIP_CACHE = 512


class FrameList(ScrollView, can_focus=True):
    """Every frame of the recording, one per row, with a cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "next frame", show=False, id="frames.down"),
        Binding("k,up", "cursor_up", "previous frame", show=False, id="frames.up"),
        Binding("pagedown", "page_down", "page down", show=False, id="frames.page-down"),
        Binding("pageup", "page_up", "page up", show=False, id="frames.page-up"),
        Binding("ctrl+d", "half_page_down", "half page down", show=False, id="frames.half-page-down"),
        Binding("ctrl+u", "half_page_up", "half page up", show=False, id="frames.half-page-up"),
        Binding("g,home", "first", "first frame", show=False, id="frames.first"),
        Binding("G,end", "last", "last frame", show=False, id="frames.last"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "frame-list--cursor",
        "frame-list--cursor-blurred",
        "frame-list--dim",
        "frame-list--mark",
        "frame-list--match",
    }

    DEFAULT_CSS = """
    FrameList {
        & > .frame-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
        & > .frame-list--cursor-blurred { background: $block-cursor-blurred-background; }
        & > .frame-list--dim { color: $text-muted; }
        & > .frame-list--mark { color: $accent; text-style: bold; }
        & > .frame-list--match { color: $warning; text-style: bold; }
    }
    """

    cursor: reactive[int] = reactive(0, init=False, always_update=True, repaint=False)
    marked: reactive[int | None] = reactive(None, init=False)  # the frame diffs compare against
    matches: reactive[frozenset[int]] = reactive(frozenset(), init=False)  # search hits

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.store: FrameStore | PreviewStore | None = None
        self.frame_count = 0
        self.pending_jump: int | None = None  # asked for beyond the frames known so far
        self.placeholder = "Indexing…"
        self.edited: set[int] = set()
        self._strips: OrderedDict[tuple[object, ...], Strip] = OrderedDict()
        self._paint: tuple[int, int, Style, bool] = (0, 0, Style(), False)
        self.name_want = 0  # the widest node name shown so far: narrow panes keep room for it
        self._names_window: tuple[object, ...] = ()  # the rows whose names were last looked at
        self._looks: dict[str, Style] = {}  # component styles resolved under ``_looks_theme``
        self._looks_theme = ""

    # -- data --------------------------------------------------------------------------------

    def set_store(self, store: FrameStore | PreviewStore, cursor: int = 0) -> None:
        """Show a recording (or the preview of its first frames); the cursor starts at ``cursor``.

        A jump asked for beyond a preview's frames (G, or ``:`` with a big number) is made when
        the complete store arrives.
        """
        self.store = store
        self.name_want, self._names_window = 0, ()
        self.placeholder = "No frames in this recording yet." if store.complete else "Indexing…"
        self._recount(store)
        if store.complete and self.pending_jump is not None:
            cursor, self.pending_jump = self.pending_jump, None
        if self.frame_count:
            self.move_to(cursor)

    def frames_appended(self, count: int, *, follow: bool = False) -> None:
        """The recording grew by ``count`` frames; keep the cursor, or follow the end."""
        if self.store is None:
            return
        before = self.frame_count
        was_at_end = self.cursor >= before - 1
        self._recount(self.store)
        if not self.frame_count:
            return
        if follow and was_at_end:
            self.move_to(self.frame_count - 1)
        elif not before:  # the first frames of a recording that started empty: show the first
            self.move_to(0)

    def frames_reset(self) -> None:
        """The file was replaced or truncated: everything is re-read, the cursor kept in range."""
        if self.store is None:
            return
        self._recount(self.store)
        self.move_to(min(self.cursor, max(self.frame_count - 1, 0)))

    def watch_marked(self) -> None:
        self._strips.clear()  # the rows' flags changed; setting the reactive repaints

    def watch_matches(self) -> None:
        self._strips.clear()

    def mark_edited(self, index: int, edited: bool = True) -> None:
        """Show (or stop showing) that a frame's state was edited in memory."""
        if edited:
            self.edited.add(index)
        else:
            self.edited.discard(index)
        self._repaint()

    def _recount(self, store: FrameStore | PreviewStore) -> None:
        """Take the store's frame count: a new height, and every row drawn again (the index column may widen)."""
        self.frame_count = len(store)
        self._update_virtual_size()
        self._repaint()

    def _repaint(self) -> None:
        """Draw every row again: what the cached rows show has changed."""
        self._strips.clear()
        self._names_window = ()
        self.refresh()

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.frame_count)

    def on_resize(self) -> None:
        self._update_virtual_size()
        self._strips.clear()
        self._scroll_cursor_into_view()

    # -- cursor ------------------------------------------------------------------------------

    def move_to(self, index: int) -> None:
        """Put the cursor on frame ``index`` (clamped), scrolled into view without animation."""
        if self.store is not None and not self.store.complete:
            self.pending_jump = index if index >= self.frame_count else None
        if not self.frame_count:
            return
        self.cursor = max(0, min(index, self.frame_count - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        top = round(self.scroll_y)
        self._scroll_cursor_into_view()
        if round(self.scroll_y) == top:  # only two rows changed: repaint just those, in one refresh
            width = max(self.virtual_size.width, self.size.width)
            self.refresh(Region(0, old - top, width, 1), Region(0, new - top, width, 1))
        else:
            self.refresh()
        # Told once the step is on screen: the message and its way up to the screen and the app
        # (nothing there needs it sooner) cost about 4% of a step before its paint.
        self.call_after_refresh(self.post_message, FrameHighlighted(new))

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    @property
    def page(self) -> int:
        return max(self.scrollable_content_region.height, 1)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + self.page)

    def action_page_up(self) -> None:
        self.move_to(self.cursor - self.page)

    def action_half_page_down(self) -> None:
        self.move_to(self.cursor + max(self.page // 2, 1))

    def action_half_page_up(self) -> None:
        self.move_to(self.cursor - max(self.page // 2, 1))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        if self.store is not None and not self.store.complete:
            self.move_to(sys.maxsize)
        else:
            self.move_to(self.frame_count - 1)

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return  # on the border or the scrollbar
        row = round(self.scroll_y) + offset.y
        if 0 <= row < self.frame_count:
            self.move_to(row)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # drawn with the old styles (a theme switch)
        self._looks.clear()

    def _look(self, component: str) -> Style:
        """A component class's style, resolved once per theme and CSS: a row drawn on a step
        asks for two or three, and each resolution walks the styles."""
        theme = self.app.theme
        if theme != self._looks_theme:
            self._looks.clear()
            self._looks_theme = theme
        style = self._looks.get(component)
        if style is None:
            style = self._looks[component] = self.get_component_rich_style(component)
        return style

    def on_focus(self) -> None:
        self._repaint()

    def on_blur(self) -> None:
        self._repaint()

    # -- rendering ---------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # Looked up once per paint, not once per row: each costs a style resolution.
        region = self.scrollable_content_region
        top = round(self.scroll_y)
        self._paint = (region.width, top, self.rich_style, self.has_focus)
        self._widen_names(top, region.height)
        return super().render_lines(crop)

    def _widen_names(self, top: int, height: int) -> None:
        """Note the widest name among the rows about to be drawn; a wider one redraws every row.

        Only a narrow pane needs to know, and only once per window of rows: a step that does not
        scroll costs nothing here.
        """
        window = (self.store, top, height, self.frame_count)
        if self.store is None or self._paint[0] >= NARROW or window == self._names_window:
            return
        self._names_window = window
        widest = self.name_want
        for index in range(top, min(top + height, self.frame_count)):
            try:
                widest = max(widest, name_cells(self.store.row(index)))
            except (IndexError, OSError):
                continue
        if widest > self.name_want:
            self.name_want = widest
            self._strips.clear()

    def render_line(self, y: int) -> Strip:
        width, top, base, focused = self._paint
        index = top + y
        if self.store is None or not self.frame_count:
            if y == 0:
                dim = self._look("frame-list--dim")
                return Strip([Segment(" " + self.placeholder, dim)]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        if index >= self.frame_count:
            return Strip.blank(width, base)
        is_cursor = index == self.cursor
        key = (
            index,
            width,
            is_cursor,
            focused,
            index == self.marked,
            index in self.matches,
            index in self.edited,
        )
        strip = self._strips.get(key)
        if strip is None:
            strip = self._render_row(index, width, is_cursor, base).crop_extend(0, width, base)
            self._strips[key] = strip
            if len(self._strips) > _STRIP_CACHE:
                self._strips.popitem(last=False)
        return strip

    def _render_row(self, index: int, width: int, is_cursor: bool, base: Style) -> Strip:
        assert self.store is not None
        try:
            row = self.store.row(index)
        except (IndexError, OSError):
            return Strip.blank(width, base)
        text = self.row_text(row, Columns(width, self.frame_count, self.name_want))
        if is_cursor:
            name = "frame-list--cursor" if self.has_focus else "frame-list--cursor-blurred"
            text.stylize(self._look(name))
        segments = list(text.render(self.app.console))
        return Strip(segments, text.cell_len).apply_style(base)

    def row_text(self, row: FrameRow, columns: Columns) -> Text:
        """One row: flag, index, type marker, node, [time], latency, tokens, [cost]."""
        look = TYPE_LOOKS[row.frame_type]
        error = row.is_error
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if row.index == self.marked:
            text.append(MARK_GLYPH, style=self._look("frame-list--mark"))
        elif row.index in self.matches:
            text.append(MATCH_GLYPH, style=self._look("frame-list--match"))
        elif row.index in self.edited:
            text.append(EDITED_GLYPH, style=self._look("frame-list--mark"))
        elif row.source in ANSWERED_SOURCES:  # answered by the recording or a golden run, at zero tokens
            text.append(REPLAYED_GLYPH, style=self._look("frame-list--dim"))
        else:
            text.append(" ")
        dim = self._look("frame-list--dim")
        text.append(f"{row.index:>{columns.index}} ", style=dim)
        text.append(look.glyph + " ", style=look.style)
        if columns.word:
            text.append(f"{look.word:<{columns.word}}", style=look.style)
        name = clean(row.node_name)
        if error and row.frame_type is not FrameType.ERROR:
            name = f"{FAILED_TOOL_GLYPH} {name}"
        style = ""
        if error:
            style = ERROR_ROW_STYLE if row.frame_type is not FrameType.ERROR else bold(ERROR_ROW_STYLE)
        node = Text(name, style=style, end="")
        if row.has_snapshot:  # at the start of the name, so the marker lines up at every width
            node = Text.assemble((SNAPSHOT_GLYPH + " ", SNAPSHOT_STYLE), node, end="")
        node.truncate(columns.node - 1, overflow="ellipsis", pad=True)
        text.append_text(node)
        text.append(" ")
        if columns.time:
            text.append(f"{format_timestamp(row.timestamp, with_date=False):>{columns.time - 1}} ", style=dim)
        if columns.latency:
            text.append(f"{format_latency(row.latency_ms):>{columns.latency}}")
        if columns.tokens:
            text.append(f"{format_tokens(row.tokens):>{columns.tokens}}", style=dim if not row.tokens else "")
        if columns.cost:
            text.append(f"{format_cost(row.cost_usd):>{columns.cost}}", style=dim)
        return text
