"""Issue 16: asks and notes searched, relevance for sentences, synonyms (bundled and [synonyms] in
_library.toml), pinyin read by word, mixed pinyin + Chinese, pinyin typos, group names ranked
below titles, `qr search --explain`, and the relevance index kept beside the cache."""

from __future__ import annotations

import json

import pytest
from conftest import write_library

from qr.cli import main
from qr.index.phrase_index import PhraseIndex
from qr.store import load_library

GROUP = '''
name = "{name}"
{phrases}
'''


def phrase(code: str, title: str, body: str = "x", **fields: object) -> str:
    lines = [f'[[phrases]]\ncode = "{code}"\ntitle = "{title}"\nbody = "{body}"']
    for key, value in fields.items():
        lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def library(tmp_path):
    return write_library(tmp_path, {
        "_library.toml": 'name = "t"\n[synonyms]\n\"小样\" = [\"试用装\", \"试用\"]\n',
        "pay.toml": GROUP.format(name="付款", phrases=phrase("fk1", "银行卡付款失败", "换一种支付方式试试") + phrase("fk2", "重新付款", "订单页重新付款")),
        "refund.toml": GROUP.format(name="售后", phrases=(
            phrase("tk1", "退款到账时效", "审核通过后原路退回，1-3个工作日到账", asks=["钱什么时候退回来"])
            + phrase("th1", "退货流程", "在订单页申请售后", note="客户问怎么寄回去时用")
            + phrase("yf1", "运费险说明", "退货时运费险会自动理赔")
            + phrase("sy1", "试用装领取", "下单即送试用装一份")
        )),
        "plus-size.toml": GROUP.format(name="plus-size", phrases="".join(phrase(f"ps{n}", f"Plus model {n}", "roomy cut") for n in range(12))),
        "en.toml": GROUP.format(name="English", phrases=phrase("sz1", "Sizing guide", "tell us your height and weight")),
    })


@pytest.fixture
def index(library):
    return PhraseIndex.from_libraries([load_library(library).library])


def codes(hits, n=3):
    return [hit.phrase.code for hit in hits[:n]]


def test_pinyin_is_read_by_word_and_the_old_spelling_still_works(index):
    assert codes(index.search("yhk"), 1) == ["fk1"]
    assert codes(index.search("yinhangka"), 1) == ["fk1"]
    assert codes(index.search("yxk"), 1) == ["fk1"]  # character by character, as before
    assert codes(index.search("cxfk"), 1) == ["fk2"]
    assert codes(index.search("chongxin"), 1) == ["fk2"]


def test_mixed_pinyin_and_chinese(index):
    assert codes(index.search("tui货"), 1) == ["th1"]
    assert codes(index.search("yf险"), 1) == ["yf1"]


def test_one_letter_pinyin_typo_is_found_lower(index):
    hits = index.search("tkdzsz")  # tkdzsx with its last letter wrong
    assert codes(hits, 1) == ["tk1"]
    assert hits[0].score < 60
    assert index.search("tkdzsx")[0].score > hits[0].score


def test_asks_and_notes_are_searched(index):
    hit = index.search("什么时候退回来")[0]
    assert hit.phrase.code == "tk1"
    assert index.search("怎么寄回去")[0].phrase.code == "th1"
    assert index.search("寄回去")[0].where == "note"


def test_a_group_name_never_outranks_a_reply_that_holds_the_word(index):
    hits = index.search("size")
    assert hits[0].phrase.code == "sz1"  # "sizing" in its title, "size" in no field but its stem
    hits = index.search("height")
    assert hits[0].phrase.code == "sz1" and hits[0].where == "body"
    hits = index.search("plus")
    assert hits[0].where == "title"


def test_sentences_find_replies_by_relevance_and_synonyms(index):
    assert codes(index.search("我的退款多久能到账啊"), 1) == ["tk1"]
    assert codes(index.search("退钱要几天"), 1) == ["tk1"]  # 退钱 -> 退款 (bundled synonyms)
    assert codes(index.search("能多送几个小样吗"), 1) == ["sy1"]  # [synonyms] in _library.toml
    assert codes(index.search("what size should I order, height 170"), 1) == ["sz1"]


def test_relevance_index_is_kept_beside_the_cache_and_reused(library):
    from qr.config import cache_dir
    from qr.index import sentences

    first = PhraseIndex.from_libraries([load_library(library).library])
    first.search("我的退款多久能到账啊")
    [stored] = (cache_dir() / "index").glob("*.relevance")
    again = PhraseIndex.from_libraries([load_library(library).library])
    built = []
    original = sentences.RelevanceIndex.build if hasattr(sentences, "RelevanceIndex") else None
    from qr.index.relevance import RelevanceIndex

    real_build = RelevanceIndex.build
    RelevanceIndex.build = classmethod(lambda cls, documents: built.append(1) or real_build.__func__(cls, documents))
    try:
        assert codes(again.search("我的退款多久能到账啊"), 1) == ["tk1"]
        assert built == []  # read from the file, not rebuilt
        stored.write_bytes(b"damaged")
        third = PhraseIndex.from_libraries([load_library(library).library])
        assert codes(third.search("我的退款多久能到账啊"), 1) == ["tk1"]
        assert built == [1]  # a damaged file is rebuilt, never trusted
    finally:
        RelevanceIndex.build = real_build
    assert original is None or original is real_build


def test_relevance_file_is_found_from_the_cache_checksums_as_from_the_bytes(library):
    """A warm start names its relevance file from the CRCs the cache keeps per group, without
    reading every key byte; keys made in the process give the same identity, so a cold start and
    the warm starts after it share one file."""
    from qr.index import sentences
    from qr.workspace import open_workspace

    open_workspace(library).index  # cold: writes the cache
    warm = open_workspace(library).index
    assert warm.titles.checksums is not None  # keys read from the cache file
    made = PhraseIndex.from_libraries([load_library(library).library])
    assert made.titles.checksums is None
    assert sentences._identity(warm) == sentences._identity(made)
    changed = write_library(library, {"pay.toml": GROUP.format(name="付款", phrases=phrase("fk1", "银行卡付款失败了"))})
    assert sentences._identity(open_workspace(changed).index) != sentences._identity(warm)


def test_relevance_postings_naming_a_phrase_beyond_the_index_rank_nothing(library):
    """A stored relevance file is read without a pass over every posting (10 ms at 10,000
    phrases): the phrase numbers a query reads are checked instead, and a file whose postings
    name a phrase that is not there ranks nothing rather than showing a wrong reply or failing."""
    from qr.index.relevance import RelevanceIndex

    built = RelevanceIndex.build(
        [("退款到账时效", "钱什么时候退回来", "", "", "审核通过后原路退回"), ("退货流程", "", "", "", "在订单页申请售后")]
    )
    assert [doc for doc, _ in built.search({"退款": 1.0}, 5)] == [0]
    read = RelevanceIndex.from_bytes(built.to_bytes())
    assert read is not None and read.search({"退款": 1.0}, 5) == built.search({"退款": 1.0}, 5)
    damaged = RelevanceIndex(1, built.spans, built.postings)  # postings of 2 phrases, an index of 1
    assert damaged.search({"退货": 1.0}, 5) == []


def test_qr_search_explain(library, capsys):
    assert main(["search", "--library", str(library), "--explain", "--json", "我的退款多久能到账啊"]) == 0
    rows = json.loads(capsys.readouterr().out)
    why = rows[0]["explain"]
    assert rows[0]["code"] == "tk1" and why["tier"] == "relevance"
    terms = {item["term"]: item for item in why["terms"]}
    assert "title" in terms["退款"]["fields"] and terms["退款"]["weight"] == 1.0
    assert main(["search", "--library", str(library), "--explain", "yhk"]) == 0
    out = capsys.readouterr().out
    assert "/fk1" in out and "pinyin" in out


def test_bad_synonyms_table_is_skipped(tmp_path):
    from qr.index.synonyms import library_groups

    assert library_groups({"快递": ["物流", 3], "x": 5, "运费险": "退货险"}) == (("快递", "物流"), ("运费险", "退货险"))


def test_bad_synonyms_in_library_toml_is_a_problem_naming_the_term(tmp_path):
    root = write_library(tmp_path, {
        "_library.toml": 'name = "t"\n[synonyms]\n"快递" = ["物流", 3]\n"包邮" = ["免运费"]\n',
        "a.toml": GROUP.format(name="a", phrases=phrase("a1", "免运费说明")),
    })
    result = load_library(root)
    assert [str(problem) for problem in result.problems] == ["_library.toml:3:1: [synonyms] 快递 must be a list of strings (it is skipped)"]
    index = PhraseIndex.from_libraries([result.library])
    assert codes(index.search("你们这个包邮吗亲"), 1) == ["a1"]  # the good set still works


def test_bundled_synonyms_read_with_rtoml_are_what_tomllib_reads():
    """bundled_groups parses the data file with rtoml (quicker to import on an English query's
    relevance pass); tomllib, the reference parser, must read the same sets."""
    import tomllib
    from pathlib import Path

    import qr.index.synonyms as synonyms
    from qr.index.terms import normalise

    text = (Path(synonyms.__file__).parent / "data" / "synonyms.toml").read_text(encoding="utf-8")
    expected = tuple(tuple(normalise(word) for word in group) for group in tomllib.loads(text)["groups"])
    assert len(expected) > 20 and synonyms.bundled_groups() == expected
