"""Throwaway virtualenvs for the tests' heavy companions, built once under a cache folder and reused.

The peer package, the agent frameworks and the servers the tests start (moto, Phoenix) each live
in a virtualenv of their own under ``$VCR_TUI_PEER_CACHE`` (else ``~/.cache/vcr-tui-tests``), so
the project's own venv stays small and only the first run needs the network. Each caller names
its venv's folder (the folder name is the cache key) and says how to tell that a venv works;
this builds it under a temporary name and renames it into place only once it works, so an
interrupted build is never trusted by a later run. Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import venv
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar


class VenvUnavailable(Exception):
    """The venv could not be built here (usually: no network on a first run); the message says why."""


T = TypeVar("T")


def cache_root() -> Path:
    """Where the cached virtualenvs live between test runs."""
    configured = os.environ.get("VCR_TUI_PEER_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "vcr-tui-tests"


def venv_python(folder: Path) -> Path:
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def pip_install(python: Path, packages: Sequence[str], *options: str, timeout: float) -> str | None:
    """Install ``packages`` with the venv's pip; None on success, else pip's last line of complaint."""
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input", *options, *packages],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if pip.returncode == 0:
        return None
    tail = (pip.stderr.strip() or pip.stdout.strip()).splitlines()[-1:] or ["no output"]
    return tail[0]


def cached_venv(
    target: Path,
    packages: Sequence[str],
    works: Callable[[Path], bool],
    *,
    options: Sequence[str] = (),
    timeout: float,
    probe: str,
    unavailable: type[Exception] = VenvUnavailable,
) -> Path:
    """The interpreter of the venv at ``target``, built with ``packages`` when it does not work yet.

    ``works(python)`` says whether a venv is usable (typically: ``probe`` imports); failures raise
    ``unavailable`` with one line saying why.
    """
    python = venv_python(target)
    if works(python):
        return python
    what = " ".join(packages)
    root = target.parent
    building = root / f"{target.name}.building-{os.getpid()}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(building, ignore_errors=True)
        venv.create(building, with_pip=True, clear=True, symlinks=os.name != "nt")
        failure = pip_install(venv_python(building), packages, *options, timeout=timeout)
        if failure is not None:
            raise unavailable(f"pip could not install {what} (offline?): {failure}")
        if not works(venv_python(building)):
            raise unavailable(f"{what} installed but `import {probe}` fails")
        if not works(python):  # never delete a working venv another run just made
            shutil.rmtree(target, ignore_errors=True)
            with contextlib.suppress(OSError):  # another run finished first: use its venv
                building.rename(target)
    except (OSError, subprocess.SubprocessError) as exc:
        raise unavailable(f"could not build a venv for {what} in {root} (set VCR_TUI_PEER_CACHE?): {exc}") from exc
    finally:
        shutil.rmtree(building, ignore_errors=True)
    if not works(python):
        raise unavailable(f"the venv for {what} at {target} does not work")
    return python


def built_once(
    known: dict[str, T | Exception], key: str, build: Callable[[], T], unavailable: type[Exception], what: str
) -> T:
    """``build()`` once per test session for ``key``; later calls get the same venv, or skip
    the calling test with the reason it could not be built (``unavailable``), saying ``what``."""
    import pytest

    if key not in known:
        try:
            known[key] = build()
        except unavailable as exc:
            known[key] = exc
    found = known[key]
    if isinstance(found, Exception):
        pytest.skip(f"{what} unavailable: {found}")
    return found
