"""The cold load's fast paths give what the plain ways give (#19): line numbers, offset times,
phrases, the natural code order."""

from __future__ import annotations

import random
import tomllib
from pathlib import Path

import pytest

from qr.index.codes import CodeTable, _natural_strings
from qr.record import replace
from qr.store import load
from qr.store.models import Phrase, natural_key


@pytest.mark.parametrize(
    "text",
    ["", "no colon", "at 10:30 ok", "2026-06-01T10:00:00+08:00", "t = 10:00Z", "٣:00Z", "²:00Z", "a:00Z", "1:0Z", "12:30:45.5-05:00", "：00Z"],
)
def test_offset_time_check_agrees_with_the_pattern(text):
    assert load._has_offset_time(text) == (load._OFFSET_TIME.search(text) is not None)


def _numbers(text: str) -> tuple[list[int], list[int]]:
    headers, bodies = [], []
    for number, line in enumerate(text.splitlines(), 1):
        match = load._HEADER_OR_BODY.match(line)
        if match:
            (headers if match[1] else bodies).append(number)
    return headers, bodies


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("inside", ["", "\u2028", "\x85"])  # (TOML allows no other raw line break in a string)
def test_phrase_lines_are_those_splitlines_counts(newline, inside):
    text = newline.join([
        'name = "g"', "", "[[phrases]]", 'title = "a"', f'body = "x{inside}y"', "",
        "  [[ phrases ]]", 'title = "b"', "body = '''", "z", "'''", "\t[[phrases]]", 'title = "c"', '   body="w"', "",
    ])
    document = tomllib.loads(text)
    group = load.parse_group(document, text, Path("g.toml"), None)
    headers, bodies = _numbers(text)
    assert [phrase.line for phrase in group.phrases] == headers
    assert [phrase.body_line for phrase in group.phrases] == [bodies[0], bodies[1] + 1, bodies[2]]


def test_loaded_phrase_is_an_ordinary_phrase(tmp_path):
    (tmp_path / "g.toml").write_text(
        'name = "g"\n[[phrases]]\ncode = "/WL1"\ntitle = " 物流 "\nbody = "亲"\ntags = [" a ", ""]\nasks = ["x\\ny", "x y"]\n',
        encoding="utf-8",
    )
    (phrase,) = load.load_group(tmp_path, Path("g.toml")).phrases
    expected = Phrase(title="物流", body="亲", code="wl1", tags=("a",), asks=("x y",), line=2, body_line=5)
    assert phrase == expected and repr(phrase) == repr(expected)
    assert replace(phrase, title="新").title == "新"
    with pytest.raises(AttributeError):
        phrase.title = "改"  # type: ignore[misc]


def test_natural_strings_sort_like_natural_key():
    chance = random.Random(19)
    for alphabet in ("ab.-_09z1", "a0123456789", "x-1.09"):
        for _ in range(500):
            codes = ["".join(chance.choice(alphabet) for _ in range(chance.randint(0, 9))) for _ in range(chance.randint(0, 30))]
            coded = [index for index, code in enumerate(codes) if code]
            strings = _natural_strings(codes)
            assert strings is not None
            assert sorted(coded, key=strings.__getitem__) == sorted(coded, key=lambda index: natural_key(codes[index]))
    assert _natural_strings(["wl1", "物流2"]) is None  # non-ASCII: natural_key decides
    table = CodeTable.build(["wl10", "", "wl2", "wl02", "a"])
    assert [index for index in sorted(range(5), key=table.natural.__getitem__) if index != 1] == [4, 2, 3, 0]


def test_phrase_blobs_are_lz4_blocks_and_another_kind_is_rejected(library_dir):
    import pickle

    from qr.index import cached_group
    from qr.index.cache import load_cached

    packed = load_cached(library_dir)
    assert all(bytes(group._blob[:1]) == cached_group.PACKED for group in packed.result.library.groups)  # type: ignore[attr-defined]
    assert cached_group.unpack(cached_group.pack(b"columns")) == b"columns"
    with pytest.raises(cached_group.CacheRejected):  # e.g. a blob stored plain by an earlier build
        cached_group.unpack(b"P" + pickle.dumps([]))

