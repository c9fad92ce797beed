"""`prepare`: which spaces and dots go (加 微 信, v x) and which stay (best price, 1-3天), checked
against the plain per-run rule it implements with one expression."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qr.store.textprep import FILLERS, fold, is_cjk, prepare


def _alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _lone_letter(text: str, start: int, end: int) -> bool:
    return end - start == 1 and text[start].isascii() and text[start].isalpha()


def droppable(text: str, start: int, end: int) -> bool:
    """The rule, run by run: between Chinese characters, between a Chinese character and a letter
    or digit, or between two lone letters; never at either end, never between English words."""
    if start == 0 or end == len(text):
        return False
    before, after = text[start - 1], text[end]
    if is_cjk(before) and (is_cjk(after) or _alnum(after)):
        return True
    if is_cjk(after) and _alnum(before):
        return True
    if not (_alnum(before) and _alnum(after)):
        return False
    word_start = start - 1
    while word_start > 0 and _alnum(text[word_start - 1]):
        word_start -= 1
    word_end = end + 1
    while word_end < len(text) and _alnum(text[word_end]):
        word_end += 1
    return _lone_letter(text, word_start, start) and _lone_letter(text, end, word_end)


def reference(text: str) -> tuple[str, list[int]]:
    folded = fold(text)
    kept: list[int] = []
    index = 0
    while index < len(folded):
        if folded[index] in FILLERS:
            end = index
            while end < len(folded) and folded[end] in FILLERS:
                end += 1
            if not droppable(folded, index, end):
                kept.extend(range(index, end))
            index = end
        else:
            kept.append(index)
            index += 1
    return "".join(folded[i] for i in kept), kept


def prepared(text: str) -> tuple[str, list[int]]:
    result = prepare(text)
    return result.text, list(result.offsets) if result.offsets is not None else list(range(len(text)))


def test_the_cases_the_rules_rely_on():
    assert prepare("加 微 信").text == "加微信"
    assert prepare("加.V.x").text == "加vx"
    assert prepare("加 V x").text == "加vx"
    assert prepare("Ｖ x 号").text == "vx号"
    assert prepare("the best price").text == "the best price"
    assert prepare("1-3天").text == "1-3天"
    assert prepare("a b c").text == "abc" and prepare("ab c").text == "ab c"
    assert prepare(" 加微信 ").text == " 加微信 "
    weixin = prepare("请加 微·信, ok")
    assert weixin.text == "请加微信, ok" and weixin.span(2, 4) == (3, 6)


ALPHABET = "加微信最好abvxAZ019 .·_-~/\\'\"\t*^`" + "\u3000\uff36\u200b"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=24))
def test_prepare_drops_exactly_what_the_rule_says(text):
    assert prepared(text) == reference(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="abvxAZ019 .·_-~/\\'\"\t*^`", max_size=24))
def test_prepare_of_ascii_text_drops_exactly_what_the_rule_says(text):
    assert prepared(text) == reference(text)


def test_runs_between_several_lone_letters_all_go():
    assert prepare("add v x y now").text == "add vxy now" == reference("add v x y now")[0]
    assert prepare("w.x-y z9").text == "wxy z9"
