"""Where frames come from: a file (followed while it grows), a pipe on stdin, ssh, or object storage.

Nothing here imports Textual: the app drives a ``Source`` from a worker thread and turns its
notices into messages. See ``Source`` for the lifecycle.
"""

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
