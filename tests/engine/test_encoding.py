"""Values JSON cannot hold are encoded once, readably, and never break a later write."""

from __future__ import annotations

import dataclasses
import enum
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import orjson
import pydantic
import pytest

from recorder import VCRPlayer, VCRRecorder, decode_value
from recorder.encoding import describe_typed, encode_line, to_jsonable


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Mode(str, enum.Enum):
    FAST = "fast"


@dataclasses.dataclass
class Point:
    x: int
    color: Color


class User(pydantic.BaseModel):
    name: str
    joined: datetime


def encoded(value: object) -> object:
    return orjson.loads(encode_line({"v": value}))["v"]


def test_datetime_is_a_typed_wrapper() -> None:
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert encoded(when) == {"__type__": "datetime", "data": "2024-01-02T03:04:05+00:00"}
    assert decode_value(encoded(when)) == when


def test_naive_datetime_is_written_as_utc() -> None:
    assert encoded(datetime(2024, 1, 2))["data"].endswith("+00:00")  # type: ignore[index]


@pytest.mark.parametrize("member", [Color.RED, Level.HIGH, Mode.FAST])
def test_every_kind_of_enum_is_wrapped(member: enum.Enum) -> None:
    value = encoded({"deep": [member]})
    assert value == {"deep": [{"__type__": "Enum", "__class__": type(member).__name__, "data": member.value}]}
    assert decode_value(value) == {"deep": [member.value]}


def test_dataclass_and_pydantic_model_keep_their_type() -> None:
    point = encoded(Point(1, Color.RED))
    assert point == {
        "__type__": "Point",
        "__module__": __name__,
        "data": {"x": 1, "color": {"__type__": "Enum", "__class__": "Color", "data": "red"}},
    }
    user = encoded(User(name="ada", joined=datetime(2024, 1, 1, tzinfo=timezone.utc)))
    assert user == {
        "__type__": "User",
        "__module__": __name__,
        "data": {"name": "ada", "joined": "2024-01-01T00:00:00Z"},
    }
    assert describe_typed(user) == ("User", {"name": "ada", "joined": "2024-01-01T00:00:00Z"})


def test_sets_bytes_and_friends() -> None:
    assert encoded({3, 1, 2}) == [1, 2, 3]
    assert encoded(frozenset({"b", "a"})) == ["a", "b"]
    assert encoded({1, "a"}) in ([1, "a"], ["a", 1])  # mixed types still encode
    assert decode_value(encoded(b"hi")) == b"hi"
    assert decode_value(encoded(b"\xff\x00")) == b"\xff\x00"
    assert encoded(Decimal("1.50")) == "1.50"
    assert encoded(uuid.UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
    assert encoded(Path("a/b")) == "a/b"
    assert encoded(date(2024, 1, 2)) == {"__type__": "date", "data": "2024-01-02"}
    assert encoded(timedelta(seconds=90)) == {"__type__": "timedelta", "data": 90.0}
    assert encoded(ValueError("boom")) == {"__type__": "ValueError", "data": "boom"}


def test_anything_else_gets_a_readable_fallback() -> None:
    class Opaque:
        def __repr__(self) -> str:
            return "<Opaque 42>"

    value = encoded(Opaque())
    assert value == {"__type__": "Opaque", "__module__": __name__, "data": "<Opaque 42>"}
    assert decode_value(value) == "<Opaque 42>"


def test_hard_cases_never_raise() -> None:
    cyclic: dict[str, object] = {"name": "loop"}
    cyclic["self"] = cyclic
    deep: list[object] = []
    node = deep
    for _ in range(1000):
        node.append([])
        node = node[0]  # type: ignore[assignment]

    class BadRepr:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    for value in (cyclic, deep, 1 << 80, float("nan"), {(1, 2): "tuple key", None: 1}, BadRepr(), {Color.RED: 1}):
        line = encode_line({"v": value})
        assert line.endswith(b"\n") and b"\n" not in line[:-1]
        orjson.loads(line)
    assert to_jsonable(cyclic)["self"] == "<circular reference>"
    assert encoded(1 << 80) == str(1 << 80)


def test_a_bad_value_breaks_neither_this_frame_nor_the_next(tmp_path: Path) -> None:
    rec = VCRRecorder(tmp_path)
    rec.start_session()
    rec.record_step("odd", {"s": {1, 2}}, {"o": object(), "e": Color.RED})
    rec.record_step("plain", {"a": 1}, {"a": 2})
    rec.save()
    rec.save()
    assert rec.path is not None
    player = VCRPlayer.load(rec.path)
    assert [f.node_name for f in player] == ["odd", "plain"]  # no duplicates on repeated saves
    assert player.problems == []
    assert player.get_frame(0).input_state == {"s": [1, 2]}


def test_strings_with_newlines_and_control_characters_stay_on_one_line() -> None:
    line = encode_line({"v": "a\nb\r\x1b[31m\u2028"})
    assert line.count(b"\n") == 1
    assert orjson.loads(line)["v"] == "a\nb\r\x1b[31m\u2028"


def test_the_fast_enum_precheck_never_misses_an_enum() -> None:
    """The C-speed pre-check may say "maybe" too often, never "no" when an enum is there."""
    import copy
    import gc
    import json
    import random

    from recorder.encoding import _holds_enum, may_hold_enum

    members: list[enum.Enum] = [Color.RED, Level.HIGH, Mode.FAST]
    rnd = random.Random(7)

    def build(depth: int, plant: bool) -> object:
        items: list[object] = []
        for _ in range(rnd.randint(0, 4)):
            if depth < 6 and rnd.random() < 0.4:
                items.append(build(depth + 1, plant))
            else:
                items.append(rnd.choice(["s", 1, 2.5, None, True, (1, "a")]))
        if plant and rnd.random() < 0.3:
            items.append(rnd.choice(members))
        kind = rnd.choice("dlt")
        if kind == "l":
            return items
        if kind == "t":
            return tuple(items)
        pairs = {f"k{i}": v for i, v in enumerate(items)}
        style = rnd.choice(["literal", "setitem", "update", "copy", "json"])
        if style == "setitem":
            built: dict[str, object] = {}
            for key, value in pairs.items():
                built[key] = value
            return built
        if style == "update":
            built = {"z": 0}
            built.update(pairs)
            return built
        if style == "copy":
            return copy.copy(pairs)
        if style == "json":
            loaded = json.loads('{"a": 1, "b": "x"}')
            loaded.update(pairs)
            return loaded
        return pairs

    planted = 0
    for trial in range(4000):
        root = {"data": build(0, trial % 2 == 0)}
        if trial % 50 == 0:
            gc.collect(0)  # a young collection untracks the new tuples and dicts: the check must survive that
        if _holds_enum(root, 0):
            planted += 1
            assert may_hold_enum([root]), root
    assert planted > 500


def test_flat_dicts_vouches_only_for_lists_of_plain_dicts() -> None:
    """``flat_dicts`` says True for a chat of plain messages and never when anything else hides there."""
    import gc
    import json

    from recorder.encoding import _holds_enum, flat_dicts

    plain = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi", "n": 2, "ok": None}]
    assert flat_dicts(plain)
    assert flat_dicts([])
    assert flat_dicts(json.loads('[{"role": "user", "content": "x"}]'))
    for hidden in (
        [{"role": "user", "content": Color.RED}],
        [{"role": "user", "content": [{"type": "text", "text": "x"}]}],
        [{"role": "user"}, ("tuple", "not a dict")],
        [{"role": "user", "content": {"nested": Level.HIGH}}],
        ({"role": "user"},),
        "not a list",
    ):
        assert not flat_dicts(hidden), hidden
    with_enum = [{"role": "user", "content": "x"}]
    with_enum[0]["content"] = Mode.FAST  # put in after the dict was built
    gc.collect()
    assert _holds_enum(with_enum, 0) and not flat_dicts(with_enum)
