"""The graph view's drawing, free of Textual: each level of a ``RunGraph`` is a row of lanes, and
the row between two levels joins them with box-drawing lines (a fan-out, a join, or a straight
line). Forks follow the run, each under a title naming the frame it branches off.

Rows are drawn when asked for (``row``), so a chain of 100,000 steps costs what its visible part
costs. Labels pass through ``safe_text``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from recorder.run_graph import Branch, GraphNode, Level, RunGraph, label
from vcr_tui.logic.safe_text import clean
from vcr_tui.theme import ERROR_STYLE, FORK_POINT_STYLE, LABEL_STYLE, TYPE_LOOKS, italic

_CELL = 26
_MIN_CELL = 12
# (up, down, left, right) -> the box-drawing character joining those directions
_JUNCTIONS = {
    (True, True, False, False): "│",
    (True, False, False, True): "└",
    (True, False, True, False): "┘",
    (True, False, True, True): "┴",
    (False, True, False, True): "┌",
    (False, True, True, False): "┐",
    (False, True, True, True): "┬",
    (True, True, False, True): "├",
    (True, True, True, False): "┤",
    (True, True, True, True): "┼",
    (False, False, True, True): "─",
    (False, False, False, True): "─",
    (False, False, True, False): "─",
    (True, False, False, False): "╵",
    (False, True, False, False): "╷",
}


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the drawing: a level of nodes, a connector, or a branch title."""

    kind: str  # "level", "link", "title"
    level: Level | None = None
    upper: Level | None = None
    lower: Level | None = None
    branch: Branch | None = None


class GraphLayout:
    """The rows of the drawing and the nodes the cursor can visit, in order."""

    def __init__(self, graph: RunGraph) -> None:
        self.graph = graph
        self.rows: list[Row] = []
        self.node_rows: list[int] = []  # the row of each level, in visiting order
        self._add_levels(graph.levels)
        for branch in graph.branches:
            self.rows.append(Row("title", branch=branch))
            self._add_levels(branch.levels)

    def _add_levels(self, levels: list[Level]) -> None:
        for position, level in enumerate(levels):
            if position:
                self.rows.append(Row("link", upper=levels[position - 1], lower=level))
            self.node_rows.append(len(self.rows))
            self.rows.append(Row("level", level=level))

    def level_at(self, stop: int) -> Level:
        row = self.rows[self.node_rows[stop]].level
        assert row is not None
        return row

    @staticmethod
    def cell_width(width: int, lanes: int) -> int:
        return max(_MIN_CELL, min(_CELL, width // max(lanes, 1)))

    def row(self, position: int, width: int, cursor: GraphNode | None) -> Text:
        found = self.rows[position]
        if found.kind == "title":
            assert found.branch is not None
            branch = found.branch
            text = Text(no_wrap=True, end="")
            text.append("⑂ fork ", style=FORK_POINT_STYLE)
            text.append(clean(branch.session_id), style="bold")
            text.append(f" branches off #{branch.forked_from_frame}", style=LABEL_STYLE)
            return text
        if found.kind == "link":
            assert found.upper is not None and found.lower is not None
            return _link(found.upper, found.lower, width)
        assert found.level is not None
        return _level(found.level, width, cursor)


def _centres(level: Level, width: int) -> list[int]:
    cell = GraphLayout.cell_width(width, len(level.nodes))
    return [lane * cell + 1 for lane in range(len(level.nodes))]


def _link(upper: Level, lower: Level, width: int) -> Text:
    ups, downs = set(_centres(upper, width)), set(_centres(lower, width))
    low, high = min(ups | downs), max(ups | downs)
    chars = []
    for x in range(high + 1):
        if x < low:
            chars.append(" ")
            continue
        key = (x in ups, x in downs, x > low, x < high)
        chars.append(_JUNCTIONS.get(key, " " if not any(key) else "─"))
    text = Text("".join(chars), style=LABEL_STYLE, no_wrap=True, end="")
    sent = [node for node in lower.nodes if node.sent]
    if sent:
        text.append(f"  Send ×{len(sent)}", style=italic(LABEL_STYLE))
    return text


def _level(level: Level, width: int, cursor: GraphNode | None) -> Text:
    cell = GraphLayout.cell_width(width, len(level.nodes))
    text = Text(no_wrap=True, end="")
    for node in level.nodes:
        look = TYPE_LOOKS[node.frame_type]
        name = clean(label(node))
        room = cell - 3
        if len(name) > room:
            name = name[: max(room - 1, 0)] + "…"
        style = ERROR_STYLE if node.is_error else ""
        if cursor is not None and node == cursor:
            style = "reverse bold"
        text.append(" ")
        text.append(look.glyph, style=look.style)
        text.append(" ")
        text.append(f"{name:<{room}}", style=style)
    if level.superstep is not None and len(level.nodes) > 0:
        text.append(f"  step {level.superstep}", style=LABEL_STYLE)
    return text
