"""The pinyin tables file: what the keys need of pypinyin's data, kept in the cache folder across
runs and qr versions, keyed by pypinyin's data files, never trusted."""

from __future__ import annotations

import pytest

from qr.index import pinyin
from qr.index.cache import load_cached

TEXTS = ["银行卡", "重新发货", "了解一下", "物流繁忙", "行李箱", "长期合作", "快递单号", "还款", "ABC 行"]


def _readings() -> list[tuple[str, str, str, str]]:
    tables = pinyin.PinyinTables()
    return [tables.title_readings(text) for text in TEXTS]


@pytest.fixture
def fresh():
    pinyin._dictionary.cache_clear()
    pinyin.flush_tables(write=False)
    yield
    pinyin._dictionary.cache_clear()
    pinyin.flush_tables(write=False)


def _tables_files():
    from qr.config import cache_dir

    return sorted((cache_dir() / "pinyin").glob("*.tables"))


def test_tables_file_gives_the_readings_pypinyin_gives(fresh, monkeypatch):
    from_pypinyin = _readings()
    assert from_pypinyin[0][:2] == ("yhk", "yinhangka") and from_pypinyin[1][1] == "chongxinfahuo"
    assert pinyin.tables_due() and not _tables_files()
    pinyin.flush_tables()
    assert not pinyin.tables_due() and len(_tables_files()) == 1

    pinyin._dictionary.cache_clear()

    def refuse(name):
        raise AssertionError("pypinyin's data read although the tables file is there")

    monkeypatch.setattr(pinyin, "_load_json", refuse)
    assert _readings() == from_pypinyin
    assert not pinyin.tables_due()


def test_damaged_or_foreign_tables_file_is_rebuilt(fresh):
    expected = _readings()
    pinyin.flush_tables()
    (path,) = _tables_files()
    data = bytearray(path.read_bytes())
    where = bytes(data).find(b"yin hang")
    assert where > 0
    data[where : where + 8] = b"yin xing"  # same length: only the CRC tells
    path.write_bytes(bytes(data))
    pinyin._dictionary.cache_clear()
    assert _readings() == expected
    assert pinyin.tables_due()  # read from pypinyin again, the file is due again
    path.write_bytes(b"not a tables file")
    pinyin._dictionary.cache_clear()
    assert _readings() == expected


def test_tables_are_keyed_by_the_pypinyin_data(fresh, monkeypatch):
    pinyin._dictionary()
    pinyin.flush_tables()
    signature = pinyin.dictionary_signature()
    assert signature is not None and [stamp[0].rsplit("/", 1)[1] for stamp in signature] == list(pinyin.DATA_FILES)
    changed = ((signature[0][0], signature[0][1], signature[0][2] + 1), signature[1])  # pypinyin upgraded
    monkeypatch.setattr(pinyin, "dictionary_signature", lambda: changed)
    pinyin._dictionary.cache_clear()
    pinyin._dictionary()
    assert pinyin.tables_due()  # not the old file: it was written for other data
    pinyin.flush_tables()
    assert len(_tables_files()) == 2


def test_cold_load_writes_the_tables_and_the_next_cold_load_uses_them(fresh, library_dir, monkeypatch):
    first = load_cached(library_dir)
    assert len(_tables_files()) == 1 and not pinyin.tables_due()
    first.forget()  # the index cache is gone (an upgrade that changed its format, a pull ...)
    pinyin._dictionary.cache_clear()
    monkeypatch.setattr(pinyin, "_load_json", lambda name: pytest.fail("pypinyin's data read"))
    again = load_cached(library_dir)
    assert len(again.reindexed) == len(first.reindexed) > 0
    assert again.keys == first.keys
