"""GoldenRunCache: save a run that succeeded, and answer later runs' unchanged steps from it.

The peer's API (``save_golden_run``, ``replay``, ``invalidate``, ``has_golden_run``,
``list_golden_runs``) over a folder laid out as the peer lays it out, plus what makes it safe to
rely on: steps are matched by node name, identity and exact input (``keys``), never by position;
runs are served step by step to a live agent (``serving``); and the files are written so that
two processes and a crash in the middle leave a usable folder (``store``).
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from recorder.encoding import decode_value, encode_line
from recorder.golden.keys import Normalize
from recorder.golden.ledger import CostLedger
from recorder.golden.serving import GoldenServer, answered_custom, server_active
from recorder.golden.store import TASK_KEY, GoldenEntry, GoldenFolder, fingerprint, is_fingerprint
from recorder.golden.table import GoldenStep, Matcher, StepTable
from recorder.index import decode_line
from recorder.models import Frame, FrameMetadata, Session
from recorder.reader import VCRReader
from recorder.timestamps import now_iso
from recorder.vocabulary import SOURCE, FrameSource
from recorder.writer import VCRRecorder

_COPY_CHUNK = 1 << 20
StepExecutor = Callable[[str, dict[str, Any]], dict[str, Any]]


class GoldenRunCache:
    """Golden runs in ``cache_dir``: ``<fingerprint>.vcr`` recordings and an ``index.json``.

    ``normalize(node_name, input_state) -> input_state`` drops volatile fields (timestamps,
    request ids) from every step's input before it is matched; without it an input that differs
    in any byte misses. ``problems`` lists what was mended when the folder was last read (an
    index rebuilt from the files, an entry whose file is gone).
    """

    def __init__(
        self, cache_dir: str | os.PathLike[str] = ".vcr/golden", *, normalize: Normalize | None = None
    ) -> None:
        self.folder = GoldenFolder(cache_dir)
        self.cache_dir = self.folder.path
        self.normalize = normalize

    @property
    def problems(self) -> list[str]:
        return list(self.folder.problems)

    # -- the index ----------------------------------------------------------------------------

    def entries(self) -> dict[str, GoldenEntry]:
        """Every golden run, by fingerprint; an index that disagrees with the files is rebuilt."""
        if not self.cache_dir.is_dir():
            self.folder.problems = []
            return {}
        with self.folder.locked(exclusive=False):
            entries, stale = self.folder.read_entries()
        if stale:
            try:
                with self.folder.locked(exclusive=True):
                    entries, stale = self.folder.read_entries()
                    problems = self.folder.problems
                    if stale:
                        self.folder.write_index(entries)
                    self.folder.problems = problems
            except OSError:
                pass  # a read-only folder: serve from the rebuilt entries without writing them
        return entries

    def entry(self, task: str) -> GoldenEntry | None:
        """The golden run of ``task`` (its text, or its fingerprint), if saved."""
        return _find(self.entries(), task)

    def has_golden_run(self, task: str) -> bool:
        return self.entry(task) is not None

    def get_golden_info(self, task: str) -> dict[str, Any] | None:
        found = self.entry(task)
        return None if found is None else {"fingerprint": found.fingerprint, **found.to_index(self.cache_dir)}

    def list_golden_runs(self) -> list[dict[str, Any]]:
        """Every golden run as the peer lists them: ``{"fingerprint": ..., "task": ..., ...}``."""
        return [{"fingerprint": fp, **entry.to_index(self.cache_dir)} for fp, entry in self.entries().items()]

    def path_of(self, task: str) -> Path | None:
        found = self.entry(task)
        return None if found is None else self.folder.file_of(found.fingerprint)

    # -- saving and removing ------------------------------------------------------------------

    def save_golden_run(
        self,
        task: str,
        recorder: VCRRecorder | VCRReader | str | os.PathLike[str],
        tags: list[str] | None = None,
    ) -> str:
        """Save a run as the golden run of ``task`` (replacing any earlier one); its fingerprint.

        The recording is copied byte for byte as a stream (memory stays flat whatever its size)
        and a session header naming the task is appended, so the golden file is an ordinary
        ``.vcr`` file that both tools open. Raises ValueError for a run without frames.
        """
        fp = fingerprint(task)
        path, known = _source_of(recorder)
        header, count, end = _run_facts(path, known)
        if count == 0:
            raise ValueError(f"{path} has no frames: there is nothing to save as a golden run")
        header = _golden_header(header, count, task, fp, tags)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, temp = self.folder.temp_file(fp)
        try:
            # The copy is made outside the lock, under a name no reader looks at; only the
            # rename and the index change hold it, so readers never wait for a long copy.
            with os.fdopen(fd, "wb") as out, open(path, "rb") as source:
                _copy_prefix(source, out, end)
                out.write(encode_line(header.to_record()))
                out.flush()
                os.fsync(out.fileno())
            with self.folder.locked(exclusive=True):
                entries, _ = self.folder.read_entries()
                os.replace(temp, self.folder.file_of(fp))
                entries[fp] = GoldenEntry.of_header(
                    fp, task, header, count, tags=list(tags or []), extra={"source": path.name}
                )
                self.folder.write_index(entries)
        finally:
            temp.unlink(missing_ok=True)  # gone already once renamed
        return fp

    def invalidate(self, task: str) -> bool:
        """Remove the golden run of ``task`` (text or fingerprint); False when there was none."""
        found = self.entry(task)
        if found is None:
            return False
        with self.folder.locked(exclusive=True):
            entries, _ = self.folder.read_entries()
            entries.pop(found.fingerprint, None)
            self.folder.file_of(found.fingerprint).unlink(missing_ok=True)
            self.folder.write_index(entries)
        return True

    # -- answering steps ----------------------------------------------------------------------

    def table(self, task: str | None = None, *, normalize: Normalize | None = None) -> StepTable:
        """The steps of the golden run of ``task``, or of every golden run when ``task`` is None.

        Close it when done (it holds the golden files open so answers are read on demand).
        """
        table = StepTable(normalize if normalize is not None else self.normalize)
        entries = self.entries()
        if task is not None:
            found = _find(entries, task)
            chosen = [found.fingerprint] if found is not None else []
        else:
            chosen = list(entries)
        for fp in chosen:
            try:
                table.add_file(fp, self.folder.file_of(fp))
            except OSError:
                self.folder.problems.append(f"{fp}.vcr could not be read: its steps are not served")
        return table

    @contextmanager
    def serving(
        self,
        task: str | None = None,
        *,
        recorder: VCRRecorder | None = None,
        normalize: Normalize | None = None,
    ) -> Iterator[GoldenServer]:
        """Answer the matching steps of the code run inside the block from golden runs.

        ``task`` picks its golden run (none saved yet: every step runs live); None serves from
        every golden run in the cache. Frames go to ``recorder``, else the active recorder.
        """
        table = self.table(task, normalize=normalize)
        try:
            with server_active(GoldenServer(Matcher(table), recorder)) as server:
                yield server
        finally:
            table.close()

    def replay(
        self,
        task: str,
        step_executor: StepExecutor | None = None,
        changed_steps: set[int] | None = None,
        recorder: VCRRecorder | None = None,
    ) -> tuple[list[dict[str, Any]], CostLedger]:
        """Replay the golden run of ``task`` frame by frame: (output of each step, ledger).

        Frames whose index is in ``changed_steps`` run again through
        ``step_executor(node_name, input_state)`` (``report_usage`` inside it gives their cost);
        the rest return their recorded output at no cost. With ``recorder``, every step is
        recorded into it (a session is started when none is open); the ledger is computed from
        those frames either way. Raises KeyError when the task has no golden run.
        """
        found = self.entry(task)
        if found is None:
            raise KeyError(f"no golden run for task {task!r}")
        changed = changed_steps or set()
        if recorder is not None and recorder.session is None:
            recorder.start_session(
                metadata={
                    "replay_of": found.session_id,
                    "golden_fingerprint": found.fingerprint,
                    "mode": "golden_replay",
                },
                tags=["golden_replay"],
            )
        outputs: list[dict[str, Any]] = []
        ledger = CostLedger()
        with VCRReader(self.folder.file_of(found.fingerprint)) as reader:
            for index in range(len(reader)):
                golden = reader.frame(index)
                if index in changed and step_executor is not None:
                    frame = _run_again(golden, step_executor)
                else:
                    frame = _answered(golden, found.fingerprint)
                outputs.append(decode_value(frame.output_state))
                if recorder is not None:
                    recorder.record_frame(frame)
                ledger.add(frame)
        return outputs, ledger


def _find(entries: dict[str, GoldenEntry], task: str) -> GoldenEntry | None:
    """The entry of ``task``, given as its text or as its fingerprint."""
    found = entries.get(fingerprint(task))
    if found is None and is_fingerprint(task):
        found = entries.get(task)
    return found


def _source_of(run: VCRRecorder | VCRReader | str | os.PathLike[str]) -> tuple[Path, Session | None]:
    """The file to copy, and the totals when an open recorder knows them exactly."""
    if isinstance(run, VCRRecorder):
        if run.path is None:
            raise ValueError("the recorder has no session: start_session() and record the run first")
        return run.path, run.session
    if isinstance(run, VCRReader):
        return run.path, None
    return Path(run), None


def _run_facts(path: Path, known: Session | None) -> tuple[Session, int, int]:
    """The run's header, frame count and the byte length of its complete lines.

    An open recorder knows its counts; a file that ends with the header our writer appends on
    ``save()`` says them in that header. Any other file (the peer's 0.5.0 never updates its
    totals) is indexed, and its tokens and cost are added up frame by frame.
    """
    if known is not None:
        return known, known.frame_count, path.stat().st_size
    closing = _closing_header(path)
    if closing is not None:
        return closing
    with VCRReader(path) as reader:
        header = dataclasses.replace(reader.session, metadata=dict(reader.session.metadata))
        count = len(reader)
        if header.frame_count != count:
            tokens, cost = 0, 0.0
            for index in range(count):
                meta = reader.frame(index).metadata
                tokens += meta.tokens_used or 0
                cost += meta.cost_usd or 0.0
            header.total_tokens, header.total_cost_usd = tokens, cost
        return header, count, reader.size


_TAIL = 1 << 16


def _closing_header(path: Path) -> tuple[Session, int, int] | None:
    """(header, frames, size) when the file's last line is a session record counting its frames."""
    with open(path, "rb") as source:
        size = os.fstat(source.fileno()).st_size
        if size == 0:
            return None
        tail = os.pread(source.fileno(), min(size, _TAIL), max(0, size - _TAIL))
    if not tail.endswith(b"\n"):
        return None
    lines = tail[:-1].rsplit(b"\n", 1)
    if len(lines) < 2 and size > _TAIL:
        return None  # a last line longer than the tail read: not a header
    value, error, note = decode_line(lines[-1])
    if error is not None or note is not None or not isinstance(value, dict) or value.get("type") != "session":
        return None
    data = value.get("data")
    if not isinstance(data, dict):
        return None
    header = Session.from_dict(data)
    if header.frame_count <= 0:
        return None
    return header, header.frame_count, size


def _golden_header(base: Session, count: int, task: str, fp: str, tags: list[str] | None) -> Session:
    """The header appended to the golden copy: the run's own, naming the task, with its counts."""
    header = dataclasses.replace(base, metadata=dict(base.metadata), tags=list(base.tags))
    header.frame_count = count
    header.updated_at = now_iso()
    header.metadata.update({TASK_KEY: task, "golden_fingerprint": fp, "golden_saved_at": header.updated_at})
    header.tags = sorted({*header.tags, *(tags or [])})
    return header


def _copy_prefix(source: Any, out: Any, end: int) -> None:
    """Copy the first ``end`` bytes (the complete lines indexed), ending with a newline.

    The kernel copies (``copy_file_range``, else ``sendfile``) where it can, so the bytes never
    pass through Python; otherwise a chunk at a time. Memory stays flat either way.
    """
    out.flush()
    src, dst = source.fileno(), out.fileno()
    copied = 0
    for kernel_copy in (getattr(os, "copy_file_range", None), getattr(os, "sendfile", None)):
        if kernel_copy is None:
            continue
        try:
            while copied < end:
                if kernel_copy is os.sendfile:
                    count = os.sendfile(dst, src, copied, min(_COPY_CHUNK * 64, end - copied))
                else:
                    count = kernel_copy(src, dst, min(_COPY_CHUNK * 64, end - copied), copied)
                if count == 0:
                    break
                copied += count
            break
        except OSError:
            continue  # not supported between these files: try the next way, from where it stopped
    if copied < end:
        os.lseek(dst, copied, os.SEEK_SET)
        source.seek(copied)
        left = end - copied
        while left > 0:
            chunk = source.read(min(_COPY_CHUNK, left))
            if not chunk:
                break
            os.write(dst, chunk)
            left -= len(chunk)
    os.lseek(dst, 0, os.SEEK_END)
    if end and os.pread(src, 1, end - 1) != b"\n":
        os.write(dst, b"\n")


def _answered(golden: Frame, fp: str) -> Frame:
    """The golden frame as a step answered at no cost, carrying what it cost when recorded."""
    custom = {
        **golden.metadata.custom,
        **answered_custom(GoldenStep(fp, None, (0, golden.index), golden)),
        SOURCE: FrameSource.GOLDEN.value,
    }
    return dataclasses.replace(golden, metadata=FrameMetadata(model=golden.metadata.model, custom=custom))


def _run_again(golden: Frame, step_executor: StepExecutor) -> Frame:
    """Run one golden step live with its recorded input; its cost is what ``report_usage`` says."""
    from recorder.decorators import _usage

    usage = FrameMetadata(model=golden.metadata.model)
    token = _usage.set(usage)
    started = time.perf_counter()
    try:
        output = step_executor(golden.node_name, decode_value(golden.input_state))
    finally:
        _usage.reset(token)
    usage.latency_ms = (time.perf_counter() - started) * 1000.0
    usage.custom = {**usage.custom, SOURCE: FrameSource.LIVE.value}
    state = output if isinstance(output, dict) else {"return": output}
    return dataclasses.replace(golden, output_state=state, metadata=usage)
