"""One GET of the start of an S3 object, signed by botocore's own SigV4 signer, without the driver.

Only for the plain case, where the answer cannot differ from the driver's: an ``s3://`` address,
keys in the environment (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``),
no profile named, nothing set for fsspec or in the AWS config file that could send the driver
elsewhere (an endpoint, an addressing style), and the endpoint from ``AWS_ENDPOINT_URL_S3`` /
``AWS_ENDPOINT_URL`` (path-style addressing, as S3-compatible stores expect) or S3's own for the
region. Every other case, and every answer but the bytes asked for or "no such key", returns
None: the caller then asks the driver, which knows the rest (profiles, roles, redirects,
retries) and says what went wrong.

The signature is botocore's (``S3SigV4Auth``, a fraction of the cost of importing the driver and
making its client); only the request is put together here.
"""

from __future__ import annotations

import errno
import http.client
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from recorder.errors import RecordingNotFoundError

TIMEOUT_S = 10.0
_RANGE = re.compile(r"^bytes \d+-\d+/(\d+)$")


@dataclass(frozen=True, slots=True)
class SignedHead:
    size: int
    tag: str
    data: bytes


def signed_head(url: str, size: int) -> SignedHead | None:
    """The object's size, ETag and first ``size`` bytes; None when the driver must be asked instead."""
    scheme, _, rest = url.partition("://")
    bucket, _, key = rest.partition("/")
    env = os.environ
    key_id, secret = env.get("AWS_ACCESS_KEY_ID", ""), env.get("AWS_SECRET_ACCESS_KEY", "")
    if scheme.lower() not in ("s3", "s3a") or not bucket or not key or not key_id or not secret:
        return None
    if env.get("AWS_PROFILE") or "?" in key or size <= 0 or _configured_elsewhere(env):
        return None  # a named profile outranks the keys in the environment; a query is the driver's
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
            return None
        secure, host, path = parts.scheme == "https", parts.netloc, f"/{bucket}/{key}"
    else:
        if "." in bucket:
            return None  # virtual-hosted names with dots do not match S3's certificate
        secure, host, path = True, f"{bucket}.s3.{region}.amazonaws.com", f"/{key}"
    signed = _signed_headers(secure, host, quote(path, safe="/~"), region, key_id, secret, env.get("AWS_SESSION_TOKEN"))
    if signed is None:
        return None
    headers = {**signed, "Range": f"bytes=0-{size - 1}"}
    try:
        return _get(secure, host, quote(path, safe="/~"), headers, url)
    except RecordingNotFoundError:
        raise
    except (OSError, http.client.HTTPException, ValueError):  # unreachable, refused, garbled: the driver's to say
        return None


def _configured_elsewhere(env: os._Environ[str]) -> bool:
    """Whether the driver may be told something this GET would not know: fsspec's own settings
    (its variables or config folder), or an endpoint or addressing style in the AWS config file."""
    if any(name.startswith("FSSPEC_") for name in env) or env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"):
        return True
    folder = Path(env.get("FSSPEC_CONFIG_DIR") or Path.home() / ".config" / "fsspec")
    if folder.is_dir() and any(folder.iterdir()):
        return True
    config = Path(env.get("AWS_CONFIG_FILE") or Path.home() / ".aws" / "config")
    try:
        text = config.read_text(errors="replace") if config.is_file() else ""
    except OSError:
        return True
    return "endpoint_url" in text or "addressing_style" in text or "services" in text


def _get(secure: bool, host: str, path: str, headers: dict[str, str], url: str) -> SignedHead | None:
    kind = http.client.HTTPSConnection if secure else http.client.HTTPConnection
    connection = kind(host, timeout=TIMEOUT_S)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status == 404 and b"<Code>NoSuchKey</Code>" in body:
        raise RecordingNotFoundError(errno.ENOENT, f"no such object: {url}")
    tag = (response.getheader("ETag") or "").strip('"')
    if response.status == 206:
        found = _RANGE.match(response.getheader("Content-Range") or "")
        total = int(found[1]) if found else -1
    elif response.status == 200:
        total = len(body)
    else:
        return None
    if total < len(body) or not tag:
        return None
    return SignedHead(total, tag, body)


def _signed_headers(
    secure: bool, host: str, path: str, region: str, key_id: str, secret: str, token: str | None
) -> dict[str, str] | None:
    """The headers that sign a GET of ``path`` (already URI-encoded); None without botocore."""
    try:
        from botocore.auth import S3SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.config import Config
        from botocore.credentials import Credentials
    except ImportError:
        return None  # no driver installed: the helper says so in the driver's words
    request = AWSRequest(method="GET", url=f"{'https' if secure else 'http'}://{host}{path}")
    request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    S3SigV4Auth(Credentials(key_id, secret, token), "s3", region).add_auth(request)
    return dict(request.headers.items())
