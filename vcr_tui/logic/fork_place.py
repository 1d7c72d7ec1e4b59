"""Where a fork (``f``) or a resumed run (``r``) is written, and which file it is read from.

A local recording forks beside itself, so the fork is listed under its parent in the folder view.
A recording streamed on stdin or fetched over ssh exists here only as a private spool file that is
deleted when the program exits: a fork beside it would be deleted with it. Such forks go to
``./.vcr/`` in the current folder instead (the recorder creates it and never overwrites a file),
the folder where recordings are written by default.
"""

from __future__ import annotations

from pathlib import Path

from vcr_tui.sources import LocalPath, Source

KEPT_FORKS_FOLDER = ".vcr"


def is_private_copy(source: Source | None) -> bool:
    """Whether the recording on screen is a temporary copy of a stream or of a remote file."""
    return source is not None and not isinstance(source.location, LocalPath)


def fork_folder(source: Source | None) -> Path | None:
    """The folder to write forks of this recording into; None: beside the recording itself."""
    if not is_private_copy(source):
        return None
    return Path.cwd() / KEPT_FORKS_FOLDER


def recording_file(shown: Path, source: Source | None, store_path: Path | None) -> Path:
    """The file a fork is read from: the spool for a stream or a remote file, else the path shown.

    A streamed or remote recording is shown under a short name (``stdin``, the remote file's
    name) that is not a file here; reading that name would fork some unrelated local file.
    """
    if source is not None and source.object_copy_needed:
        return source.local_copy()  # an object is read by ranges: fork from a whole copy of it
    if is_private_copy(source) and store_path is not None:
        return store_path
    return shown


def short_fork_path(path: Path) -> str:
    """``./.vcr/<name>.vcr`` for a fork under the current folder (what the user can type), else the path."""
    try:
        return f"./{path.relative_to(Path.cwd())}"
    except ValueError:
        return str(path)
