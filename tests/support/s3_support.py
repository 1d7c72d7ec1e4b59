"""A real S3 API on 127.0.0.1 for the tests: moto's server mode, from its cached venv.

The server starts once per test session on a free port; each test gets a bucket of its own and an
environment (fake, local credentials and ``AWS_ENDPOINT_URL``) that both this process (through
monkeypatch) and a ``vcr-tui`` subprocess (through ``env``) use to reach it.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.service_venv import MOTO, free_port, require_tool, running

_buckets = itertools.count(1)


@dataclass
class S3:
    """One test's bucket on the shared server, and how to reach it."""

    endpoint: str
    bucket: str
    env: dict[str, str]
    fs: Any

    def url(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def put(self, local: Path, key: str) -> str:
        """Upload ``local`` as ``key`` (replacing it); its URL."""
        self.fs.put_file(str(local), f"{self.bucket}/{key}")
        self.fs.invalidate_cache()
        return self.url(key)

    def put_bytes(self, data: bytes, key: str) -> str:
        self.fs.pipe_file(f"{self.bucket}/{key}", data)
        self.fs.invalidate_cache()
        return self.url(key)


def credentials(endpoint: str) -> dict[str, str]:
    """Fake keys for a local server; no config file or instance metadata is consulted."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The S3 server's URL, for the whole test session."""
    python = require_tool(MOTO)
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    with running([str(python), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], f"{endpoint}/", log, env):
        yield endpoint


@pytest.fixture
def s3(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3:
    """A fresh bucket; this process's environment points at the server, and so does ``S3.env``."""
    s3fs = pytest.importorskip("s3fs")
    values = credentials(moto_endpoint)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("VCR_TUI_CACHE", str(tmp_path / "cache"))
    s3fs.S3FileSystem.clear_instance_cache()
    fs = s3fs.S3FileSystem(endpoint_url=moto_endpoint, key="testing", secret="testing", token="testing")
    bucket = f"runs-{os.getpid()}-{next(_buckets)}"
    fs.mkdir(bucket)
    env = {**os.environ, **values, "VCR_TUI_CACHE": str(tmp_path / "cache")}
    return S3(moto_endpoint, bucket, env, fs)
