"""Saving group files: load -> save -> load keeps every model equal; conflicts and crashes lose nothing."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from conftest import write_library
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qr.record import replace
from qr.store import load_library
from qr.store.models import Group, Library, Phrase
from qr.store.save import ConflictError, SaveError, atomic_write, dumps_group, save_group

GROUP_KEYS = {"name", "category", "order", "description", "phrases"}
PHRASE_KEYS = {"code", "title", "body", "tags", "asks", "note", "lang", "valid_from", "valid_until"}

# Text that stresses TOML strings: Chinese, quotes, backslashes, newlines (also leading and
# trailing), braces, trailing spaces, emoji, control and odd Unicode characters.
PIECES = [
    "亲", "您好", "物流繁忙", "，", "。", "Hello", "there", " ", "  ", "\t", "\n", "\n\n", "\r\n",
    '"', "'", '"""', "'''", "\\", "\\n", "\\\\", "{customer|亲}", "{order_id}", "{{", "}}", "{", "}",
    "😀", "👍🏻", "🇨🇳", "\u200b", "\x00", "\x1f", "\x7f", "\u2028", "é", "ｅ", "#", "=", "[", "]",
]
text = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
)
one_line = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=20)
stripped = one_line.map(str.strip).filter(bool)
asks = one_line.map(lambda ask: " ".join(ask.split())).filter(bool)  # as the loader keeps them
codes = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,8}", fullmatch=True)
key_names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)

toml_scalars = st.one_of(
    text,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(timezones=st.just(timezone(timedelta(hours=8)))),
    st.times(),
)
toml_values = st.recursive(
    toml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(key_names, children, max_size=3),
    ),
    max_leaves=6,
)


def extra_keys(known: set[str]):
    return st.dictionaries(key_names.filter(lambda key: key not in known), toml_values, max_size=3)


@st.composite
def phrases(draw, code: str | None) -> Phrase:
    valid_from = draw(st.none() | st.dates())
    return Phrase(
        title=draw(stripped),
        body=draw(text),
        code=code,
        tags=tuple(draw(st.lists(stripped, max_size=3))),
        asks=tuple(draw(st.lists(asks, max_size=3, unique=True))),
        note=draw(text),
        lang=draw(st.sampled_from(["zh", "en", "ja", "zh-TW"])),
        valid_from=valid_from,
        valid_until=draw(st.none() | st.dates()),
        extra=draw(extra_keys(PHRASE_KEYS)),
    )


@st.composite
def groups(draw, path: Path, codes_left: list[str]) -> Group:
    count = draw(st.integers(min_value=0, max_value=4))
    items = []
    for _ in range(count):
        code = codes_left.pop() if codes_left and draw(st.booleans()) else None
        items.append(draw(phrases(code)))
    return Group(
        path=path,
        name=draw(stripped),
        phrases=tuple(items),
        category=draw(stripped),
        order=draw(st.none() | st.integers(min_value=-1000, max_value=10**9)),
        description=draw(text),
        extra=draw(extra_keys(GROUP_KEYS)),
    )


@st.composite
def libraries(draw) -> list[Group]:
    count = draw(st.integers(min_value=1, max_value=3))
    codes_left = draw(st.lists(codes, unique=True, max_size=12))
    paths = [Path("a.toml"), Path("en/b.toml"), Path("售后/退款.toml")][:count]
    return [draw(groups(path, codes_left)) for path in paths]


def _write(root: Path, groups_: list[Group]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for group in groups_:
        atomic_write(root / group.path, dumps_group(group).encode("utf-8"))


def _models(library: Library) -> list[Group]:
    return sorted(library.groups, key=lambda group: str(group.path))


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(generated=libraries())
def test_load_save_load_gives_equal_models(tmp_path_factory, generated):
    root = tmp_path_factory.mktemp("lib")
    _write(root, generated)
    first = load_library(root)
    assert first.problems == ()
    assert _models(first.library) == sorted(generated, key=lambda group: str(group.path))

    for group in first.library.groups:
        save_group(first.library, group, previous=group)
    second = load_library(root)
    assert second.problems == ()
    assert _models(second.library) == _models(first.library)
    # The canonical form is stable: a second save writes the same bytes.
    for group in second.library.groups:
        assert (root / group.path).read_text(encoding="utf-8") == dumps_group(group)


def test_hand_written_file_round_trips(tmp_path):
    root = write_library(tmp_path, {
        "a.toml": '''
            name = "售后"
            category = "售后"
            owner = { name = "lead", since = 2026-01-02 }
            reviewed = [2026-03-04, 1979-05-27T07:32:00Z]

            [[phrases]]
            code = "/TK1"
            title = "  退款进度  "
            body = """

            亲，"退款"已提交 \\\\ 请耐心等待 {{不是变量}} 😀   
            """
            tags = [" 退款 ", "进度"]
            note = 'C:\\path\\to'
            priority = 3
            [phrases.meta]
            added = 2026-05-01T10:00:00
            by = ["a", "b"]
        ''',
    })
    library = load_library(root).library
    group = library.groups[0]
    save_group(library, group, previous=group)
    again = load_library(root).library
    assert again.groups == library.groups
    phrase = again.groups[0].phrases[0]
    assert phrase.code == "tk1" and phrase.title == "退款进度" and phrase.tags == ("退款", "进度")
    assert phrase.body.startswith("\n亲，") and phrase.body.endswith("😀   \n")
    assert phrase.extra["meta"]["added"] == datetime(2026, 5, 1, 10, 0)
    assert again.groups[0].extra["owner"] == {"name": "lead", "since": date(2026, 1, 2)}


def test_conflict_refuses_and_leaves_disk_intact(library_dir):
    library = load_library(library_dir).library
    group = library.groups[0]
    path = library_dir / group.path
    teammate = path.read_text(encoding="utf-8") + '\n[[phrases]]\ncode = "wl99"\ntitle = "同事加的"\nbody = "x"\n'
    path.write_text(teammate, encoding="utf-8")
    changed = replace(group, phrases=group.phrases[:1])
    with pytest.raises(ConflictError, match="changed on disk"):
        save_group(library, changed, previous=group)
    assert path.read_text(encoding="utf-8") == teammate


def test_conflict_when_file_deleted_on_disk(library_dir):
    library = load_library(library_dir).library
    group = library.groups[0]
    (library_dir / group.path).unlink()
    with pytest.raises(ConflictError, match="deleted"):
        save_group(library, group, previous=group)
    assert not (library_dir / group.path).exists()


def test_crash_before_replace_keeps_old_file_and_no_temp(library_dir, monkeypatch):
    library = load_library(library_dir).library
    group = library.groups[0]
    path = library_dir / group.path
    before = path.read_bytes()
    written = []

    def crash(source, target):
        written.append(Path(source).read_bytes())  # the temp file was fully written
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(SaveError, match="cannot write"):
        save_group(library, replace(group, name="改名"), previous=group)
    assert written and b"\xe6\x94\xb9\xe5\x90\x8d" in written[0]  # 改名 reached the temp file
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(["_library.toml", "logistics.toml", "en"])


def test_interrupt_before_replace_keeps_old_file(library_dir, monkeypatch):
    library = load_library(library_dir).library
    group = library.groups[0]
    path = library_dir / group.path
    before = path.read_bytes()

    def interrupted(source, target):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_group(library, replace(group, name="改名"), previous=group)
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_saved_file_keeps_permissions(library_dir):
    library = load_library(library_dir).library
    group = library.groups[0]
    path = library_dir / group.path
    path.chmod(0o640)
    save_group(library, replace(group, name="改名"), previous=group)
    assert path.stat().st_mode & 0o777 == 0o640


def test_times_round_trip(tmp_path):
    group = Group(path=Path("t.toml"), name="T", extra={"at": time(7, 30, 0, 5), "d": [date(2026, 1, 1)]})
    _write(tmp_path, [group])
    assert load_library(tmp_path).library.groups[0] == group
