"""A real Arize Phoenix on 127.0.0.1 for the tests, from its cached venv, read back through its REST API.

Phoenix listens for OTLP/HTTP on its web port (``/v1/traces``) and answers span queries at
``/v1/projects/{project}/spans``. Its gRPC port and working folder are moved off their defaults so
parallel runs never meet, and its own telemetry is off.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.service_venv import PHOENIX, ToolUnavailable, ensure_tool, free_port, wait_until_answers
from tests.support.service_venv import stop as stop_server

PROJECT = "default"
_pause = threading.Event()  # never set: a bounded pause between polls


@dataclass(frozen=True)
class Phoenix:
    url: str

    def spans(self, trace_id: str | None = None) -> list[dict[str, Any]]:
        """Every span of the project (optionally of one trace), paging through the API."""
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            query: dict[str, Any] = {"limit": 1000}
            if cursor:
                query["cursor"] = cursor
            address = f"{self.url}/v1/projects/{PROJECT}/spans?{urllib.parse.urlencode(query)}"
            with urllib.request.urlopen(address, timeout=30) as response:
                page = json.load(response)
            found.extend(page.get("data") or [])
            cursor = page.get("next_cursor")
            if not cursor:
                break
        if trace_id is not None:
            found = [span for span in found if span["context"]["trace_id"] == trace_id]
        return found

    def wait_for_spans(self, trace_id: str, count: int, deadline_s: float = 60) -> list[dict[str, Any]]:
        """Phoenix writes what it receives in the background: poll until ``count`` spans are there."""
        deadline = time.monotonic() + deadline_s
        while True:
            spans = self.spans(trace_id)
            if len(spans) >= count or time.monotonic() > deadline:
                return spans
            _pause.wait(0.2)  # between polls of a condition with a deadline


class _Start:
    """Phoenix starting in the background: one to three minutes on two busy cores, so it is begun
    as soon as collection shows a test needs it (``start_early``) and starts while others run."""

    def __init__(self) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="vcr-tui-phoenix-"))
        self.port, self.grpc_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.unavailable = ""
        self.failure = ""
        self._thread = threading.Thread(target=self._run, name="phoenix start", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            python = ensure_tool(PHOENIX)
        except ToolUnavailable as exc:
            self.unavailable = str(exc)
            return
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("PHOENIX_", "OTEL_"))},
            "PHOENIX_HOST": "127.0.0.1",
            "PHOENIX_PORT": str(self.port),
            "PHOENIX_GRPC_PORT": str(self.grpc_port),
            "PHOENIX_WORKING_DIR": str(self.work),
            "PHOENIX_TELEMETRY_ENABLED": "false",
        }
        log = self.work / "phoenix.log"
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(python), "-m", "phoenix.server.main", "serve"],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        try:
            # A fresh database runs Phoenix's migrations first: minutes on a busy two-core machine.
            wait_until_answers(f"{self.url}/healthz", self.process, log, deadline_s=900)
        except AssertionError as exc:
            self.failure = str(exc)

    def ready(self) -> Phoenix:
        """Wait for the start; skip when Phoenix cannot be installed here, fail when it would not start."""
        self._thread.join()
        if self.unavailable:
            pytest.skip(f"{PHOENIX.name} unavailable: {self.unavailable}")
        if self.failure:
            raise AssertionError(self.failure)
        return Phoenix(self.url)

    def stop(self) -> None:
        self._thread.join()
        process = self.process
        if process is not None and process.poll() is None:
            stop_server(process)
        shutil.rmtree(self.work, ignore_errors=True)


_started: dict[str, _Start] = {}  # "phoenix": the one start of this test session


def start_early(items: list[pytest.Item]) -> None:
    """Begin starting Phoenix now when a collected test uses the ``phoenix`` fixture."""
    if "phoenix" not in _started and any("phoenix" in getattr(item, "fixturenames", ()) for item in items):
        _started["phoenix"] = _Start()


def stop() -> None:
    """At the end of the session: stop Phoenix if it was started (used or not)."""
    started = _started.pop("phoenix", None)
    if started is not None:
        started.stop()


@pytest.fixture(scope="session")
def phoenix() -> Phoenix:
    if "phoenix" not in _started:
        _started["phoenix"] = _Start()
    return _started["phoenix"].ready()


def flat(attributes: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Phoenix nests dotted attribute names (``{"llm": {"model_name": ...}}``): flatten them back."""
    found: dict[str, Any] = {}
    for key, value in attributes.items():
        if isinstance(value, dict):
            found.update(flat(value, f"{prefix}{key}."))
        else:
            found[f"{prefix}{key}"] = value
    return found
