"""Small trust gaps (issues #14.2 and #18.5): the merge dialog and the hint placeholders escape
control characters as every other screen does; a refused value without a `hint` is described in
words (or its pattern quoted literally); the status line labels the built-in variables in the UI
language when the library declares none."""

from __future__ import annotations

from conftest import build_app, write_library
from test_hostile import screen_text

from qr.i18n import set_language
from qr.render import described_pattern, invalid_values
from qr.screens.merge import MergeDialog
from qr.screens.variables import ContextForm, VariablesForm
from qr.store.merge import PhraseConflict
from qr.store.models import Phrase, VarSpec

HOSTILE = "[/x] \x1b[2J [@click=app.quit]"
HOSTILE_SHOWN = "[/x] \\x1b[2J [@click=app.quit]"
SIZE = (160, 40)

LIBRARY = {
    "_library.toml": '''
        name = "库"

        [vars.order_id]
        label = "订单号"
        pattern = '^\\d{6,24}$'
        hint = "[/x] \\u001b[2J [@click=app.quit]"
        ''',
    "a.toml": '''
        name = "物流"

        [[phrases]]
        code = "p1"
        title = "查单"
        body = "您的订单 {order_id} 已发出"
        ''',
}

NO_VARS = {
    "_library.toml": 'name = "库"\n',
    "a.toml": '''
        name = "物流"

        [[phrases]]
        code = "p1"
        title = "问候"
        body = "您好 {customer|亲}"
        ''',
}


async def test_the_merge_dialog_shows_control_characters_escaped_and_markup_literally(tmp_path):
    app = build_app(write_library(tmp_path / "lib", NO_VARS), watch_library=False)
    theirs = Phrase(title="theirs " + HOSTILE, body="body\x1b]52;c;aGk=\x07 [b]x[/b]", code="p1")
    mine = Phrase(title="mine " + HOSTILE, body="body [b]x[/b]", code="p1")
    conflict = PhraseConflict(key="p1", label="/p1 " + HOSTILE, base=None, theirs=theirs, mine=mine)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MergeDialog(conflict, "a\x1b[2J[/p].toml"))
        await pilot.pause()
        assert isinstance(app.screen, MergeDialog)
        text = screen_text(app)
        assert "\x1b" not in text and "\x07" not in text
        assert "theirs " + HOSTILE_SHOWN in text and "mine " + HOSTILE_SHOWN in text
        assert "body\\x1b]52;c;aGk=\\x07 [b]x[/b]" in text
        assert "a\\x1b[2J[/p].toml" in text and "/p1 " + HOSTILE_SHOWN in text  # the message line
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running


async def test_hint_placeholders_show_control_characters_escaped_and_markup_literally(tmp_path):
    app = build_app(write_library(tmp_path / "lib", LIBRARY), watch_library=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"/p1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, VariablesForm)
        assert app.screen.query_one("#field-0").placeholder == HOSTILE_SHOWN
        text = screen_text(app)
        assert HOSTILE_SHOWN in text and "\x1b" not in text
        await pilot.press("escape", "ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ContextForm)
        text = screen_text(app)
        assert HOSTILE_SHOWN in text and "\x1b" not in text
        assert app.is_running


def test_a_refused_value_without_a_hint_is_described_in_words():
    set_language("zh")
    digits = {"order_id": VarSpec("order_id", label="订单号", pattern=r"^\d{6,24}$")}
    message = invalid_values(digits, {"order_id": "12ab"})["order_id"]
    assert "6-24 位数字" in message and "\\d" not in message and "12ab" in message
    tracking = {"tracking_no": VarSpec("tracking_no", label="运单号", pattern=r"^[A-Za-z0-9]{8,30}$")}
    assert "8-30 位字母或数字" in invalid_values(tracking, {"tracking_no": "x"})["tracking_no"]
    fixed = {"code": VarSpec("code", pattern=r"^[0-9]{12}$")}
    assert "12 位数字" in invalid_values(fixed, {"code": "1"})["code"]
    other = {"code": VarSpec("code", label="券码", pattern=r"^Q[/x]{2}$")}
    message = invalid_values(other, {"code": "zz"})["code"]
    assert "格式不符" in message and "^Q[/x]{2}$" in message  # the last resort: the pattern as written
    set_language("en")
    assert "6-24 digits" in invalid_values(digits, {"order_id": "12ab"})["order_id"]
    assert "8-30 letters or digits" in invalid_values(tracking, {"tracking_no": "x"})["tracking_no"]
    assert described_pattern(r"^(a+)+$") is None and described_pattern(r"^\d{6,}$") is None


async def test_the_status_line_labels_the_builtin_variables_in_the_ui_language(tmp_path):
    app = build_app(write_library(tmp_path / "lib", NO_VARS), watch_library=False, ui_lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        status = str(app.screen.query_one("#context-status").render())
        assert "客户称呼" in status and "订单号" in status
        assert "customer" not in status and "order_id" not in status
    english = build_app(write_library(tmp_path / "en", NO_VARS), watch_library=False, ui_lang="en")
    async with english.run_test(size=SIZE) as pilot:
        await pilot.pause()
        status = str(english.screen.query_one("#context-status").render())
        assert "Customer" in status and "Order no." in status
