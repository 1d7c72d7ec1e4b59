"""How a command-line argument is read as a local path, stdin, or a remote file."""

from __future__ import annotations

from pathlib import Path

import pytest

from vcr_tui.sources import LocalPath, LocationError, RemotePath, StandardInput, parse_location


def test_dash_is_stdin() -> None:
    assert parse_location("-") == StandardInput()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ssh://box/var/runs/a.vcr", RemotePath(host="box", path="/var/runs/a.vcr")),
        ("ssh://me@box:2222/var/a.vcr", RemotePath(host="box", path="/var/a.vcr", user="me", port=2222)),
        ("ssh://box/~/runs/a.vcr", RemotePath(host="box", path="runs/a.vcr")),
        ("ssh://box/runs/my%20run.vcr", RemotePath(host="box", path="/runs/my run.vcr")),
        ("ssh://box/runs/a#1.vcr", RemotePath(host="box", path="/runs/a#1.vcr")),
        ("ssh://[::1]:22/x.vcr", RemotePath(host="::1", path="/x.vcr", port=22)),
        ("SSH://box/x.vcr", RemotePath(host="box", path="/x.vcr")),
        ("box:runs/a.vcr", RemotePath(host="box", path="runs/a.vcr")),
        ("me@box.example.org:/abs/a.vcr", RemotePath(host="box.example.org", path="/abs/a.vcr", user="me")),
        ("box:~/a.vcr", RemotePath(host="box", path="a.vcr")),
        ("box:a:b.vcr", RemotePath(host="box", path="a:b.vcr")),
        ("me@[fe80::1%eth0]:a.vcr", RemotePath(host="fe80::1%eth0", path="a.vcr", user="me")),
        ("[::1]:a.vcr", RemotePath(host="::1", path="a.vcr")),
    ],
)
def test_remote_forms(text: str, expected: RemotePath) -> None:
    assert parse_location(text) == expected


@pytest.mark.parametrize(
    "text",
    ["runs/a.vcr", "./a:b.vcr", "dir/a:b.vcr", "../x:y", "~/a:b.vcr", "C:\\runs\\a.vcr", "C:/runs/a.vcr", "a b:c"],
)
def test_local_forms_even_when_missing(text: str) -> None:
    assert parse_location(text) == LocalPath(Path(text))


def test_an_existing_local_path_wins_over_the_scp_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("host:run.vcr").write_text("")
    Path("C:runs").mkdir()
    assert parse_location("host:run.vcr") == LocalPath(Path("host:run.vcr"))
    assert parse_location("C:runs") == LocalPath(Path("C:runs"))
    assert parse_location("other:run.vcr") == RemotePath(host="other", path="run.vcr")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty path"),
        ("ssh://box", "names no file"),
        ("ssh://box/", "names no file"),
        ("ssh://box:99999/x.vcr", "port"),
        ("ssh://box:abc/x.vcr", "port"),
        ("ssh://-oProxyCommand=x/x.vcr", "cannot start with '-'"),
        ("ssh://-l@box/x.vcr", "not a user name"),
        ("ssh://[::1/x.vcr", "unclosed"),
        ("http://box/x.vcr", "unsupported"),
        ("box:", "no file"),
        ("a\x00b", "NUL"),
    ],
)
def test_unusable_arguments_say_why(text: str, reason: str) -> None:
    with pytest.raises(LocationError, match=reason):
        parse_location(text)


def test_option_like_hosts_are_never_remote() -> None:
    """``-oProxyCommand=...:x`` must not reach ssh as a destination (it would run a command)."""
    for text in ("-oProxyCommand=id:run.vcr", "-oProxyCommand=touch /tmp/x:run.vcr", "me@-oX=y:run.vcr"):
        assert isinstance(parse_location(text), LocalPath), text


def test_labels_read_back() -> None:
    assert parse_location("me@box:runs/a.vcr").label == "me@box:runs/a.vcr"
    assert parse_location("ssh://box:2222/a.vcr").label == "ssh://box:2222/a.vcr"
    assert parse_location("ssh://box:2222/~/a.vcr").label == "ssh://box:2222/~/a.vcr"
    assert parse_location("box:runs/a.vcr").name == "a.vcr"  # type: ignore[union-attr]
