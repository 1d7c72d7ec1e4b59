"""Leaving or quitting with edits that no fork or resume has taken: ask first, never lose them silently.

``Esc`` back to the session list keeps the edits (they are shown again when the recording is
opened again in this app session) but says so and offers to fork or drop them; ``q`` (and
ctrl+q) asks the same about every recording with unsaved edits, and says that a running resume
would be cancelled. "Fork them" writes one fork per edited frame, as ``f`` would, and tells the
user where; then the app leaves or quits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App
from textual.screen import Screen

from vcr_tui.kept_edits import KeptEdits, keeper_of
from vcr_tui.logic.formatting import format_count
from vcr_tui.logic.safe_text import clean
from vcr_tui.theme import LABEL_STYLE

Forked = list[tuple[int, Path | None, str]]  # frame, fork written (None: failed), why it failed


def adopt_kept_edits(screen: Any) -> None:
    """Give a file screen the edits kept for its recording, and mark their rows ✎.

    Called when the recording is open: a screen that shows it again shows its edits again, and
    every later edit on this screen is kept with them.
    """
    from vcr_tui.logic.fork_place import fork_folder

    kept = keeper_of(screen).for_recording(Path(screen.path), screen.recording_file, fork_folder(screen.source))
    screen.view.edits = kept.edits
    for index in {index for index, _side in kept.edits.states}:
        screen.frame_list.mark_edited(index, True)


def kept_for(screen: Any) -> KeptEdits | None:
    return keeper_of(screen).get(Path(screen.path))


def mark_carried(screen: Any, index: int) -> None:
    """A fork or resume at ``index`` took its edits: they no longer count as unsaved."""
    kept = kept_for(screen)
    if kept is not None:
        kept.mark_carried(index)


def _running_resumes(app: App[Any]) -> int:
    count = 0
    for screen in app.screen_stack:
        run = getattr(screen, "resume_run", None)
        if run is not None and run.running:
            count += 1
    return count


def leave_asking(screen: Screen[Any], leave: Callable[[], None]) -> None:
    """``Esc`` from a recording: leave at once, or ask when it holds unsaved edits or runs a resume."""
    kept = kept_for(screen)
    frames = kept.unsaved_frames() if kept is not None else []
    run = getattr(screen, "resume_run", None)
    running = run is not None and run.running
    if not frames and not running:
        leave()
        return
    body = Text()
    if frames:
        body.append(f"{_frames_text(frames)} of this recording {_have(frames)} edits that no fork or resume has taken.")
        body.append(
            "\nKept, they are shown again when you open this recording before vcr-tui exits.", style=LABEL_STYLE
        )
    from vcr_tui.screens.choice_screen import Choice, ChoiceScreen  # the dialog loads when asked

    if running:
        body.append(("\n\n" if frames else "") + "A resume from this recording is running: leaving cancels it.")
    choices: list[Choice[str]] = []
    if frames:
        choices.append(Choice(("k", "enter"), "keep the edits and go back", "keep"))
        choices.append(Choice(("f",), f"fork {_each(frames)}, then go back", "fork"))
        choices.append(Choice(("d",), "discard the edits and go back", "discard"))
    else:
        choices.append(Choice(("l", "enter"), "leave and cancel the resume", "keep"))
    choices.append(Choice(("escape", "s"), "stay here", "stay"))

    def answer(choice: str | None) -> None:
        assert kept is not None or choice in ("keep", "stay", None)
        if choice == "keep":
            leave()
        elif choice == "discard" and kept is not None:
            _discard(screen, kept)
            leave()
        elif choice == "fork" and kept is not None:
            fork_unsaved(screen.app, [kept], leave)

    screen.app.push_screen(ChoiceScreen("Unsaved edits", body, choices, cancel="stay", tone="warning"), answer)


def folder_of(screen: Any) -> Path | None:
    """The folder of a recording opened by its path (not a pipe, a remote file or a folder's entry)."""
    from vcr_tui.sources import LocalPath

    source = screen.source
    if screen.from_directory or (source is not None and not isinstance(source.location, LocalPath)):
        return None
    folder = Path(screen.path).absolute().parent
    return folder if folder.is_dir() else None


def back_to_folder(screen: Any) -> None:
    """``Esc`` on a recording opened by its path: show its folder's session list."""
    folder = folder_of(screen)
    if folder is None:
        return
    from vcr_tui.host import options_of
    from vcr_tui.screens.directory_screen import DirectoryScreen

    def leave() -> None:
        # Over the recording, which stays below as the app's first screen (it cannot be removed).
        screen.app.push_screen(DirectoryScreen(folder, follow=options_of(screen).follow))

    leave_asking(screen, leave)


def quit_asking(app: App[Any], quit_now: Callable[[], None]) -> None:
    """``q``: quit at once, or ask when a recording holds unsaved edits or a resume is running."""
    unsaved = [kept for _path, kept in keeper_of(app.screen).unsaved()]
    running = _running_resumes(app)
    if not unsaved and not running:
        quit_now()
        return
    body = Text()
    if unsaved:
        frames = sum(len(kept.unsaved_frames()) for kept in unsaved)
        body.append(
            f"{format_count(frames, 'frame')} in {format_count(len(unsaved), 'recording')} "
            f"{'has' if frames == 1 else 'have'} edits that no fork or resume has taken; "
        )
        body.append("quitting loses them.", style="bold")
    if running:
        body.append("\n\n" if unsaved else "")
        body.append(f"{format_count(running, 'resume')} {'is' if running == 1 else 'are'} running: ")
        body.append("quitting cancels it.", style="bold")
    from vcr_tui.screens.choice_screen import Choice, ChoiceScreen  # the dialog loads when asked

    choices: list[Choice[str]] = []
    if unsaved:
        choices.append(Choice(("f",), "fork the edited frames, then quit", "fork"))
        choices.append(Choice(("d",), "discard the edits and quit", "quit"))
    else:
        choices.append(Choice(("q",), "quit and cancel it", "quit"))
    choices.append(Choice(("escape", "c"), "cancel: stay in vcr-tui", "stay"))

    def answer(choice: str | None) -> None:
        if choice == "quit":
            quit_now()
        elif choice == "fork":
            fork_unsaved(app, unsaved, quit_now)

    app.push_screen(ChoiceScreen("Quit vcr-tui?", body, choices, cancel="stay", tone="warning"), answer)


def fork_unsaved(app: App[Any], recordings: list[KeptEdits], then: Callable[[], None]) -> None:
    """Write one fork per frame with unsaved edits (off the UI thread), say where, then go on."""
    jobs = [(kept, index) for kept in recordings for index in kept.unsaved_frames()]

    def write() -> None:
        from recorder.forking import fork_recording  # loaded when a fork is written, not with the screen
        from vcr_tui.logic.resume_run import failure_reason

        forked: Forked = []
        for kept, index in jobs:
            state, edit_output = kept.edits.start_for(index)
            try:
                recorder = fork_recording(
                    kept.recording(), index, state=state, edit_output=edit_output, output_dir=kept.output_dir
                )
                recorder.close()
            except Exception as exc:  # a folder we cannot write to, a file gone since it was opened, ...
                forked.append((index, None, failure_reason(exc)))
                continue
            kept.mark_carried(index)
            forked.append((index, recorder.path, ""))
        app.call_from_thread(done, forked)

    def done(forked: Forked) -> None:
        failed = [(index, why) for index, path, why in forked if path is None]
        written = [(index, path) for index, path, _why in forked if path is not None]
        lines = [f"#{index} forked into {clean(str(path))}" for index, path in written]
        report = getattr(app, "farewell", None)
        if isinstance(report, list):
            report.extend(f"vcr-tui: {line}" for line in lines)  # printed after the app exits
        if failed:
            reasons = "; ".join(f"#{index}: {clean(why)}" for index, why in failed)
            app.notify(f"Cannot fork {reasons}. Nothing was left or lost.", severity="error", markup=False)
            return
        for screen in app.screen_stack:
            refresh = getattr(screen, "refresh_sessions", None)
            if refresh is not None:
                refresh()
        app.notify("\n".join(lines), title="Edits forked", markup=False, timeout=8)
        then()

    app.run_worker(write, thread=True, group="fork-unsaved", exit_on_error=False)


def _discard(screen: Any, kept: KeptEdits) -> None:
    for index in kept.unsaved_frames():
        kept.edits.drop_frame(index)
        screen.frame_list.mark_edited(index, False)


def _frames_text(frames: list[int]) -> str:
    shown = ", ".join(f"#{index}" for index in frames[:6])
    return f"Frame {shown}" if len(frames) == 1 else f"Frames {shown}{' …' if len(frames) > 6 else ''}"


def _have(frames: list[int]) -> str:
    return "has" if len(frames) == 1 else "have"


def _each(frames: list[int]) -> str:
    return "the edited frame" if len(frames) == 1 else f"each of the {len(frames)} edited frames"
