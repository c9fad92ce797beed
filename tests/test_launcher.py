"""The launcher, driven through Pilot: search, copy, the variable and order-info forms, the
clipboard fallback, --once, the UI language, help and the command palette."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import build_app, write_library
from textual.widgets import Input, OptionList

from qr.cli import main
from qr.clipboard import MemoryClipboard
from qr.i18n import EN, ZH, choose_language, detect_language
from qr.screens.help import HelpScreen
from qr.screens.launcher import OUTSIDE_WINDOW, LauncherScreen, QueryInput
from qr.screens.variables import ContextForm, VariablesForm
from qr.store import load_library
from qr.workspace import open_workspace

FIXED = datetime(2026, 11, 25, 9, 30)
WL2 = "很抱歉包裹破损了，请拍照给我们，亲。"


def build(library_dir, clipboard=None, **options):
    clipboard = clipboard if clipboard is not None else MemoryClipboard()
    options.setdefault("watch_library", False)
    app = build_app(library_dir, clipboard=clipboard, now=lambda: FIXED, **options)
    return app, clipboard


def messages(app) -> list[str]:
    return [notification.message for notification in app._notifications]


def screen_text(app) -> str:
    """Everything the launcher's Static widgets show, as plain text."""
    return "\n".join(str(widget.render()) for widget in app.screen.query("Static"))


async def test_code_query_then_enter_copies_the_rendered_reply(library_dir):
    app, clipboard = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl2")
        await pilot.pause()
        launcher = app.screen
        assert launcher.current_entry.phrase.code == "wl2"
        await pilot.press("enter")
        await pilot.pause()
        assert clipboard.copied == [WL2]
        assert launcher.query_text == ""  # ready for the next one
        assert app.focused is launcher.query_one(QueryInput)
        assert any("/wl2" in message and "system clipboard" in message for message in messages(app))
        assert app.return_code is None  # without --once the launcher stays open


async def test_code_with_missing_variable_asks_then_copies(library_dir):
    app, clipboard = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, VariablesForm)
        assert [field.name for field in app.screen.fields] == ["order_id"]
        assert "订单号" in screen_text(app)  # the label from [vars]
        await pilot.press(*"20261125001", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LauncherScreen)
        assert clipboard.copied == ["亲爱的亲，最近物流繁忙，您的订单20261125001会稍慢一些。"]
        assert app.context["order_id"] == "20261125001"  # joins the order context


async def test_fuzzy_query_arrows_and_enter(library_dir):
    app, clipboard = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"wl")
        await pilot.pause()
        launcher = app.screen
        codes = [hit.phrase.code for hit in launcher.hits]
        assert codes[:3] == ["wl1", "wl2", "wl10"]
        await pilot.press("end")
        assert launcher.current_entry.phrase.code == codes[-1]
        await pilot.press("home", "down", "down", "up")
        assert launcher.current_entry.phrase.code == "wl2"
        assert app.focused is launcher.query_one(QueryInput)  # focus never left the query
        assert launcher.query_text == "wl"  # home/end moved the highlight, not the text cursor
        await pilot.press("enter")
        await pilot.pause()
        assert clipboard.copied == [WL2]


async def test_pinyin_initials_highlight_the_matched_title_characters(library_dir):
    app, _ = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"wlfm")
        await pilot.pause()
        launcher = app.screen
        assert launcher.current_entry.phrase.title == "物流繁忙安抚"
        prompt = launcher.query_one(OptionList).get_option_at_index(0).prompt
        highlighted = {prompt.plain[span.start : span.end] for span in prompt.spans if "underline" in str(span.style)}
        assert "物流繁忙" in highlighted


async def test_chinese_text_typed_into_the_query(library_dir):
    app, _ = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("破", "损")  # what an IME commits arrives as characters
        await pilot.pause()
        assert app.screen.query_text == "破损"
        assert app.screen.current_entry.phrase.code == "wl2"


async def test_invalid_value_is_refused_with_an_inline_error(library_dir):
    app, clipboard = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl1", "enter")
        await pilot.pause()
        await pilot.press(*"12ab", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, VariablesForm)  # still asking
        error = form.query_one("#error-0")
        assert error.has_class("-shown") and "12ab" in str(error.render())
        assert clipboard.copied == []
        await pilot.press("enter")  # still wrong
        assert isinstance(app.screen, VariablesForm)
        await pilot.press(*["backspace"] * 4, *"123456", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LauncherScreen)
        assert clipboard.copied == ["亲爱的亲，最近物流繁忙，您的订单123456会稍慢一些。"]


async def test_empty_value_is_refused(library_dir):
    app, clipboard = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl1", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, VariablesForm)
        assert str(app.screen.query_one("#error-0").render()) == EN["form.required"]
        assert clipboard.copied == []


async def test_escape_cancels_the_form_and_copies_nothing(library_dir):
    app, clipboard = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl1", "enter")
        await pilot.pause()
        await pilot.press(*"123456", "escape")
        await pilot.pause()
        assert isinstance(app.screen, LauncherScreen)
        assert clipboard.copied == []
        assert "order_id" not in app.context
        assert app.screen.query_text == "/wl1"  # the query stays for another try


async def test_order_context_set_used_and_cleared(library_dir):
    app, clipboard = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ContextForm)
        assert [field.name for field in form.fields] == ["customer", "order_id", "tracking_no"]
        await pilot.press("张", "三", "tab", *"20261125001", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LauncherScreen)
        assert dict(app.context) == {"customer": "张三", "order_id": "20261125001"}
        status = str(app.screen.query_one("#context-status").render())
        assert "张三" in status and "20261125001" in status

        # the preview shows the filled values, and Enter copies without asking
        await pilot.press(*"/wl1")
        await pilot.pause()
        assert "您的订单20261125001" in str(app.screen.query_one("#preview-body").render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LauncherScreen)
        assert clipboard.copied == ["亲爱的张三，最近物流繁忙，您的订单20261125001会稍慢一些。"]

        # the form is prefilled with the current values
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert [box.value for box in app.screen.inputs()] == ["张三", "20261125001", ""]
        await pilot.press("escape")
        await pilot.pause()

        # next customer: everything forgotten, the form is asked again
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert dict(app.context) == {}
        assert "张三" not in str(app.screen.query_one("#context-status").render())
        await pilot.press(*"/wl1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, VariablesForm)


async def test_context_form_refuses_a_bad_order_id(library_dir):
    app, _ = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+o", "tab", *"A-1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ContextForm)
        assert app.screen.query_one("#error-1").has_class("-shown")
        assert dict(app.context) == {}


async def test_once_exits_with_status_0_after_one_copy(library_dir):
    app, clipboard = build(library_dir, once=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl1", "enter")
        await pilot.pause()
        assert app.return_code is None  # the form does not end it
        await pilot.press(*"123456", "enter")
        await pilot.pause()
    assert clipboard.copied == ["亲爱的亲，最近物流繁忙，您的订单123456会稍慢一些。"]
    assert app.return_code == 0


@pytest.mark.parametrize("lang, table", [("zh", ZH), ("en", EN)])
async def test_ui_language(library_dir, lang, table):
    app, _ = build(library_dir, ui_lang=lang)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.screen.query_one(QueryInput).placeholder == table["launcher.placeholder"]
        descriptions = {active.binding.description for active in app.screen.active_bindings.values()}
        assert table["binding.launcher.copy"] in descriptions
        assert table["binding.app.order_context"] in descriptions
        assert table["launcher.count_all"].format(total=4) in str(app.screen.query_one(OptionList).border_title)


def test_language_follows_the_locale_and_the_config_overrides():
    assert detect_language({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert detect_language({"LANG": "en_US.UTF-8"}) == "en"
    assert detect_language({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}) == "zh"
    assert detect_language({}) == "en"
    assert choose_language("en", {"LANG": "zh_CN.UTF-8"}) == "en"
    assert choose_language("zh-CN", {"LANG": "C"}) == "zh"
    assert choose_language(None, {"LANG": "zh_CN.UTF-8"}) == "zh"


def test_catalogue_languages_have_the_same_keys():
    assert set(EN) == set(ZH)


async def test_locale_and_config_reach_the_app(library_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    app = build_app(library_dir, ui_lang=None, cursor_blink=True, watch_library=False)
    async with app.run_test(size=(100, 30)):
        assert app.screen.query_one(QueryInput).placeholder == ZH["launcher.placeholder"]
    config = tmp_path / "config.toml"
    config.write_text('ui_lang = "en"\n', encoding="utf-8")
    from qr.config import load_config

    app = build_app(open_workspace(library_dir, config=load_config(config)), ui_lang=None, cursor_blink=True, watch_library=False)
    async with app.run_test(size=(100, 30)):
        assert app.screen.query_one(QueryInput).placeholder == EN["launcher.placeholder"]


async def test_escape_clears_the_query(library_dir):
    app, _ = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl10")
        await pilot.pause()
        assert len(app.screen.hits) >= 1
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_text == ""
        assert len(app.screen.hits) == 4  # the empty query lists the library


async def test_ctrl_q_quits(library_dir):
    app, _ = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_tab_to_the_hit_list_and_typing_returns_to_the_query(library_dir):
    app, clipboard = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("tab")
        launcher = app.screen
        assert app.focused is launcher.query_one(OptionList)
        await pilot.press("down", "enter")  # the list's own keys work while it has focus
        await pilot.pause()
        assert clipboard.copied == [WL2]
        await pilot.press("tab", *"wl10")
        await pilot.pause()
        assert app.focused is launcher.query_one(QueryInput)
        assert launcher.query_text == "wl10"


async def test_refresh_hits_keeps_query_and_highlight(library_dir):
    app, _ = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"wl", "down")
        launcher = app.screen
        assert launcher.current_entry.phrase.code == "wl2"
        app.workspace.update_library(load_library(library_dir).library)  # what a reload does after a change
        launcher.refresh_hits()
        assert launcher.query_text == "wl"
        assert launcher.current_entry.phrase.code == "wl2"


async def test_help_lists_the_current_screens_bindings(library_dir):
    app, _ = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {row[2]: row for row in app.screen.rows}
        assert rows["launcher.copy"][1] == "Copy"
        assert rows["app.order_context"][0] == "^o"
        assert "launcher.down" in rows and "app.quit" in rows
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LauncherScreen)
        # on a form, help lists the form's keys
        await pilot.press("ctrl+o", "f1")
        await pilot.pause()
        assert {row[2] for row in app.screen.rows} >= {"form.cancel"}


async def run_palette_command(pilot, title: str) -> None:
    """Type a command's title into the palette and run it once the palette has found it.

    The palette searches asynchronously: waiting for the hit, not a fixed pause, keeps this
    test steady on a loaded machine.
    """
    from textual.command import CommandList

    await pilot.press("ctrl+p", *title.lower())
    for _ in range(100):
        await pilot.pause(0.05)
        found = pilot.app.screen.query(CommandList)
        if found and found.first().highlighted is not None:
            option = found.first().get_option_at_index(found.first().highlighted)
            if title.lower() in str(option.prompt).lower():
                break
    await pilot.press("enter")
    await pilot.pause()


async def test_command_palette_reaches_the_launcher_and_the_forms(library_dir):
    app, _ = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert EN["cmd.clear_query"] in titles and EN["cmd.order_context"] in titles
        await run_palette_command(pilot, EN["cmd.order_context"])
        assert isinstance(app.screen, ContextForm)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert EN["cmd.help"] in titles
        await run_palette_command(pilot, EN["cmd.help"])
        assert isinstance(app.screen, HelpScreen)


async def test_broken_template_is_not_copied(tmp_path):
    root = write_library(
        tmp_path / "lib",
        {"a.toml": 'name = "A"\n[[phrases]]\ncode = "bad"\ntitle = "Broken"\nbody = "Hi {name"\n'},
    )
    app, clipboard = build(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/bad", "enter")
        await pilot.pause()
        assert clipboard.copied == []
        assert any("broken" in message for message in messages(app))


async def test_files_that_failed_to_load_are_reported(library_dir):
    (library_dir / "broken.toml").write_text("name = \n", encoding="utf-8")
    app, _ = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert any("broken.toml" in message for message in messages(app))
        assert len(app.screen.hits) == 4  # the rest loaded


async def test_empty_library_says_so(tmp_path):
    root = write_library(tmp_path / "lib", {"_library.toml": 'name = "empty"\n'})
    app, clipboard = build(root)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert clipboard.copied == []
        assert EN["launcher.empty_library"] in str(app.screen.query_one("#preview-title").render())


async def test_fits_80x24(library_dir):
    app, _ = build(library_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"/wl1")
        await pilot.pause()
        launcher = app.screen
        for selector in ("#query", "#hits", "#preview", "#status", "Footer"):
            region = launcher.query_one(selector).region
            assert region.height > 0 and region.right <= 80 and region.bottom <= 24, selector
        assert launcher.query_one("#hits").region.height >= 10


def test_missing_library_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["--library", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "library folder not found" in err[0]


def test_bad_config_is_one_line_and_exit_2(isolated_home, capsys):
    config = isolated_home / "xdg_config_home" / "qr" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("library = [\n", encoding="utf-8")
    assert main([]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "config.toml" in err[0]


async def test_the_query_is_an_input_with_focus(library_dir):
    app, _ = build(library_dir)
    async with app.run_test(size=(100, 30)):
        assert isinstance(app.focused, Input) and app.focused.id == "query"


async def test_moving_near_the_end_draws_more_hits(tmp_path):
    from generate import generate

    from qr.screens.launcher import PAGE

    app, _ = build(generate(300, tmp_path / "lib300"))
    async with app.run_test(size=(100, 30)) as pilot:
        launcher = app.screen
        assert len(launcher.hits) == PAGE
        first = launcher.hits[0].entry
        await pilot.press("end")
        await pilot.pause()
        assert len(launcher.hits) > PAGE
        assert launcher.hits[0].entry == first  # the same ranking, only longer
        for _ in range(5):
            await pilot.press("end")
        await pilot.pause()
        assert len(launcher.hits) == 300
        assert "300" in str(launcher.query_one(OptionList).border_title)


async def test_order_values_and_replies_are_never_written(library_dir, isolated_home):
    app, clipboard = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+o", "王", "五", "tab", *"98765432101", "enter")
        await pilot.press(*"/wl1", "enter")
        await pilot.pause()
    assert clipboard.copied == ["亲爱的王五，最近物流繁忙，您的订单98765432101会稍慢一些。"]
    for folder in (isolated_home, library_dir):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert b"98765432101" not in data and "王五".encode() not in data, path


@pytest.mark.parametrize("day, shown", [(datetime(2026, 6, 10, 9, 0), True), (datetime(2026, 7, 1, 9, 0), False)])
async def test_validity_window_follows_the_apps_clock(tmp_path, day, shown):
    root = write_library(tmp_path / "lib", {
        "promo.toml": 'name = "618"\n[[phrases]]\ncode = "p1"\ntitle = "大促"\nbody = "x"\n'
        "valid_from = 2026-06-01\nvalid_until = 2026-06-20\n",
    })
    app = build_app(root, now=lambda: day, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/p")  # a prefix: search alone decides
        await pilot.pause()
        assert bool(app.screen.hits) is shown
        await pilot.press("1")  # the exact code: listed either way, marked when outside its window
        await pilot.pause()
        hit = app.screen.current_hit
        assert hit is not None and hit.entry.phrase.code == "p1"
        assert (hit.where == OUTSIDE_WINDOW) is not shown


WINDOWED = {
    "promo.toml": 'name = "618"\n[[phrases]]\ncode = "p1"\ntitle = "大促[/b] [red]x"\nbody = "满300减50"\n'
    "valid_from = 2026-06-01\nvalid_until = 2026-06-20\n",
}


@pytest.mark.parametrize("lang, day, words", [
    ("en", datetime(2026, 7, 1, 9, 0), ["Valid 2026-06-01 – 2026-06-20 only: expired (today is 2026-07-01)"]),
    ("zh", datetime(2026, 5, 1, 9, 0), ["仅在 2026-06-01 – 2026-06-20 有效：尚未开始（今天是 2026-05-01）", "仍然复制"]),
])
async def test_exact_code_outside_its_window_is_shown_and_copied_only_after_a_confirm(tmp_path, lang, day, words):
    from textual.widgets import Button, Static

    from qr.screens.dialogs import ChoiceDialog

    root = write_library(tmp_path / "lib", WINDOWED)
    clipboard = MemoryClipboard()
    app = build_app(root, now=lambda: day, watch_library=False, clipboard=clipboard, ui_lang=lang)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press(*"/p1")
        await pilot.pause()
        option = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert "大促[/b] [red]x" in option and ("(outside its dates)" if lang == "en" else "（不在有效期内）") in option
        assert words[0] in str(app.screen.query_one("#preview-state", Static).render())
        await pilot.press("enter")  # asks first
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog) and clipboard.copied == []
        message = str(app.screen.query_one("#dialog-message", Static).render())
        assert words[0] in message and "/p1" in message and "大促[/b] [red]x" in message  # data as plain text
        assert all(word in str(app.screen.query_one("#answer-yes", Button).label) for word in words[1:])
        await pilot.press("enter")  # Cancel has the focus: Enter alone copies nothing
        await pilot.pause()
        assert isinstance(app.screen, LauncherScreen) and clipboard.copied == []
        assert app.screen.query_text == "/p1"
        await pilot.press("enter", "right", "enter")  # the explicit "copy anyway"
        await pilot.pause()
        assert clipboard.copied == ["满300减50"]
