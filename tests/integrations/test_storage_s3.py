"""Recordings in object storage, against a real S3 API (moto's server) on 127.0.0.1."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from recorder import RecordingNotFoundError, VCRPlayer, VCRReader, VCRRecorder
from recorder.object_index import ObjectIndex
from recorder.object_sessions import list_sessions
from tests.support import s3_support
from tests.support.cli_support import assert_one_line_failure, run_cli
from tests.support.s3_support import S3
from tests.support.source_support import drain_until
from vcr_tui.sources import ObjectPath, Source, SourceState, SourceStatus
from vcr_tui.sources.object_follow import ObjectFollower
from vcr_tui.sources.updates import UpdateBox

pytestmark = pytest.mark.slow
moto_endpoint = s3_support.moto_endpoint  # the fixtures these tests use
s3 = s3_support.s3


def big_recording(folder: Path, session_id: str, frames: int, *, pad: int = 2400) -> Path:
    """A closed recording whose frames carry ``pad`` bytes each, so a few thousand span many chunks."""
    recorder = VCRRecorder(folder)
    recorder.start_session(session_id=session_id, tags=["cloud"])
    for seq in range(frames):
        recorder.record_step(f"step-{seq % 7}", {"seq": seq}, {"seq": seq, "pad": "x" * pad})
    recorder.close()
    assert recorder.path is not None
    return recorder.path


def assert_same_recording(remote: VCRReader, local: VCRReader) -> None:
    assert len(remote) == len(local)
    assert [s.to_record() for s in remote.sessions] == [s.to_record() for s in local.sessions]
    assert remote.problems_so_far == local.problems_so_far
    for index in range(len(local)):
        assert remote.raw(index) == local.raw(index)
        assert remote.line_number(index) == local.line_number(index)


def test_an_object_indexes_like_the_local_file_from_ranged_chunks(s3: S3, tmp_path: Path) -> None:
    path = big_recording(tmp_path, "big", 6000)  # ~15 MB: several scan batches
    url = s3.put(path, "runs/big.vcr")
    index = ObjectIndex(url)
    index.update()
    with VCRReader(path) as local, VCRReader(url, index=index) as remote:
        assert_same_recording(remote, local)
        assert remote.frame(5999).output_state["seq"] == 5999


def test_player_load_reads_an_s3_url(s3: S3, tmp_path: Path) -> None:
    path = big_recording(tmp_path, "plain", 40, pad=10)
    url = s3.put(path, "plain.vcr")
    with VCRPlayer.load(url) as player:
        assert player.session.session_id == "plain"
        assert len(player) == 40
        assert player.goto_frame(39)["seq"] == 39


def test_second_open_reads_the_cached_index_keyed_by_etag(s3: S3, tmp_path: Path) -> None:
    path = big_recording(tmp_path, "cached", 3000)
    url = s3.put(path, "cached.vcr")
    first = ObjectIndex(url, cache_dir=tmp_path / "cache")
    first.update()
    assert not first.from_cache and first.requests > 0

    second = ObjectIndex(url, cache_dir=tmp_path / "cache")
    assert second.from_cache and second.requests == 0
    assert second.update().new_frames == 0 and second.requests == 0
    with VCRReader(path) as local, VCRReader(url, index=second) as remote:
        assert_same_recording(remote, local)

    other = big_recording(tmp_path / "other", "cached", 3000)  # same name and size, other content
    s3.put(other, "cached.vcr")
    third = ObjectIndex(url, cache_dir=tmp_path / "cache")
    assert not third.from_cache  # a new ETag is a new entry
    third.update()
    with VCRReader(other) as local, VCRReader(url, index=third) as remote:
        assert_same_recording(remote, local)


def test_a_damaged_cache_entry_is_ignored(s3: S3, tmp_path: Path) -> None:
    path = big_recording(tmp_path, "torn", 500, pad=100)
    url = s3.put(path, "torn.vcr")
    ObjectIndex(url, cache_dir=tmp_path / "cache").update()
    for entry in (tmp_path / "cache").glob("*.idx"):
        entry.write_bytes(entry.read_bytes()[:-9])
    again = ObjectIndex(url, cache_dir=tmp_path / "cache")
    assert not again.from_cache
    again.update()
    assert len(again) == 500


def test_a_reuploaded_longer_object_is_an_append_and_a_replaced_one_starts_over(s3: S3, tmp_path: Path) -> None:
    recorder = VCRRecorder(tmp_path / "live")
    recorder.start_session(session_id="grow")
    for seq in range(50):
        recorder.record_step("step", {"seq": seq}, {"seq": seq})
    assert recorder.path is not None
    url = s3.put(recorder.path, "grow.vcr")
    with VCRReader(url) as reader:
        assert len(reader) == 50
        for seq in range(50, 80):
            recorder.record_step("step", {"seq": seq}, {"seq": seq})
        s3.put(recorder.path, "grow.vcr")
        update = reader.update()
        assert (update.new_frames, update.reset) == (30, False)
        assert reader.frame(79).input_state == {"seq": 79}

        replaced = big_recording(tmp_path / "other", "other", 10, pad=10)
        s3.put(replaced, "grow.vcr")
        update = reader.update()
        assert update.reset and len(reader) == 10
        assert reader.session.session_id == "other"
    recorder.close()


def test_a_source_streams_the_rest_in_and_follows_new_versions(s3: S3, tmp_path: Path) -> None:
    path = big_recording(tmp_path, "follow", 6000)
    url = s3.put(path, "follow.vcr")
    box = UpdateBox(SourceStatus(SourceState.CONNECTING, "test"))
    first_step = ObjectFollower(url, box, follow=False, step_bytes=4 << 20)
    assert 0 < len(first_step.reader) < 6000  # before its thread runs: the screen can draw now
    first_step.reader.close()

    source = Source(ObjectPath(url), follow=True)
    try:
        source.start()
        drain_until(source, lambda: len(source.reader) == 6000 and source.status.state is SourceState.LIVE)
        with source.reader.locked() as reader, VCRReader(path) as local:
            assert_same_recording(reader, local)

        shutil.copy(path, tmp_path / "longer.vcr")
        with (tmp_path / "longer.vcr").open("ab") as out, VCRReader(path) as local:
            out.write(local.raw(0).replace(b'"seq":0', b'"seq":6000', 2) + b"\n")
        s3.put(tmp_path / "longer.vcr", "follow.vcr")
        source._object.wake()  # type: ignore[union-attr]  # skip the poll interval
        updates = drain_until(source, lambda: len(source.reader) == 6001)
        assert not any(update.reset for update in updates)
        assert source.reader.frame(6000).input_state == {"seq": 6000}
    finally:
        source.close()


def test_a_missing_object_is_one_line_on_the_command_line(s3: S3, tmp_path: Path) -> None:
    result = run_cli(s3.url("nope.vcr"), cwd=tmp_path, env=s3.env)
    assert_one_line_failure(result, "no such object", "nope.vcr")
    with pytest.raises(RecordingNotFoundError):
        VCRReader(s3.url("nope.vcr"))


def test_a_prefix_lists_its_sessions_from_ranged_header_reads(s3: S3, tmp_path: Path) -> None:
    parent = big_recording(tmp_path, "parent-run", 300, pad=400)  # bigger than the header window
    s3.put(parent, "team/parent-run.vcr")
    with VCRReader(parent) as reader:
        from recorder import fork_recording

        fork = fork_recording(reader, 3, new_session_id="child-run", output_dir=tmp_path / "forks")
        fork.close()
    assert fork.path is not None
    s3.put(fork.path, "team/child-run.vcr")
    s3.put_bytes(b"not a recording\n", "team/junk.vcr")
    s3.put_bytes(b"ignored", "team/notes.txt")

    found = {item.entry.name: item.session for item in list_sessions(s3.url("team/"))}
    assert set(found) == {"parent-run.vcr", "child-run.vcr", "junk.vcr"}
    assert found["parent-run.vcr"] is not None and found["parent-run.vcr"].frame_count == 300
    assert found["child-run.vcr"] is not None and found["child-run.vcr"].parent_session_id == "parent-run"
    assert found["junk.vcr"] is None

    result = run_cli(s3.url("team/"), cwd=tmp_path, env=s3.env)
    assert result.returncode == 0, result.stderr
    assert "3 recordings" in result.stdout
    assert "parent-run" in result.stdout and "300 frames" in result.stdout
    assert "fork of parent-run" in result.stdout
    assert "no session header" in result.stdout

    empty = run_cli(s3.url("nothing-here/"), cwd=tmp_path, env=s3.env)
    assert_one_line_failure(empty, "no .vcr recordings")


def test_push_uploads_and_the_recorder_ships_each_save(s3: S3, tmp_path: Path) -> None:
    path = big_recording(tmp_path, "pushed", 12, pad=10)
    result = run_cli("push", str(path), s3.url("up/"), cwd=tmp_path, env=s3.env)
    assert result.returncode == 0, result.stderr
    assert s3.url("up/pushed.vcr") in result.stdout
    with VCRReader(s3.url("up/pushed.vcr")) as reader, VCRReader(path) as local:
        assert_same_recording(reader, local)

    assert_one_line_failure(run_cli("push", "missing.vcr", s3.url("up/"), cwd=tmp_path, env=s3.env), "no such")
    assert_one_line_failure(run_cli("push", str(path), "/tmp/x", cwd=tmp_path, env=s3.env), "not an object")

    recorder = VCRRecorder(tmp_path / "shipped", upload_to=s3.url("ship/"))
    recorder.start_session(session_id="shipped")
    recorder.record_step("a", {"n": 1}, {"n": 2})
    recorder.save()
    with VCRReader(s3.url("ship/shipped.vcr")) as reader:
        assert len(reader) == 1
    recorder.record_step("b", {"n": 2}, {"n": 3})
    recorder.close()
    with VCRReader(s3.url("ship/shipped.vcr")) as reader:
        assert len(reader) == 2 and reader.session.frame_count == 2


async def test_the_debugger_opens_an_object_and_forks_from_a_whole_copy(s3: S3, tmp_path: Path) -> None:
    from tests.support.app_support import SIZE, file_screen, press, settle, status_text, wait_until
    from vcr_tui.app import VCRApp
    from vcr_tui.logic.fork_place import fork_folder, recording_file
    from vcr_tui.logic.open_location import shown_path, stream_or_remote_source

    path = big_recording(tmp_path, "in-app", 5000)
    url = s3.put(path, "app/in-app.vcr")
    source = stream_or_remote_source(url, follow=True)
    assert source is not None
    app = VCRApp(shown_path(source), source=source)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = file_screen(app)
            await wait_until(pilot, lambda: screen.frame_list.frame_count == 5000, "every frame of the object")
            await wait_until(pilot, lambda: "COMPLETE" in status_text(pilot), "the COMPLETE marker")
            await press(pilot, "g")
            await press(pilot, "j")
            assert screen.frame_list.cursor == 1
            assert screen.store.session.session_id == "in-app"
            copy = recording_file(shown_path(source), source, None)
            assert copy.read_bytes() == path.read_bytes()  # f and r read the whole object, not a local namesake
            assert fork_folder(source) == Path.cwd() / ".vcr"
    finally:
        source.close()
    assert not copy.exists()  # the private copy goes with the source


async def test_the_first_screen_shows_the_objects_head_before_any_index_exists(s3: S3, tmp_path: Path) -> None:
    """The head a helper process read while the app started is on the first screen; here the
    object is deleted before the app starts, so no index can ever be built: the rows on screen
    can only have come from that head, and the screen then says why the rest cannot be read."""
    from tests.support.app_support import SIZE, file_screen, settle, wait_until
    from vcr_tui.app import VCRApp
    from vcr_tui.logic.open_location import shown_path, stream_or_remote_source
    from vcr_tui.logic.preview_store import PreviewStore
    from vcr_tui.screens.error_screen import ErrorScreen

    path = big_recording(tmp_path, "head-first", 3000)
    url = s3.put(path, "app/head-first.vcr")
    source = stream_or_remote_source(url, follow=True)
    assert source is not None
    source.check()  # what the command line waits for before the app runs
    head = source.head
    assert head is not None and 0 < len(head.data) < path.stat().st_size
    s3.fs.rm(f"{s3.bucket}/app/head-first.vcr")
    s3.fs.invalidate_cache()
    app = VCRApp(shown_path(source), source=source)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await wait_until(pilot, lambda: isinstance(app.screen, ErrorScreen), "the error screen")
            error = app.screen
            assert isinstance(error, ErrorScreen) and "no such object" in error.message
            app.pop_screen()
            screen = file_screen(app)
            assert isinstance(screen.store, PreviewStore)
            with VCRReader(path) as local:
                shown = len(screen.store)
                assert 0 < shown < 3000
                assert [screen.store.raw(i) for i in range(shown)] == [local.raw(i) for i in range(shown)]
    finally:
        source.close()


def test_the_head_is_one_signed_get_when_the_keys_are_in_the_environment(
    s3: S3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recorder.object_head import HeadPrefetch

    path = big_recording(tmp_path, "signed", 400, pad=2000)
    url = s3.put(path, "dir with space/signed+run.vcr")  # a key that needs encoding in the signed path
    prefetch = HeadPrefetch(url, size=100_000)
    head = prefetch.result()
    assert not prefetch.by_helper
    assert head.data == path.read_bytes()[:100_000]
    info = s3.fs.info(f"{s3.bucket}/dir with space/signed+run.vcr")
    assert (head.version.size, head.version.tag) == (path.stat().st_size, info["ETag"].strip('"'))
    missing = HeadPrefetch(s3.url("absent.vcr"))
    with pytest.raises(RecordingNotFoundError, match="no such object"):
        missing.result()
    assert not missing.by_helper

    monkeypatch.setenv("FSSPEC_S3_ENDPOINT_URL", s3.endpoint)  # fsspec is told something: its driver reads
    told = HeadPrefetch(url, size=100_000)
    assert told.result().data == head.data and told.by_helper


def test_without_keys_in_the_environment_the_driver_reads_the_head_in_a_helper(
    s3: S3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recorder.object_head import HeadPrefetch

    path = big_recording(tmp_path, "helped", 50, pad=100)
    url = s3.put(path, "helped.vcr")
    keys = tmp_path / "credentials"
    keys.write_text("[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(keys))
    prefetch = HeadPrefetch(url)
    head = prefetch.result()
    assert prefetch.by_helper
    assert head.data == path.read_bytes() and head.version.size == path.stat().st_size
    with pytest.raises(RecordingNotFoundError, match="no such object"):
        HeadPrefetch(s3.url("absent.vcr")).result()
