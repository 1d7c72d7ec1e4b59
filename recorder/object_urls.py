"""Which addresses name objects in a store (``s3://bucket/key`` and kin), told without the store's code.

The command line and the app ask this of every path they are given; the store's models and
drivers (``recorder.storage``) load only once such an address is used.
"""

from __future__ import annotations

import os
import re

# The schemes read as object storage. Anything else with ``://`` is not ours to guess at.
OBJECT_SCHEMES = ("s3", "s3a", "gs", "gcs", "az", "abfs", "abfss")
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$", re.DOTALL)


def is_object_url(text: str | os.PathLike[str]) -> bool:
    """Whether ``text`` is an address in one of the object stores above."""
    if not isinstance(text, str):
        return False
    found = _URL.match(text)
    return found is not None and found["scheme"].lower() in OBJECT_SCHEMES


def object_name(url: str) -> str:
    """The last part of the key: what a local copy or a screen title calls the object."""
    return url.rstrip("/").rsplit("/", 1)[-1] or "recording.vcr"
