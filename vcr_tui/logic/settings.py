"""Where vcr-tui keeps what the user chose (the keymap they wrote, the theme they picked).

One owner of the config folder: ``$XDG_CONFIG_HOME/vcr-tui`` (``~/.config/vcr-tui`` by default).
``settings.toml`` holds what the app remembers by itself (today: ``theme = "name"``); it is
rewritten whole, so a corrupt file is replaced by the next choice, never patched. Reading or
writing it never raises: a problem comes back as one sentence for the app to show.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Final


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/vcr-tui``, else ``~/.config/vcr-tui``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "vcr-tui"


def settings_path() -> Path:
    return config_dir() / "settings.toml"


class Settings:
    """What was remembered; ``problem`` says why it could not be read (then nothing is)."""

    __slots__ = ("problem", "theme")

    def __init__(self, theme: str | None = None, problem: str | None = None) -> None:
        self.theme: Final = theme
        self.problem: Final = problem


def load_settings(path: Path | None = None) -> Settings:
    path = path or settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        return Settings(problem=f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}")
    if sys.version_info >= (3, 11):  # imported only when there is a file to parse: most starts have none
        import tomllib
    else:  # the same parser, as a package
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Settings(problem=f"{path} is not valid TOML ({exc}); the default theme is used")
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        return Settings(problem=f'{path}: theme must be a name in quotes, like theme = "textual-light"')
    return Settings(theme=theme)


def save_theme(theme: str, path: Path | None = None) -> str | None:
    """Remember ``theme`` for the next start; the problem, in one sentence, when it cannot be."""
    path = path or settings_path()
    escaped = theme.replace("\\", "\\\\").replace('"', '\\"')
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(f'theme = "{escaped}"\n', encoding="utf-8")
        temporary.replace(path)  # whole or not at all: a crash never leaves half a file
    except OSError as exc:
        return f"cannot remember the theme in {path}: {exc.strerror or exc}"
    return None
