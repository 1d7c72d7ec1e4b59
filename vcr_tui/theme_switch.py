"""The app's side of the palette: roles resolved for the theme in force, a redraw when it changes,
and the choice remembered for the next start.

Texts carry role names (``vcr_tui.theme``); the app's Rich console resolves them through a Rich
theme pushed here. A theme switch replaces that Rich theme and makes every widget draw again:
line caches are dropped (``notify_style_update``) and static texts are turned into styled text
once more, so nothing keeps the old theme's colours.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from rich.errors import MissingStyle
from rich.style import Style
from rich.theme import Theme as RichTheme
from textual.app import App
from textual.color import Color, ColorParseError
from textual.theme import Theme
from textual.widget import Widget
from textual.widgets import Static

from vcr_tui.logic.settings import load_settings, save_theme, settings_path
from vcr_tui.theme import DEFAULT_THEME, DERIVED, ERROR_STYLE, MARKER_BACKGROUNDS, tuned, with_variants


class ThemeKeeper:
    """Starts the app on the remembered theme, keeps the palette in step, saves a new choice."""

    def __init__(self, app: App[object], settings_file: Path | None = None) -> None:
        self.app = app
        self.settings_file = settings_file  # None: the user's settings.toml
        self._pushed = False
        self._palette_theme: str | None = None  # the theme the pushed palette is for
        self._saved: str | None = None  # the theme the settings file names now

    def start(self) -> list[str]:
        """Choose the remembered theme (before the first paint); the problems to show the user."""
        problems: list[str] = []
        if os.environ.get("TEXTUAL_THEME"):  # asked for by name for this run: that wins
            self.use_palette()
            return problems
        settings = load_settings(self.settings_file)
        if settings.problem:
            problems.append(settings.problem)
        elif settings.theme is not None:
            self._saved = settings.theme
            if settings.theme in self.app.available_themes:
                self.app.theme = settings.theme
            else:
                problems.append(
                    f"{self.settings_file or settings_path()}: the theme {settings.theme!r} is not available; "
                    "the default theme is used"
                )
        self.use_palette()
        return problems

    def follow(self) -> None:
        """From now on, a theme switch recolours everything and is remembered.

        A theme set between construction and start (by a caller, not the settings) is taken up
        here, as the signal for it went out before anyone listened.
        """
        self.app.theme_changed_signal.subscribe(self.app, self._changed)
        if self._palette_theme != self.app.theme:
            self.use_palette()
            redraw_all(self.app)

    def use_palette(self) -> None:
        """Point every role at the current theme's look."""
        console = self.app.console
        if self._pushed:
            console.pop_theme()
        self._palette_theme = self.app.theme
        styles = palette_for(self.app.theme, theme_variables(self.app))
        console.push_theme(RichTheme(styles, inherit=True))  # type: ignore[arg-type]
        self._pushed = True

    def _changed(self, theme: Theme) -> None:
        self.use_palette()
        redraw_all(self.app)
        if theme.name != self._saved:
            problem = save_theme(theme.name, self.settings_file)
            if problem:
                self.app.notify(problem, severity="warning", timeout=8, markup=False)
            else:
                self._saved = theme.name


def palette_for(theme_name: str, variables: Mapping[str, str]) -> dict[str, Style]:
    """Every role's Rich style (plain, ``.bold`` and ``.italic``) under the theme ``theme_name``.

    ``variables`` are the theme's CSS variables (``App.get_css_variables()``); the default theme
    has a tuned look of its own and reads only its ``vcr-*`` overrides from them.
    """
    base = tuned() if theme_name == DEFAULT_THEME else _derived(variables)
    return with_variants(base, variables)


def _derived(variables: Mapping[str, str]) -> dict[str, Style]:
    background = _color(variables, "background", Color(0, 0, 0))
    foreground = _solid(variables, "foreground", background, Color(255, 255, 255))
    base: dict[str, Style] = {}
    for role, (variable, attributes) in DERIVED.items():
        color = _solid(variables, variable, background, foreground)
        base[role] = (
            Style.parse(attributes) + Style(color=color.rich_color) if attributes else Style(color=color.rich_color)
        )
    for role, variable in MARKER_BACKGROUNDS.items():
        badge = _solid(variables, variable, background, foreground)
        text = badge + badge.get_contrast_text(1.0)
        base[role] = Style(bold=True, color=text.rich_color, bgcolor=badge.rich_color)
    return base


def _color(variables: Mapping[str, str], name: str, fallback: Color) -> Color:
    try:
        return Color.parse(variables[name])
    except (KeyError, ColorParseError):
        return fallback


def _solid(variables: Mapping[str, str], name: str, background: Color, fallback: Color) -> Color:
    """The variable's colour as it shows over the background (a translucent one blended in)."""
    color = _color(variables, name, fallback)
    return background + color if color.a < 1 else color


def theme_variables(app: App[object]) -> Mapping[str, str]:
    """What ``palette_for`` needs: the default theme reads only its own ``vcr-*`` overrides.

    Generating a theme's whole colour system costs milliseconds of every start; the default
    theme's palette does not depend on it.
    """
    if app.theme == DEFAULT_THEME:
        return app.current_theme.variables
    return app.get_css_variables()


def redraw_all(app: App[object]) -> None:
    """Make every widget of every open screen draw again with the palette now in force.

    A screen whose content holds colours already resolved (the help's tables) offers
    ``recolour()`` and builds that content again.
    """
    for screen in app.screen_stack:
        recolour = getattr(screen, "recolour", None)
        if callable(recolour):
            recolour()
        for widget in screen.walk_children(Widget, with_self=True):
            widget.notify_style_update()  # the widgets' own line caches go
            if isinstance(widget, Static):
                widget.update(widget.content, layout=False)  # its text is styled anew
            widget.refresh()


def ensure_palette(app: App[object]) -> None:
    """Let an app that is not vcr-tui's own (a test's, an embedding one) resolve the roles too.

    vcr-tui's app installs the palette before anything is drawn; another app showing one of its
    screens gets the look of its current theme, fixed at the time the screen opened.
    """
    try:
        app.console.get_style(ERROR_STYLE)
    except MissingStyle:
        app.console.push_theme(RichTheme(palette_for(app.theme, theme_variables(app)), inherit=True))  # type: ignore[arg-type]
