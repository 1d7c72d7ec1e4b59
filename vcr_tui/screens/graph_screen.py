"""The graph view: a run drawn as levels and lanes, forks as branches; Enter selects the frame.

Building the graph reads every frame, so it runs in a thread worker; the drawing is done row by
row on the Line API. The screen dismisses with the index of the selected frame of this run (a
fork's frame is opened as its own recording), or None.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Static

from recorder.errors import RecordingNotFoundError, RecordingUnreadableError
from recorder.run_graph import GraphNode, RunGraph, build_graph, forks_beside
from vcr_tui.logic.formatting import format_count
from vcr_tui.logic.graph_layout import GraphLayout
from vcr_tui.screens.help_screen import HelpScreen
from vcr_tui.theme import ERROR_STYLE, as_spans


class GraphBuilt(Message):
    def __init__(self, graph: RunGraph) -> None:
        super().__init__()
        self.graph = graph


class GraphFailed(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class GraphCanvas(ScrollView, can_focus=True):
    """The drawing, with a cursor on one node."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "next level", show=False, id="graph.down"),
        Binding("k,up", "move(-1)", "previous level", show=False, id="graph.up"),
        Binding("l,right", "lane(1)", "next lane", show=False, id="graph.right"),
        Binding("h,left", "lane(-1)", "previous lane", show=False, id="graph.left"),
        Binding("g,home", "jump(0)", "first level", show=False, id="graph.first"),
        Binding("G,end", "jump(-1)", "last level", show=False, id="graph.last"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.layout_: GraphLayout | None = None
        self.stop = 0  # which level (in visiting order) the cursor is on
        self.lane = 0
        self.placeholder = "Reading the run…"

    @property
    def selected(self) -> GraphNode | None:
        if self.layout_ is None or not self.layout_.node_rows:
            return None
        nodes = self.layout_.level_at(self.stop).nodes
        return nodes[min(self.lane, len(nodes) - 1)]

    def show(self, layout: GraphLayout, select: int | None = None) -> None:
        self.layout_ = layout
        self.virtual_size = Size(self.scrollable_content_region.width, len(layout.rows))
        if select is not None:
            for stop in range(len(layout.node_rows)):
                nodes = layout.level_at(stop).nodes
                lane = next((k for k, node in enumerate(nodes) if not node.run and node.index == select), None)
                if lane is not None:
                    self.stop, self.lane = stop, lane
                    break
        self._into_view()
        self.refresh()

    def action_move(self, step: int) -> None:
        if self.layout_ is not None and self.layout_.node_rows:
            self.stop = max(0, min(self.stop + step, len(self.layout_.node_rows) - 1))
            self._into_view()
            self.refresh()

    def action_lane(self, step: int) -> None:
        if self.layout_ is not None and self.layout_.node_rows:
            lanes = len(self.layout_.level_at(self.stop).nodes)
            self.lane = max(0, min(min(self.lane, lanes - 1) + step, lanes - 1))
            self.refresh()

    def action_jump(self, stop: int) -> None:
        if self.layout_ is not None and self.layout_.node_rows:
            self.stop = stop if stop >= 0 else len(self.layout_.node_rows) - 1
            self._into_view()
            self.refresh()

    def _into_view(self) -> None:
        if self.layout_ is None or not self.layout_.node_rows:
            return
        row = self.layout_.node_rows[self.stop]
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=max(row - 1, 0), animate=False, immediate=True)
        elif height and row >= top + height:
            self.scroll_to(y=row - height + 2, animate=False, immediate=True)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        position = round(self.scroll_y) + y
        if self.layout_ is None or not self.layout_.rows:
            text = Text(self.placeholder if self.layout_ is None else "No frames in this run.", style="italic")
            if y:
                return Strip.blank(width, base)
        elif position >= len(self.layout_.rows):
            return Strip.blank(width, base)
        else:
            text = self.layout_.row(position, width, self.selected)
        return Strip(list(text.render(self.app.console)), text.cell_len).crop_extend(0, width, base)


class GraphScreen(Screen[int | None]):
    """The run as a graph; Enter selects a frame of it, Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "select frame", id="graph.select"),
        Binding("escape,v", "back", "back", id="graph.back"),
        Binding("question_mark,f1", "help", "help", id="graph.help"),
        Binding("q", "quit", "quit", id="graph.quit"),
    ]
    DEFAULT_CSS = """
    GraphScreen {
        layout: vertical;
        & GraphCanvas { height: 1fr; border: round $accent; border-title-color: $accent; }
        & > #graph-status { height: 1; background: $panel; padding: 0 1; }
    }
    """

    def __init__(self, path: Path, *, with_forks: bool = True, select: int | None = None) -> None:
        super().__init__()
        self.path = path
        self.with_forks = with_forks
        self.select_first = select
        self.graph: RunGraph | None = None

    def compose(self) -> ComposeResult:
        canvas = GraphCanvas(id="graph-canvas")
        canvas.border_title = "Run graph"
        yield canvas
        yield Static("", id="graph-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(GraphCanvas).focus()
        self._build()

    @work(thread=True, exclusive=True, group="graph")
    def _build(self) -> None:
        try:
            graph = build_graph(self.path, forks=forks_beside(self.path) if self.with_forks else ())
        except (RecordingNotFoundError, RecordingUnreadableError) as exc:
            self.post_message(GraphFailed(exc.strerror or str(exc)))
            return
        self.post_message(GraphBuilt(graph))

    def on_graph_built(self, message: GraphBuilt) -> None:
        self.graph = message.graph
        canvas = self.query_one(GraphCanvas)
        steps, forks = message.graph.step_count, len(message.graph.branches)
        canvas.border_title = f"Run graph · {format_count(steps, 'step')} · {format_count(forks, 'fork')}"
        canvas.show(GraphLayout(message.graph), self.select_first)
        self.query_one("#graph-status", Static).update("j/k levels · h/l lanes · enter selects the frame · esc back")

    def on_graph_failed(self, message: GraphFailed) -> None:
        self.query_one("#graph-status", Static).update(
            as_spans(Text(f"cannot draw the run: {message.reason}", style=ERROR_STYLE))
        )

    def action_select(self) -> None:
        node = self.query_one(GraphCanvas).selected
        if node is None:
            return
        if node.run:
            branch = next((b for b in self.graph.branches if b.session_id == node.run), None) if self.graph else None
            if branch is not None:
                from vcr_tui.screens.debugger.file_screen import FileScreen

                self.app.switch_screen(FileScreen(branch.path, from_directory=True))
            return
        self.dismiss(node.index)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen([("Graph", self.query_one(GraphCanvas)), ("Anywhere", self)]))

    async def action_quit(self) -> None:
        self.app.exit()
