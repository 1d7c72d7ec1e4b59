"""Heavy agent frameworks (CrewAI, AutoGen AgentChat) installed in cached throwaway virtualenvs.

CrewAI installs about 1 GB and takes seconds to import; putting it in the test venv would slow
every run and every CI install. Instead each framework gets a virtualenv of its own under
``$VCR_TUI_PEER_CACHE`` (else ``~/.cache/vcr-tui-tests``), keyed by its pinned requirements and
the Python version, holding the framework and this project (installed editable). A test runs a
scenario script inside it by subprocess and asserts on the ``.vcr`` files it wrote (read back here
with the engine's own reader) and on the JSON it printed.

The scenario runs with this checkout first on ``PYTHONPATH``, so a venv built from another
checkout of the project still runs the code under test. Only the first run needs the network;
without it the tests that need the framework skip, saying why.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.cached_venv import built_once, cache_root, cached_venv

REPO = Path(__file__).resolve().parents[2]
PIP_TIMEOUT_S = 1800

# What each framework label installs, and the module that proves the install works.
FRAMEWORKS: dict[str, tuple[tuple[str, ...], str]] = {
    "crewai": (("crewai==1.15.30",), "crewai"),
    "autogen": (("autogen-agentchat==0.7.5", "autogen-ext==0.7.5"), "autogen_agentchat"),
}

# Keeps CrewAI (and the OpenTelemetry it carries) from phoning home or asking questions.
OFFLINE_ENV = {
    "CREWAI_DISABLE_TELEMETRY": "true",
    "CREWAI_DISABLE_TRACKING": "true",
    "CREWAI_TRACING_ENABLED": "false",
    "OTEL_SDK_DISABLED": "true",
    "CREWAI_STORAGE_DIR": "vcr-tui-tests",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "OPENAI_API_KEY": "",
    "PYTHONUTF8": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONIOENCODING": "utf-8",
}


class FrameworkUnavailable(Exception):
    """The framework could not be installed here (usually: no network on a first run)."""


@dataclasses.dataclass(frozen=True)
class FrameworkVenv:
    """One installed framework: its interpreter and the version pip chose."""

    label: str
    python: Path
    version: str

    def run(self, script: Path, *args: str, cwd: Path, timeout: float = 300) -> Any:
        """Run ``script`` with ``args`` in the framework's venv, in ``cwd``; its JSON output, parsed.

        ``HOME`` points into ``cwd`` so nothing the framework stores (CrewAI keeps a database
        of task outputs and a user id under the home folder) leaks between runs.
        """
        home = cwd / ".home"
        home.mkdir(exist_ok=True)
        env = {**os.environ, **OFFLINE_ENV, "HOME": str(home), "PYTHONPATH": str(REPO)}
        done = subprocess.run(
            [str(self.python), str(script), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=cwd,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"{script.name} {' '.join(args)} failed ({done.returncode}) under {self.label} {self.version}:\n"
                f"{done.stderr[-6000:]}"
            )
        lines = done.stdout.strip().splitlines()
        if not lines:
            raise AssertionError(f"{script.name} printed nothing:\n{done.stderr[-4000:]}")
        return json.loads(lines[-1])


def venv_name(label: str) -> str:
    """The cache folder's name: the label, a digest of what it holds, the Python version.

    The digest covers the pinned requirements and this project's own dependencies, so a venv
    built before a dependency was added is not trusted with code that imports it.
    """
    requirements, _ = FRAMEWORKS[label]
    project_dependencies = _project_dependencies()
    digest = hashlib.sha256("\n".join([*requirements, *project_dependencies]).encode()).hexdigest()[:10]
    return f"{label}-{digest}-py{sys.version_info.major}.{sys.version_info.minor}"


def ensure_framework(label: str, root: Path) -> FrameworkVenv:
    """The cached venv for ``label`` (the framework and this project, editable), created on first use;
    raises FrameworkUnavailable with the reason."""
    requirements, module = FRAMEWORKS[label]
    python = cached_venv(
        root / venv_name(label),
        [*requirements, "-e", str(REPO)],
        lambda python: _installed_version(python, module, label) is not None,
        options=("--timeout", "60", "--retries", "2"),
        timeout=PIP_TIMEOUT_S,
        probe=module,
        unavailable=FrameworkUnavailable,
    )
    return FrameworkVenv(label, python, _installed_version(python, module, label) or "")


def _project_dependencies() -> list[str]:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the whole file stands in for its dependency list
        return [text]
    from packaging.requirements import Requirement

    # A dependency for other Pythons only (``tomli; python_version < "3.11"``) changes nothing here.
    needed = tomllib.loads(text)["project"]["dependencies"]
    return [item for item in needed if (marker := Requirement(item).marker) is None or marker.evaluate()]


_known: dict[str, FrameworkVenv | Exception] = {}


def require_framework(label: str) -> FrameworkVenv:
    """The venv for ``label`` (built once per test session), or skip the calling test saying why."""
    return built_once(_known, label, lambda: ensure_framework(label, cache_root()), FrameworkUnavailable, label)


def _installed_version(python: Path, module: str, label: str) -> str | None:
    if not python.exists():
        return None
    distribution = FRAMEWORKS[label][0][0].partition("=")[0]
    probe = subprocess.run(
        [str(python), "-c", f"import {module}, importlib.metadata as m; print(m.version({distribution!r}))"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **OFFLINE_ENV},
        check=False,
    )
    return probe.stdout.strip().splitlines()[-1] if probe.returncode == 0 and probe.stdout.strip() else None
