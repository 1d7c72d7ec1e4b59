"""A run's branches as a graph: levels of steps that ran one after another, lanes that ran side by
side, and the forks of the run as branches off the frame they start from.

Built only from what a recording holds. A LangGraph node's frame names its superstep
(``recorder.graph_facts``): the nodes of one superstep are one level, drawn as parallel lanes,
and a level of ``Send`` workers fans out from the level before it and joins into the next. A
recording without those facts is one chain, in recording order. The edges between levels are
what the order of execution implies (every node of a superstep can see what the one before
wrote); the graph's own wiring is not recorded, so it is not guessed.

``to_mermaid`` and ``to_dot`` print the same graph as text; every label from the file is escaped
for the target language, so a hostile node name cannot change the diagram's structure.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from recorder.graph_facts import graph_place
from recorder.models import FrameType
from recorder.reader import VCRReader

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_LABEL_LIMIT = 60


@dataclass(frozen=True, slots=True)
class GraphNode:
    """One frame in the graph. ``run`` is "" for the recording itself, else the fork's session id."""

    run: str
    index: int
    name: str
    frame_type: FrameType
    is_error: bool = False
    sent: bool = False  # a worker a Send started

    @property
    def key(self) -> str:
        """An identifier safe in any diagram language."""
        prefix = "f" if not self.run else "k" + re.sub(r"[^A-Za-z0-9]", "_", self.run) + "_"
        return f"{prefix}{self.index}"


@dataclass(frozen=True, slots=True)
class Level:
    """Steps that ran together: one, or the lanes of a superstep."""

    nodes: tuple[GraphNode, ...]
    superstep: int | None = None


@dataclass(frozen=True, slots=True)
class Branch:
    """A fork of the run: the frame of the parent it starts from, and its own levels."""

    session_id: str
    path: Path
    forked_from_frame: int
    levels: list[Level]


@dataclass
class RunGraph:
    session_id: str
    levels: list[Level]
    branches: list[Branch] = field(default_factory=list)

    def edges(self) -> list[tuple[GraphNode, GraphNode, bool]]:
        """(from, to, is_fork): consecutive levels fully joined; each branch hangs off its fork frame."""
        found = list(_level_edges(self.levels))
        by_index = {node.index: node for level in self.levels for node in level.nodes}
        for branch in self.branches:
            if not branch.levels:
                continue
            start = by_index.get(branch.forked_from_frame - 1) if branch.forked_from_frame > 0 else None
            for node in branch.levels[0].nodes:
                if start is not None:
                    found.append((start, node, True))
            found.extend(_level_edges(branch.levels))
        return found

    @property
    def step_count(self) -> int:
        """The run's own steps: a fork's steps are the fork's, counted with it."""
        return sum(len(level.nodes) for level in self.levels)


def _level_edges(levels: list[Level]) -> Iterable[tuple[GraphNode, GraphNode, bool]]:
    for upper, lower in itertools.pairwise(levels):
        for source in upper.nodes:
            for target in lower.nodes:
                yield source, target, False


def levels_of(reader: VCRReader, start: int = 0, *, run: str = "") -> list[Level]:
    """The frames from ``start`` on, grouped into levels (file order, one superstep a level)."""
    levels: list[Level] = []
    current: list[GraphNode] = []
    current_key: tuple[object, ...] | None = None
    current_step: int | None = None
    for index in range(start, len(reader)):
        frame = reader.frame(index)
        place = graph_place(frame)
        node = GraphNode(run, index, frame.node_name, frame.frame_type, frame.is_error, bool(place and place.sent))
        key = (place.run, place.graph, place.step) if place is not None else None
        if current and (key is None or key != current_key):
            levels.append(Level(tuple(current), current_step))
            current = []
        current.append(node)
        current_key = key
        current_step = place.step if place is not None else None
    if current:
        levels.append(Level(tuple(current), current_step))
    return levels


def build_graph(path: str | Path, *, forks: Iterable[Path] = ()) -> RunGraph:
    """The graph of the recording at ``path``; ``forks`` are other recordings to hang off it when
    they name it as their parent (others are ignored)."""
    with VCRReader(path) as reader:
        session_id = reader.session.session_id or Path(path).stem
        graph = RunGraph(session_id, levels_of(reader))
    for fork_path in forks:
        try:
            fork_reader = VCRReader(fork_path)
        except OSError:
            continue
        with fork_reader:
            session = fork_reader.session
            point = session.forked_from_frame
            if session.parent_session_id != session_id or point is None or point < 0:
                continue
            start = _after_fork_marker(fork_reader, point)
            graph.branches.append(
                Branch(
                    session.session_id or fork_path.stem,
                    fork_path,
                    point,
                    levels_of(fork_reader, start, run=session.session_id or fork_path.stem),
                )
            )
    return graph


def _after_fork_marker(reader: VCRReader, point: int) -> int:
    """Where a fork's own frames begin: after its copied prefix and its starting checkpoint."""
    for index in range(min(point, len(reader)), len(reader)):
        frame = reader.frame(index)
        if frame.frame_type is FrameType.CHECKPOINT and frame.source == "fork":
            return index + 1
        if frame.source != "replayed":
            return index
    return len(reader)


def forks_beside(path: Path) -> list[Path]:
    """The other recordings in the folder of ``path``: candidates to hang off it as forks."""
    try:
        return sorted(other for other in path.parent.glob("*.vcr") if other != path and other.is_file())
    except OSError:
        return []


# -- text forms ------------------------------------------------------------------------------


def label(node: GraphNode) -> str:
    """The node's label as plain, inert text (controls removed, length capped)."""
    name = _CONTROL.sub("", node.name)
    if len(name) > _LABEL_LIMIT:
        name = name[: _LABEL_LIMIT - 1] + "…"
    return f"#{node.index} {name}"


def to_mermaid(graph: RunGraph) -> str:
    lines = ["flowchart TD"]
    lines.extend(_mermaid_nodes(graph.levels, "  "))
    for number, branch in enumerate(graph.branches):
        title = _mermaid_text(f"fork {branch.session_id} from #{branch.forked_from_frame}")
        lines.append(f'  subgraph fork{number}["{title}"]')
        lines.extend(_mermaid_nodes(branch.levels, "    "))
        lines.append("  end")
    for source, target, is_fork in graph.edges():
        lines.append(f"  {source.key} {'-.->' if is_fork else '-->'} {target.key}")
    errors = [node.key for node in _all_nodes(graph) if node.is_error]
    if errors:
        lines.append("  classDef error stroke:#d70000,stroke-width:2px")
        lines.append(f"  class {','.join(errors)} error")
    return "\n".join(lines) + "\n"


def _mermaid_nodes(levels: list[Level], indent: str) -> list[str]:
    return [f'{indent}{node.key}["{_mermaid_text(label(node))}"]' for level in levels for node in level.nodes]


def _mermaid_text(text: str) -> str:
    """Mermaid's entity codes for every character that could end or style a label."""
    out = []
    for char in _CONTROL.sub("", text):
        if char.isalnum() or char in " .:_-#/@()+=,":
            out.append(char)
        else:
            out.append(f"#{ord(char)};")
    return "".join(out)


def to_dot(graph: RunGraph) -> str:
    lines = ["digraph run {", "  rankdir=TB;", '  node [shape=box, fontname="monospace"];']
    lines.extend(_dot_nodes(graph.levels, "  "))
    for number, branch in enumerate(graph.branches):
        lines.append(f"  subgraph cluster_fork{number} {{")
        lines.append(f'    label="{_dot_text(f"fork {branch.session_id} from #{branch.forked_from_frame}")}";')
        lines.append("    style=dashed;")
        lines.extend(_dot_nodes(branch.levels, "    "))
        lines.append("  }")
    for source, target, is_fork in graph.edges():
        lines.append(f"  {source.key} -> {target.key}{' [style=dashed]' if is_fork else ''};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_nodes(levels: list[Level], indent: str) -> list[str]:
    out = []
    for level in levels:
        keys = " ".join(f"{node.key};" for node in level.nodes)
        for node in level.nodes:
            colour = ', color="#d70000"' if node.is_error else ""
            out.append(f'{indent}{node.key} [label="{_dot_text(label(node))}"{colour}];')
        if len(level.nodes) > 1:
            out.append(f"{indent}{{ rank=same; {keys} }}")
    return out


def _dot_text(text: str) -> str:
    return _CONTROL.sub("", text).replace("\\", "\\\\").replace('"', '\\"')


def _all_nodes(graph: RunGraph) -> Iterable[GraphNode]:
    for level in graph.levels:
        yield from level.nodes
    for branch in graph.branches:
        for level in branch.levels:
            yield from level.nodes
