"""The first bytes of an object and its version, read while a viewer starts.

Reaching a store through its driver costs more than the read itself: importing s3fs,
aiobotocore, botocore and aiohttp and making a client take one to two seconds of CPU, more than
the viewer's whole start. The first screen needs only the object's first ``HEAD_BYTES`` (a
screenful of frames and more), so they are read without the driver when that is plainly
possible: S3 with keys in the environment is one GET signed by botocore's signer alone
(``object_get``), without the driver's client. Anything else (profiles, single sign-on, instance roles, other stores, an answer
this GET does not expect) is left to the driver, in a helper process that works on another core
while the viewer starts and hands the bytes back through a pipe. Either way the index is built
later, in the viewer's own process, by ``ObjectIndex``.

Run as ``python -m recorder.object_head URL``: one JSON line (``size``, ``tag``, ``length``, or
``error`` and ``missing``), then ``length`` bytes of the object.
"""

from __future__ import annotations

import errno
import json
import subprocess
import sys
import threading
from dataclasses import dataclass

from recorder.errors import RecordingNotFoundError
from recorder.object_get import signed_head
from recorder.storage import ObjectStorageError, ObjectStore, ObjectVersion

HEAD_BYTES = 512 << 10


@dataclass(frozen=True, slots=True)
class ObjectHead:
    """An object's version as first seen, and its first bytes (all of them, for a small one)."""

    url: str
    version: ObjectVersion
    data: bytes


def read_head(url: str, size: int = HEAD_BYTES) -> ObjectHead:
    """The version and the first ``size`` bytes, in this process (the engine's errors if it cannot)."""
    store = ObjectStore(url)
    version = store.version()
    return ObjectHead(url, version, store.read(0, min(size, version.size)))


class HeadPrefetch:
    """The head of one URL: read at once by a signed GET when possible, else by a helper process
    started at once; ``result()`` waits for the answer."""

    def __init__(self, url: str, size: int = HEAD_BYTES) -> None:
        self.url = url
        self._size = size
        self._head: ObjectHead | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._missing: RecordingNotFoundError | None = None
        self._cancelled = False
        self.by_helper = False  # whether the driver was needed (in a helper process)
        # The GET mostly waits on the network, so the viewer's own start goes on meanwhile.
        self._reading = threading.Thread(target=self._read, name="vcr-object-head", daemon=True)
        self._reading.start()

    def _read(self) -> None:
        try:
            quick = signed_head(self.url, self._size)
        except RecordingNotFoundError as exc:
            self._missing = exc
            return
        if quick is not None:
            self._head = ObjectHead(self.url, ObjectVersion(quick.size, quick.tag), quick.data)
            return
        if self._cancelled:
            return
        self.by_helper = True
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "recorder.object_head", self.url, str(self._size)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self._process = None  # no helper: ``result()`` reads in this process

    def result(self) -> ObjectHead:
        """The head, or the engine's error for the object (missing, unreachable) in one line.

        A helper that died without a word is replaced by reading here, so the answer never
        depends on the helper working.
        """
        self._reading.join()
        if self._head is not None:
            return self._head
        if self._missing is not None:
            raise self._missing
        process, self._process = self._process, None
        answer = b""
        if process is not None:
            answer, _ = process.communicate()
        header, newline, data = answer.partition(b"\n")
        try:
            found = json.loads(header) if newline else None
        except ValueError:
            found = None
        if not isinstance(found, dict):
            self._head = read_head(self.url, self._size)
            return self._head
        if "error" in found:
            message = str(found["error"])
            if found.get("missing"):
                raise RecordingNotFoundError(errno.ENOENT, message)
            raise ObjectStorageError(errno.EIO, message)
        if len(data) != found.get("length"):
            self._head = read_head(self.url, self._size)
            return self._head
        self._head = ObjectHead(self.url, ObjectVersion(int(found["size"]), str(found["tag"])), data)
        return self._head

    def done(self) -> bool:
        """Whether ``result()`` would answer at once: the GET, and the helper if one was needed, are done."""
        if self._reading.is_alive():
            return False
        return self._process is None or self._process.poll() is not None

    def cancel(self) -> None:
        """Stop the helper if it is still at work (the viewer is going away)."""
        self._cancelled = True
        self._reading.join()
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.communicate()


def main(argv: list[str]) -> int:
    url, size = argv[0], int(argv[1]) if len(argv) > 1 else HEAD_BYTES
    out = sys.stdout.buffer
    try:
        head = read_head(url, size)
    except OSError as exc:  # the engine's errors for an object: missing, a prefix, unreachable
        missing = isinstance(exc, RecordingNotFoundError)
        out.write(json.dumps({"error": exc.strerror or str(exc), "missing": missing}).encode() + b"\n")
    else:
        line = {"size": head.version.size, "tag": head.version.tag, "length": len(head.data)}
        out.write(json.dumps(line).encode() + b"\n" + head.data)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
