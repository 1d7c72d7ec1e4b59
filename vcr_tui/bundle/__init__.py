"""``vcr-tui bundle``: one recording (and its forks) as a single HTML file to share.

The file needs no server and no network: open it in any browser. It shows the frame list, the
state at each frame as a collapsible tree, what each step changed, and the fork tree. Building
it needs no Textual, so a script or a CI job can make one from a failing run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vcr_tui.bundle.page import render_page
from vcr_tui.bundle.payload import iter_family, run_payload


@dataclass(frozen=True, slots=True)
class BundleResult:
    """What went into a bundle: how many runs and frames, and the file's size."""

    path: Path
    runs: int
    frames: int
    size: int


def build_bundle(
    recording: Path, output: Path, *, with_forks: bool = False, on_frames: Callable[[int], None] | None = None
) -> BundleResult:
    """Write the bundle of ``recording`` to ``output``, whole or not at all.

    The page is written to a temporary file beside ``output`` and renamed over it, so a failure
    half-way never leaves a truncated page that looks like a complete run.
    """
    runs = [run_payload(path, depth=depth, on_frames=on_frames) for path, depth in iter_family(recording, with_forks)]
    page = render_page({"version": 1, "runs": [run.data for run in runs]})
    folder = output.parent if str(output.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=".vcr-bundle-", suffix=".html", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(page)
        os.chmod(temporary, 0o644)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return BundleResult(output, len(runs), sum(run.frames for run in runs), len(page))
