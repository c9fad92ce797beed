"""Data is never markup (issue #14.2): a library full of hostile text, driven through every screen.

Titles, bodies, notes, tags, group and category names, variable labels and patterns, the shop
name, profile names, rule words and what the user types carry Textual/Rich markup (`[/x]`,
`[@click=app.quit]`), ANSI and OSC escapes, bidi overrides, zero-width characters, emoji and a
10,000-character line. Every screen must show them (without crashing) as the literal text.
"""

from __future__ import annotations

import html
import re

import pytest
from conftest import build_app, write_library

from qr.screens.browser import BrowserScreen
from qr.screens.editor import PhraseEditor
from qr.screens.guide import GuideScreen
from qr.screens.help import HelpScreen
from qr.screens.launcher import LauncherScreen
from qr.screens.practice import PracticeScreen
from qr.screens.profiles import ProfileSwitcher
from qr.screens.variables import ContextForm, VariablesForm

LONG = "长" * 10_000
SIZE = (160, 40)

LIBRARY = {
    "_library.toml": '''
        name = "[b]库[/b]"
        shop = "[@click=app.quit]店[/]"

        [vars.order_id]
        label = "订单[/号]"
        pattern = '^[A-Za-z0-9]{8,30}$'
        hint = "8-30 位[/字母]或数字 [@click=app.quit]"

        [vars.customer]
        label = "[red]称呼[/red]"

        [rules]
        forbidden = ["[/禁]"]
        risky = ["[i]险[/i]"]
        ''',
    "hostile.toml": '''
        name = "分组[/g]"
        category = "类[/c]"
        description = "说明 [bold]x[/bold]"

        [[phrases]]
        code = "h1"
        title = "优惠[/活动]说明"
        body = "优惠[/活动]：{order_id} [@click=app.quit]点我[/]"
        tags = ["[/t]", "🎉"]
        note = "备注 [link=http://x]x[/link]"

        [[phrases]]
        code = "h2"
        title = "[b]粗[/b] \\u001b[2J清屏 \\u001b]52;c;aGk=\\u0007"
        body = "转义 \\u001b[31m红\\u001b[0m \\u202e反向\\u202c 零\\u200b宽"

        [[phrases]]
        code = "h3"
        title = "[@click=app.quit]退出[/]"
        body = "LONGLINE"
        ''',
}


def write_hostile(root):
    files = dict(LIBRARY)
    files["hostile.toml"] = files["hostile.toml"].replace("LONGLINE", LONG)
    return write_library(root, files)


def screen_text(app) -> str:
    """What the terminal shows now, as plain text (from Textual's own screenshot)."""
    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for match in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg):
        rows.setdefault(float(match.group(2)), []).append((float(match.group(1)), html.unescape(match.group(3))))
    return "\n".join("".join(text for _, text in sorted(row)) for _, row in sorted(rows.items())).replace("\xa0", " ")


def messages(app) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


@pytest.fixture
def hostile(tmp_path):
    return write_hostile(tmp_path / "lib")


async def test_launcher_and_preview_show_markup_literally(hostile):
    app = build_app(hostile, watch_library=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"/h1")
        await pilot.pause()
        shown = screen_text(app)
        assert "优惠[/活动]说明" in shown
        assert "分组[/g]" in shown
        assert "[@click=app.quit]点我[/]" in shown
        assert "备注 [link=http://x]x[/link]" in shown
        assert "[/t]" in shown
        assert "[@click=app.quit]店[/]" in shown  # the shop on the status line
        await pilot.press("ctrl+u", *"/h3")
        await pilot.pause()
        assert "[@click=app.quit]退出[/]" in screen_text(app)
        await pilot.press("ctrl+u", *"/h2")
        await pilot.pause()
        shown = screen_text(app)
        assert "[b]粗[/b]" in shown
        assert "\x1b" not in shown
        assert app.is_running and isinstance(app.screen, LauncherScreen)


async def test_forms_take_markup_values_literally(hostile):
    app = build_app(hostile, watch_library=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"/h1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, VariablesForm)
        assert "订单[/号]" in screen_text(app)
        await pilot.press(*"[/x]", "enter")
        await pilot.pause()
        assert isinstance(app.screen, VariablesForm)  # refused: not a tracking number
        shown = screen_text(app)
        assert "[/x]" in shown
        error = str(app.screen.query_one("#error-0").render())
        assert "8-30 位[/字母]或数字 [@click=app.quit]" in error and "[/x]" in error  # the refusal quotes them as written
        await pilot.press("escape", "ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ContextForm)
        await pilot.press(*"[/x]", "tab", *"[b]王[/b]", "enter")  # order_id first: refused
        await pilot.pause()
        assert isinstance(app.screen, ContextForm)
        assert "“[/x]”" in screen_text(app)
        await pilot.press("ctrl+u", *"ABCDEFGH12", "enter")  # the refused field has the focus
        await pilot.pause()
        assert not isinstance(app.screen, ContextForm)
        assert app.context.get("customer") == "[b]王[/b]"
        assert "[b]王[/b]" in screen_text(app)  # the status line


async def test_copy_and_toasts_quote_titles_literally(hostile):
    app = build_app(hostile, watch_library=False)
    async with app.run_test(size=SIZE) as pilot:
        app.update_context({"order_id": "ABCDEFGH12"})
        await pilot.press(*"/h1", "enter")
        await pilot.pause()
        assert app.clipboard_backend.text == "优惠[/活动]：ABCDEFGH12 [@click=app.quit]点我[/]"
        assert app.is_running


async def test_editor_save_and_conflict_dialog_show_markup_literally(hostile):
    app = build_app(hostile, watch_library=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"/h1", "tab", "e")
        await pilot.pause()
        assert isinstance(app.screen, PhraseEditor)
        assert "优惠[/活动]说明" in screen_text(app)
        await pilot.press("end", *"[/y]", "ctrl+s")
        await pilot.pause()
        assert any("优惠[/活动]说明[/y]" in message for message in messages(app))
        assert "优惠[/活动]说明[/y]" in (hostile / "hostile.toml").read_text(encoding="utf-8")
        # someone else changes the same phrase: saving again opens the merge dialog, both sides literal
        path = hostile / "hostile.toml"
        path.write_text(path.read_text(encoding="utf-8").replace("备注", "注[/n]"), encoding="utf-8")
        await pilot.press("end", "!", "ctrl+s")
        await pilot.pause()
        from qr.screens.merge import MergeDialog

        assert isinstance(app.screen, MergeDialog)
        shown = screen_text(app)
        assert "hostile.toml" in shown and "注[/n] [link=http://x]x[/link]" in shown and "优惠[/活动]说明[/y]!" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running


async def test_browser_practice_guide_help_and_palette_show_markup_literally(hostile):
    app = build_app(hostile, watch_library=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        await pilot.press("ctrl+f", *"h1")
        await pilot.pause()
        shown = screen_text(app)
        assert "优惠[/活动]说明" in shown and "类[/c]" in shown
        await pilot.press("escape", "escape")  # clear the filter, back to the launcher
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, PracticeScreen)
        assert "分组[/g]" in screen_text(app) or "类[/c]" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, GuideScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "escape")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"[/x]")
        await pilot.pause()
        assert "[/x]" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running


async def test_guide_shows_the_library_words_literally(hostile):
    app = build_app(hostile, watch_library=False)
    async with app.run_test(size=(160, 400)) as pilot:  # tall enough for every list at once
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, GuideScreen)
        shown = screen_text(app)
        assert "[/禁]" in shown and "[i]险[/i]" in shown


async def test_profile_switcher_shows_markup_literally(hostile, isolated_home, tmp_path):
    from qr.config import load_config
    from qr.workspace import open_workspace

    other = write_hostile(tmp_path / "other")
    config = isolated_home / "config.toml"
    config.write_text(
        f'[profiles."[b]p1[/b]"]\nshop = "[/s1]"\nlibraries = ["{hostile}"]\n\n'
        f'[profiles."p2"]\nshop = "[@click=app.quit]s2[/]"\nlibraries = ["{other}"]\n',
        encoding="utf-8",
    )
    workspace = open_workspace(config=load_config(config), profile="[b]p1[/b]")
    app = build_app(workspace, watch_library=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, ProfileSwitcher)
        shown = screen_text(app)
        assert "[b]p1[/b]" in shown and "[/s1]" in shown and "[@click=app.quit]s2[/]" in shown
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.workspace.profile_name == "p2"
        assert any("[@click=app.quit]s2[/]" in message for message in messages(app))
        assert app.is_running


async def test_control_characters_never_reach_the_terminal(hostile):
    app = build_app(hostile, watch_library=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"/h2")
        await pilot.pause()
        shown = screen_text(app)
        assert "\\x1b[2J" in shown and "\\u202e" in shown  # written out, not sent
        await pilot.press("tab", "e")
        await pilot.pause()
        assert isinstance(app.screen, PhraseEditor)
        shown = screen_text(app)
        assert "␛[2J" in shown  # in a text field: one picture per character, the value untouched
        assert app.screen.field_values()["title"].startswith("[b]粗[/b] \x1b[2J")
        for text in (shown, screen_text(app)):
            assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
