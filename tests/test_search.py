"""The index: code tiers in natural order, text, pinyin, fuzzy, windows, highlights, 10k scale."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import write_library
from generate import generate

from qr.index.codes import natural_key
from qr.index.phrase_index import PhraseIndex
from qr.index.spans import match_spans, title_spans
from qr.store import load_library


@pytest.fixture
def index(library_dir):
    return PhraseIndex.from_libraries([load_library(library_dir).library])


def codes(hits):
    return [hit.phrase.code for hit in hits]


def test_code_query_exact_then_natural_prefix(index):
    assert codes(index.search("/wl1")) [:2] == ["wl1", "wl10"]
    assert codes(index.search("/wl")) == ["wl1", "wl2", "wl10"]
    assert index.search("/WL2")[0].score == 100
    assert natural_key("wl2") < natural_key("wl10")


def test_code_query_close_codes(index):
    hits = index.search("/wk1")
    assert "wl1" in codes(hits)
    assert all(hit.score < 90 for hit in hits)


def test_code_prefix_with_text(index):
    assert codes(index.search("/wl 破损")) == ["wl2"]
    assert codes(index.search("/en 破损")) == []


def test_text_title_outranks_body(tmp_path):
    root = write_library(tmp_path, {
        "a.toml": 'name = "A"\n[[phrases]]\ncode = "b1"\ntitle = "其他"\nbody = "这里提到退款"\n'
        '[[phrases]]\ncode = "t1"\ntitle = "退款进度"\nbody = "x"\n',
    })
    index = PhraseIndex.from_libraries([load_library(root).library])
    hits = index.search("退款")
    assert codes(hits) == ["t1", "b1"]
    assert hits[0].where == "title" and hits[1].where == "body"


def test_pinyin_full_and_initials(index):
    assert codes(index.search("wlfm"))[0] == "wl1"
    assert codes(index.search("wuliu"))[0] == "wl1"
    assert codes(index.search("ps"))[0] == "wl2"  # 破损 via initials


def test_english_words_and_typo(index):
    assert codes(index.search("shipping delay")) == ["en1"]
    assert codes(index.search("shiping dleay"))[:1] == ["en1"]


def test_validity_window_hides_phrase(tmp_path):
    root = write_library(tmp_path, {
        "p.toml": 'name = "P"\n[[phrases]]\ncode = "p1"\ntitle = "大促"\nbody = "x"\nvalid_from = 2026-06-01\nvalid_until = 2026-06-20\n',
    })
    index = PhraseIndex.from_libraries([load_library(root).library])
    assert codes(index.search("/p1", today=date(2026, 6, 2))) == ["p1"]
    assert codes(index.search("/p1", today=date(2026, 7, 1))) == []
    assert codes(index.search("大促", today=date(2026, 7, 1))) == []
    assert codes(index.search("", today=date(2026, 7, 1))) == []
    # by_code: any day unless one is given, then only inside the window (both edges included)
    assert index.by_code("p1").phrase.title == "大促"
    assert index.by_code("p1", today=date(2026, 6, 1)).phrase.code == "p1"
    assert index.by_code("p1", today=date(2026, 6, 20)).phrase.code == "p1"
    assert index.by_code("p1", today=date(2026, 5, 31)) is None
    assert index.by_code("p1", today=date(2026, 6, 21)) is None


def test_empty_query_lists_library_with_usage_first(index):
    assert codes(index.search("")) == ["wl1", "wl2", "wl10", "en1"]
    assert codes(index.search("", usage={"en1": 5.0}))[0] == "en1"


def test_usage_breaks_ties(index):
    assert codes(index.search("/wl", usage={"wl10": 3.0}))[:1] == ["wl1"]  # exact/natural order is not a tie
    hits = index.search("破损 ", usage={})
    assert codes(hits) == ["wl2"]


def test_highlight_spans(index):
    assert match_spans("物流繁忙安抚", "繁忙") == [(2, 4)]
    hit = index.search("wlfm")[0]
    assert title_spans(index, hit, "wlfm") == [(0, 4)]
    assert match_spans("Shipping delay", "DELAY ship") == [(0, 4), (9, 14)]


def test_by_code_and_suggestions(index):
    assert index.by_code("/WL10").phrase.title == "催签收"
    assert index.by_code("zz9") is None
    assert "wl1" in index.suggest_codes("wl")


def test_ten_thousand_phrases(tmp_path):
    root = generate(10_000, tmp_path / "lib10k")
    result = load_library(root)
    assert result.problems == ()
    index = PhraseIndex.from_libraries([result.library])
    assert len(index) == 10_000
    assert codes(index.search("/wl1"))[0] == "wl1"
    assert codes(index.search("/wl"))[:3] == ["wl1", "wl2", "wl3"]
    assert index.search("物流繁忙")[0].phrase.title.startswith("物流繁忙")
    assert index.search("wlfm")[0].phrase.title.startswith("物流繁忙")
    assert index.search("refund timeline")[0].phrase.title.startswith("Refund timeline")
    assert index.search("refnd timelin")[0].phrase.title.lower().startswith("refund")
    assert len(index.search("亲", limit=50)) == 50


def _tiers(index, query, limit, usage):
    """The tiers' own hits (without the relevance hits `qr.index.sentences` blends in)."""
    from qr.index.tiers import text_search

    return index._rank(text_search(index, query.lower().split(), limit, date.today(), usage), limit, usage)


def _reference(index, query, limit, usage):
    """Every phrase scored, no tier stopping early: what the tiered search must equal."""
    tokens = query.lower().split()
    scored = {i: s for i in range(len(index)) if (s := index.token_score(i, tokens)) is not None}
    order = sorted(scored, key=lambda i: (-scored[i][0], -usage.get(index.code_of(i), 0.0), i))
    return [(i, scored[i][0]) for i in order[:limit]]


@pytest.mark.parametrize("limit", [1, 7, 50])
def test_tiers_that_stop_early_equal_scoring_everything(tmp_path, limit):
    library = load_library(generate(2100, tmp_path / "lib")).library
    index = PhraseIndex.from_libraries([library])
    used = {"sh290": 5.0, "wl7": 2.0, "en3": 1.0, "cf150": 9.0}
    queries = ["物流", "退款 进度", "进度 退款", "wl1 物流", "wl", "wlfm", "tk", "refund timeline", "timeline refund",
               "亲", "亲 物流 繁忙", "delay", "sh1", "运费", "ps", "en 2", "物流 物流", "退 退款", "shipping"]
    for query in queries:
        for usage in ({}, used):
            hits = [(hit.index, hit.score) for hit in _tiers(index, query, limit, usage) if hit.where != "fuzzy"]
            expected = [(i, round(score, 1)) for i, score in _reference(index, query, limit, usage)]
            assert hits == expected[: len(hits)] and len(hits) == len(expected), (query, usage)


def test_equal_scores_found_in_a_later_tier_keep_library_order(tmp_path):
    """Two words score at most 94 (inside the title): a title that only contains them, earlier in
    the library, must still come before the many titles that start with one of them."""
    phrases = '[[phrases]]\ncode = "a0"\ntitle = "查看进度与退款"\nbody = "x"\n' + "".join(
        f'[[phrases]]\ncode = "a{n}"\ntitle = "退款进度{n}"\nbody = "x"\n' for n in range(1, 12)
    )
    root = write_library(tmp_path, {"a.toml": 'name = "A"\n' + phrases})
    index = PhraseIndex.from_libraries([load_library(root).library])
    for query in ("退款 进度", "进度 退款"):
        assert codes(index.search(query, limit=3)) == ["a0", "a1", "a2"]
        assert [(h.index, h.score) for h in _tiers(index, query, 3, {})] == [
            (i, round(s, 1)) for i, s in _reference(index, query, 3, {})
        ]


def test_body_is_searched_as_sent_not_by_placeholder_names(tmp_path):
    root = write_library(tmp_path, {
        "_library.toml": '[vars.refund_days]\nlabel = "天数"\n',
        "a.toml": 'name = "A"\n[[phrases]]\ncode = "a1"\ntitle = "到账"\nbody = "预计{refund_days}天到账"\n'
        '[[phrases]]\ncode = "a2"\ntitle = "称呼"\nbody = "{customer|dear buyer}, hello {{literal}}"\n',
    })
    index = PhraseIndex.from_libraries([load_library(root).library])
    assert codes(index.search("refund")) == []
    assert codes(index.search("dear buyer")) == ["a2"]
    assert codes(index.search("{literal}")) == ["a2"]


def test_bloom_fast_path_for_ascii_sets_the_same_bits():
    """bloom_of reads ASCII text through a pair table (C speed); the bits must be those of the
    per-character rule, or a cached bloom and a query's bits would disagree."""
    import random
    from itertools import pairwise

    from qr.index.fields import BLOOM_BITS, SEP, _bit, bloom_bits, bloom_of

    def reference(text: str) -> int:
        text = "\n".join(dict.fromkeys(text.replace(SEP, "\n").split("\n")))
        bits = 0
        for first, second in set(pairwise(text)):
            bits |= 1 << _bit(first, second, 2)
        for char in set(text):
            bits |= 1 << _bit(char, char, 1)
        return bits

    def bloom(text: str) -> int:  # bytes, bit b = bit b & 7 of byte b >> 3
        found = bloom_of(text)
        assert len(found) == BLOOM_BITS // 8
        return int.from_bytes(found, "little")

    rng = random.Random(5)
    for _ in range(500):
        text = "".join(rng.choice("ab\n\x1f\0xyz09 -~") for _ in range(rng.randrange(0, 60)))
        assert bloom(text) == reference(text), repr(text)
        assert bloom(text + "物流") == reference(text + "物流")
        token = text.replace("\n", "").replace(SEP, "")[:5]
        if token:
            assert bloom(text) & bloom_bits(token) == bloom_bits(token) or token not in text
    assert BLOOM_BITS == 8192


def test_code_table_after_an_edit_is_updated_not_rebuilt_and_equals_a_full_build(tmp_path):
    """After an edit the new index takes over the old code table, updated for the changed
    groups only (no sort of every code on the first `/code` query); it must equal a full build,
    ties (a code in two groups) included."""
    import random

    from qr.index.codes import CodeTable
    from qr.index.reindex import updated_index
    from qr.record import replace
    from qr.store.models import Phrase

    library = load_library(generate(600, tmp_path / "lib", group_size=40)).library
    index = PhraseIndex.from_libraries([library])
    index.search("/a")  # the old table is built
    rng = random.Random(3)
    codes = [phrase.code for _, phrase in library.phrases() if phrase.code]
    for _ in range(12):
        groups = list(library.groups)
        position = rng.randrange(len(groups))
        group = groups[position]
        phrases = list(group.phrases)
        action = rng.randrange(3)
        if action == 0 and phrases:
            del phrases[rng.randrange(len(phrases))]
        elif action == 1:
            phrases.insert(rng.randrange(len(phrases) + 1), Phrase(title="新", body="x", code=rng.choice([*codes, "zz9", "a10", "a2"])))
        elif phrases:
            k = rng.randrange(len(phrases))
            phrases[k] = replace(phrases[k], code=rng.choice([*codes, None, "wl10"]))
        groups[position] = replace(group, phrases=tuple(phrases))
        library = replace(library, groups=tuple(groups))
        index = updated_index(index, [library])
        carried = index._code_table
        assert carried is not None  # updated, not left for the first /code query
        full = CodeTable.build([index.code_of(i) for i in range(len(index))])
        assert list(carried.order) == list(full.order)
        assert list(carried.natural) == list(full.natural)


def _close_codes_with_rapidfuzz(codes, prefix: str, limit: int) -> list[tuple[int, float]]:
    """close_codes as it was written with rapidfuzz (the reference for the version without it)."""
    from bisect import bisect_left

    from rapidfuzz import fuzz, process

    from qr.index.codes import CLOSE_CODES

    low, high = codes.prefixed(prefix[0])
    if high - low > CLOSE_CODES:
        middle = bisect_left(codes, prefix, low, high)
        low = max(low, min(middle - CLOSE_CODES // 2, high - CLOSE_CODES))
        high = low + CLOSE_CODES
    candidates = {index: codes.code_of(index) for index in codes.order[low:high]}
    close = process.extract(prefix, candidates, scorer=fuzz.ratio, score_cutoff=60, limit=limit)
    return [(index, similarity) for _, similarity, index in sorted(close, key=lambda item: (-item[1], item[2]))]


def test_close_codes_rank_as_rapidfuzz_ratio_does():
    """close_codes computes fuzz.ratio itself (a `/code` query need not import rapidfuzz): the
    same scores, the same cut-off at 60 and the same picks among equal scores, on random tables
    (many ties: short codes from few characters, some over CLOSE_CODES sharing a first letter)."""
    import random

    from rapidfuzz import fuzz

    from qr.index.codes import CodeTable, SortedCodes, close_codes, ratio

    rng = random.Random(7)
    for _ in range(2000):
        a = "".join(rng.choice("ab1-.") for _ in range(rng.randint(0, 8)))
        b = "".join(rng.choice("ab1-.") for _ in range(rng.randint(0, 8)))
        assert ratio(a, b) == fuzz.ratio(a, b), (a, b)
    for size in (5, 60, 3000):
        codes = [rng.choice(("", *(f"{rng.choice('wsw')}{rng.choice('lhl')}{rng.randint(0, 40)}" for _ in range(3)))) for _ in range(size)]
        table = CodeTable.build(codes)
        sorted_codes = SortedCodes(table.order, codes.__getitem__)
        for prefix in ("wl1", "wl12", "sh3", "w", "wx9", "sl40", "hl"):
            for limit in (1, 5, 40):
                assert close_codes(sorted_codes, prefix, limit) == _close_codes_with_rapidfuzz(sorted_codes, prefix, limit)
