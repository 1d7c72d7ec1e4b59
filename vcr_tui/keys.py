"""Key help built from the bindings that are really in force, so the help screen never lies.

Every binding of the app has an ``id``; a user keymap (``binding id = "keys"``) replaces its keys.
The help screen and the command palette list what ``documented_bindings`` returns
(``vcr_tui.key_help``); a test checks that the README's key table lists every key they show.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.keys import KEY_NAME_REPLACEMENTS

from vcr_tui.logic.options import Keymap
from vcr_tui.logic.settings import config_dir

_KEYMAP_LINE = re.compile(r"""^\s*([A-Za-z0-9_.\-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')\s*(?:#.*)?$""")


def documented_bindings(node: DOMNode, keymap: Keymap | None = None) -> list[Binding]:
    """The node's bindings that carry an id, with the keymap applied (as Textual applies it).

    Read from the ``BINDINGS`` its classes declare (a subclass's keys win, as in Textual): the
    app binds nothing at run time, so these are the bindings in force.
    """
    bindings = BindingsMap.from_keys(_declared_keys(type(node)))
    if keymap:
        bindings.apply_keymap(normalized_keymap(keymap))
    return [binding for _, binding in bindings if binding.id and binding.description]


def normalized_keymap(keymap: Keymap) -> Keymap:
    """The keymap with one-character keys by name (``?`` as ``question_mark``), as Textual reads it."""
    return {
        binding_id: ",".join(_key_name(key.strip()) for key in keys.split(",")) for binding_id, keys in keymap.items()
    }


def _key_name(key: str) -> str:
    if len(key) != 1 or key.isalnum():
        return key
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return "tab" if key == "\t" else key
    return KEY_NAME_REPLACEMENTS.get(name, name)


def key_of(node: DOMNode, binding_id: str, keymap: Keymap, default: str) -> str:
    """The first key bound to ``binding_id`` on ``node`` now (the keymap applied), as typed."""
    for binding in documented_bindings(node, keymap):
        if binding.id == binding_id:
            return binding.key.split(",")[0]
    return default


class LoadedKeymap(dict[str, str]):
    """A keymap read from a file: it remembers the file, each id's line, and what was wrong.

    The app shows ``problems`` once it is on screen (a message on stderr would only appear
    after quitting) and checks the ids and keys against its bindings (``checked_keymap``).
    """

    def __init__(self, path: Path, lines: dict[str, int], entries: Keymap, problems: list[str]) -> None:
        super().__init__(entries)
        self.path = path
        self.lines = lines
        self.problems = tuple(problems)


def load_keymap(path: Path) -> tuple[LoadedKeymap, list[str]]:
    """Read ``binding-id = "key1,key2"`` lines (a TOML subset); return the map and any complaints."""
    entries: Keymap = {}
    lines: dict[str, int] = {}
    complaints: list[str] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        complaints.append(f"cannot read keymap {path}: {getattr(exc, 'strerror', None) or exc}")
        return LoadedKeymap(path, lines, entries, complaints), complaints
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "[")):
            continue
        match = _KEYMAP_LINE.match(line)
        if match is None:
            complaints.append(f'{path}:{number}: expected  binding-id = "keys"; the line is ignored')
            continue
        entries[match.group(1)] = match.group(2) if match.group(2) is not None else match.group(3)
        lines[match.group(1)] = number
    return LoadedKeymap(path, lines, entries, complaints), complaints


def checked_keymap(keymap: Keymap, classes: Iterable[type[DOMNode]]) -> tuple[Keymap, list[str]]:
    """The entries to apply, and a sentence for each one that is wrong or takes a key away.

    An id no binding of ``classes`` has is left out, and so are entries that give one key to two
    commands of the same pane (both keep their default keys). An entry that takes a key another
    command has by default is applied, as asked, and said: that command no longer has the key.
    """
    where = _where_in(keymap)
    known: set[str] = set()
    maps: list[dict[str, list[Binding]]] = []
    for node_class in classes:
        keys = _declared_keys(node_class)
        maps.append(keys)
        known.update(binding.id for bindings in keys.values() for binding in bindings if binding.id)
    problems = [
        f"{where(binding_id)}no command has the binding id {binding_id!r}; help (?) lists the ids"
        for binding_id in keymap
        if binding_id not in known
    ]
    kept = {binding_id: keys for binding_id, keys in keymap.items() if binding_id in known}
    normalized = normalized_keymap(kept)
    dropped: set[str] = set()
    said: set[tuple[str, str]] = set()
    for keys in maps:
        for key, holders in sorted(_holders_after(keys, normalized).items()):
            takers = sorted(holders & normalized.keys())
            others = sorted(holders - set(takers))
            if not takers or len(holders) < 2:
                continue
            if len(takers) > 1:
                if not set(takers) <= dropped:
                    dropped.update(takers)
                    problems.append(
                        f"{where(takers[0])}{key!r} is given to both {' and '.join(takers)}; "
                        "both keep their default keys"
                    )
                continue
            for other in others:
                if (key, other) not in said:
                    said.add((key, other))
                    problems.append(f"{where(takers[0])}{key!r} now runs {takers[0]}, no longer {other}")
    return {binding_id: keys for binding_id, keys in kept.items() if binding_id not in dropped}, problems


def _holders_after(keys: dict[str, list[Binding]], keymap: Keymap) -> dict[str, set[str]]:
    """Which commands (binding ids, else actions) each key would run once ``keymap`` is applied."""
    holders: dict[str, set[str]] = {}
    ids = {binding.id for bindings in keys.values() for binding in bindings if binding.id}
    for key, bindings in keys.items():
        for binding in bindings:
            if binding.id not in keymap:  # a remapped command gives its default keys up
                holders.setdefault(key, set()).add(binding.id or binding.action)
    for binding_id, wanted in keymap.items():
        if binding_id in ids:
            for key in wanted.split(","):
                holders.setdefault(key, set()).add(binding_id)
    return holders


def _declared_keys(node_class: type[DOMNode]) -> dict[str, list[Binding]]:
    """The bindings a class has (its own and its bases'), by key, as ``documented_bindings`` reads them."""
    keys: dict[str, list[Binding]] = {}
    for base in reversed(node_class.__mro__):
        for key, key_bindings in BindingsMap(base.__dict__.get("BINDINGS", [])).key_to_bindings.items():
            keys[key] = key_bindings
    return keys


def _where_in(keymap: Keymap) -> Callable[[str], str]:
    """``"FILE:LINE: "`` for an id of a keymap read from a file, ``"keymap: "`` otherwise."""
    if isinstance(keymap, LoadedKeymap):
        return lambda binding_id: f"{keymap.path}:{keymap.lines.get(binding_id, '?')}: "
    return lambda binding_id: "keymap: "


def default_keymap_path() -> Path:
    """``$VCR_TUI_KEYMAP``, else ``$XDG_CONFIG_HOME/vcr-tui/keymap.toml`` (``~/.config`` by default)."""
    explicit = os.environ.get("VCR_TUI_KEYMAP")
    if explicit:
        return Path(explicit)
    return config_dir() / "keymap.toml"
