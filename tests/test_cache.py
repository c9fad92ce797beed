"""The on-disk index cache: equal models, per-file re-indexing, never trusted, no customer data."""

from __future__ import annotations

import copy
import hashlib
import os
import pickle
import zlib
from pathlib import Path

import pytest
from conftest import LOGISTICS_TOML, write_library

import qr.index.cache_file as cache_format
import qr.index.cached_group as cached_group
from qr.cli import main
from qr.index.cache import cache_path, load_cached
from qr.index.cached_group import CachedGroup
from qr.index.phrase_index import KnownKeys, PhraseIndex
from qr.record import replace
from qr.store.load import load_library
from qr.store.save import save_group
from qr.workspace import open_workspace


def load(root: Path, **options):
    seen: list[Path] = []
    result = load_cached(root, on_reindex=seen.append, **options)
    assert list(result.reindexed) == seen
    return result


def cache_file(root: Path) -> Path:
    return cache_path(root.resolve())


def assert_same_models(cached, plain) -> None:
    assert cached.library == plain.library
    assert plain.library == cached.library
    assert cached.problems == plain.problems
    for ours, theirs in zip(cached.library.groups, plain.library.groups, strict=True):
        assert ours.stamp == theirs.stamp  # size, mtime and the sha1 that save conflicts compare
        assert ours.phrases == theirs.phrases
        assert [(p.line, p.body_line) for p in ours.phrases] == [(p.line, p.body_line) for p in theirs.phrases]


def test_hit_gives_equal_models_and_search(library_dir):
    first = load(library_dir)
    assert first.written and {p.as_posix() for p in first.reindexed} == {"logistics.toml", "en/english.toml"}
    second = load(library_dir)
    assert second.reindexed == () and not second.written and second.rejected == ""
    assert all(isinstance(group, CachedGroup) for group in second.result.library.groups)
    assert_same_models(second.result, load_library(library_dir))
    for group in second.result.library.groups:
        assert group.stamp.digest == hashlib.sha1((library_dir / group.path).read_bytes()).hexdigest()

    plain = PhraseIndex.from_libraries([load_library(library_dir).library])
    cached = PhraseIndex.from_libraries(
        [second.result.library],
        {id(g): KnownKeys(g, second.keys[g.path]) for g in second.result.library.groups},
        second.code_table,
        second.layouts,
        second.vocabulary,
    )
    for query in ("/wl", "/wl1", "wlfm", "物流", "shipping delay", "shiping dleay", "", "ps", "/wk1"):
        assert [(h.phrase, h.score, h.where) for h in cached.search(query)] == [
            (h.phrase, h.score, h.where) for h in plain.search(query)
        ], query


def test_lazy_group_behaves_like_a_group(library_dir):
    load(library_dir)
    group = load(library_dir).result.library.group_by_path("logistics.toml")
    assert isinstance(group, CachedGroup)
    first = group.phrase_at(1)
    assert group.phrases[1] is first and first.code == "wl2"
    renamed = replace(group, name="物流2")
    assert renamed.name == "物流2" and renamed.phrases == group.phrases
    assert copy.deepcopy(group) == group
    assert pickle.loads(pickle.dumps(group)) == group


def test_changed_file_reindexes_only_that_file(library_dir):
    load(library_dir)
    path = library_dir / "logistics.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("包裹破损", "包裹破损了"), encoding="utf-8")
    again = load(library_dir)
    assert again.reindexed == (Path("logistics.toml"),)
    assert_same_models(again.result, load_library(library_dir))
    assert load(library_dir).reindexed == ()


def test_same_size_and_mtime_change_is_caught_by_digest(library_dir):
    """A file rewritten within the mtime granularity is 'racy': its digest is compared."""
    load(library_dir)
    path = library_dir / "logistics.toml"
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("包裹破损", "包裹丢失"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    again = load(library_dir)
    assert again.reindexed == (Path("logistics.toml"),)
    assert again.result.library.find_code("wl2")[1].title == "包裹丢失"


def test_added_and_removed_files(library_dir):
    load(library_dir)
    write_library(library_dir, {"extra/new.toml": 'name = "新"\n[[phrases]]\ncode = "n1"\ntitle = "新品"\nbody = "x"\n'})
    added = load(library_dir)
    assert added.reindexed == (Path("extra/new.toml"),)
    assert added.result.library.find_code("n1") is not None
    (library_dir / "en" / "english.toml").unlink()
    removed = load(library_dir)
    assert removed.reindexed == ()
    assert removed.result.library.find_code("en1") is None
    assert_same_models(removed.result, load_library(library_dir))
    workspace = open_workspace(library_dir)
    assert workspace.index.by_code("n1") is not None and workspace.index.by_code("en1") is None


def test_broken_file_is_remembered_and_fixed_file_reindexed(library_dir):
    broken = library_dir / "broken.toml"
    broken.write_text('name = "坏"\n[[phrases]]\ntitle = \n', encoding="utf-8")
    first = load(library_dir)
    again = load(library_dir)
    assert Path("broken.toml") not in again.reindexed
    assert again.result.problems == first.result.problems == load_library(library_dir).problems
    assert Path("broken.toml") in again.result.library.broken
    broken.write_text('name = "好"\n[[phrases]]\ncode = "ok1"\ntitle = "修好"\nbody = "x"\n', encoding="utf-8")
    fixed = load(library_dir)
    assert fixed.reindexed == (Path("broken.toml"),) and fixed.result.problems == ()


def test_settings_change_is_seen(library_dir):
    load(library_dir)
    settings = library_dir / "_library.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("测试旗舰店", "新旗舰店"), encoding="utf-8")
    again = load(library_dir)
    assert again.result.library.shop == "新旗舰店" and again.reindexed == ()


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: data[:40],
        lambda data: b"not a cache at all",
        lambda data: data[:12] + bytes(b ^ 0x5A for b in data[12:200]) + data[200:],
        lambda data: cache_format.MAGIC + data[len(cache_format.MAGIC) :][::-1],
    ],
    ids=["empty", "truncated", "header-cut", "foreign", "scrambled-header", "reversed"],
)
def test_corrupt_cache_is_ignored_and_rebuilt(library_dir, damage):
    load(library_dir)
    path = cache_file(library_dir)
    path.write_bytes(damage(path.read_bytes()))
    again = load(library_dir)
    assert len(again.reindexed) == 2 and again.written
    assert_same_models(again.result, load_library(library_dir))
    assert load(library_dir).reindexed == ()


class _Evil:
    def __reduce__(self):
        return (os.mkdir, (str(_Evil.marker),))


def test_cache_never_runs_code_from_a_pickle(library_dir, tmp_path):
    load(library_dir)
    _Evil.marker = tmp_path / "pwned"
    header = pickle.dumps({"format": cache_format.FORMAT, "evil": _Evil()})
    cache_file(library_dir).write_bytes(cache_format.MAGIC + cache_format.LENGTH.pack(len(header), zlib.crc32(header)) + header)
    again = load(library_dir)
    assert not _Evil.marker.exists()
    assert "os" in again.rejected or "posix" in again.rejected
    assert len(again.reindexed) == 2


def test_cache_of_another_library_is_not_used(tmp_path):
    one = write_library(tmp_path / "one")
    two = write_library(tmp_path / "two", {"logistics.toml": LOGISTICS_TOML.replace("物流繁忙安抚", "别的标题")})
    load(one)
    cache_file(two).parent.mkdir(parents=True, exist_ok=True)
    cache_file(two).write_bytes(cache_file(one).read_bytes())
    again = load(two)
    assert "another library" in again.rejected
    assert again.result.library.find_code("wl1")[1].title == "别的标题"


def test_cache_is_keyed_by_format_and_inputs_not_by_qr_version(library_dir, monkeypatch):
    load(library_dir)
    monkeypatch.setattr("qr.__version__", "999.0")  # an upgrade that changed nothing the cache holds
    assert load(library_dir).reindexed == ()
    monkeypatch.setattr(cache_format, "FORMAT", cache_format.FORMAT + 1)
    again = load(library_dir)
    assert "format" in again.rejected and len(again.reindexed) == 2
    assert load(library_dir).reindexed == ()


def test_changed_pinyin_data_invalidates(library_dir, tmp_path, monkeypatch):
    chars, words = tmp_path / "pinyin_dict.json", tmp_path / "phrases_dict.json"
    chars.write_text("{}", encoding="utf-8")
    words.write_text("{}", encoding="utf-8")
    monkeypatch.setattr(
        "qr.index.pinyin.dictionary_signature", lambda: tuple((str(path), *_size_mtime(path)) for path in (chars, words))
    )
    load(library_dir)
    assert load(library_dir).reindexed == ()
    words.write_text('{"银行": [["yín"], ["háng"]]}', encoding="utf-8")  # pypinyin upgraded: its word data changed
    again = load(library_dir)
    assert "pinyin" in again.rejected and len(again.reindexed) == 2


def _size_mtime(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


KEYS_DIGEST = "720870f7c8c211e0511647e59d2b298b6c3d1180"
KEYS_LIBRARY = """name = "物流 Logistics"
[[phrases]]
code = "wl1"
title = "物流繁忙 Busy"
body = "亲，{order_id|您的订单} is late. 抱歉!"
tags = ["安抚", "delay"]
valid_from = 2026-06-01
[[phrases]]
title = "no code"
body = "x"
"""


def test_keys_digest_changes_only_with_the_format(tmp_path):
    """Keys computed differently need a new FORMAT (old caches would give other results): when
    this fails after a change to how keys or phrases are stored, bump FORMAT in
    qr/index/cache_file.py and put the new digest and format here."""
    from qr.index.keys import group_keys

    class Tables:  # the pinyin data has its own key (test_changed_pinyin_data_invalidates)
        def initials_of(self, text: str) -> str:
            return text.lower()[::-1]

        def full_pinyin(self, text: str) -> str:
            return text.upper()

        def title_readings(self, text: str) -> tuple[str, str, str, str]:
            return self.initials_of(text), self.full_pinyin(text), self.initials_of(text), self.full_pinyin(text)

        def word_readings(self, text: str) -> list[str]:
            return [self.initials_of(text), self.full_pinyin(text)]

    library = load_library(write_library(tmp_path / "fixed", {"g.toml": KEYS_LIBRARY})).library
    digest = hashlib.sha1()
    for group in library.groups:
        keys = group_keys(group, Tables())
        digest.update(repr((keys.count, [bytes(text) for text in keys.texts], keys.windows, keys.blooms, keys.words)).encode())
    digest.update(repr(cached_group.PHRASE_FIELDS).encode())
    assert (cache_format.FORMAT, digest.hexdigest()) == (14, KEYS_DIGEST)


def test_blooms_and_code_order_read_back_as_computed(library_dir):
    """The cache packs each field's blooms into one block and the code order into byte planes:
    a warm load must give back exactly the filters and the code table a cold one computed."""
    from qr.index.codes import CodeTable
    from qr.index.keys import group_keys

    cold = load(library_dir)
    warm = load(library_dir)
    assert warm.reindexed == () and warm.code_table is not None
    for group in load_library(library_dir).library.groups:
        assert warm.keys[group.path].blooms == group_keys(group).blooms == cold.keys[group.path].blooms
        assert all(isinstance(bloom, bytes) and len(bloom) == 1024 for bloom in warm.keys[group.path].blooms)
    plain = PhraseIndex.from_libraries([load_library(library_dir).library]).code_table
    assert (warm.code_table.order, warm.code_table.natural) == (plain.order, plain.natural)
    assert isinstance(plain, CodeTable)


def test_code_order_planes_round_trip():
    import random
    from array import array

    rng = random.Random(3)
    for size in (0, 1, 7, 1000):
        numbers = array("i", (rng.randrange(1 << 24) for _ in range(size)))
        narrowed = cache_format._narrowed(numbers.tobytes())
        assert narrowed is not None and len(narrowed) == 3 * size
        assert cache_format._widened(narrowed) == numbers.tobytes()
    assert cache_format._narrowed(array("i", [5, 1 << 24]).tobytes()) is None  # kept only when it fits
    assert cache_format._narrowed_order(cache_format.CodeOrder(array("i", [1 << 24]).tobytes(), b"")) is None


def test_damaged_key_field_never_changes_results_and_forgets_the_cache(library_dir):
    load(library_dir)
    path = cache_file(library_dir)
    data = bytearray(path.read_bytes())
    where = bytes(data).find("物流繁忙安抚".encode())  # the first title, inside the key fields
    data[where : where + 3] = "货".encode()  # same length, same newlines: only the checksum tells
    path.write_bytes(bytes(data))
    workspace = open_workspace(library_dir)
    assert workspace.index.search("物流繁忙")[0].phrase.code == "wl1"
    assert workspace.index.damaged
    assert not path.exists()  # the next start rebuilds it
    assert open_workspace(library_dir).index.search("wlfm")[0].phrase.code == "wl1"


def test_warm_path_neither_parses_toml_nor_loads_pinyin(library_dir, monkeypatch):
    from qr.index import pinyin

    open_workspace(library_dir).index.search("wlfm")

    def refuse(*args, **kwargs):
        raise AssertionError("TOML parsed on the warm path")

    monkeypatch.setattr("tomllib.loads", refuse)
    pinyin._dictionary.cache_clear()
    workspace = open_workspace(library_dir)
    assert workspace.problems == ()
    assert workspace.index.search("wlfm")[0].phrase.code == "wl1"
    assert workspace.index.search("破损")[0].phrase.code == "wl2"
    assert pinyin._dictionary.cache_info().misses == 0


def test_cache_holds_no_order_values(capsys, library_dir):
    secret = "98765432101234"
    assert main(["--library", str(library_dir), "render", "wl1", "--set", f"order_id={secret}", "--set", "customer=王小姐"]) == 0
    assert secret in capsys.readouterr().out
    assert main(["--library", str(library_dir), "search", "物流", "--json"]) == 0
    data = cache_file(library_dir).read_bytes()
    assert data.startswith(cache_format.MAGIC)
    assert secret.encode() not in data and "王小姐".encode() not in data
    assert "物流繁忙安抚".encode() in data  # library content is what it holds


def test_cache_file_is_private_and_atomic(library_dir):
    load(library_dir)
    path = cache_file(library_dir)
    assert path.stat().st_mode & 0o077 == 0
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind


def test_stamps_still_guard_saves(library_dir):
    load(library_dir)
    library = load(library_dir).result.library
    group = library.group_by_path("logistics.toml")
    saved = save_group(library, replace(group, name="物流中心"), previous=group)
    assert saved.stamp.digest == hashlib.sha1((library_dir / "logistics.toml").read_bytes()).hexdigest()
    again = load(library_dir)
    assert again.reindexed == (Path("logistics.toml"),)
    assert again.result.library.group_by_path("logistics.toml").name == "物流中心"
