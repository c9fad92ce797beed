"""`asks` (example buyer questions) and `[vars.X].hint` in the file format: load, validation,
save round trip, the duplicate-ask lint note, the browser and the editor."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from conftest import write_library
from textual.widgets import Input, Static

from qr.app import make_app
from qr.clipboard import MemoryClipboard
from qr.render import invalid_values
from qr.store import load_library
from qr.store.lint import lint
from qr.store.save import dumps_group
from qr.workspace import open_workspace

SETTINGS = """
name = "t"

[vars.order_id]
label = "订单号"
pattern = '^\\d{6,24}$'
hint = "6-24 位数字"

[vars.courier]
label = "快递公司"
"""

GROUP = '''
name = "物流"

[[phrases]]
code = "wl1"
title = "物流繁忙安抚"
body = "{customer|亲}，快递量比较大，我这边在跟进。"
asks = ["我的快递怎么还没到", "  物流怎么一直不动\\n呀 ", "", "我的快递怎么还没到"]

[[phrases]]
code = "wl2"
title = "物流停滞跟进"
body = "{customer|亲}，我去问一下快递。"
asks = ["物流怎么一直不动呀？", "轨迹好几天没更新"]

[[phrases]]
code = "wl3"
title = "无问法"
body = "好的"
'''


def library_at(tmp_path, group=GROUP, settings=SETTINGS):
    return write_library(tmp_path / "lib", {"_library.toml": settings, "g.toml": group})


def test_asks_load_cleaned_and_hint_is_read(tmp_path):
    result = load_library(library_at(tmp_path))
    assert result.problems == ()
    library = result.library
    assert library.find_code("wl1")[1].asks == ("我的快递怎么还没到", "物流怎么一直不动 呀")
    assert library.find_code("wl3")[1].asks == ()
    assert library.find_code("wl1")[1].extra == {}  # a known key, not an unknown one
    assert library.vars["order_id"].hint == "6-24 位数字"
    assert library.vars["courier"].hint == ""


def test_asks_that_are_not_a_list_of_strings_name_the_line(tmp_path):
    group = 'name = "g"\n\n[[phrases]]\ncode = "a1"\ntitle = "t"\nbody = "b"\nasks = "怎么退"\n'
    result = load_library(library_at(tmp_path, group=group))
    [problem] = result.problems
    assert (problem.file, problem.line) == (Path("g.toml"), 7)
    assert "`asks` must be a list of strings" in str(problem.message)
    group = group.replace('asks = "怎么退"', "asks = [1, 2]")
    [problem] = load_library(library_at(tmp_path / "again", group=group)).problems
    assert problem.line == 7 and "asks" in str(problem.message)


def test_a_hint_that_is_not_a_string_is_a_problem_and_the_rest_loads(tmp_path):
    settings = SETTINGS.replace('hint = "6-24 位数字"', "hint = 6")
    result = load_library(library_at(tmp_path, settings=settings))
    assert [str(p.message) for p in result.problems] == ["[vars.order_id] hint must be a string"]
    assert result.library.vars["order_id"].pattern == r"^\d{6,24}$"
    assert len(list(result.library.phrases())) == 3


def test_a_refused_value_shows_the_hint_instead_of_the_pattern(tmp_path):
    library = load_library(library_at(tmp_path)).library
    message = invalid_values(library.vars, {"order_id": "12ab"})["order_id"]
    assert "6-24 位数字" in message and "\\d" not in message
    without_hint = load_library(library_at(tmp_path / "b", settings=SETTINGS.replace('hint = "6-24 位数字"\n', ""))).library
    # no hint: a simple pattern is described in words (#18.5), never shown as the raw regex
    message = invalid_values(without_hint.vars, {"order_id": "12ab"})["order_id"]
    assert "6-24" in message and r"^\d{6,24}$" not in message


def test_asks_survive_a_save_round_trip(tmp_path):
    library = load_library(library_at(tmp_path)).library
    group = library.groups[0]
    text = dumps_group(group)
    assert 'asks = [\n    "我的快递怎么还没到",' in text or 'asks = ["我的快递怎么还没到",' in text
    (tmp_path / "lib" / "g.toml").write_text(text, encoding="utf-8")
    again = load_library(tmp_path / "lib").library.groups[0]
    assert [p.asks for p in again.phrases] == [p.asks for p in group.phrases]
    assert "asks" not in dumps_group(again).split("wl3")[1]  # a phrase without asks writes none


def test_the_same_ask_on_two_phrases_is_a_note(tmp_path):
    findings = [f for f in lint(load_library(library_at(tmp_path)).library) if f.rule == "duplicate-ask"]
    assert sorted((f.code, f.severity) for f in findings) == [("wl1", "info"), ("wl2", "info")]
    assert all("/wl1, /wl2" in f.message for f in findings)
    # asks are buyers' words: a forbidden or absolute term in one is not flagged
    group = 'name = "g"\n\n[[phrases]]\ncode = "a1"\ntitle = "t"\nbody = "b"\nasks = ["是不是全网最低价", "你问我我问谁"]\n'
    rules = {f.rule for f in lint(load_library(library_at(tmp_path / "c", group=group)).library)}
    assert rules.isdisjoint({"forbidden", "ad-law", "duplicate-ask"})


def build(root):
    now = datetime(2026, 11, 25, 10, 30)
    return make_app(open_workspace(root), clipboard=MemoryClipboard(), now=lambda: now, cursor_blink=False, ui_lang="en", watch_library=False)


async def test_the_browser_shows_asks(tmp_path):
    app = build(library_at(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2", "ctrl+f", *"/wl2", "enter")
        await pilot.pause()
        detail = str(app.screen.query_one("#browser-phrase", Static).render())
        assert "Buyers ask: 物流怎么一直不动呀？ · 轨迹好几天没更新" in detail


async def test_the_editor_edits_asks(tmp_path):
    from qr.screens.editor import PhraseEditor

    root = library_at(tmp_path)
    app = build(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl2", "tab", "e")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, PhraseEditor)
        box = editor.query_one("#edit-asks", Input)
        assert box.value == "物流怎么一直不动呀？；轨迹好几天没更新"
        box.value = "快递卡住了, 怎么办；轨迹好几天没更新; 怎么不动了；"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    saved = load_library(root).library.find_code("wl2")[1]
    assert saved.asks == ("快递卡住了, 怎么办", "轨迹好几天没更新", "怎么不动了")


async def test_the_variable_form_shows_the_hint_and_refuses_with_it(tmp_path):
    from qr.screens.variables import VariablesForm

    group = 'name = "g"\n\n[[phrases]]\ncode = "dd1"\ntitle = "订单"\nbody = "订单{order_id}已登记"\n'
    app = build(library_at(tmp_path, group=group))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/dd1", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, VariablesForm)
        box = form.query_one("#field-0", Input)
        assert box.placeholder == "6-24 位数字"
        await pilot.press(*"12ab", "enter")
        await pilot.pause()
        error = str(form.query_one("#error-0", Static).render())
        assert "6-24 位数字" in error and "\\d" not in error
