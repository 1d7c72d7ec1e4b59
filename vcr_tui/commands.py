"""Command palette (ctrl+p): the screen's own commands, named after their bindings' descriptions.

The palette lists exactly what the keys do (same actions, same words as the help), plus the key
to remember for next time, so it doubles as a way to learn the keys.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from vcr_tui.keys import KeyHelp, key_help


class ScreenCommands(Provider):
    """Offers every documented binding of the active screen and its panes as a command."""

    def _entries(self) -> list[tuple[KeyHelp, object]]:
        screen = self.screen
        nodes = getattr(screen, "command_nodes", lambda: [screen])()
        keymap = getattr(self.app, "_keymap", None)
        found: list[tuple[KeyHelp, object]] = []
        seen: set[str] = set()
        for node in nodes:
            for entry in key_help(node, self.app.get_key_display, keymap):
                if entry.binding_id in seen or entry.binding_id.endswith((".up", ".down", ".close")):
                    continue
                seen.add(entry.binding_id)
                found.append((entry, node))
        return found

    def _run(self, node: object, action: str) -> None:
        run_action = getattr(node, "run_action", None)
        if run_action is not None:
            self.app.call_later(run_action, action)

    async def discover(self) -> Hits:
        for entry, node in self._entries():
            yield DiscoveryHit(
                _capitalized(entry.description),
                partial(self._run, node, entry.action),
                help=f"key: {' '.join(entry.keys)}",
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry, node in self._entries():
            name = _capitalized(entry.description)
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    partial(self._run, node, entry.action),
                    help=f"key: {' '.join(entry.keys)}",
                )


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
