"""A real Arize Phoenix on 127.0.0.1 for the tests, from its cached venv, read back through its REST API.

Phoenix listens for OTLP/HTTP on its web port (``/v1/traces``) and answers span queries at
``/v1/projects/{project}/spans``. Its gRPC port and working folder are moved off their defaults so
parallel runs never meet, and its own telemetry is off.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.service_venv import PHOENIX, free_port, require_tool, running

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


@pytest.fixture(scope="session")
def phoenix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Phoenix]:
    python = require_tool(PHOENIX)
    port, grpc_port = free_port(), free_port()
    work = tmp_path_factory.mktemp("phoenix")
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("PHOENIX_", "OTEL_"))},
        "PHOENIX_HOST": "127.0.0.1",
        "PHOENIX_PORT": str(port),
        "PHOENIX_GRPC_PORT": str(grpc_port),
        "PHOENIX_WORKING_DIR": str(work),
        "PHOENIX_TELEMETRY_ENABLED": "false",
    }
    url = f"http://127.0.0.1:{port}"
    log = Path(work) / "phoenix.log"
    # A fresh database runs Phoenix's migrations first: minutes on a busy two-core machine.
    with running([str(python), "-m", "phoenix.server.main", "serve"], f"{url}/healthz", log, env, deadline_s=900):
        yield Phoenix(url)


def flat(attributes: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Phoenix nests dotted attribute names (``{"llm": {"model_name": ...}}``): flatten them back."""
    found: dict[str, Any] = {}
    for key, value in attributes.items():
        if isinstance(value, dict):
            found.update(flat(value, f"{prefix}{key}."))
        else:
            found[f"{prefix}{key}"] = value
    return found
