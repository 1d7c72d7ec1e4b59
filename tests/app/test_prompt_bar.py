"""The prompt bar builds its field after the first paint, and a key that opens it sooner still works."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Input, Label

from vcr_tui.messages import PromptSubmitted
from vcr_tui.widgets.prompt_bar import PromptBar


class BarApp(App[None]):
    """The bar alone; ``open_at_mount`` opens it in the same turn as it is mounted."""

    def __init__(self, *, open_at_mount: bool = False) -> None:
        super().__init__()
        self.open_at_mount = open_at_mount
        self.fields_at_mount = -1
        self.submitted: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield PromptBar(id="prompt")

    def on_mount(self) -> None:
        bar = self.query_one(PromptBar)
        self.fields_at_mount = len(bar.query(Input))
        if self.open_at_mount:
            bar.open("goto", ":", "12", placeholder="frame number")

    def on_prompt_submitted(self, message: PromptSubmitted) -> None:
        self.submitted.append((message.kind, message.value))


async def test_the_field_is_built_after_the_first_paint() -> None:
    app = BarApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.fields_at_mount == 0  # not composed with the screen's first update
        bar = app.query_one(PromptBar)
        assert len(bar.query(Input)) == 1 and len(bar.query(Label)) == 1
        assert not bar.has_class("-open")


async def test_opening_before_the_first_paint_builds_the_field_at_once() -> None:
    app = BarApp(open_at_mount=True)
    async with app.run_test() as pilot:
        await pilot.pause()
        bar = app.query_one(PromptBar)
        field = bar.query_one(Input)
        assert len(bar.query(Input)) == 1  # built once, not again after the paint
        assert bar.has_class("-open") and app.focused is field
        assert field.value == "12" and field.placeholder == "frame number"
        await pilot.press("3", "enter")  # the field took the focus with its value selected, as Input does
        assert app.submitted == [("goto", "3")]
        assert not bar.has_class("-open")
