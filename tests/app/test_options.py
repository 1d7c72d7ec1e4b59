"""One typed options object reaches every screen; key help reads the bindings Textual enforces."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App

from tests.support.app_support import file_screen, press, settle
from vcr_tui.app import VCRApp
from vcr_tui.host import options_of
from vcr_tui.keys import documented_bindings, normalized_keymap
from vcr_tui.logic.agent_choice import AgentSettings
from vcr_tui.logic.options import AppOptions
from vcr_tui.screens.debugger.file_screen import FileScreen

SIZE = (120, 35)


@pytest.fixture
def demo(app_recordings) -> Path:
    return app_recordings.demo()


async def test_the_command_lines_decisions_reach_the_screen(demo: Path, tmp_path: Path) -> None:
    agents = AgentSettings(spec="pkg.agent:run")
    app = VCRApp(demo, keymap={"file.mark": "M"}, workspace=tmp_path, agent=agents)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        options = options_of(file_screen(app))
        assert options is app.options
        assert options == AppOptions(keymap={"file.mark": "M"}, workspace=tmp_path, agents=agents)
        assert options.agents is agents  # confirmations made on screen are kept for the whole run


async def test_a_screen_in_another_app_gets_the_defaults(demo: Path) -> None:
    class Bare(App[None]):
        def on_mount(self) -> None:
            self.push_screen(FileScreen(demo))

    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert options_of(app.screen) == AppOptions()


async def test_help_reads_the_keys_textual_binds(demo: Path) -> None:
    """Short forms in a keymap (``?``, ``/``) are read as Textual reads them."""
    keymap = {"app.help": "?,h", "file.search": "/", "file.mark": "M"}
    app = VCRApp(demo, keymap=keymap)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = file_screen(app)
        ours: dict[str | None, set[str]] = {}
        for binding in documented_bindings(screen, app.options.keymap):
            ours.setdefault(binding.id, set()).add(binding.key)
        assert ours["app.help"] == {"question_mark", "h"}
        assert ours["file.search"] == {"slash"}
        enforced = {active.binding.id: key for key, active in screen.active_bindings.items() if active.node is screen}
        for binding_id in keymap:
            assert enforced[binding_id] in ours[binding_id]
        await press(pilot, "M")
        assert screen.marked == 0


def test_normalized_keymap_names_single_characters() -> None:
    assert normalized_keymap({"a": "?, ctrl+x ,j", "b": "@", "c": "-"}) == {
        "a": "question_mark,ctrl+x,j",
        "b": "at",
        "c": "minus",
    }
