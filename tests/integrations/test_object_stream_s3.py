"""Indexing an object from one streamed GET, against a real S3 API (moto's server) on 127.0.0.1:
the same offsets as the local file wherever the reads cut the lines, a bounded number of bytes
held, and a read that fails half-way (the object replaced or deleted) said in one line, with
nothing lost or counted twice."""

from __future__ import annotations

import random
import tracemalloc
from pathlib import Path

import pytest

from recorder import RecordingNotFoundError, VCRRecorder
from recorder.index import _CHUNK, LineIndex
from recorder.object_index import ObjectIndex
from recorder.object_stream import ObjectChangedError
from tests.support import s3_support
from tests.support.s3_support import S3

pytestmark = pytest.mark.slow
moto_endpoint = s3_support.moto_endpoint  # the fixtures these tests use
s3 = s3_support.s3


def uneven_recording(folder: Path, session_id: str, frames: int, *, seed: int = 7, huge_at: int | None = None) -> Path:
    """Frames of scattered sizes (so lines fall across every chunk and step boundary), a line
    the index skips, and optionally one frame bigger than a scan chunk."""
    chooser = random.Random(seed)
    recorder = VCRRecorder(folder)
    recorder.start_session(session_id=session_id)
    for seq in range(frames):
        pad = (_CHUNK + 12_345) if seq == huge_at else chooser.randrange(10, 6000)
        recorder.record_step(f"step-{seq % 5}", {"seq": seq}, {"seq": seq, "pad": "y" * pad})
    recorder.close()
    assert recorder.path is not None
    with recorder.path.open("ab") as out:
        out.write(b'{"type":"note","data":{}}\n')  # a record type the index files as ignored
    return recorder.path


def local_index(path: Path) -> LineIndex:
    index = LineIndex(path)
    index.update()
    return index


def assert_same_offsets(remote: ObjectIndex, local: LineIndex) -> None:
    assert remote.starts.tolist() == local.starts.tolist()
    assert remote.ends.tolist() == local.ends.tolist()
    assert remote.lines.tolist() == local.lines.tolist()
    assert [(line, s.to_record()) for line, s in remote.sessions] == [
        (line, s.to_record()) for line, s in local.sessions
    ]
    assert remote.problems == local.problems
    assert (remote.end, remote.line_count, remote.pending_tail) == (local.end, local.line_count, local.pending_tail)


def index_in_steps(index: ObjectIndex) -> int:
    steps = 0
    while not index.complete:
        index.update()
        steps += 1
        assert steps < 10_000
    return steps


@pytest.mark.parametrize("step_bytes", [None, (1 << 20) + 1, (3 << 20) + 4097])
def test_a_streamed_index_has_the_local_files_offsets_wherever_reads_cut_lines(
    s3: S3, tmp_path: Path, step_bytes: int | None
) -> None:
    path = uneven_recording(tmp_path, "uneven", 4000, huge_at=1500)  # ~16 MB, one 4 MB frame
    assert path.stat().st_size > 3 * _CHUNK
    url = s3.put(path, "uneven.vcr")
    index = ObjectIndex(url, step_bytes=step_bytes, use_cache=False)
    steps = index_in_steps(index) if step_bytes else (index.update(), 1)[1]
    assert steps >= (path.stat().st_size // step_bytes if step_bytes else 1)
    assert index.requests == 1  # one GET for the scan, however many steps
    local = local_index(path)
    assert_same_offsets(index, local)
    assert index.read_line(1500) == local.read_line(1500)  # the frame longer than a chunk, whole
    index.close()
    local.close()


def test_streaming_holds_a_few_chunks_never_the_object(s3: S3, tmp_path: Path) -> None:
    path = uneven_recording(tmp_path, "large", 24_000, seed=3)  # ~70 MB
    size = path.stat().st_size
    url = s3.put(path, "large.vcr")
    index = ObjectIndex(url, use_cache=False)
    tracemalloc.start()
    try:
        index.update()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert index.complete and len(index) == 24_000
    assert peak < 12 * _CHUNK < size / 1.5, f"{peak / 1e6:.1f} MB held while streaming {size / 1e6:.1f} MB"
    index.close()


def test_an_object_replaced_in_the_middle_of_a_read_is_said_then_read_afresh(s3: S3, tmp_path: Path) -> None:
    first = uneven_recording(tmp_path / "a", "first", 3000)
    url = s3.put(first, "swap.vcr")
    index = ObjectIndex(url, step_bytes=2 << 20, use_cache=False)
    index.update()
    indexed = len(index)
    assert 0 < indexed < 3000

    other = uneven_recording(tmp_path / "b", "other", 2500, seed=11)
    s3.put(other, "swap.vcr")
    index.close()  # the connection is gone: the rest has to be asked for again
    with pytest.raises(ObjectChangedError) as failure:
        index.update()
    message = str(failure.value.strerror)
    assert "\n" not in message and "replaced" in message and "swap.vcr" in message
    assert len(index) == indexed  # what was indexed stays, and the failed step left nothing behind

    update = index.update()
    assert update.reset
    index_in_steps(index)
    assert_same_offsets(index, local_index(other))


def test_an_object_deleted_in_the_middle_of_a_read_loses_nothing(s3: S3, tmp_path: Path) -> None:
    path = uneven_recording(tmp_path, "gone", 3000)
    url = s3.put(path, "gone.vcr")
    index = ObjectIndex(url, step_bytes=2 << 20, use_cache=False)
    index.update()
    indexed = len(index)
    assert 0 < indexed < 3000

    s3.fs.rm(f"{s3.bucket}/gone.vcr")
    s3.fs.invalidate_cache()
    index.close()
    with pytest.raises(RecordingNotFoundError, match="no such object"):
        index.update()
    assert len(index) == indexed

    s3.put(path, "gone.vcr")  # the same bytes again: the same ETag, so the read goes on
    assert not index.update().reset
    index_in_steps(index)
    assert_same_offsets(index, local_index(path))


def test_a_driver_without_an_async_s3_client_streams_by_ranged_gets_in_turn(
    s3: S3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recorder import object_stream

    path = uneven_recording(tmp_path, "plain", 4000, huge_at=900)
    url = s3.put(path, "plain.vcr")
    monkeypatch.setattr(object_stream, "_loop_of", lambda store: None)  # what gcsfs and adlfs get
    index = ObjectIndex(url, step_bytes=(3 << 20) + 7, use_cache=False)
    index_in_steps(index)
    stream = index._stream
    assert stream is not None and stream.requests == -(-path.stat().st_size // _CHUNK)  # a GET a chunk
    assert_same_offsets(index, local_index(path))


@pytest.mark.parametrize("async_client", [True, False])
def test_a_frame_read_after_the_scan_refuses_a_replaced_objects_bytes(
    s3: S3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, async_client: bool
) -> None:
    from recorder import object_stream

    if not async_client:
        monkeypatch.setattr(object_stream, "_loop_of", lambda store: None)  # what gcsfs and adlfs get
    first = uneven_recording(tmp_path / "a", "first", 3000)
    url = s3.put(first, "later.vcr")
    index = ObjectIndex(url, use_cache=False)
    index.update()
    assert index.complete
    last = len(index) - 1
    stored = first.read_bytes()
    assert index.read_line(last) == stored[index.starts[last] : index.ends[last]]

    other = uneven_recording(tmp_path / "b", "other", 3500, seed=11)  # longer: every old offset still exists
    s3.put(other, "later.vcr")
    middle = len(index) // 2  # a frame in a block not read yet
    with pytest.raises(ObjectChangedError) as failure:
        index.read_line(middle)
    message = str(failure.value.strerror)
    assert "\n" not in message and "replaced" in message and "later.vcr" in message

    assert index.update().reset  # the next look at the object indexes the version there now
    index_in_steps(index)
    assert_same_offsets(index, local_index(other))
    replaced = other.read_bytes()
    assert index.read_line(middle) == replaced[index.starts[middle] : index.ends[middle]]
