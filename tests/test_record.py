"""`qr.record.Record`: the models behave as the frozen dataclasses they were."""

from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from qr.index.cached_group import PHRASE_FIELDS
from qr.record import Record, replace
from qr.render import Placeholder, Rendered, Segment
from qr.store.models import FileStamp, Group, Library, LoadResult, Phrase, Problem, RuleConfig, VarSpec

RECORDS = (Problem, VarSpec, Phrase, FileStamp, Group, RuleConfig, Library, LoadResult, Placeholder, Segment, Rendered)


def test_fields_are_the_constructor_parameters_in_order():
    assert Phrase.FIELDS == PHRASE_FIELDS  # the cache's column order
    assert Group.FIELDS == ("path", "name", "phrases", "category", "order", "description", "extra", "stamp")
    assert tuple(name for name in PHRASE_FIELDS if name not in ("line", "body_line")) == Phrase.COMPARED
    assert "stamp" not in Group.COMPARED
    for cls in RECORDS:
        assert cls.FIELDS and set(cls.COMPARED) <= set(cls.FIELDS), cls


def test_equality_and_hash_by_compared_fields():
    one = Phrase("物流繁忙", "亲，{customer}", code="wl1", tags=("物流",), line=3, body_line=4)
    same = Phrase("物流繁忙", "亲，{customer}", code="wl1", tags=("物流",), line=30, body_line=40)
    assert one == same and (one != same) is False  # where it stood in its file is not compared
    assert Phrase("物流繁忙", "亲") != Phrase("物流繁忙", "您好")
    stamp = FileStamp(1, 2, "x")
    assert hash(stamp) == hash(FileStamp(1, 2, "x")) and stamp != FileStamp(1, 2, "y")
    assert {Segment("a", "text"), Segment("a", "text")} == {Segment("a", "text")}
    with pytest.raises(TypeError):  # a dict field cannot be hashed, as with the dataclass
        hash(one)
    # another class with the same fields is not equal (the dataclass compared classes too)
    assert Segment("a", "text") != ("a", "text", "")
    assert (Segment("a", "text") == object()) is False


def test_defaults_are_fresh_and_frozen():
    first, second = Phrase("a", "b"), Phrase("a", "b")
    assert first.extra == {} and first.extra is not second.extra
    assert Library(Path("lib")).rules == RuleConfig() and Library(Path("lib")).vars == {}
    with pytest.raises(AttributeError, match="cannot assign to field 'title'"):
        first.title = "c"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del first.body


def test_replace_keeps_the_rest_and_refuses_unknown_fields():
    phrase = Phrase("物流繁忙", "亲", code="wl1", valid_until=date(2026, 12, 31), line=7)
    changed = replace(phrase, body="您好")
    assert (changed.title, changed.body, changed.code, changed.valid_until, changed.line) == ("物流繁忙", "您好", "wl1", date(2026, 12, 31), 7)
    assert phrase.body == "亲"
    with pytest.raises(TypeError):
        replace(phrase, colour="red")


def test_replace_still_takes_a_dataclass():
    @dataclass(frozen=True)
    class Point:
        x: int
        y: int = 0

    assert replace(Point(1, 2), y=5) == Point(1, 5)


def test_pickle_copy_and_repr():
    group = Group(Path("logistics.toml"), "物流", (Phrase("标题", "正文", code="wl1"),), stamp=FileStamp(1, 2, "d"))
    for clone in (pickle.loads(pickle.dumps(group)), copy.copy(group), copy.deepcopy(group)):
        assert clone == group and clone.stamp == group.stamp and type(clone) is Group
    assert repr(Segment("a", "text")) == "Segment(text='a', kind='text', name='')"
    assert repr(Problem(Path("a.toml"), 1, 2, "bad")) == "Problem(file=PosixPath('a.toml'), line=1, column=2, message='bad', severity='error')"


def test_a_subclass_reads_its_own_init():
    class Pair(Record):
        left: int
        right: int
        NOT_COMPARED = ("right",)

        def __init__(self, left: int, right: int = 0) -> None:
            self.__dict__.update(left=left, right=right)

    assert Pair.FIELDS == ("left", "right") and Pair.COMPARED == ("left",)
    assert Pair(1, 2) == Pair(1, 3) and hash(Pair(1, 2)) == hash(Pair(1, 9))
    assert replace(Pair(1, 2), right=4).right == 4


def test_load_result_holds_what_it_was_given():
    library = Library(Path("lib"))
    assert LoadResult(library).problems == () and LoadResult(library, (Problem(Path("x"), 1, 1, "m"),)).problems[0].severity == "error"
