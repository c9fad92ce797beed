"""The draft check box (F7): findings as the agent types, Enter copies, a confirmation on errors."""

from __future__ import annotations

from conftest import build_app
from textual.widgets import Static, TextArea

from qr.clipboard import MemoryClipboard
from qr.screens.dialogs import ChoiceDialog
from qr.screens.draft_check import DraftCheckScreen

SIZE = (100, 30)


def result_text(screen: DraftCheckScreen) -> str:
    return str(screen.query_one("#draft-result", Static).render())


async def open_box(pilot) -> DraftCheckScreen:
    await pilot.press("f7")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, DraftCheckScreen)
    return screen


async def test_findings_update_as_the_agent_types_and_enter_copies(library_dir):
    clipboard = MemoryClipboard()
    app = build_app(library_dir, watch_library=False, clipboard=clipboard)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_box(pilot)
        assert "Paste or type" in result_text(screen)
        await pilot.press(*"It should arrive tomorrow")
        await pilot.pause()
        assert "No findings" in result_text(screen)
        await pilot.press(*" for sure")
        await pilot.pause()
        assert "risky promise" in result_text(screen) and "0 error(s), 1 warning(s)" in result_text(screen)
        await pilot.press("enter")  # warnings only: copied at once
        await pilot.pause()
        assert clipboard.text == "It should arrive tomorrow for sure"
        assert isinstance(app.screen, DraftCheckScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DraftCheckScreen)


async def test_a_draft_with_errors_is_copied_only_after_a_yes(library_dir):
    clipboard = MemoryClipboard()
    app = build_app(library_dir, watch_library=False, clipboard=clipboard, ui_lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_box(pilot)
        screen.query_one(TextArea).insert("亲，加 V x 发您视频，好评返现5元")  # as a paste arrives
        await pilot.pause()
        shown = result_text(screen)
        assert "2 个错误" in shown and "站外联系" in shown and "评价诱导" in shown
        assert "1:3" in shown  # the position in the draft
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog) and clipboard.text is None
        await pilot.press("enter")  # the focused answer is "keep": nothing copied
        await pilot.pause()
        assert clipboard.text is None and isinstance(app.screen, DraftCheckScreen)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("right", "enter")  # "copy anyway"
        await pilot.pause()
        assert clipboard.text == "亲，加 V x 发您视频，好评返现5元"


async def test_ctrl_j_is_a_new_line_and_text_is_never_markup(library_dir):
    app = build_app(library_dir, watch_library=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_box(pilot)
        await pilot.press(*"[bold]hi[/bold]", "ctrl+j", *"加微信")
        await pilot.pause()
        assert screen.query_one(TextArea).text == "[bold]hi[/bold]\n加微信"
        assert "2:1" in result_text(screen) and "off-platform" in result_text(screen)


async def test_the_palette_opens_the_draft_check(library_dir):
    app = build_app(library_dir, watch_library=False, ui_lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "检查回复草稿")
        command.callback()
        await pilot.pause()
        assert isinstance(app.screen, DraftCheckScreen)


def test_draft_check_snapshot(library_dir, snap_compare):
    app = build_app(library_dir, watch_library=False)

    async def run_before(pilot):
        await pilot.press("f7")
        await pilot.pause()
        app.screen.query_one(TextArea).insert("您好，这款是全网最低价，冷藏后口感最佳。\n加我微信发您优惠券")
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


async def test_a_failed_copy_says_so_and_keeps_the_draft(library_dir):
    clipboard = MemoryClipboard(fail=True)
    app = build_app(library_dir, watch_library=False, clipboard=clipboard)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_box(pilot)
        await pilot.press(*"Thanks for waiting", "enter")
        await pilot.pause()
        assert clipboard.text is None and screen.query_one(TextArea).text == "Thanks for waiting"
        assert any("NOT put on the clipboard" in str(n.message) for n in app._notifications)
