"""Command palette (ctrl+p): the screen's own commands, named after their bindings' descriptions.

The palette lists exactly what the keys do (same actions, same words as the help), plus the key
to remember for next time, so it doubles as a way to learn the keys.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from vcr_tui.host import options_of

Command = tuple[str, Callable[[], object], str]  # name, what it does, help


class ListedCommands(Provider):
    """A provider of a list of commands made when the palette asks (the screen may have changed)."""

    def commands(self) -> list[Command]:
        raise NotImplementedError

    def run_later(self, node: object, action: str) -> Callable[[], object]:
        """A callback that runs ``action`` on ``node`` once the palette has closed."""
        return partial(self._run, node, action)

    def _run(self, node: object, action: str) -> None:
        run_action = getattr(node, "run_action", None)
        if run_action is not None:
            self.app.call_later(run_action, action)

    async def discover(self) -> Hits:
        for name, callback, help_text in self.commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class ScreenCommands(ListedCommands):
    """Offers every documented binding of the active screen and its panes as a command."""

    def commands(self) -> list[Command]:
        from vcr_tui.key_help import key_help  # loads with the palette: the first screen lists no keys

        screen = self.screen
        nodes = getattr(screen, "command_nodes", lambda: [screen])()
        keymap = options_of(screen).keymap
        found: list[Command] = []
        seen: set[str] = set()
        for node in nodes:
            for entry in key_help(node, self.app.get_key_display, keymap):
                if entry.binding_id in seen or entry.binding_id.endswith((".up", ".down", ".close")):
                    continue
                seen.add(entry.binding_id)
                name = _capitalized(entry.description)
                found.append((name, self.run_later(node, entry.action), f"key: {' '.join(entry.keys)}"))
        return found


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
