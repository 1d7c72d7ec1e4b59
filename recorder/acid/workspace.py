"""ACIDWorkspace: transactions over the folder an agent works in.

``begin`` snapshots the folder, ``savepoint`` snapshots it again (and records a checkpoint frame
naming the snapshot), ``rollback`` makes the folder what it was at a savepoint, ``commit`` lands
the session's changes as one commit, ``abort`` goes back to ``begin``. Snapshots are git commits
kept under ``refs/vcr/<session>/`` of the folder's repository (or of a private shadow repository
for a folder outside git); the user's branch, HEAD, index and files are never touched before
``commit`` or a rollback, and a rollback only ever touches files some snapshot holds.

Which snapshot ``rollback(n)`` means:

- with a recorder, ``n`` is a frame index of the recording being written (after a rollback,
  that is the fork the run continues in); the frame must be a savepoint's checkpoint, i.e. carry
  ``metadata.custom["acid_commit_hash"]`` naming one of this session's snapshots;
- without a recorder but with ``recording=`` (a viewer opening a ``.vcr`` file), ``n`` is a frame
  index of that file, with the same requirement; ``attach`` given neither uses the recording
  the session was begun with;
- with neither, ``n`` is the 0-based number of the savepoint, in the order they were taken.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from recorder.acid.committing import (
    HeadState,
    commit_message,
    finish_landing,
    land,
    read_head,
    staged_paths,
    unmerged_paths,
)
from recorder.acid.errors import (
    NothingToUndoError,
    RepositoryStateError,
    RollbackConflictError,
    RollbackFailedError,
    SessionError,
    SnapshotNotFoundError,
    WorkspaceError,
)
from recorder.acid.gitrunner import GitRunner
from recorder.acid.layout import RepositoryLayout, exclude_pattern, locate
from recorder.acid.models import (
    AbortResult,
    ChangeKind,
    CommitPreview,
    CommitResult,
    RollbackPlan,
    RollbackResult,
    SessionInfo,
    Snapshot,
    SnapshotKind,
    WorkspaceStatus,
)
from recorder.acid.restore import FilePlan, RestoreError, apply_plan, plan_changes
from recorder.acid.restore_journal import RecoveredRestore, RestoreJournal, recover_interrupted_restores
from recorder.acid.session import (
    REF_ROOT,
    SessionDirectory,
    SessionFacts,
    SessionRefs,
    open_session_keys,
    parse_message,
    session_key,
    snapshot_message,
)
from recorder.acid.snapshots import SNAPSHOT_IDENTITY, SnapshotMaker, remove_stale_temporaries
from recorder.acid.trees import TreeChange, as_file_changes, diff_trees
from recorder.models import Frame, FrameMetadata, FrameType
from recorder.naming import new_session_id
from recorder.reader import VCRReader
from recorder.timestamps import now_iso
from recorder.vocabulary import (
    ACID_COMMIT_HASH,
    ACID_ROLLED_BACK_TO,
    ACID_SAVEPOINT,
    ACID_SESSION,
    ACID_UNDO_COMMIT,
    WORKSPACE,
)
from recorder.writer import VCRRecorder

COMMIT_HASH_KEY = ACID_COMMIT_HASH  # kept under its first name: viewers import it from here


@dataclass
class _UndoEntry:
    """A rollback that can be undone: the state before it, what it restored, and the recorder it
    left behind."""

    snapshot: Snapshot
    previous_recorder: VCRRecorder | None = None
    target_commit: str = ""


@dataclass
class _Session:
    facts: SessionFacts
    refs: SessionRefs
    directory: SessionDirectory
    maker: SnapshotMaker
    base: Snapshot
    ignored_at_begin: frozenset[str]
    empty_at_begin: frozenset[str]
    savepoints: list[Snapshot] = field(default_factory=list)
    undo_stack: list[_UndoEntry] = field(default_factory=list)
    undo_count: int = 0
    last_commit: str = ""
    users_own_files: frozenset[str] | None = None


class ACIDWorkspace:
    """Savepoints, rollback, commit and abort over one folder's files, backed by git.

    Use it as a context manager: ``begin`` on entry (unless a session is already open), ``abort``
    when the block raises, and on a clean exit either ``commit`` (``commit_on_exit=True``) or
    ``detach``, which leaves the session open so a viewer can roll back or commit it later.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        recorder: VCRRecorder | None = None,
        *,
        recording: str | os.PathLike[str] | None = None,
        shadow: bool | None = None,
        shadow_dir: str | os.PathLike[str] | None = None,
        commit_on_exit: bool = False,
        _create: bool = True,
    ) -> None:
        self.layout: RepositoryLayout = locate(path, shadow=shadow, shadow_dir=shadow_dir, create=_create)
        self.recorder = recorder
        self.recording = Path(recording).resolve() if recording is not None else None
        self.commit_on_exit = commit_on_exit
        self._git = GitRunner(
            self.layout.top,
            git_dir=self.layout.git_dir,
            common_dir=self.layout.common_dir,
            index_file=self.layout.index_file,
            object_dir=self.layout.object_dir,
        )
        self._lock = threading.RLock()
        # Restores a killed process left half-done, put back by ``attach`` (see restore_journal).
        self.recovered: list[RecoveredRestore] = []
        self._session: _Session | None = None

    # -- sessions ----------------------------------------------------------------------------

    @property
    def session_id(self) -> str | None:
        return self._session.facts.session_id if self._session else None

    @property
    def active(self) -> bool:
        return self._session is not None

    def begin(self, session_id: str | None = None) -> Snapshot:
        """Snapshot the folder as it is (uncommitted and untracked files included) and open a session.

        The session id defaults to the recorder's; a recorder with no open session starts one
        under this id. Nothing the user can see changes: not the branch, HEAD, index, nor any
        file in the folder.
        """
        with self._lock:
            if self._session is not None:
                raise SessionError(f"session {self._session.facts.session_id!r} is already open on this workspace")
            self.refuse_busy_repository()
            if self.recorder is not None and (self.recorder.path is None or self.recorder.session is None):
                self.recorder.start_session(session_id=session_id)  # begin starts the recording too
            if session_id is None:
                recorder_session = self.recorder.session if self.recorder is not None else None
                session_id = recorder_session.session_id if recorder_session is not None else new_session_id()
            key = session_key(session_id)
            remove_stale_temporaries(self.layout)
            self._recover_interrupted_restores()
            head = read_head(self._git)
            excludes = self._recording_excludes()
            refs = SessionRefs(self._git, self.layout, key)
            if refs.listing():
                raise SessionError(
                    f"a session with the id {session_id!r} is already open in {self.layout.top}: "
                    "attach to it, end it, or begin with another id"
                )
            directory = SessionDirectory(self.layout, key)
            directory.acquire(session_id)
            maker: SnapshotMaker | None = None
            claimed = False
            try:
                _clear_session_files(directory)
                facts = SessionFacts(
                    session_id=session_id,
                    workspace=os.fsdecode(self.layout.workspace),
                    scope=self.layout.scope,
                    head=head.commit,
                    branch=head.branch,
                    created_at=now_iso(),
                    recording=_text_or_none(self._recording_file()),
                    excludes=tuple(excludes),
                    force_paths=tuple(self._tracked_but_ignored(excludes)),
                )
                maker = SnapshotMaker(
                    self.layout, directory.path, excludes=facts.excludes, force_paths=facts.force_paths
                )
                tree = maker.tree()
                message_facts = {**facts.to_json(), "number": -1, "tree": tree}
                commit = maker.commit(
                    tree, [], snapshot_message(f"vcr-tui begin of session {session_id}", message_facts)
                )
                refs.create_base(commit)
                claimed = True
                ignored = tuple(maker.ignored_now())
                empty = tuple(maker.empty_folders_now())
                refs.store_listing("ignored", ignored)
                refs.store_listing("empty-folders", empty)
            except BaseException:
                if claimed:  # a half-begun session must not block the id nor look attachable
                    refs.delete_all()
                if maker is not None:
                    maker.close()
                if claimed:
                    directory.remove()
                else:
                    directory.release()
                raise
            base = Snapshot(SnapshotKind.BEGIN, -1, commit, tree, created_at=facts.created_at)
            self._session = _Session(
                facts, refs, directory, maker, base, frozenset(ignored), frozenset(empty), last_commit=commit
            )
            self._note_workspace_in_recording(session_id)
            return base

    @classmethod
    def attach(
        cls,
        path: str | os.PathLike[str],
        session_id: str,
        recorder: VCRRecorder | None = None,
        *,
        recording: str | os.PathLike[str] | None = None,
        shadow: bool | None = None,
        shadow_dir: str | os.PathLike[str] | None = None,
    ) -> ACIDWorkspace:
        """Reopen a session another process left open (a finished or killed run), e.g. in a viewer.

        Rollbacks it made can be undone here too, but only on the files: the recorders it forked
        belonged to that process.
        """
        # looking for a session must not leave a shadow repository behind where there is none
        workspace = cls(path, recorder, recording=recording, shadow=shadow, shadow_dir=shadow_dir, _create=False)
        workspace._attach(session_id)
        return workspace

    def _attach(self, session_id: str) -> None:
        key = session_key(session_id)
        refs = SessionRefs(self._git, self.layout, key)
        loaded = refs.load()
        facts = loaded.facts
        if facts.workspace != os.fsdecode(self.layout.workspace):
            raise SessionError(
                f"session {session_id!r} belongs to the workspace {facts.workspace}, not {self.layout.workspace}"
            )
        directory = SessionDirectory(self.layout, key)
        directory.acquire(session_id)
        try:
            remove_stale_temporaries(self.layout)
            if self._recover_interrupted_restores():
                loaded = refs.load()  # a reversed rollback's snapshot was dropped
            maker = SnapshotMaker(self.layout, directory.path, excludes=facts.excludes, force_paths=facts.force_paths)
        except BaseException:
            directory.release()
            raise
        landing = refs.landing()
        if self.recording is None and self.recorder is None and facts.recording:
            self.recording = Path(facts.recording)
        undone = {snapshot_facts.get("undoes") for _, snapshot_facts in loaded.undo}
        stack = [
            _UndoEntry(snap, target_commit=str(snapshot_facts.get("target") or ""))
            for snap, snapshot_facts in loaded.undo
            if snap.node_name == "rollback" and snap.number not in undone
        ]
        everything = [loaded.base, *loaded.savepoints, *(snap for snap, _ in loaded.undo)]
        latest = max(everything, key=lambda snap: snap.created_at)
        self._session = _Session(
            facts,
            refs,
            directory,
            maker,
            loaded.base,
            frozenset(loaded.ignored),
            frozenset(loaded.empty_folders),
            savepoints=loaded.savepoints,
            undo_stack=stack,
            undo_count=max((snap.number for snap, _ in loaded.undo), default=-1) + 1,
            last_commit=latest.commit,
        )
        if landing is not None:
            self._finish_interrupted_commit(self._session, landing)

    def _recover_interrupted_restores(self) -> bool:
        """Put back what a killed rollback left half-done; True when a snapshot ref was dropped.

        A reversed rollback never happened, so the snapshot taken before it is not left on the
        undo stack (undoing it would restore what is already there).
        """
        self.recovered = recover_interrupted_restores(self.layout)
        dropped = False
        for found in self.recovered:
            if found.undone and found.undo_ref.startswith(REF_ROOT + "/"):
                self._git.run("update-ref", "-d", found.undo_ref)
                dropped = True
        return dropped

    def _finish_interrupted_commit(self, session: _Session, commit: str) -> None:
        """A process stopped inside ``commit``: land what it made, or let the session go on."""
        if not finish_landing(self._git, self.layout, commit):
            session.refs.drop(session.refs.landing_ref)  # HEAD moved on meanwhile: commit again
            return
        where = read_head(self._git).branch_name or "HEAD"
        if session.undo_count:
            self._keep(session)
        self._end(session)
        raise SessionError(
            f"session {session.facts.session_id!r} was being committed when its process stopped; "
            f"the commit {commit[:12]} is now finished on {where} and the session is over"
        )

    @classmethod
    def sessions(
        cls,
        path: str | os.PathLike[str],
        *,
        shadow: bool | None = None,
        shadow_dir: str | os.PathLike[str] | None = None,
    ) -> list[SessionInfo]:
        """The sessions left open in the folder's repository (any workspace of it), oldest first."""
        try:
            workspace = cls(path, shadow=shadow, shadow_dir=shadow_dir, _create=False)
        except SessionError:
            return []  # a folder outside git that never had a session
        try:
            found: list[SessionInfo] = []
            for key, base_commit in open_session_keys(workspace._git):
                facts = parse_message(workspace._git.objects.read_object(base_commit, "commit"))
                if facts is None:
                    continue
                savepoints = SessionRefs(workspace._git, workspace.layout, key).listing()
                recording = facts.get("recording")
                found.append(
                    SessionInfo(
                        session_id=str(facts.get("session", key)),
                        workspace=Path(str(facts.get("workspace", ""))),
                        base_commit=base_commit,
                        created_at=str(facts.get("created_at", "")),
                        savepoints=sum(1 for name, _ in savepoints if "/savepoints/" in name),
                        recording=Path(recording) if isinstance(recording, str) else None,
                    )
                )
            return sorted(found, key=lambda info: info.created_at)
        finally:
            workspace._git.close()

    def detach(self) -> None:
        """Let go of the session without ending it: its snapshots stay for ``attach`` later."""
        with self._lock:
            session = self._session
            if session is None:
                return
            self._session = None
            session.maker.close()
            session.directory.release()
            self._git.close()

    # -- snapshots ---------------------------------------------------------------------------

    def savepoint(self, state: dict[str, Any] | None = None, node_name: str = "savepoint") -> Snapshot:
        """Snapshot the folder; with a recorder, also record a checkpoint frame naming the snapshot.

        ``state`` is only written to that frame (input and output alike), so the frame and the
        files describe the same moment.
        """
        with self._lock:
            session = self._require_session()
            number = len(session.savepoints)
            title = f"vcr-tui savepoint {number} of session {session.facts.session_id}: {_one_line(node_name)}"
            snapshot = _take_snapshot(session, SnapshotKind.SAVEPOINT, number, node_name, session.maker.tree(), title)
            if self.recorder is not None:
                recorded_state = dict(state or {})
                frame = self.recorder.record_step(
                    node_name,
                    recorded_state,
                    recorded_state,
                    metadata=FrameMetadata(
                        custom={
                            COMMIT_HASH_KEY: snapshot.commit,
                            ACID_SESSION: session.facts.session_id,
                            ACID_SAVEPOINT: number,
                        }
                    ),
                    frame_type=FrameType.CHECKPOINT,
                )
                snapshot = dataclasses.replace(snapshot, frame_index=frame.index)
            session.savepoints.append(snapshot)
            return snapshot

    @property
    def savepoints(self) -> tuple[Snapshot, ...]:
        return tuple(self._session.savepoints) if self._session else ()

    def snapshot_for(self, index: int) -> Snapshot:
        """The snapshot ``rollback(index)`` would restore; see the module notes for the rule."""
        with self._lock:
            return self._resolve(index)[0]

    # -- rollback ----------------------------------------------------------------------------

    def plan_rollback(self, to_frame_index: int) -> RollbackPlan:
        """The dry run of ``rollback(to_frame_index)``: what it would restore, create and delete."""
        with self._lock:
            session = self._require_session()
            return self._dry_run(session, self._resolve(to_frame_index)[0])

    def rollback(self, to_frame_index: int) -> RollbackResult:
        """Make the folder exactly what it was at a savepoint, after snapshotting it as it is now.

        With a recorder, the recording keeps all its frames and the run continues in a fork:
        ``self.recorder`` becomes the fork (also returned in the result), whose last frame is a
        checkpoint naming the restored snapshot. The recorder given before stays open and is
        the caller's to close. ``undo_rollback`` goes back to the state before.

        All or nothing: a write that fails part-way (a full disk, a read-only folder) puts every
        file back and raises ``RollbackFailedError`` naming the file. Refused while a merge,
        rebase, cherry-pick or revert is in progress.
        """
        with self._lock:
            target, frame = self._resolve(to_frame_index)
            return self._roll_back(target, to_frame_index, frame)

    # -- rollback to a snapshot the caller holds (a viewer) ------------------------------------

    def snapshot_named(self, commit: str) -> Snapshot:
        """This session's snapshot whose commit is ``commit`` (what a frame's ``acid_commit_hash``
        names), for a viewer that has read the frame already; ``SnapshotNotFoundError`` otherwise."""
        with self._lock:
            return self._known(self._require_session(), commit)

    def plan_rollback_to(self, snapshot: Snapshot) -> RollbackPlan:
        """The dry run of ``rollback_to(snapshot)``: the recording is not read.

        A viewer holds the snapshot already (a dry run's ``target``, or ``snapshot_named`` of the
        frame it shows), so confirming a dry run costs a few git commands, not a pass over a
        recording of any size.
        """
        with self._lock:
            session = self._require_session()
            return self._dry_run(session, self._known(session, snapshot.commit))

    def rollback_to(self, snapshot: Snapshot) -> RollbackResult:
        """``rollback`` to a snapshot of this session the caller holds, on the files alone.

        The recording is neither read nor forked: that is a viewer's rollback of a run that has
        ended. An agent rolling back its own run calls ``rollback(frame_index)``, which continues
        the run in a fork. Undone by ``undo_rollback``, all or nothing, refused in the same cases.
        """
        with self._lock:
            session = self._require_session()
            return self._roll_back(self._known(session, snapshot.commit), None, None)

    def _roll_back(self, target: Snapshot, frame_index: int | None, frame: Frame | None) -> RollbackResult:
        session = self._require_session()
        plan, undo_snapshot = self._restore(session, target, reason="rollback")
        previous = self.recorder
        fork = None
        if self.recorder is not None and frame is not None and frame_index is not None:
            fork = self._continue_in_fork(self.recorder, frame_index, frame, target, undo_snapshot)
            self.recorder = fork
        session.undo_stack.append(_UndoEntry(undo_snapshot, previous if fork is not None else None, target.commit))
        return RollbackResult(plan, undo_snapshot, fork)

    def plan_undo_rollback(self) -> RollbackPlan:
        """The dry run of ``undo_rollback``."""
        with self._lock:
            session = self._require_session()
            entry = _last_undo(session)
            return self._dry_run(session, entry.snapshot, entry)

    def undo_rollback(self) -> RollbackResult:
        """Put the folder back as it was just before the last rollback (and that rollback's recorder)."""
        with self._lock:
            session = self._require_session()
            entry = _last_undo(session)
            plan, before_undo = self._restore(session, entry.snapshot, reason="undo", undoing=entry)
            session.undo_stack.pop()
            if entry.previous_recorder is not None:
                if self.recorder is not None and self.recorder is not entry.previous_recorder:
                    self.recorder.close()
                self.recorder = entry.previous_recorder
            return RollbackResult(plan, before_undo, self.recorder)

    # -- ending ------------------------------------------------------------------------------

    def preview_commit(self, message: str | None = None) -> CommitPreview:
        """What ``commit(message)`` would land, without landing it."""
        with self._lock:
            session = self._require_session()
            head = read_head(self._git)
            refused = None
            try:
                self.refuse_busy_repository()
                _refuse_branch_change(session.facts, head)
            except RepositoryStateError as exc:
                refused = str(exc)
            changes = diff_trees(self._git, session.base.tree, session.maker.tree())
            touched = {change.path for change in changes}
            staged = [path for path in staged_paths(self._git, head.commit) if path not in touched]
            grouped = _group(changes, self.layout.to_workspace)
            return CommitPreview(
                session_id=session.facts.session_id,
                branch=head.branch_name,
                head=head.commit,
                message=commit_message(session.facts.session_id, message, changes),
                added=grouped[ChangeKind.ADDED],
                modified=grouped[ChangeKind.MODIFIED],
                deleted=grouped[ChangeKind.DELETED],
                staged_elsewhere=tuple(staged),
                refused=refused,
            )

    def commit(self, message: str | None = None) -> CommitResult:
        """Land the session's changes as one commit on the current branch and end the session.

        Only the files the session changed are committed, on top of HEAD as it is now; their
        index entries become the committed ones. The user's other changes, staged or not, are
        left exactly as they were. A detached HEAD moves to the new commit, as ``git commit``
        would move it; an unborn branch gets its first commit. Refused when the branch HEAD
        names has changed since ``begin``, or a merge or rebase is in progress.
        """
        with self._lock:
            session = self._require_session()
            self.refuse_busy_repository()
            head = read_head(self._git)
            _refuse_branch_change(session.facts, head)
            changes = diff_trees(self._git, session.base.tree, session.maker.tree())
            text = commit_message(session.facts.session_id, message, changes)
            fallback = SNAPSHOT_IDENTITY if self.layout.shadow else None
            commit = None
            if changes:
                landing = session.refs.landing_ref
                try:
                    commit = land(
                        self._git,
                        self.layout,
                        changes,
                        head,
                        text,
                        mark=lambda made: session.refs.point(landing, made),
                        fallback_identity=fallback,
                    )
                except WorkspaceError:
                    if session.refs.landing() is not None:  # nothing landed: nothing for attach to finish
                        session.refs.drop(landing)
                    raise
            grouped = _group(changes, self.layout.to_workspace)
            kept = self._keep(session) if session.undo_count else None
            self._end(session)
            return CommitResult(
                commit=commit,
                branch=head.branch_name,
                message=text,
                added=grouped[ChangeKind.ADDED],
                modified=grouped[ChangeKind.MODIFIED],
                deleted=grouped[ChangeKind.DELETED],
                kept_ref=kept,
            )

    def plan_abort(self) -> RollbackPlan:
        """The dry run of ``abort``."""
        with self._lock:
            session = self._require_session()
            return self._dry_run(session, session.base)

    def abort(self) -> AbortResult:
        """Put the folder back as it was at ``begin`` and end the session.

        Ignored files and the user's own files from before ``begin`` are never deleted. The state just
        before the abort is kept as a commit (``AbortResult.discarded``), and a ref under
        ``refs/vcr-kept/`` (``AbortResult.kept_ref``) keeps it, and every snapshot before it, from
        ``git gc``. Refused while a merge, rebase, cherry-pick or revert is in progress.
        """
        with self._lock:
            session = self._require_session()
            plan, before = self._restore(session, session.base, reason="abort")
            kept = self._keep(session) if session.undo_count > 1 or not plan.is_empty else None
            self._end(session)
            return AbortResult(plan, before.commit, kept)

    def status(self) -> WorkspaceStatus:
        """The session's state, with the files changed since ``begin`` (this takes a snapshot)."""
        with self._lock:
            head = read_head(self._git)
            session = self._session
            changes = diff_trees(self._git, session.base.tree, session.maker.tree()) if session else []
            return WorkspaceStatus(
                workspace=self.layout.workspace,
                repository=self.layout.git_dir if self.layout.shadow else self.layout.top,
                shadow=self.layout.shadow,
                session_id=session.facts.session_id if session else None,
                active=session is not None,
                branch=head.branch_name,
                head=head.commit,
                base=session.base if session else None,
                savepoints=tuple(session.savepoints) if session else (),
                undo_depth=len(session.undo_stack) if session else 0,
                changes=as_file_changes(changes, self.layout.to_workspace),
                recording=self._recording_file(),
            )

    # -- context manager ---------------------------------------------------------------------

    def __enter__(self) -> ACIDWorkspace:
        if self._session is None:
            self.begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is None:
            return
        if exc_type is None:
            if self.commit_on_exit:
                self.commit()
            else:
                self.detach()
            return
        try:
            self.abort()
        except WorkspaceError as failure:
            warnings.warn(
                f"the workspace could not be put back after {exc_type.__name__}: {failure}; "
                f"session {self.session_id!r} stays open",
                RuntimeWarning,
                stacklevel=2,
            )
            self.detach()

    def __repr__(self) -> str:
        return f"ACIDWorkspace({os.fsdecode(self.layout.workspace)!r}, session={self.session_id!r})"

    # -- internals ---------------------------------------------------------------------------

    def _require_session(self) -> _Session:
        if self._session is None:
            raise SessionError("no session is open on this workspace: call begin() first")
        return self._session

    def refuse_busy_repository(self) -> None:
        """Raise ``RepositoryStateError`` while git is in the middle of something (a merge, a
        rebase, a cherry-pick, a revert, unresolved conflicts): no session step is safe then."""
        if self.layout.shadow:
            return
        self.layout.refuse_busy_state()
        conflicted = unmerged_paths(self._git)
        if conflicted:
            raise RepositoryStateError(
                f"the index of {self.layout.top} has unresolved conflicts ({len(conflicted)} files, "
                f"e.g. {conflicted[0]}): resolve them first"
            )

    def _recording_file(self) -> Path | None:
        if self.recorder is not None and self.recorder.path is not None:
            return self.recorder.path
        return self.recording

    def _recording_excludes(self) -> list[str]:
        """Patterns that keep recordings out of snapshots when they are written inside the folder."""
        folders = []
        if self.recorder is not None:
            folders.append(Path(self.recorder.output_dir).resolve())
        if self.recording is not None:
            folders.append(self.recording.parent)
        patterns = []
        for folder in folders:
            try:
                relative = folder.relative_to(self.layout.top).as_posix()
            except ValueError:
                continue
            patterns.append("/*.vcr" if relative == "." else exclude_pattern(relative, "/*.vcr"))
        return sorted(set(patterns))

    def _tracked_but_ignored(self, excludes: list[str]) -> list[str]:
        """Tracked files that match an ignore pattern: ``git add -A`` alone would not see them."""
        if self.layout.shadow:
            return []
        found = self._git.nul_separated(
            "ls-files", "-z", "--cached", "--ignored", "--exclude-standard", "--", self.layout.scope or "."
        )
        recording = self._recording_file()
        if recording is None:
            return found
        skip = os.fsdecode(recording.parent)
        return [path for path in found if os.fsdecode((self.layout.top / path).parent) != skip]

    def _note_workspace_in_recording(self, session_id: str) -> None:
        """Name the workspace in the recording's header, so a viewer can offer to open it."""
        recorder = self.recorder
        if recorder is None or recorder.session is None:
            return
        recorder.session.metadata[WORKSPACE] = os.fsdecode(self.layout.workspace)
        recorder.session.metadata[ACID_SESSION] = session_id
        recorder.save()

    def _resolve(self, index: int) -> tuple[Snapshot, Frame | None]:
        """The snapshot for ``index`` and, when it came from a recording, the frame naming it."""
        session = self._require_session()
        if isinstance(index, bool) or not isinstance(index, int):
            raise SnapshotNotFoundError(f"a frame or savepoint index is a whole number, not {index!r}")
        recording = self._recording_file()
        if recording is None:
            if not 0 <= index < len(session.savepoints):
                raise SnapshotNotFoundError(
                    f"there is no savepoint {index}: this session has {len(session.savepoints)} savepoints"
                )
            return session.savepoints[index], None
        try:
            with VCRReader(recording) as reader:
                if not 0 <= index < len(reader):
                    raise SnapshotNotFoundError(f"there is no frame {index}: the recording has {len(reader)} frames")
                frame = reader.frame(index)
        except OSError as exc:
            raise SnapshotNotFoundError(f"cannot read the recording {recording}: {exc}") from None
        commit = frame.metadata.custom.get(COMMIT_HASH_KEY)
        if not isinstance(commit, str) or not commit:
            raise SnapshotNotFoundError(f"frame {index} ({frame.node_name}) has no snapshot of the workspace")
        return self._known(session, commit, f"frame {index} names snapshot"), frame

    def _known(self, session: _Session, commit: str, named_by: str = "snapshot") -> Snapshot:
        """The session's snapshot with this commit: a rollback never restores a commit it did not take."""
        if isinstance(commit, str) and commit:
            for snapshot in (session.base, *session.savepoints, *(entry.snapshot for entry in session.undo_stack)):
                if snapshot.commit == commit:
                    return snapshot
        shown = commit[:12] if isinstance(commit, str) else repr(commit)
        raise SnapshotNotFoundError(f"{named_by} {shown}, which is not one of session {session.facts.session_id!r}")

    def _plan(
        self, session: _Session, current_tree: str, target: Snapshot, undoing: _UndoEntry | None = None
    ) -> FilePlan:
        changes = diff_trees(self._git, current_tree, target.tree)
        put_back = self._written_by(undoing)

        def may_delete(change: TreeChange) -> bool:
            if put_back.get(change.path) == change.old_oid:
                return True  # the rollback being undone wrote it, and nobody changed it since
            path = change.path
            return path not in self._users_own_files(session) and not _ignored_at_begin(path, session.ignored_at_begin)

        def protected(folder: str) -> bool:
            return folder in session.empty_at_begin

        return plan_changes(self.layout, changes, may_delete, protected)

    def _written_by(self, undoing: _UndoEntry | None) -> dict[str, str]:
        """The files a rollback created (path -> blob), so its undo can remove them exactly."""
        if undoing is None or not undoing.target_commit:
            return {}
        changes = diff_trees(self._git, undoing.snapshot.tree, undoing.target_commit)
        return {change.path: change.new_oid for change in changes if change.status == "A"}

    def _dry_run(self, session: _Session, target: Snapshot, undoing: _UndoEntry | None = None) -> RollbackPlan:
        """What restoring ``target`` would do to the files as they are now."""
        return self._plan(session, session.maker.tree(), target, undoing).public(target, self.layout)

    def _users_own_files(self, session: _Session) -> frozenset[str]:
        """Files whose content at ``begin`` no commit holds: untracked, or changed and not committed.

        These are the user's own work, and a rollback never deletes them. A file identical to
        the one committed in HEAD at ``begin`` may be deleted: git can always bring it back.
        """
        if session.users_own_files is None:
            if session.facts.head:
                own = {c.path for c in diff_trees(self._git, session.facts.head, session.base.tree) if c.status != "D"}
            else:
                own = set(self._git.nul_separated("ls-tree", "-r", "-z", "--name-only", session.base.tree))
            session.users_own_files = frozenset(own)
        return session.users_own_files

    def _restore(
        self, session: _Session, target: Snapshot, *, reason: str, undoing: _UndoEntry | None = None
    ) -> tuple[RollbackPlan, Snapshot]:
        """Snapshot the present, then make the files match ``target``, all of it or nothing.

        Refused before anything changes while a merge (or the like) is in progress, or when
        something no snapshot holds is in the way. A write that fails part-way puts every file
        back and names the file; if even that fails, the state before stays one undo away.
        """
        self.refuse_busy_repository()
        tree = session.maker.tree()
        plan = self._plan(session, tree, target, undoing)
        public = plan.public(target, self.layout)
        if plan.conflicts:
            shown = ", ".join(public.conflicts[:5]) + (" ..." if len(public.conflicts) > 5 else "")
            raise RollbackConflictError(
                f"nothing was changed: {len(public.conflicts)} path(s) hold files no snapshot has "
                f"(ignored or unknown), and the {reason} would overwrite them: {shown}",
                public.conflicts,
            )
        number = session.undo_count
        extra: dict[str, Any] = {"target": target.commit}
        if undoing is not None:
            extra["undoes"] = undoing.snapshot.number  # which rollback this undo reverses (read back by attach)
        title = f"vcr-tui state before {reason} {number} of session {session.facts.session_id}"
        undo_ref = session.refs.ref(SnapshotKind.BEFORE_ROLLBACK, number)
        # Written before the snapshot, so a kill at any later point is put right by ``attach``.
        journal = RestoreJournal(self.layout, undo_ref)
        try:
            snapshot = _take_snapshot(session, SnapshotKind.BEFORE_ROLLBACK, number, reason, tree, title, extra)
            session.undo_count += 1
            self._apply_restore(session, plan, target, journal, reason, snapshot)
        finally:
            journal.finish()
        return public, snapshot

    def _apply_restore(
        self,
        session: _Session,
        plan: FilePlan,
        target: Snapshot,
        journal: RestoreJournal,
        reason: str,
        snapshot: Snapshot,
    ) -> None:
        def keep_folder(folder: str) -> bool:
            if folder in session.empty_at_begin:
                return True
            return self._git.objects.object_type(f"{target.tree}:{folder}") == "tree"

        try:
            apply_plan(self.layout, plan, lambda: self._git.objects, keep_folder, journal)
        except RestoreError as failure:
            if failure.undone:
                session.refs.drop(journal.undo_ref)
                raise RollbackFailedError(
                    f"nothing was changed: the {reason} could not write {failure.path} ({failure.reason}), "
                    "so every file was put back as it was",
                    path=failure.path,
                    undone=True,
                ) from None
            if reason == "rollback":
                session.undo_stack.append(_UndoEntry(snapshot, target_commit=target.commit))
            again = "undo_rollback() puts them back" if reason == "rollback" else f"try the {reason} again"
            raise RollbackFailedError(
                f"the {reason} stopped at {failure.path} ({failure.reason}) and some files could not be "
                f"put back; the state before is kept: {again}",
                path=failure.path,
                undone=False,
            ) from None

    def _continue_in_fork(
        self, recorder: VCRRecorder, frame_index: int, frame: Frame, target: Snapshot, undo: Snapshot
    ) -> VCRRecorder:
        """Fork the recording at the frame and mark, in the fork, the files' restored state."""
        fork = recorder.fork(frame_index)
        state = dict(frame.output_state)
        fork.record_step(
            "checkpoint:rollback",
            state,
            state,
            metadata=FrameMetadata(
                custom={
                    COMMIT_HASH_KEY: target.commit,
                    ACID_SESSION: self.session_id,
                    ACID_ROLLED_BACK_TO: frame_index,
                    ACID_UNDO_COMMIT: undo.commit,
                }
            ),
            frame_type=FrameType.CHECKPOINT,
        )
        return fork

    def _keep(self, session: _Session) -> str:
        """Keep the session's last snapshot (and so all of them) reachable after it ends."""
        ref = session.refs.kept_ref(session.base.commit)
        session.refs.point(ref, session.last_commit)
        return ref

    def _end(self, session: _Session) -> None:
        """Forget the session: its refs, its private files, its lock."""
        session.refs.delete_all()
        session.maker.close()
        session.directory.remove()
        self._session = None
        self._git.close()


def _take_snapshot(
    session: _Session,
    kind: SnapshotKind,
    number: int,
    node: str,
    tree: str,
    title: str,
    extra: dict[str, Any] | None = None,
) -> Snapshot:
    """Commit ``tree`` after the session's last snapshot, with its facts, and point its ref at it."""
    created = now_iso()
    facts = {
        "kind": kind.value,
        "number": number,
        "node": node,
        "tree": tree,
        "created_at": created,
        "session": session.facts.session_id,
        **(extra or {}),
    }
    commit = session.maker.commit(tree, [session.last_commit], snapshot_message(title, facts))
    session.refs.point(session.refs.ref(kind, number), commit)
    session.last_commit = commit
    return Snapshot(kind, number, commit, tree, node, None, created)


def _refuse_branch_change(facts: SessionFacts, head: HeadState) -> None:
    if head.branch == facts.branch:
        return
    before = facts.branch.removeprefix("refs/heads/") if facts.branch else "a detached HEAD"
    now = head.branch_name or "a detached HEAD"
    raise RepositoryStateError(
        f"HEAD was on {before} when the session began and is now on {now}: "
        f"switch back to {before} to commit, or abort the session"
    )


def _last_undo(session: _Session) -> _UndoEntry:
    if not session.undo_stack:
        raise NothingToUndoError("there is no rollback to undo")
    return session.undo_stack[-1]


def _ignored_at_begin(path: str, ignored: frozenset[str]) -> bool:
    """True when git ignored ``path``, or a folder holding it, at ``begin``."""
    if path in ignored:
        return True
    parts = path.split("/")
    return any("/".join(parts[:depth]) + "/" in ignored for depth in range(1, len(parts)))


def _group(changes: list[TreeChange], convert: Callable[[str], str]) -> dict[ChangeKind, tuple[str, ...]]:
    grouped: dict[ChangeKind, list[str]] = {kind: [] for kind in ChangeKind}
    for change in changes:
        grouped[change.kind].append(convert(change.path))
    return {kind: tuple(paths) for kind, paths in grouped.items()}


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]


def _clear_session_files(directory: SessionDirectory) -> None:
    """A new session must not start from the warm index of a dead one with the same id."""
    (directory.path / "index").unlink(missing_ok=True)


def _text_or_none(path: Path | None) -> str | None:
    return os.fsdecode(path) if path is not None else None
