"""The bundled library a lead would adopt on day one: size, notes, asks, no baked-in durations,
and lint clean (no errors, no warnings) with and without the real 194-term list."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest
from conftest import TESTDATA

from qr.config import bundled_library
from qr.render import Placeholder, parse
from qr.store import load_library
from qr.store.lint import lint

# A date inside the bundled 大促 windows' year: lint says "expired" once a window has passed,
# which is the point of a window; the library is checked as of a day when none has.
TODAY = date(2026, 12, 1)
REAL_LIST = TESTDATA / "forbidden" / "es3344520_advertising-limit-words_违禁词.txt"
# a digit, then a time unit: a duration stated as a fixed fact
DURATION = re.compile(r"\d\s*(?:个)?(?:天|小时|工作日|分钟|周|个月|月内|日内|days?|hours?|business days?|working days?|minutes?|weeks?|months?)", re.IGNORECASE)


@pytest.fixture(scope="module")
def bundled():
    result = load_library(bundled_library())
    assert result.problems == ()
    return result.library


def test_size_groups_and_languages(bundled):
    phrases = [phrase for _, phrase in bundled.phrases()]
    assert len(phrases) >= 150
    assert len(bundled.groups) >= 12
    assert {phrase.lang for phrase in phrases} == {"zh", "en"}
    assert sum(phrase.lang == "en" for phrase in phrases) >= 20


def test_every_phrase_has_a_code_of_one_scheme_a_note_and_asks(bundled):
    scheme = re.compile(r"^([a-z]{2})\d+$")
    prefixes: dict[str, str] = {}
    for group, phrase in bundled.phrases():
        assert phrase.code and scheme.match(phrase.code), phrase.code
        # one prefix per group, and a group's prefix is its own
        prefix = scheme.match(phrase.code)[1]
        assert prefixes.setdefault(prefix, group.name) == group.name, phrase.code
        assert len(phrase.note) >= 15, phrase.code
        assert 3 <= len(phrase.asks) <= 6, phrase.code
        has_han = [bool(re.search(r"[\u4e00-\u9fff]", ask)) for ask in phrase.asks]
        if phrase.lang == "en":
            assert not any(has_han), phrase.code
        else:
            assert sum(has_han) >= len(phrase.asks) - 1, phrase.code  # a "hello" among Chinese asks is real


def test_no_body_states_a_duration_outside_a_placeholder(bundled):
    for _, phrase in bundled.phrases():
        literal = "".join(part for part in parse(phrase.body) if not isinstance(part, Placeholder))
        assert DURATION.search(literal) is None, (phrase.code, DURATION.search(literal))


def test_shop_facts_are_declared_variables_with_labels_and_hints(bundled):
    for name in ("ship_time", "delivery_time", "reply_time", "invoice_time", "return_address", "freight_rule", "return_freight", "refund_time"):
        spec = bundled.vars[name]
        assert spec.label and spec.hint, name
    assert all(spec.label and spec.hint for spec in bundled.vars.values())
    used = {part.name for _, phrase in bundled.phrases() for part in parse(phrase.body) if isinstance(part, Placeholder)}
    assert {"ship_time", "delivery_time", "reply_time", "invoice_time", "return_address", "freight_rule"} <= used


def test_campaign_phrases_carry_validity_windows(bundled):
    windowed = [phrase for _, phrase in bundled.phrases() if phrase.valid_from and phrase.valid_until]
    assert len(windowed) >= 4
    assert all(phrase.valid_from <= phrase.valid_until for phrase in windowed)


def not_clean(findings):
    return [(f.file.as_posix(), f.line, f.rule, f.message) for f in findings if f.severity in ("error", "warning")]


def test_lint_clean(bundled):
    findings = lint(bundled, today=TODAY)
    assert not_clean(findings) == []
    assert [f for f in findings if f.rule == "duplicate-ask"] == []


def test_lint_clean_with_the_real_list(tmp_path):
    if not REAL_LIST.is_file():
        pytest.skip("the shared test data (shared/testdata) is not present")
    root = tmp_path / "bundled"
    shutil.copytree(bundled_library(), root, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    shutil.copyfile(REAL_LIST, root / "words.txt")
    with (root / "_library.toml").open("a", encoding="utf-8") as settings:
        settings.write('\n[rules]\nfiles = ["words.txt"]\n')
    result = load_library(root)
    assert result.problems == ()
    assert not_clean(lint(result.library, result.problems, today=TODAY)) == []
