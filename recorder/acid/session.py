"""A session's refs, its facts, and the lock that keeps two processes out of one session.

Everything about a session lives in the repository so another process (the TUI, or the same
agent after a crash) can pick it up: ``refs/vcr/<key>/base`` is the snapshot at ``begin`` and its
commit message carries the session's facts as one JSON line; ``savepoints/NNNNNN`` and
``undo/NNNNNN`` are the later snapshots; ``ignored`` and ``empty-folders`` name blobs listing
what git ignored, and which folders were empty, at ``begin``; ``landing`` names a commit being
landed. Refs keep the snapshots' objects alive through ``git gc``; removing them is all it takes
to forget a session (``refs/vcr-kept/`` then keeps what an ending would otherwise lose).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from typing import IO, Any

from recorder.acid.errors import SessionError
from recorder.acid.gitrunner import GitRunner, command_failed
from recorder.acid.layout import RepositoryLayout
from recorder.acid.models import Snapshot, SnapshotKind

try:
    import fcntl
except ImportError:  # not on Windows: sessions there are not guarded against a second process
    fcntl = None  # type: ignore[assignment]

REF_ROOT = "refs/vcr"
# After a session ends, its last snapshot stays here (as ``git stash`` keeps a stash), so the
# states a rollback or an abort replaced, the user's own edits among them, survive ``git gc``.
KEPT_ROOT = "refs/vcr-kept"
FACTS_PREFIX = "vcr-tui-snapshot: "
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_FOLDER_FOR = {SnapshotKind.SAVEPOINT: "savepoints", SnapshotKind.BEFORE_ROLLBACK: "undo"}


def session_key(session_id: str) -> str:
    """The ref-safe form of a session id (letters, digits, ``_`` and ``-``; never empty)."""
    return _KEY_UNSAFE.sub("_", session_id).strip("_")[:100] or "session"


@dataclass(frozen=True)
class SessionFacts:
    """What ``begin`` knew, kept in the base snapshot's message for whoever attaches later."""

    session_id: str
    workspace: str
    scope: str
    head: str | None
    branch: str | None
    created_at: str
    recording: str | None
    excludes: tuple[str, ...]
    force_paths: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": SnapshotKind.BEGIN.value,
            "session": self.session_id,
            "workspace": self.workspace,
            "scope": self.scope,
            "head": self.head,
            "branch": self.branch,
            "created_at": self.created_at,
            "recording": self.recording,
            "excludes": list(self.excludes),
            "force_paths": list(self.force_paths),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionFacts:
        return cls(
            session_id=str(data["session"]),
            workspace=str(data["workspace"]),
            scope=str(data.get("scope") or ""),
            head=data.get("head"),
            branch=data.get("branch"),
            created_at=str(data.get("created_at") or ""),
            recording=data.get("recording"),
            excludes=tuple(str(item) for item in data.get("excludes") or ()),
            force_paths=tuple(str(item) for item in data.get("force_paths") or ()),
        )


def snapshot_message(title: str, facts: dict[str, Any]) -> str:
    """A commit message: a line for people, then one line of JSON for programs."""
    return f"{title}\n\n{FACTS_PREFIX}{json.dumps(facts, ensure_ascii=False, sort_keys=True)}\n"


def parse_message(message: bytes) -> dict[str, Any] | None:
    for line in message.decode("utf-8", "replace").splitlines():
        if line.startswith(FACTS_PREFIX):
            try:
                data = json.loads(line[len(FACTS_PREFIX) :])
            except ValueError:
                return None
            return data if isinstance(data, dict) else None
    return None


@dataclass
class LoadedSession:
    facts: SessionFacts
    base: Snapshot
    savepoints: list[Snapshot] = field(default_factory=list)
    undo: list[tuple[Snapshot, dict[str, Any]]] = field(default_factory=list)
    ignored: tuple[str, ...] = ()
    empty_folders: tuple[str, ...] = ()


LISTINGS = ("ignored", "empty-folders")


class SessionRefs:
    """Reads and writes the refs of one session in the repository."""

    def __init__(self, git: GitRunner, layout: RepositoryLayout, key: str) -> None:
        self.git = git
        self.layout = layout
        self.key = key
        self.prefix = f"{REF_ROOT}/{key}"

    def ref(self, kind: SnapshotKind, number: int = 0) -> str:
        if kind is SnapshotKind.BEGIN:
            return f"{self.prefix}/base"
        return f"{self.prefix}/{_FOLDER_FOR[kind]}/{number:06d}"

    def listing_ref(self, name: str) -> str:
        return f"{self.prefix}/{name}"

    @property
    def landing_ref(self) -> str:
        """Names the commit being landed on the user's branch, until the session ends."""
        return f"{self.prefix}/landing"

    def kept_ref(self, base_commit: str) -> str:
        return f"{KEPT_ROOT}/{self.key}/{base_commit}"

    def landing(self) -> str | None:
        return dict(self.listing()).get(self.landing_ref)

    def store_listing(self, name: str, paths: tuple[str, ...]) -> None:
        """Keep a list of paths in the repository, as a blob the session's ref points at."""
        if paths:
            data = b"".join(os.fsencode(path) + b"\0" for path in paths)
            self.point(self.listing_ref(name), self.git.text("hash-object", "-w", "--stdin", stdin=data))

    def create_base(self, commit: str) -> None:
        """Claim the session's namespace; fails when a session with this key is already open."""
        args = ("update-ref", "-m", "vcr-tui: begin", self.ref(SnapshotKind.BEGIN), commit, self.layout.zero_oid)
        status, _, errors = self.git.run_full(*args)
        if status == 0:
            return
        if self.git.status("rev-parse", "--verify", "-q", self.ref(SnapshotKind.BEGIN)) == 0:
            raise SessionError(
                f"a session with the id {self.key!r} is already open in {self.layout.top}: "
                "attach to it, end it, or begin with another id"
            )
        raise command_failed(args, status, errors)  # a hook refused, the disk is full...

    def point(self, ref: str, oid: str) -> None:
        self.git.run("update-ref", "-m", "vcr-tui: snapshot", ref, oid)

    def drop(self, ref: str) -> None:
        """Remove one ref (a snapshot that turned out not to be needed)."""
        self.git.run("update-ref", "-d", ref)

    def delete_all(self) -> None:
        """Remove every ref of the session in one transaction."""
        lines = [f"delete {name}\n" for name, _ in self.listing()]
        if lines:
            self.git.run("update-ref", "--stdin", stdin="".join(lines).encode())

    def listing(self) -> list[tuple[str, str]]:
        """``(ref name, object)`` for each ref of the session."""
        return _refs_under(self.git, self.prefix)

    def load(self) -> LoadedSession:
        """Everything a session's refs hold, for a process attaching to it."""
        refs = dict(self.listing())
        base_commit = refs.get(self.ref(SnapshotKind.BEGIN))
        if base_commit is None:
            raise SessionError(f"no open session {self.key!r} in {self.layout.top}")
        base_facts = self.read_facts(base_commit)
        facts = SessionFacts.from_json(base_facts)
        base = self.snapshot_from(base_commit, base_facts)
        loaded = LoadedSession(facts, base)
        for name in sorted(refs):
            folder = name[len(self.prefix) + 1 :].split("/")[0]
            if folder == "savepoints":
                loaded.savepoints.append(self.snapshot_from(refs[name], self.read_facts(refs[name])))
            elif folder == "undo":
                snapshot_facts = self.read_facts(refs[name])
                loaded.undo.append((self.snapshot_from(refs[name], snapshot_facts), snapshot_facts))
        listings = {}
        for name in LISTINGS:
            oid = refs.get(self.listing_ref(name))
            blob = self.git.objects.read_object(oid, "blob") if oid else b""
            listings[name] = tuple(os.fsdecode(item) for item in blob.split(b"\0") if item)
        loaded.ignored = listings["ignored"]
        loaded.empty_folders = listings["empty-folders"]
        return loaded

    def read_facts(self, commit: str) -> dict[str, Any]:
        data = parse_message(self.git.objects.read_object(commit, "commit"))
        if data is None:
            raise SessionError(f"snapshot {commit} was not written by vcr-tui")
        return data

    def snapshot_from(self, commit: str, facts: dict[str, Any]) -> Snapshot:
        frame = facts.get("frame")
        return Snapshot(
            kind=SnapshotKind(facts.get("kind", SnapshotKind.SAVEPOINT.value)),
            number=int(facts.get("number", -1)),
            commit=commit,
            tree=str(facts.get("tree", "")),
            node_name=facts.get("node"),
            frame_index=frame if isinstance(frame, int) else None,
            created_at=str(facts.get("created_at", "")),
        )


def open_session_keys(git: GitRunner) -> list[tuple[str, str]]:
    """``(key, base commit)`` of every open session in the repository."""
    found = []
    for name, oid in _refs_under(git, REF_ROOT):
        parts = name.split("/")
        if len(parts) == 4 and parts[3] == "base":
            found.append((parts[2], oid))
    return found


def _refs_under(git: GitRunner, prefix: str) -> list[tuple[str, str]]:
    """``(ref name, object)`` for each ref whose name starts with ``prefix/``."""
    out = git.text("for-each-ref", "--format=%(refname) %(objectname)", f"{prefix}/")
    pairs = []
    for line in out.splitlines():
        name, _, oid = line.rpartition(" ")
        if name:
            pairs.append((name, oid))
    return pairs


class SessionDirectory:
    """The per-worktree private folder of one session, and its process lock."""

    def __init__(self, layout: RepositoryLayout, key: str) -> None:
        self.path = layout.private_dir / "sessions" / key
        self._lock_file: IO[str] | None = None

    def acquire(self, session_id: str) -> None:
        """Hold the session for this process until ``release``; refuse if another process does."""
        self.path.mkdir(parents=True, exist_ok=True)
        handle = open(self.path / "lock", "a+", encoding="utf-8")  # noqa: SIM115 - held open on purpose
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                handle.close()
                raise SessionError(f"session {session_id!r} is in use by {holder}; end that process first") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        self._lock_file = handle

    def release(self) -> None:
        if self._lock_file is not None:
            with contextlib.suppress(OSError):
                self._lock_file.close()
            self._lock_file = None

    def remove(self) -> None:
        """Forget the private files of a session that has ended."""
        self.release()
        shutil.rmtree(self.path, ignore_errors=True)

    @property
    def held(self) -> bool:
        return self._lock_file is not None
