"""Browser, practice and guide screens (Pilot), and snapshots of the browser and a practice question."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from conftest import ENGLISH_TOML, LIBRARY_TOML, LOGISTICS_TOML, build_app, write_library
from textual.widgets import Input, OptionList, Static

from qr.clipboard import MemoryClipboard
from qr.practice import library_key
from qr.screens.browser import BrowserScreen, GroupNode
from qr.screens.practice import PracticeScreen
from qr.store.entry import Entry
from qr.workspace import open_workspace

AFTERSALE_TOML = '''
name = "退换货"
category = "售后"
order = 40
description = "退货、换货、退款"

[[phrases]]
code = "th1"
title = "退货流程"
body = "{customer|亲}，在订单页点“申请退货”，填写原因后寄回即可。"
tags = ["退货"]
note = "客户问怎么退货时使用"

[[phrases]]
code = "th2"
title = "换货流程"
body = "{customer|亲}，换货请在订单页申请，选择要换的{size}。"

[[phrases]]
code = "tk1"
title = "退款到账时间"
body = "退款会在1-3个工作日内原路退回。"
valid_from = 2026-01-01
valid_until = 2026-12-31
'''

NOW = datetime(2026, 11, 25, 10, 30)
SIZE = (100, 30)


@pytest.fixture
def library(tmp_path):
    return write_library(
        tmp_path / "lib",
        {
            "_library.toml": LIBRARY_TOML,
            "logistics.toml": LOGISTICS_TOML,
            "aftersale.toml": AFTERSALE_TOML,
            "en/english.toml": ENGLISH_TOML,
        },
    )


def build(library, clipboard=None):
    return build_app(library, clipboard=clipboard, now=lambda: NOW, watch_library=False)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def cursor_data(app):
    node = app.screen.query_one("#browser-tree").cursor_node
    return node.data if node is not None else None


# -- browser -------------------------------------------------------------------------------------


async def test_f2_opens_the_browser_and_the_tree_walks_category_group_phrase(library):
    app = build(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        tree = screen.query_one("#browser-tree")
        categories = [str(node.label) for node in tree.root.children]
        assert categories == ["售中  (3)", "售后  (3)", "英文  (1)"]
        groups = [str(node.label) for node in tree.root.children[0].children]
        assert groups == ["物流  (3)  0/3 learned"]
        await pilot.press("down", "right")  # onto 物流, open it
        assert isinstance(cursor_data(app), GroupNode)
        await pilot.press("right")  # into its first phrase
        await pilot.pause()
        entry = cursor_data(app)
        assert isinstance(entry, Entry) and entry.phrase.code == "wl1"
        detail = text_of(app, "#browser-phrase")
        for expected in ("物流繁忙安抚", "/wl1", "{customer|亲}", "{order_id}", "客户催物流时使用", "安抚、延迟", "Language: zh", "Valid: always", "box 1 of 5"):
            assert expected in detail
        await pilot.press("left", "left")  # back to the group, then closed
        assert isinstance(cursor_data(app), GroupNode) and not tree.cursor_node.is_expanded
        await pilot.press("escape")
        assert not isinstance(app.screen, BrowserScreen)


async def test_browser_shows_validity_windows(library):
    app = build(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await pilot.press("ctrl+f", *"/tk1", "enter")
        await pilot.pause()
        assert cursor_data(app).phrase.code == "tk1"
        assert "Valid: 2026-01-01 – 2026-12-31" in text_of(app, "#browser-phrase")


async def test_filter_narrows_the_tree_with_the_launchers_search(library):
    app = build(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2", "ctrl+f", *"wlfm")
        await pilot.pause()
        tree = app.screen.query_one("#browser-tree")
        assert [str(node.label) for node in tree.root.children] == ["售中  (1)"]
        group = tree.root.children[0].children[0]
        assert str(group.label).startswith("物流  (1/3)") and group.is_expanded
        assert [leaf.data.phrase.code for leaf in group.children] == ["wl1"]
        assert "1 of 7 phrases" in text_of(app, "#browser-status")
        assert cursor_data(app).phrase.code == "wl1"  # the first hit is under the cursor
        await pilot.press("escape")  # clears the filter first
        await pilot.pause()
        assert app.screen.query_one("#browser-filter", Input).value == ""
        assert len(tree.root.children) == 3
        assert cursor_data(app).phrase.code == "wl1"  # and stays on the same phrase
        await pilot.press("ctrl+f", *"zzzzqqq")
        await pilot.pause()
        assert len(tree.root.children) == 0
        assert "No phrase matches" in text_of(app, "#browser-phrase")


async def test_enter_copies_from_the_browser_asking_for_missing_variables(library):
    clipboard = MemoryClipboard()
    app = build(library, clipboard)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2", "ctrl+f", *"/wl2", "enter")  # to the tree, on /wl2
        await pilot.press("enter")
        await pilot.pause()
        assert clipboard.text == "很抱歉包裹破损了，请拍照给我们，亲。"
        assert isinstance(app.screen, BrowserScreen)  # the browser stays open
        await pilot.press("ctrl+f", "ctrl+a", "backspace", *"/wl1", "enter", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "VariablesForm"  # order_id is missing
        await pilot.press(*"20261125001", "enter")
        await pilot.pause()
        assert clipboard.text == "亲爱的亲，最近物流繁忙，您的订单20261125001会稍慢一些。"
        assert isinstance(app.screen, BrowserScreen)


async def test_a_profile_switch_shows_the_other_library(library, tmp_path):
    app = build(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        app.workspace = open_workspace(write_library(tmp_path / "other"))  # what QrApp.switch_profile does before telling screens
        app.screen.workspace_changed()
        await pilot.pause()
        tree = app.screen.query_one("#browser-tree")
        assert [str(node.label) for node in tree.root.children] == ["售中  (3)", "英文  (1)"]
        assert "4 phrases" in text_of(app, "#browser-status")


def test_tree_keys_are_in_the_ui_language(library):
    from qr.i18n import set_language
    from qr.screens.browser import LibraryTree

    set_language("zh")
    try:
        descriptions = {b.id: b.description for bs in LibraryTree("root")._bindings.key_to_bindings.values() for b in bs}
    finally:
        set_language("en")
    assert descriptions["browser.open"] == "展开" and descriptions["browser.close"] == "收起"


# -- practice ------------------------------------------------------------------------------------


def pick(app, label_start: str) -> int:
    targets = app.screen.query_one("#practice-targets", OptionList)
    for index in range(targets.option_count):
        if str(targets.get_option_at_index(index).prompt).strip().startswith(label_start):
            return index
    raise AssertionError(f"no practice target {label_start!r}")


async def start_round(app, pilot, label: str) -> None:
    index = pick(app, label)
    targets = app.screen.query_one("#practice-targets", OptionList)
    targets.highlighted = index
    await pilot.press("enter")
    await pilot.pause()


def current(app):
    return app.screen.round.current


async def test_a_practice_round_with_right_and_wrong_answers(library):
    app = build(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, PracticeScreen)
        await start_round(app, pilot, "物流")
        missed = None
        answered = 0
        while app.screen.round is not None:
            question = current(app)
            assert question.title in text_of(app, "#practice-prompt")
            if missed is None:
                missed = question.code
                await pilot.press(*"nope", "enter")
                await pilot.pause()
                feedback = text_of(app, "#practice-feedback")
                assert f"the code is /{missed}" in feedback and "Not nope" in feedback
                await pilot.press("enter")  # read, go on
            else:
                await pilot.press(*question.code.upper(), "enter")
            await pilot.pause()
            answered += 1
        summary = app.screen.last_summary
        assert (summary.asked, summary.right, summary.wrong, summary.missed) == (4, 3, 1, (missed,))
        result = text_of(app, "#practice-result")
        assert "4 asked · 3 right · 1 wrong" in result and f"/{missed}" in result and "物流: 0/3 learned" in result
        progress = app.screen.progress
        key = library_key(app.workspace.library)
        assert progress.box(key, missed) == 2  # missed (box 1), then right on its return (box 2)
        assert sorted(progress.boxes(key).values()) == [2, 2, 2]


async def test_empty_enter_shows_the_answer_and_counts_as_a_miss(library):
    app = build(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await start_round(app, pilot, "English")
        code = current(app).code
        await pilot.press("enter")
        await pilot.pause()
        assert f"The code is /{code}" in text_of(app, "#practice-feedback")
        assert app.screen.waiting


async def test_progress_persists_across_two_app_runs(library):
    for run in range(2):
        app = build(library)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f3")
            await start_round(app, pilot, "物流")
            while app.screen.round is not None:
                await pilot.press(*current(app).code, "enter")
                await pilot.pause()
            assert f"物流: {3 if run else 0}/3 learned" in text_of(app, "#practice-result")
    app = build(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        tree = app.screen.query_one("#browser-tree")
        assert str(tree.root.children[0].children[0].label) == "物流  (3)  3/3 learned"
        assert "3/7 learned" in text_of(app, "#browser-status")


async def test_reverse_mode_offers_four_titles(library):
    app = build(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3", "ctrl+r")
        await start_round(app, pilot, "售后")
        question = current(app)
        assert question.mode == "reverse" and f"/{question.code}" in text_of(app, "#practice-prompt")
        choices = app.screen.query_one("#practice-choices", OptionList)
        assert choices.option_count == 4
        shown = [str(choices.get_option_at_index(i).prompt) for i in range(4)]
        assert shown[question.answer_index].endswith(question.title)
        wrong = next(i for i in range(4) if i != question.answer_index)
        await pilot.press(str(wrong + 1))
        await pilot.pause()
        assert f"/{question.code} is “{question.title}”" in text_of(app, "#practice-feedback")
        assert choices.highlighted == question.answer_index  # the right one is pointed out
        await pilot.press("enter")
        await pilot.pause()
        following = current(app)
        await pilot.press(str(following.answer_index + 1))
        await pilot.pause()
        assert "Right" in text_of(app, "#practice-feedback")
        await pilot.press("escape")  # end early: a summary of what was answered
        await pilot.pause()
        assert app.screen.last_summary.asked == 2


async def test_practise_from_the_browser_starts_on_the_group_under_the_cursor(library):
    app = build(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2", "down", "down")  # 售中 > 物流, then 售后
        await pilot.press("down")  # 售后 > 退换货
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, PracticeScreen)
        assert "退换货" in text_of(app, "#practice-progress")
        assert app.screen.round.size == 3


# -- palette -------------------------------------------------------------------------------------


async def test_palette_reaches_the_browser_and_practice(library):
    app = build(library)
    async with app.run_test(size=SIZE) as pilot:
        for title, screen_type in (("Browse the library", BrowserScreen), ("Practise the codes", PracticeScreen)):
            command = next(c for c in app.get_system_commands(app.screen) if c.title == title)
            command.callback()
            await pilot.pause()
            assert isinstance(app.screen, screen_type)
        await pilot.press("f2")  # back to the open browser, not a second one on top
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert sum(isinstance(screen, BrowserScreen) for screen in app.screen_stack) == 1
        assert not any(isinstance(screen, PracticeScreen) for screen in app.screen_stack)


# -- snapshots -----------------------------------------------------------------------------------


def test_browser_snapshot(snap_compare, library):
    app = build(library)
    assert snap_compare(app, press=["f2", "down", "right", "right", "down"], terminal_size=SIZE)


def test_practice_question_snapshot(snap_compare, library):
    app = build(library)

    async def open_practice(pilot):
        await app.push_screen(PracticeScreen(app.workspace, app.practice_progress, rng=random.Random(5)))
        await pilot.pause()

    assert snap_compare(app, press=["down", "down", "enter"], terminal_size=SIZE, run_before=open_practice)
