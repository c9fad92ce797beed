"""Templates: placeholders, fallbacks, escapes, positioned errors, precedence, literal values."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qr.render import Placeholder, TemplateError, bare_names, builtin_values, invalid_values, parse, render, variable_names
from qr.store.models import VarSpec


def test_placeholders_fallbacks_and_escapes():
    rendered = render("亲爱的{customer|亲}，订单{order_id}，{{不是变量}}，{客户}", {"order_id": "123456", "客户": "张三"})
    assert rendered.text == "亲爱的亲，订单123456，{不是变量}，张三"
    assert rendered.missing == ()
    assert variable_names("{a}{b|x}{a}") == ["a", "b"]


def test_precedence_given_fallback_default_builtin():
    template = "{x|fb} {y} {shop}"
    defaults = {"x": "def", "y": "def-y", "shop": "库默认"}
    builtins = {"shop": "内置"}
    assert render(template, {"x": "given"}, defaults=defaults, builtins=builtins).text == "given def-y 库默认"
    assert render(template, {}, defaults=defaults, builtins=builtins).text == "fb def-y 库默认"
    assert render("{shop}", {}, builtins=builtins).text == "内置"


def test_missing_are_all_named_once():
    rendered = render("{a} {b} {a}")
    assert rendered.missing == ("a", "b")
    assert rendered.text == "{a} {b} {a}"
    assert [s.kind for s in rendered.segments if s.name] == ["missing", "missing", "missing"]


@pytest.mark.parametrize(
    "template, offset, line, column",
    [("ab{", 2, 1, 3), ("a}", 1, 1, 2), ("{}", 0, 1, 1), ("x\n{1x}", 2, 2, 1), ("{name", 0, 1, 1), ("{a{b}", 0, 1, 1)],
)
def test_template_errors_have_positions(template, offset, line, column):
    with pytest.raises(TemplateError) as caught:
        parse(template)
    assert (caught.value.offset, caught.value.line, caught.value.column) == (offset, line, column)


def test_builtins_weekday_in_phrase_language():
    monday = datetime(2026, 11, 23, 9, 5)
    assert builtin_values(lang="zh", now=monday)["weekday"] == "星期一"
    values = builtin_values(lang="en", agent="小王", now=monday)
    assert values["weekday"] == "Monday" and values["today"] == "2026-11-23" and values["now"] == "09:05"
    assert values["agent"] == "小王"


def test_pattern_validation():
    specs = {"order_id": VarSpec("order_id", label="订单号", pattern=r"^\d{6,24}$")}
    assert invalid_values(specs, {"order_id": "123456"}) == {}
    problems = invalid_values(specs, {"order_id": "12ab"})
    assert "订单号" in problems["order_id"]


text = st.text(alphabet=st.sampled_from(list("ab{}|_ \n中文1")) | st.characters(), max_size=40)


@given(text)
def test_any_text_parses_or_gives_positioned_error(template):
    try:
        parts = parse(template)
    except TemplateError as error:
        assert 0 <= error.offset < len(template)
        assert template[error.offset] in "{}"
        assert error.line == template.count("\n", 0, error.offset) + 1
    else:
        assert isinstance(parts, tuple)


# pieces that make well-formed templates often (bare_names' fast path) and broken ones sometimes
PIECES = st.sampled_from(["{a}", "{order_id}", "{b|x}", "{c|}", "{客户}", "{{", "}}", "{", "}", "{}", "{1a}", "{a b}", "|", "中文", "x", "\n", "{a|{b}}"])
TEMPLATES = st.lists(PIECES | text, max_size=8).map("".join)


def _outcome(function, template):
    try:
        return "names", function(template)
    except TemplateError as error:
        return "error", str(error), error.offset, error.line, error.column


@given(TEMPLATES)
def test_bare_names_is_what_parse_says(template):
    def from_parse(template):
        return [part.name for part in parse(template) if isinstance(part, Placeholder) and part.fallback is None]

    assert _outcome(bare_names, template) == _outcome(from_parse, template)


def test_bare_names_examples():
    assert bare_names("") == [] and bare_names("没有变量") == []
    assert bare_names("亲{customer|亲}，订单{order_id}，再说一次{order_id}") == ["order_id", "order_id"]
    assert bare_names("{{order_id}} {客户} {x|}") == ["客户"]  # escapes, a non-ASCII name, an empty fallback
    with pytest.raises(TemplateError) as caught:
        bare_names("订单{order id}")
    assert caught.value.offset == 2


# what a reply may hold: anything but control characters (rendering refuses those), newline and tab kept
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
SENDABLE = st.one_of(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters=BIDI), st.sampled_from("\n\t"))


@given(st.text(alphabet=SENDABLE, max_size=30))
def test_values_are_inserted_literally(value):
    assert render("<{v}>", {"v": value}).text == (f"<{value}>" if value else "<{v}>")


@given(st.text(alphabet=SENDABLE.filter(lambda char: char not in "{}"), max_size=40))
def test_text_without_braces_renders_unchanged(template):
    assert render(template).text == template
