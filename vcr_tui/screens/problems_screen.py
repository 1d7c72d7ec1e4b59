"""The warning shown when a file had lines that were skipped or mended: how many, and why."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from recorder import Problem
from vcr_tui.logic.safe_text import clean, shorten
from vcr_tui.theme import LABEL_STYLE, WARNING_STYLE, italic

SHOWN = 50


def problems_text(problems: list[Problem], file_name: str) -> Text:
    text = Text()
    noun = "line" if len(problems) == 1 else "lines"
    text.append(f"⚠ {len(problems):,} {noun} of ", style=WARNING_STYLE)
    text.append(clean(file_name), style="bold")
    text.append(" could not be used as written.\n", style=WARNING_STYLE)
    text.append("The rest of the recording is shown; these lines were skipped or mended:\n\n")
    for problem in problems[:SHOWN]:
        where = f"line {problem.line}" if problem.line else "file"
        text.append(f"  {where:>10}  ", style=LABEL_STYLE)
        text.append(shorten(clean(problem.reason), 200))
        text.append("\n")
    if len(problems) > SHOWN:
        text.append(f"\n  … and {len(problems) - SHOWN:,} more\n", style=italic(LABEL_STYLE))
    return text


class ProblemsScreen(ModalScreen[None]):
    """Modal list of a file's problems; any of Enter, Escape or w closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,w,q", "dismiss", "close", id="problems.close"),
    ]

    DEFAULT_CSS = """
    ProblemsScreen {
        align: center middle;
        & > VerticalScroll {
            width: 100;
            max-width: 100%;
            height: auto;
            max-height: 80%;
            border: round $warning;
            border-title-color: $warning;
            background: $surface;
            padding: 0 1;
        }
    }
    """

    def __init__(self, problems: list[Problem], file_name: str) -> None:
        super().__init__()
        self.problems = problems
        self.file_name = file_name

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Warning"
            scroll.border_subtitle = "enter or esc to continue · w shows this again"
            yield Static(problems_text(self.problems, self.file_name))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
