"""Running git through GitPython with an environment this module decides entirely.

A process can inherit ``GIT_DIR``, ``GIT_INDEX_FILE`` or ``GIT_WORK_TREE`` (an agent started from
a git hook does), and GitPython only ever adds variables on top of ``os.environ``. So every
variable that could point git at another repository, index or object store is set explicitly
here, and the ones that change how paths are matched are set to their neutral values. Paths are
exchanged NUL-separated and decoded with ``os.fsdecode`` so any file name survives the trip.

GitPython is imported on first use: it raises ``ImportError`` when the ``git`` program is
missing, and recording must keep working on machines without git.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from recorder.acid.errors import GitCommandFailedError, GitUnavailableError

if TYPE_CHECKING:
    from git.cmd import Git

_NEUTRAL_ENVIRONMENT = {
    # Pathspecs given by this module are file names, never patterns.
    "GIT_LITERAL_PATHSPECS": "1",
    "GIT_GLOB_PATHSPECS": "0",
    "GIT_NOGLOB_PATHSPECS": "0",
    "GIT_ICASE_PATHSPECS": "0",
    "GIT_NAMESPACE": "",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES": "",
    "GIT_CEILING_DIRECTORIES": "",
    # Read-only commands must never refresh (rewrite) the user's index behind their back.
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_TERMINAL_PROMPT": "0",
}

_CHUNK = 1 << 20
# How git words a refusal by a hook ("ref updates aborted by hook", "hook declined to update ...").
_HOOK_REFUSAL = re.compile(r"\bhook\b", re.IGNORECASE)
_MAX_ARGUMENT_BYTES = 64 * 1024


def load_gitpython() -> Any:
    """The ``git`` package, or a clear error when it (or the git program behind it) is missing."""
    try:
        import git
    except ImportError as exc:
        raise GitUnavailableError(
            f"git is needed for workspace snapshots but cannot be used here: {exc}".rstrip()
        ) from None
    return git


class GitRunner:
    """Runs git commands for one (git dir, work tree, index, object store) combination."""

    def __init__(
        self,
        work_tree: Path,
        *,
        git_dir: Path,
        common_dir: Path,
        index_file: Path,
        object_dir: Path,
        extra_environment: Mapping[str, str] | None = None,
    ) -> None:
        git = load_gitpython()
        self.work_tree = work_tree
        self.git_dir = git_dir
        self.index_file = index_file
        self._git: Git = git.cmd.Git(str(work_tree))
        self._executable = str(git.cmd.Git.GIT_PYTHON_GIT_EXECUTABLE or "git")
        self._environment = {
            **_NEUTRAL_ENVIRONMENT,
            "GIT_DIR": str(git_dir),
            "GIT_COMMON_DIR": str(common_dir),
            "GIT_WORK_TREE": str(work_tree),
            "GIT_INDEX_FILE": str(index_file),
            "GIT_OBJECT_DIRECTORY": str(object_dir),
            **(extra_environment or {}),
        }
        self._git.update_environment(**self._environment)
        self._objects: ObjectReader | None = None

    # -- one-shot commands -------------------------------------------------------------------

    def run(
        self,
        *args: str,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        accept: Iterable[int] = (0,),
    ) -> bytes:
        """Run ``git <args>`` and return its raw standard output; fail on an unexpected status."""
        command = [self._executable, *args]
        if stdin is None:
            status, out, err = self._execute(command, None, env)
        else:
            with tempfile.TemporaryFile() as stream:
                stream.write(stdin)
                stream.seek(0)
                status, out, err = self._execute(command, stream, env)
        if status not in tuple(accept):
            raise command_failed(tuple(args), status, err)
        return out

    def run_full(self, *args: str, env: Mapping[str, str] | None = None) -> tuple[int, bytes, str]:
        """Run ``git <args>`` and return status, output and error text, whatever the status."""
        return self._execute([self._executable, *args], None, env)

    def status(self, *args: str, env: Mapping[str, str] | None = None) -> int:
        """Run ``git <args>`` for its exit status only (``rev-parse --verify -q``, ``check-ignore``)."""
        status, _, _ = self._execute([self._executable, *args], None, env)
        return status

    def text(self, *args: str, stdin: bytes | None = None, env: Mapping[str, str] | None = None) -> str:
        """Standard output decoded as file-system text, without its final newline."""
        return os.fsdecode(self.run(*args, stdin=stdin, env=env)).removesuffix("\n")

    def optional_text(self, *args: str, env: Mapping[str, str] | None = None) -> str | None:
        """Like ``text`` for a query that exits 1 when there is no answer (``symbolic-ref -q``)."""
        out = self.run(*args, env=env, accept=(0, 1))
        value = os.fsdecode(out).strip()
        return value or None

    def nul_separated(self, *args: str, stdin: bytes | None = None, env: Mapping[str, str] | None = None) -> list[str]:
        """The NUL-separated records of a ``-z`` command."""
        out = self.run(*args, stdin=stdin, env=env)
        return [os.fsdecode(item) for item in out.split(b"\0") if item]

    def _execute(
        self, command: list[str], stream: BinaryIO | None, env: Mapping[str, str] | None
    ) -> tuple[int, bytes, str]:
        git = load_gitpython()
        try:
            result = self._git.execute(
                command,
                istream=stream,
                env=env,
                with_extended_output=True,
                with_exceptions=False,
                stdout_as_string=False,
                strip_newline_in_stdout=False,
            )
        except git.exc.GitCommandNotFound as exc:
            raise GitUnavailableError(f"the git program cannot be run: {exc}") from None
        status, out, err = result
        out_bytes = out if isinstance(out, bytes) else os.fsencode(out or "")
        return int(status), out_bytes, str(err or "")

    # -- object access -----------------------------------------------------------------------

    @property
    def objects(self) -> ObjectReader:
        """A long-lived ``git cat-file --batch`` for reading many blobs without a process each.

        A reader that failed part-way through an answer is out of step with its process (the
        rest of that answer is still in the pipe), so it is ended and a fresh one started.
        """
        if self._objects is not None and self._objects.broken:
            self._objects.close()
            self._objects = None
        if self._objects is None:
            handle = self._git.execute(
                [self._executable, "cat-file", "--batch"], istream=subprocess.PIPE, as_process=True
            )
            self._objects = ObjectReader(handle)
        return self._objects

    def close(self) -> None:
        """End the long-lived processes. Idempotent."""
        if self._objects is not None:
            self._objects.close()
            self._objects = None
        self._git.clear_cache()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


class ObjectReader:
    """Reads objects by name from one ``git cat-file --batch`` process.

    GitPython's own batch reader only knows 40-character object names; this one also serves
    SHA-256 repositories and streams large blobs to their destination in chunks. Any failure in
    the middle of an answer (the sink could not write, the process died) marks the reader
    ``broken``: the unread rest of that answer would otherwise be taken for the next one.
    """

    def __init__(self, handle: Any) -> None:
        self._handle = handle  # GitPython's wrapper ends the process when it is collected
        process: subprocess.Popen[bytes] = handle.proc
        assert process.stdin is not None and process.stdout is not None
        self._process = process
        self._stdin = process.stdin
        self._stdout = process.stdout
        self.broken = False

    def copy_blob(self, oid: str, sink: Callable[[bytes], object]) -> int:
        """Feed the blob's bytes to ``sink`` chunk by chunk; return its size."""
        self._refuse_when_broken()
        try:
            size = self._request(oid, "blob")
            remaining = size
            while remaining:
                chunk = self._stdout.read(min(remaining, _CHUNK))
                if not chunk:
                    raise GitCommandFailedError(
                        f"git stopped while reading object {oid}", command=("cat-file", "--batch"), status=-1, stderr=""
                    )
                sink(chunk)
                remaining -= len(chunk)
            self._stdout.read(1)  # the newline after the content
        except BaseException:
            self.broken = True
            raise
        return size

    def read_blob(self, oid: str) -> bytes:
        """The whole blob (symbolic link targets, small files)."""
        parts: list[bytes] = []
        self.copy_blob(oid, parts.append)
        return b"".join(parts)

    def read_object(self, oid: str, expected_type: str) -> bytes:
        """The whole object of the given type (a commit message, a list stored as a blob)."""
        self._refuse_when_broken()
        try:
            size = self._request(oid, expected_type)
            data = self._stdout.read(size)
            self._stdout.read(1)
        except BaseException:
            self.broken = True
            raise
        if len(data) != size:
            self.broken = True
            raise GitCommandFailedError(
                f"git stopped while reading object {oid}", command=("cat-file", "--batch"), status=-1, stderr=""
            )
        return data

    def object_type(self, name: str) -> str | None:
        """The type of ``name`` (``<commit>:<path>`` works), or None when it does not exist.

        A name containing a line break cannot be asked about this way; it is reported as
        existing, which errs on the side of leaving things alone.
        """
        if "\n" in name or "\0" in name:
            return "unknown"
        self._refuse_when_broken()
        try:
            self._stdin.write(os.fsencode(name) + b"\n")
            self._stdin.flush()
            line = self._stdout.readline()
            if line.endswith((b" missing\n", b" ambiguous\n")):
                return None
            header = line.split()
            self._stdout.read(int(header[2]) + 1)
        except BaseException:
            self.broken = True
            raise
        return header[1].decode("ascii")

    def _refuse_when_broken(self) -> None:
        if self.broken:
            raise GitCommandFailedError(
                "the object reader failed earlier and must be restarted",
                command=("cat-file", "--batch"),
                status=-1,
                stderr="",
            )

    def _request(self, oid: str, expected_type: str) -> int:
        if not oid or any(ch in oid for ch in " \n\0"):
            raise ValueError(f"not an object name: {oid!r}")
        self._stdin.write(oid.encode("ascii") + b"\n")
        self._stdin.flush()
        header = self._stdout.readline().split()
        if len(header) != 3:
            raise GitCommandFailedError(
                f"the repository has no object {oid}", command=("cat-file", "--batch"), status=-1, stderr=""
            )
        kind, size = header[1].decode("ascii"), int(header[2])
        if kind != expected_type:
            self._stdout.read(size + 1)
            raise GitCommandFailedError(
                f"object {oid} is a {kind}, not a {expected_type}", command=("cat-file",), status=-1, stderr=""
            )
        return size

    def close(self) -> None:
        if self.broken:  # it may be blocked writing the rest of an answer nobody will read
            self._process.kill()
        try:
            self._stdin.close()
        except OSError:
            pass
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._stdout.close()


def command_failed(args: tuple[str, ...], status: int, stderr: str) -> GitCommandFailedError:
    """An error quoting git's own first line of complaint (and a hook's, when a hook refused)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    reason = next((line for line in lines if line.startswith(("fatal:", "error:"))), lines[0] if lines else "")
    reason = reason.removeprefix("fatal: ").removeprefix("error: ")
    what = f"git {args[0]}" if args else "git"
    if _HOOK_REFUSAL.search(reason):
        said = [line for line in lines if not line.startswith(("fatal:", "error:", "hint:"))]
        message = (
            f"{what} was refused by a hook of the repository ({reason})"
            + (f"; the hook said: {' / '.join(said)[:300]}" if said else "")
            + "; fix or disable that hook (in .git/hooks, or where core.hooksPath points), then try again"
        )
        return GitCommandFailedError(message, command=args, status=status, stderr=stderr)
    message = f"{what} failed (exit {status})" + (f": {reason}" if reason else "")
    return GitCommandFailedError(message, command=args, status=status, stderr=stderr)


def argument_chunks(paths: Sequence[str]) -> Iterator[list[str]]:
    """Argument lists that stay well under the operating system's limit."""
    chunk: list[str] = []
    size = 0
    for path in paths:
        length = len(os.fsencode(path)) + 1
        if chunk and size + length > _MAX_ARGUMENT_BYTES:
            yield chunk
            chunk, size = [], 0
        chunk.append(path)
        size += length
    if chunk:
        yield chunk
