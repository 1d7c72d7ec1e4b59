"""Where frames come from: a file (followed while it grows), a pipe on stdin, ssh, or object storage.

Nothing here imports Textual: the app drives a ``Source`` from a worker thread and turns its
notices into messages. See ``Source`` for the lifecycle. Each name is imported from its module on
first use (``EXPORTS``), so opening a local file loads no ssh, pipe or object-storage code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from recorder.lazy_exports import lazy_exports

if TYPE_CHECKING:  # the same names as EXPORTS, for type checkers and editors
    from vcr_tui.sources.directory import DirectoryChanges, DirectoryWatcher
    from vcr_tui.sources.errors import SourceError
    from vcr_tui.sources.live_reader import LiveReader
    from vcr_tui.sources.locations import (
        LocalPath,
        Location,
        LocationError,
        ObjectPath,
        RemotePath,
        StandardInput,
        parse_location,
    )
    from vcr_tui.sources.source import Source, open_source
    from vcr_tui.sources.spool import take_over_stdin
    from vcr_tui.sources.ssh import SSHOptions
    from vcr_tui.sources.updates import SourceState, SourceStatus, SourceUpdate

EXPORTS: dict[str, str] = {
    "DirectoryChanges": "vcr_tui.sources.directory",
    "DirectoryWatcher": "vcr_tui.sources.directory",
    "SourceError": "vcr_tui.sources.errors",
    "LiveReader": "vcr_tui.sources.live_reader",
    "LocalPath": "vcr_tui.sources.locations",
    "Location": "vcr_tui.sources.locations",
    "LocationError": "vcr_tui.sources.locations",
    "ObjectPath": "vcr_tui.sources.locations",
    "RemotePath": "vcr_tui.sources.locations",
    "StandardInput": "vcr_tui.sources.locations",
    "parse_location": "vcr_tui.sources.locations",
    "Source": "vcr_tui.sources.source",
    "open_source": "vcr_tui.sources.source",
    "take_over_stdin": "vcr_tui.sources.spool",
    "SSHOptions": "vcr_tui.sources.ssh",
    "SourceState": "vcr_tui.sources.updates",
    "SourceStatus": "vcr_tui.sources.updates",
    "SourceUpdate": "vcr_tui.sources.updates",
}
"""Each public name and the module that defines it."""

__all__ = [
    "DirectoryChanges",
    "DirectoryWatcher",
    "LiveReader",
    "LocalPath",
    "Location",
    "LocationError",
    "ObjectPath",
    "RemotePath",
    "SSHOptions",
    "Source",
    "SourceError",
    "SourceState",
    "SourceStatus",
    "SourceUpdate",
    "StandardInput",
    "open_source",
    "parse_location",
    "take_over_stdin",
]

if not TYPE_CHECKING:  # type checkers see the imports above, and flag a name that is not one
    __getattr__, __dir__ = lazy_exports(__name__, EXPORTS, globals())
