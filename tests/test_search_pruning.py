"""Issue 16, speed: the tiers skip work that cannot find anything, and that never changes a result.
- A Chinese word is looked for in notes and bodies only in the phrases the relevance index lists
  under its rarest character pair (bodies have no bloom filter for Chinese: a pass over 100,000
  bodies costs ~8 ms); a pair in no phrase skips those tiers.
- A query with a word no phrase has scans nothing (`holds`)."""

from __future__ import annotations

import re
from datetime import date

import pytest

import qr.index.tiers as tiers
from qr.config import bundled_library
from qr.index.phrase_index import PhraseIndex
from qr.index.relevance import RelevanceIndex, ready_relevance
from qr.index.sentences import key_documents, prepare_relevance
from qr.index.tiers import holds, text_search
from qr.store import load_library


@pytest.fixture(scope="module")
def library():
    return load_library(bundled_library()).library


def short_chinese_queries(library) -> list[str]:
    """Pairs and triples from the bundled bodies and notes (present), and a few that are nowhere."""
    words: set[str] = set()
    for _, phrase in library.phrases():
        for run in re.findall(r"[\u4e00-\u9fff]{2,}", phrase.body + phrase.note):
            words.update({run[:2], run[-3:]})
    return [*sorted(words)[::7], "收货了吗", "锟斤拷", "亲亲", "发票 锟斤", "退款 发票", "物流 破损",
            "发票怎么开？", "退款 锟斤拷。", "亲，发票", "运费险 怎么赔？x", "refund 发票"]


def ranked(index: PhraseIndex, query: str) -> list[tuple[int, float, str]]:
    return [(hit.index, hit.score, hit.where) for hit in index.search(query, limit=20)]


def test_pruning_by_the_relevance_index_never_changes_a_result(library, monkeypatch):
    queries = short_chinese_queries(library)
    assert len(queries) > 100
    index = PhraseIndex.from_libraries([library])
    prepare_relevance(index)
    assert ready_relevance(index) is not None
    pruned = {query: ranked(index, query) for query in queries}
    monkeypatch.setattr(tiers, "_relevance_holders", lambda index, token: None)  # scan every note and body
    assert {query: ranked(index, query) for query in queries} == pruned
    assert sum(any(hit[2] in ("body", "note") for hit in hits) for hits in pruned.values()) > 100


def test_holders_lists_every_phrase_that_holds_a_chinese_word(library):
    index = PhraseIndex.from_libraries([library])
    relevance = RelevanceIndex.build(key_documents(index))
    for word in ("发票", "退款", "运费险", "签收了"):
        holders = relevance.holders(word)
        assert holders is not None and holders == sorted(holders)
        holding = [
            found for found in range(len(index))
            if any(word in index.value(column, found) for column in (index.titles, index.notes, index.bodies))
        ]
        assert set(holding) <= set(holders)
    assert relevance.holders("锟斤拷") == []
    assert set(relevance.holders("发票？ok") or ()) >= set(relevance.holders("发票") or ()) > set()  # punctuation, letters
    assert relevance.holders("了吗") is None  # only particles: no pair to look up


def test_a_query_with_a_word_no_phrase_has_finds_nothing_in_the_tiers(library):
    index = PhraseIndex.from_libraries([library])
    assert holds(index, "退款") and holds(index, "refund") and not holds(index, "qqzx")
    today = date(2026, 1, 1)
    assert text_search(index, ["退款"], 20, today, {}, typos=False)
    assert text_search(index, ["退款", "qqzx"], 20, today, {}, typos=False) == {}
