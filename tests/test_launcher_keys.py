"""The launcher as a tool used 500 times a day (issue #18): popup exit status, fast picks, the
true last hit, friendly refusals."""

from __future__ import annotations

from conftest import build_app, write_library
from textual.events import Key
from textual.widgets import OptionList

from qr.screens.launcher import EXIT_CANCELLED, LauncherScreen
from qr.screens.variables import VariablesForm


def many(count: int) -> dict[str, str]:
    phrases = "".join(f'[[phrases]]\ncode = "m{n}"\ntitle = "话术{n}"\nbody = "回复{n}"\n\n' for n in range(count))
    return {"_library.toml": 'name = "多"\n', "many.toml": f'name = "多"\n\n{phrases}'}


async def test_escape_on_an_empty_query_cancels_the_popup(library_dir):
    app = build_app(library_dir, once=True, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl", "escape")  # first Esc clears what was typed
        await pilot.pause()
        assert app.is_running and app.screen.query_text == ""
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == EXIT_CANCELLED == 130
    assert app.clipboard_backend.copied == []


async def test_escape_on_an_empty_query_keeps_the_normal_launcher_open(library_dir):
    app = build_app(library_dir, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.is_running


async def test_alt_number_copies_the_numbered_hit(library_dir):
    app = build_app(library_dir, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl")
        await pilot.pause()
        hits = app.screen.hits
        assert [hit.phrase.code for hit in hits][:2] == ["wl1", "wl2"]
        prompt = str(app.screen.query_one(OptionList).get_option_at_index(1).prompt)
        assert prompt.startswith("2 /wl2")  # the number is shown beside the hit
        await pilot.press("alt+2")
        await pilot.pause()
        assert app.clipboard_backend.copied == ["很抱歉包裹破损了，请拍照给我们，亲。"]
        await pilot.press(*"/wl", "alt+9")  # no ninth hit: nothing happens
        await pilot.pause()
        assert len(app.clipboard_backend.copied) == 1 and isinstance(app.screen, LauncherScreen)


async def test_end_reaches_the_true_last_hit(tmp_path):
    root = write_library(tmp_path / "lib", many(104))
    app = build_app(root, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("end")
        await pilot.pause()
        screen = app.screen
        assert len(screen.hits) == 104
        assert screen.current_entry is not None and screen.current_entry.phrase.code == "m103"
        await pilot.press("home", *["pagedown"] * 12)
        await pilot.pause()
        assert screen.current_entry.phrase.code == "m103"


async def test_a_refused_value_shows_the_hint_or_names_what_is_expected(tmp_path):
    root = write_library(tmp_path / "lib", {
        "_library.toml": 'name = "x"\n[vars.order_id]\nlabel = "订单号"\npattern = \'^\\d{6,24}$\'\nhint = "6-24 位数字"\n'
                         '[vars.tracking_no]\nlabel = "快递单号"\npattern = \'^[A-Z0-9]{8,30}$\'\n',
        "a.toml": 'name = "a"\n[[phrases]]\ncode = "a1"\ntitle = "t"\nbody = "{order_id} {tracking_no}"\n',
    })
    app = build_app(root, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/a1", "enter", *"12", "tab", *"x", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, VariablesForm)
        errors = form.errors()
        assert "6-24 位数字" in errors["order_id"] and "\\d" not in errors["order_id"]  # the hint, not the regex
        assert "快递单号" in errors["tracking_no"] and "“x”" in errors["tracking_no"]


async def test_keymap_in_the_config_is_applied_and_shown_by_f1(library_dir, tmp_path):
    from qr.config import load_config
    from qr.screens.help import HelpScreen
    from qr.workspace import open_workspace

    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"launcher.copy" = "ctrl+j"\n"no.such" = "a"\n"app.browser" = 5\n', encoding="utf-8")
    app = build_app(open_workspace(library_dir, config=load_config(config)), watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        warnings = [str(n.message) for n in app._notifications if n.severity == "warning"]
        assert any("no.such" in w and "app.browser" in w and str(config) in w for w in warnings)
        await pilot.press(*"/wl2", "ctrl+j")
        await pilot.pause()
        assert app.clipboard_backend.copied == ["很抱歉包裹破损了，请拍照给我们，亲。"]
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert any(row[2] == "launcher.copy" and row[0] == "^j" for row in app.screen.rows)  # ctrl+j as Textual shows it


async def test_profile_switcher_without_profiles_names_the_config_file(library_dir):
    app = build_app(library_dir, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert any("config.toml" in str(n.message) for n in app._notifications)


async def test_an_order_number_on_the_clipboard_is_offered_for_the_form(library_dir):
    from qr.clipboard import MemoryClipboard
    from qr.screens.variables import ContextForm

    app = build_app(library_dir, clipboard=MemoryClipboard(holds=" 2024112512345 \n"), watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl1", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        form = app.screen
        assert isinstance(form, VariablesForm)
        assert form.offer == (0, "2024112512345")
        assert "ctrl+y" in str(form.query_one("#form-offer").render())
        await pilot.press("ctrl+y", "enter")
        await pilot.pause()
        assert app.clipboard_backend.copied == ["亲爱的亲，最近物流繁忙，您的订单2024112512345会稍慢一些。"]
        assert "2024112512345" not in str(app.workspace.config)  # only in the order context, in memory
        app.clipboard_backend.holds = "not an order number"
        app.clipboard_backend.copied.clear()
        await pilot.press("ctrl+n", "ctrl+o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ContextForm) and app.screen.offer is None  # nothing fits


async def test_palette_finds_commands_by_pinyin(library_dir):
    from textual.command import CommandPalette

    app = build_app(library_dir, ui_lang="zh", watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        await pilot.press(*"bianji")
        for _ in range(100):  # the palette searches in a worker: wait for its hits, not for a time
            await pilot.pause()
            shown = [str(option.prompt) for option in app.screen.query_one("CommandList").options]
            if any("编辑话术" in prompt for prompt in shown):
                break
        assert any("编辑话术" in prompt for prompt in shown)


async def test_the_palette_says_no_match_in_the_ui_language(library_dir):
    """Textual's palette writes "No matches found" in English."""
    from rich.align import Align

    for lang, said in (("zh", "没有匹配的命令"), ("en", "No matching command")):
        app = build_app(library_dir, ui_lang=lang, watch_library=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("ctrl+p", *"qqqxxz")
            shown: list[str] = []
            for _ in range(100):  # the line comes after a countdown: wait for it, not for a time
                await pilot.pause(0.05)
                options = app.screen.query_one("CommandList").options
                shown = [str(option.prompt.renderable) if isinstance(option.prompt, Align) else str(option.prompt) for option in options]
                if shown:
                    break
            assert shown == [said]


async def test_the_footer_shows_f1_at_80_columns(library_dir):
    from textual.widgets._footer import FooterKey

    for lang in ("en", "zh"):
        app = build_app(library_dir, ui_lang=lang, watch_library=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            keys = {key.key: key for key in app.screen.query(FooterKey)}
            assert "f1" in keys and keys["f1"].region.right <= 80  # on screen


async def test_alt_digit_as_most_terminals_send_it_picks_too(library_dir):
    # ESC 2 (alt+2 in xterm, tmux, gnome-terminal) reaches Textual 8.2 as "™"
    app = build_app(library_dir, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl")
        await pilot.pause()
        app.screen.query_one("QueryInput").post_message(Key("™", "™"))
        await pilot.pause()
        assert app.clipboard_backend.copied == ["很抱歉包裹破损了，请拍照给我们，亲。"]
        assert app.screen.query_text == ""  # not typed into the query; cleared after the copy
