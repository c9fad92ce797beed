"""Patterns cannot hang (#14.6) and rendering refuses control characters (#14.4, render part)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import build_app, write_library

from qr.render import TemplateError, UnsafeValue, backtracks, invalid_values, pattern_matches, render
from qr.store.lint import lint
from qr.store.load import load_library
from qr.store.models import VarSpec

SETTINGS = """
name = "店"

[vars.order_id]
label = "订单号"
pattern = '^(a+)+$'

[vars.code]
label = "券码"
pattern = '^(a|aa)+$'
"""
GROUP = """
name = "组"

[[phrases]]
code = "p1"
title = "订单"
body = "订单 {order_id}"
"""


@pytest.fixture
def library(tmp_path):
    return write_library(tmp_path / "lib", {"_library.toml": SETTINGS, "g.toml": GROUP})


def test_a_backtracking_pattern_with_a_30_character_value_returns(library):
    # with the stdlib's re this runs for minutes (2^30 ways to split the a's); the child would be killed
    done = subprocess.run(
        [sys.executable, "-m", "qr", "--library", str(library), "render", "p1", "--set", "order_id=" + "a" * 30 + "!"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2 and "订单号 “aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!” does not match" in done.stderr


def test_a_pattern_that_runs_out_of_time_refuses_the_value_and_says_why():
    specs = {"code": VarSpec("code", label="券码", pattern="^(a|aa)+$")}
    assert pattern_matches("^(a|aa)+$", "a" * 40 + "!") is None
    message = invalid_values(specs, {"code": "a" * 40 + "!"})["code"]
    assert message.startswith("券码: the pattern of [vars.code] (^(a|aa)+$) took too long to check")
    assert invalid_values(specs, {"code": "aaaa"}) == {}


def test_lint_reports_backtracking_patterns_and_not_ordinary_ones(library):
    findings = [f for f in lint(load_library(library).library) if f.rule == "pattern-backtracking"]
    assert [(f.args["name"], f.line, f.severity) for f in findings] == [("order_id", 5, "warning"), ("code", 9, "warning")]
    assert "^a+$" in findings[0].message_in("en") and "回溯" in findings[0].message_in("zh")
    for safe in (r"^\d{6,24}$", r"^[A-Za-z0-9]{8,30}$", r"^1[3-9]\d{9}$", r"^(\d{3}-)?\d{4}$"):
        assert not backtracks(safe), safe


def test_only_patterns_that_cannot_run_out_of_time_skip_the_probe():
    """`backtracks` answers without the timed probe (and without importing `regex`) only for
    patterns with one variable repeat of a single character; anything else is still probed."""
    from re import _parser  # type: ignore[attr-defined]

    from qr.render import _linear

    def linear(pattern: str) -> bool:
        return _linear(_parser.parse(pattern), pattern, _parser)

    for simple in (r"^\d{6,24}$", r"[A-Z]+-\d{4}", r"^1[3-9]\d{9}$"):
        assert linear(simple) and not backtracks(simple), simple
    for probed in (r"^(a|aa)+$", r"(a+){10}", r"a*a*b", r"^(\d{3}-)?\d{4}$", r"(?:abc){e<=2}", r"(a)\1+"):
        assert not linear(probed), probed
    assert backtracks(r"^(a|aa)+$")


async def test_the_variables_form_does_not_freeze_on_a_backtracking_pattern(library):
    app = build_app(library, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/p1", "enter")
        await pilot.pause()
        await pilot.press(*("a" * 30 + "!"), "enter")
        await pilot.pause()
        errors = [str(widget.render()) for widget in app.screen.query(".form-error.-shown")]
        assert errors and "does not match" in errors[0]
        assert app.is_running


@pytest.mark.parametrize("char", ["\x1b", "\x07", "\x85", "\u202e", "\u2066", "\x7f"])
def test_rendering_refuses_control_characters_in_templates_and_values(char):
    with pytest.raises(TemplateError) as broken:
        render(f"您好{char}[2J", {})
    assert broken.value.column == 3 and f"U+{ord(char):04X}" in str(broken.value)
    with pytest.raises(UnsafeValue) as unsafe:
        render("订单 {order_id}", {"order_id": f"123{char}"})
    assert f"U+{ord(char):04X}" in str(unsafe.value) and "order_id" in str(unsafe.value)
    with pytest.raises(UnsafeValue):
        render("订单 {order_id}", {}, defaults={"order_id": f"x{char}"})
    assert invalid_values({}, {"order_id": f"1{char}"})["order_id"].startswith("order_id holds a control character")
    assert render("第一行\n\t第二行 {x}", {"x": "好"}).text == "第一行\n\t第二行 好"  # newline and tab stay


def test_render_cli_refuses_a_value_with_an_escape(library):
    done = subprocess.run(
        [sys.executable, "-m", "qr", "--library", str(library), "render", "p1", "--set", "order_id=aaa\x1b]52;c;aGk=\x07"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2 and "control character U+001B" in done.stderr and "\x1b" not in done.stdout + done.stderr
