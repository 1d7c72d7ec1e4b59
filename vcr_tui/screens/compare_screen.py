"""Two runs side by side: aligned steps on the left, what differs in the selected pair on the right.

Reading and aligning two large runs takes seconds, so it runs in a thread worker while the screen
says how far it got; the screen opens on the first divergence. The diff of a pair is computed in
an exclusive worker, as in the debugger, so a newer cursor position cancels an older diff.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from recorder.compare import ComparisonCancelled, RunComparison, compare_runs
from recorder.errors import RecordingNotFoundError, RecordingUnreadableError
from vcr_tui.commands import ScreenCommands
from vcr_tui.logic.compare_view import CompareView, pair_cells
from vcr_tui.logic.diff_model import compute_lines
from vcr_tui.screens.help_screen import HelpScreen
from vcr_tui.theme import ERROR_STYLE, as_spans
from vcr_tui.widgets.diff_view import DiffView


class ComparisonReady(Message):
    """The two runs are read and aligned."""

    def __init__(self, comparison: RunComparison) -> None:
        super().__init__()
        self.comparison = comparison


class ComparisonFailed(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class ComparisonProgress(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class PairHighlighted(Message):
    def __init__(self, position: int) -> None:
        super().__init__()
        self.position = position


class PairDiffReady(Message):
    def __init__(self, key: tuple[object, ...], lines: list[Text], summary: str) -> None:
        super().__init__()
        self.key = key
        self.lines = lines
        self.summary = summary


class PairList(ScrollView, can_focus=True):
    """The aligned pairs, one per row, drawn with the Line API (two 100,000-step runs cost nothing)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "next pair", show=False, id="compare.down"),
        Binding("k,up", "move(-1)", "previous pair", show=False, id="compare.up"),
        Binding("pagedown,ctrl+d", "page(1)", "page down", show=False, id="compare.page-down"),
        Binding("pageup,ctrl+u", "page(-1)", "page up", show=False, id="compare.page-up"),
        Binding("g,home", "jump('first')", "first pair", show=False, id="compare.first"),
        Binding("G,end", "jump('last')", "last pair", show=False, id="compare.last"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"pair-list--cursor", "pair-list--cursor-blurred"}
    DEFAULT_CSS = """
    PairList {
        & > .pair-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
        & > .pair-list--cursor-blurred { background: $block-cursor-blurred-background; }
    }
    """

    cursor: reactive[int] = reactive(0, init=False, repaint=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: CompareView | None = None
        self.placeholder = "Reading both runs…"

    def show(self, view: CompareView) -> None:
        self.view = view
        self.virtual_size = Size(self.scrollable_content_region.width, view.count)
        self.cursor = view.cursor
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(PairHighlighted(self.cursor))

    def watch_cursor(self, old: int, new: int) -> None:
        if self.view is None:
            return
        self.view.move_to(new)
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(PairHighlighted(new))

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif height and self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def move_to(self, position: int) -> None:
        if self.view is not None and self.view.count:
            self.cursor = max(0, min(position, self.view.count - 1))

    def action_move(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(self.scrollable_content_region.height - 1, 1))

    def action_jump(self, where: str) -> None:
        self.move_to(0 if where == "first" else (self.view.count - 1 if self.view else 0))

    def on_resize(self) -> None:
        if self.view is not None:
            self.virtual_size = Size(self.scrollable_content_region.width, self.view.count)
            self._scroll_cursor_into_view()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        position = round(self.scroll_y) + y
        view = self.view
        if view is None or not view.count:
            if y == 0:
                text = Text(self.placeholder if view is None else "Neither run has frames.", style="italic")
                return Strip(list(text.render(self.app.console)), text.cell_len).crop_extend(0, width, base)
            return Strip.blank(width, base)
        if position >= view.count:
            return Strip.blank(width, base)
        pair = view.comparison.pairs[position]
        steps_a, steps_b = view.comparison.a.steps, view.comparison.b.steps
        text = pair_cells(
            pair,
            steps_a[pair.a] if pair.a is not None else None,
            steps_b[pair.b] if pair.b is not None else None,
            width,
        )
        strip = Strip(list(text.render(self.app.console)), text.cell_len).crop_extend(0, width, base)
        if position == self.cursor:
            name = "pair-list--cursor" if self.has_focus else "pair-list--cursor-blurred"
            style: Style = self.get_component_rich_style(name)
            strip = strip.apply_style(style)
        return strip


class CompareScreen(Screen[None]):
    """``vcr-tui diff A B``: the aligned runs, the first divergence first."""

    COMMANDS: ClassVar[set[type[Provider]]] = {ScreenCommands}  # type: ignore[assignment]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "difference(1)", "next difference", id="compare.next-difference"),
        Binding("N", "difference(-1)", "previous difference", id="compare.previous-difference"),
        Binding("d", "cycle_mode", "diff mode", id="compare.diff-mode"),
        Binding("i", "toggle_input", "input / output", id="compare.input-output"),
        Binding("tab", "focus_next", "next pane", show=False, id="compare.focus-next"),
        Binding("shift+tab", "focus_previous", "previous pane", show=False, id="compare.focus-previous"),
        Binding("escape", "back", "back", id="compare.back"),
        Binding("question_mark,f1", "help", "help", id="compare.help"),
        Binding("q", "quit", "quit", id="compare.quit"),
    ]
    DEFAULT_CSS = """
    CompareScreen {
        layout: vertical;
        & > #compare-summary { height: 3; padding: 0 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis; }
        & > #compare-panes { height: 1fr; }
        & PairList { width: 55%; border: round $panel-lighten-2; border-title-color: $text-muted; }
        & PairList:focus { border: round $accent; border-title-color: $accent; }
        & DiffView { width: 1fr; }
        & > #compare-status { height: 1; background: $panel; padding: 0 1; }
    }
    """

    def __init__(self, first: Path, second: Path) -> None:
        super().__init__()
        self.first = first
        self.second = second
        self.view: CompareView | None = None
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield Static(Text(" Reading both runs…", style="italic"), id="compare-summary")
        with Horizontal(id="compare-panes"):
            pairs = PairList(id="compare-pairs")
            pairs.border_title = "A ↔ B, aligned by step"
            yield pairs
            diff = DiffView(id="compare-diff")
            diff.border_title = "Differences"
            yield diff
        yield Static("", id="compare-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(PairList).focus()
        # Reading two large runs holds the interpreter for long stretches: start once the first
        # screen is drawn, so the screen does not wait on the worker.
        self.call_after_refresh(self._compare)

    def on_unmount(self) -> None:
        self._cancel.set()
        if self.view is not None:
            self.view.comparison.close()

    @work(thread=True, exclusive=True, group="compare")
    def _compare(self) -> None:
        def progress(done: int, total: int) -> None:
            self.post_message(ComparisonProgress(done, total))

        try:
            comparison = compare_runs(self.first, self.second, cancel=self._cancel, progress=progress)
        except ComparisonCancelled:
            return
        except (RecordingNotFoundError, RecordingUnreadableError) as exc:
            self.post_message(ComparisonFailed(exc.strerror or str(exc)))
            return
        self.post_message(ComparisonReady(comparison))

    def on_comparison_progress(self, message: ComparisonProgress) -> None:
        if self.view is None and message.total:
            percent = 100 * message.done // message.total
            self.query_one("#compare-status", Static).update(f"reading both runs… {percent}%")

    def on_comparison_failed(self, message: ComparisonFailed) -> None:
        self.query_one("#compare-status", Static).update(
            as_spans(Text(f"cannot compare: {message.reason}", style=ERROR_STYLE))
        )
        self.query_one(PairList).placeholder = "Nothing to compare."
        self.query_one(PairList).refresh()

    def on_comparison_ready(self, message: ComparisonReady) -> None:
        if self._cancel.is_set():
            message.comparison.close()
            return
        self.view = CompareView(message.comparison)
        self.query_one("#compare-summary", Static).update(self.view.summary())
        self.query_one(PairList).show(self.view)

    def on_pair_highlighted(self, message: PairHighlighted) -> None:
        self._refresh_status()
        self._show_diff()

    def _refresh_status(self) -> None:
        if self.view is not None:
            self.query_one("#compare-status", Static).update(
                Text(self.view.status(), no_wrap=True, overflow="ellipsis")
            )

    def _show_diff(self) -> None:
        if self.view is None:
            return
        diff = self.query_one(DiffView)
        request = self.view.diff_request()
        if request is None:
            diff.show_note("Neither run has frames.")
            return
        diff.border_title = f"Differences · {self.view.mode.caption}"
        diff.show_note("Comparing…", key=request.key)
        self._diff(request)

    @work(thread=True, exclusive=True, group="compare-diff")
    def _diff(self, request: object) -> None:
        from vcr_tui.logic.diff_model import DiffRequest

        assert isinstance(request, DiffRequest)
        lines, summary = compute_lines(request)
        if not get_current_worker().is_cancelled:
            self.post_message(PairDiffReady(request.key, lines, summary))

    def on_pair_diff_ready(self, message: PairDiffReady) -> None:
        diff = self.query_one(DiffView)
        if diff.shown_key == message.key:
            diff.show_lines(message.lines, key=message.key, summary=message.summary)

    # -- keys --------------------------------------------------------------------------------

    def action_difference(self, step: int) -> None:
        if self.view is None:
            return
        found = self.view.next_difference(step)
        if found is None:
            self.notify("no further differences" if step > 0 else "no earlier differences", timeout=3)
            return
        self.query_one(PairList).move_to(found)

    def action_cycle_mode(self) -> None:
        if self.view is not None:
            self.view.mode = self.view.mode.following()
            self._refresh_status()
            self._show_diff()

    def action_toggle_input(self) -> None:
        from vcr_tui.logic.compare_view import CompareMode

        if self.view is not None:
            self.view.mode = CompareMode.INPUT if self.view.mode is CompareMode.OUTPUT else CompareMode.OUTPUT
            self._refresh_status()
            self._show_diff()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.exit()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen([("Pairs", self.query_one(PairList)), ("Compare", self)]))

    async def action_quit(self) -> None:
        self.app.exit()

    def command_nodes(self) -> list[object]:
        return [self, self.query_one(PairList)]
