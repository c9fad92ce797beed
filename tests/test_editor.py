"""The editor, driven through Pilot from the launcher: edit, add, delete, move, groups, conflicts,
the dirty-form prompt and live reload."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from conftest import build_app
from textual.widgets import Input, TextArea

from qr.screens.dialogs import ChoiceDialog, GroupPicker
from qr.screens.editor import PhraseEditor
from qr.screens.groups import GroupForm
from qr.screens.launcher import LauncherScreen
from qr.store import load_library
from qr.store.lint import lint
from qr.workspace import open_workspace

FIXED = datetime(2026, 11, 25, 9, 30)
LOGISTICS = Path("logistics.toml")


def build(library_dir, **options):
    options.setdefault("watch_library", False)  # tests poll with app.live_reload.poll_now()
    return build_app(library_dir, now=lambda: FIXED, **options)


def messages(app) -> list[str]:
    return [notification.message for notification in app._notifications]


def on_disk(library_dir):
    result = load_library(library_dir)
    assert result.problems == ()
    assert not [finding for finding in lint(result.library) if finding.severity == "error"]
    return result.library


def titles(library, path=LOGISTICS) -> list[str]:
    return [phrase.title for phrase in library.group_by_path(path).phrases]


async def open_editor(pilot, query: str) -> PhraseEditor:
    await pilot.press(*query, "tab", "e")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PhraseEditor)
    return pilot.app.screen


async def set_field(pilot, editor: PhraseEditor, name: str, value: str) -> None:
    if name == "body":
        editor.query_one(TextArea).load_text(value)
    else:
        editor.query_one(f"#edit-{name}", Input).value = value
    await pilot.pause()


def checks_text(editor: PhraseEditor) -> str:
    return str(editor.query_one("#editor-checks-text").render())


async def test_edit_saves_and_the_launcher_finds_the_change(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, "/wl2")
        assert editor.query_one("#edit-title", Input).value == "包裹破损"
        assert app.focused is editor.query_one("#edit-title", Input)
        await pilot.press("end", *"及时处理")
        assert editor.dirty
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not editor.dirty
        assert titles(on_disk(library_dir)) == ["物流繁忙安抚", "包裹破损及时处理", "催签收"]
        assert any("Saved /wl2" in message for message in messages(app))
        await pilot.press("escape")  # clean form: closes without asking
        await pilot.pause()
        launcher = app.screen
        assert isinstance(launcher, LauncherScreen)
        assert launcher.query_text == "/wl2" and launcher.current_entry.phrase.title == "包裹破损及时处理"
        await pilot.press("shift+tab", "ctrl+u", *"jishichuli")  # pinyin of the new words, at once
        await pilot.pause()
        assert launcher.current_entry.phrase.code == "wl2"


async def test_add_a_phrase_to_the_highlighted_group(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl1", "tab", "n")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, PhraseEditor) and editor.base is None
        await set_field(pilot, editor, "code", "WL5")
        await set_field(pilot, editor, "title", "仓库爆仓")
        await set_field(pilot, editor, "body", "亲，仓库爆仓，订单{order_id}稍后发出。\n")
        await set_field(pilot, editor, "tags", "延迟，爆仓")
        assert "code /wl5 is free" in checks_text(editor)
        await pilot.press("ctrl+s")
        await pilot.pause()
        library = on_disk(library_dir)
        _, phrase = library.find_code("wl5")
        assert (phrase.title, phrase.body, phrase.tags) == ("仓库爆仓", "亲，仓库爆仓，订单{order_id}稍后发出。\n", ("延迟", "爆仓"))
        await pilot.press("escape")
        await pilot.pause()
        launcher = app.screen
        await pilot.press("shift+tab", "ctrl+u", *"/wl5")
        await pilot.pause()
        assert launcher.current_entry.phrase.title == "仓库爆仓"


async def test_taken_code_and_lint_errors_block_the_save(library_dir):
    app = build(library_dir)
    before = (library_dir / LOGISTICS).read_bytes()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, "/wl2")
        await set_field(pilot, editor, "code", "/EN1")
        assert "code /en1 is already used by “Shipping delay apology” in English" in checks_text(editor)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert (library_dir / LOGISTICS).read_bytes() == before
        await set_field(pilot, editor, "code", "wl2")
        await set_field(pilot, editor, "body", "第一行\n您好{customer\n")
        assert "unclosed" in checks_text(editor) and "line 2, column 3" in checks_text(editor)
        await pilot.press("ctrl+s")
        await pilot.pause()
        body = editor.query_one(TextArea)
        assert app.focused is body and body.cursor_location == (1, 2)  # on the error
        assert (library_dir / LOGISTICS).read_bytes() == before
        await set_field(pilot, editor, "body", "我也没办法，{coupon}")
        text = checks_text(editor)
        assert "我也没办法" in text and "{coupon} is not declared" in text
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert (library_dir / LOGISTICS).read_bytes() == before
        assert any("Not saved" in message for message in messages(app))


async def test_preview_uses_defaults_then_labels(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, "/wl1")
        preview = str(editor.query_one("#editor-preview-text").render())
        assert preview == "亲爱的亲，最近物流繁忙，您的订单‹订单号›会稍慢一些。"


async def test_delete_asks_first(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl2", "tab", "d")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        assert "Delete /wl2 包裹破损 from 物流" in app.screen.message
        await pilot.press("enter")  # the focused answer is "Keep"
        await pilot.pause()
        assert titles(on_disk(library_dir)) == ["物流繁忙安抚", "包裹破损", "催签收"]
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("right", "enter")
        await pilot.pause()
        assert titles(on_disk(library_dir)) == ["物流繁忙安抚", "催签收"]
        assert all(hit.phrase.code != "wl2" for hit in app.screen.hits)


async def test_move_to_another_group(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl2", "tab", "m")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, GroupPicker) and [g.name for g in picker.groups] == ["English"]
        await pilot.press("enter")
        await pilot.pause()
        library = on_disk(library_dir)
        assert titles(library) == ["物流繁忙安抚", "催签收"]
        assert titles(library, Path("en/english.toml")) == ["Shipping delay apology", "包裹破损"]
        launcher = app.screen
        assert launcher.current_entry.group.name == "English" and launcher.current_entry.phrase.code == "wl2"


async def test_group_create_rename_and_delete(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl2", "tab", "g")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")  # "New group" comes first
        await pilot.pause()
        assert isinstance(app.screen, GroupForm)
        await pilot.press(*"售后 退款", "tab", *"售后", "tab", *"20", "tab", *"退款进度", "enter")
        await pilot.pause()
        group = on_disk(library_dir).group_by_path("售后-退款.toml")
        assert (group.name, group.category, group.order, group.description) == ("售后 退款", "售后", 20, "退款进度")
        assert isinstance(app.screen, LauncherScreen)

        await pilot.press("g")
        await pilot.pause()
        await pilot.press("right", "enter")  # "Name, category, order…"
        await pilot.pause()
        form = app.screen
        assert isinstance(form, GroupForm) and form.query_one("#group-name", Input).value == "物流"
        await pilot.press("ctrl+u", *"快递物流", "enter")
        await pilot.pause()
        library = on_disk(library_dir)
        assert library.group_by_path(LOGISTICS).name == "快递物流"
        assert app.screen.current_entry.group.name == "快递物流"

        await pilot.press("g")
        await pilot.pause()
        await pilot.press("right", "right", "enter")  # "Delete group"
        await pilot.pause()
        question = app.screen
        assert isinstance(question, ChoiceDialog) and "its 3 phrases" in question.message
        assert "Delete with 3 phrases" in [label for _, label in question.answers]
        await pilot.press("right", "enter")
        await pilot.pause()
        assert not (library_dir / LOGISTICS).exists()
        assert [g.name for g in on_disk(library_dir).groups] == ["售后 退款", "English"]


async def test_dirty_form_asks_before_discarding(library_dir):
    app = build(library_dir)
    before = (library_dir / LOGISTICS).read_bytes()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, "/wl1")
        await pilot.press(*"改")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("escape")  # cancel the question: back to the form, text kept
        await pilot.pause()
        assert app.screen is editor and editor.dirty
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")  # "Keep" is focused: still editing
        await pilot.pause()
        assert app.screen is editor
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("right", "enter")  # "Discard"
        await pilot.pause()
        assert isinstance(app.screen, LauncherScreen)
    assert (library_dir / LOGISTICS).read_bytes() == before


async def test_a_teammates_save_of_another_phrase_merges_and_says_so(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, "/wl2")
        await set_field(pilot, editor, "title", "包裹破损（新）")
        path = library_dir / LOGISTICS
        teammate = path.read_text(encoding="utf-8").replace("催签收", "催签收（同事改）")
        path.write_text(teammate, encoding="utf-8")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor and not editor.dirty  # no question: different phrases
        assert titles(on_disk(library_dir)) == ["物流繁忙安抚", "包裹破损（新）", "催签收（同事改）"]
        assert any("merged with a teammate's changes to /wl10 催签收（同事改）" in message for message in messages(app)), messages(app)


async def _same_phrase_conflict(pilot, app, library_dir):
    editor = await open_editor(pilot, "/wl2")
    await set_field(pilot, editor, "title", "我的版本")
    path = library_dir / LOGISTICS
    teammate = path.read_text(encoding="utf-8").replace("包裹破损", "同事的版本")
    path.write_text(teammate, encoding="utf-8")
    await pilot.press("ctrl+s")
    await pilot.pause()
    from qr.screens.merge import MergeDialog

    dialog = app.screen
    assert isinstance(dialog, MergeDialog)
    assert path.read_text(encoding="utf-8") == teammate  # nothing written yet
    shown = str(dialog.query_one("#merge-theirs-text").render()), str(dialog.query_one("#merge-mine-text").render())
    assert "同事的版本" in shown[0] and "我的版本" in shown[1]
    return editor, path, teammate


async def test_same_phrase_conflict_keep_mine(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        editor, path, _ = await _same_phrase_conflict(pilot, app, library_dir)
        await pilot.press("enter")  # "Keep mine"
        await pilot.pause()
        assert app.screen is editor and not editor.dirty
        assert titles(on_disk(library_dir)) == ["物流繁忙安抚", "我的版本", "催签收"]


async def test_same_phrase_conflict_keep_theirs(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        editor, path, teammate = await _same_phrase_conflict(pilot, app, library_dir)
        await pilot.press("right", "enter")  # "Keep theirs"
        await pilot.pause()
        assert path.read_text(encoding="utf-8") == teammate
        assert app.screen is editor and editor.field_values()["title"] == "同事的版本" and not editor.dirty


async def test_same_phrase_conflict_edit_merged(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        editor, path, teammate = await _same_phrase_conflict(pilot, app, library_dir)
        await pilot.press("right", "right", "enter")  # "Edit merged"
        await pilot.pause()
        assert app.screen is editor and editor.dirty and path.read_text(encoding="utf-8") == teammate
        await set_field(pilot, editor, "title", "合并后的版本")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert titles(on_disk(library_dir)) == ["物流繁忙安抚", "合并后的版本", "催签收"]


async def test_conflict_save_as_new_file(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, "/wl2")
        await set_field(pilot, editor, "title", "我的版本")
        path = library_dir / LOGISTICS
        teammate = path.read_text(encoding="utf-8").replace("包裹破损", "同事的版本")
        path.write_text(teammate, encoding="utf-8")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("right", "right", "right", "enter")  # "Save as a new file"
        await pilot.pause()
        assert path.read_text(encoding="utf-8") == teammate
        library = on_disk(library_dir)
        copy = library.group_by_path("物流-copy.toml")
        assert copy.name == "物流 (copy)" and [p.title for p in copy.phrases] == ["我的版本"]
        assert copy.phrases[0].code is None  # /wl2 stays with the teammate's phrase
        assert any("new file" in message for message in messages(app))


async def test_live_reload_keeps_query_and_highlight(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl")
        await pilot.pause()
        launcher = app.screen
        await pilot.press("down")
        assert launcher.current_entry.phrase.code == "wl2"
        path = library_dir / LOGISTICS
        path.write_text(path.read_text(encoding="utf-8").replace("包裹破损", "包裹破损了"), encoding="utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        app.live_reload.poll_now()
        await pilot.pause()
        assert launcher.query_text == "/wl"
        assert launcher.current_entry.phrase.title == "包裹破损了"
        assert any("Reloaded from disk: logistics.toml" in message for message in messages(app))


async def test_live_reload_does_not_overwrite_a_dirty_form(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, "/wl2")
        await set_field(pilot, editor, "title", "我正在改")
        path = library_dir / LOGISTICS
        path.write_text(path.read_text(encoding="utf-8").replace("包裹破损", "同事改了"), encoding="utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        app.live_reload.poll_now()
        await pilot.pause()
        assert editor.query_one("#edit-title", Input).value == "我正在改"
        assert any("Your unsaved edits are kept" in message for message in messages(app))
        await pilot.press("ctrl+s")  # the teammate changed this very phrase: ask
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog), messages(app)
        assert "was changed or removed" in app.screen.message


async def test_live_reload_refreshes_a_clean_form(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, "/wl2")
        path = library_dir / LOGISTICS
        path.write_text(path.read_text(encoding="utf-8").replace("包裹破损", "同事改了"), encoding="utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        app.live_reload.poll_now()
        await pilot.pause()
        assert editor.query_one("#edit-title", Input).value == "同事改了" and not editor.dirty


async def test_letters_in_the_query_are_text_and_f5_edits(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"end")
        await pilot.pause()
        launcher = app.screen
        assert launcher.query_text == "end" and isinstance(launcher, LauncherScreen)
        await pilot.press("ctrl+u", *"/wl1", "f5")
        await pilot.pause()
        assert isinstance(app.screen, PhraseEditor) and app.screen.base.code == "wl1"


async def test_bundled_library_refuses_editing(tmp_path):
    from qr.config import bundled_library

    app = build(bundled_library())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("tab", "e")
        await pilot.pause()
        assert isinstance(app.screen, LauncherScreen)
        assert any("bundled library; run `qr init PATH`" in message for message in messages(app))


async def test_palette_lists_editor_commands(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        titles_ = [command.title for command in app.get_system_commands(app.screen)]
        for title in ("Edit phrase", "New phrase", "Delete phrase", "Move phrase to another group", "New group", "Rename group", "Delete group"):
            assert title in titles_
        editor = await open_editor(pilot, "/wl1")
        assert "Save phrase" in [command.title for command in app.get_system_commands(editor)]


def test_editor_snapshot_with_a_lint_finding(library_dir, snap_compare):
    app = build(library_dir)

    async def run_before(pilot):
        await pilot.press(*"/wl1", "tab", "e")
        await pilot.pause()
        app.screen.query_one(TextArea).load_text("亲，这款{product}保证明天到，{coupon}已发放。")
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, terminal_size=(100, 30))


async def test_edit_from_the_browser(library_dir):
    from qr.screens.browser import BrowserScreen

    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        await pilot.press("down", "right", "right")  # category 售中 -> group 物流 -> /wl1
        await pilot.pause()
        assert browser.current_entry.phrase.code == "wl1"
        await pilot.press("e")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, PhraseEditor) and editor.base.code == "wl1"
        await set_field(pilot, editor, "title", "物流繁忙（改）")
        await pilot.press("ctrl+s", "escape")
        await pilot.pause()
        assert app.screen is browser
        assert titles(on_disk(library_dir))[0] == "物流繁忙（改）"
        assert browser.current_entry.phrase.title == "物流繁忙（改）"


async def test_live_reload_polls_by_itself(library_dir):
    app = build(library_dir, watch_library=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl10")
        await pilot.pause()
        path = library_dir / LOGISTICS
        path.write_text(path.read_text(encoding="utf-8").replace("催签收", "催签收了"), encoding="utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        for _ in range(50):  # the poll runs about once a second in a worker thread
            await pilot.pause(0.1)
            if app.screen.current_entry.phrase.title == "催签收了":
                break
        assert app.screen.current_entry.phrase.title == "催签收了"
        assert app.screen.query_text == "/wl10"


async def test_quit_asks_while_a_form_is_dirty(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, "/wl1")
        await pilot.press(*"改")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog) and app.return_code is None
        await pilot.press("enter")  # "Keep"
        await pilot.pause()
        assert app.screen is editor and editor.dirty
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("right", "enter")  # "Quit"
        await pilot.pause()
        assert app.return_code == 0


async def test_editing_on_a_warm_index_cache(library_dir):
    open_workspace(library_dir)  # writes the index cache; the next start reads groups from it
    workspace = open_workspace(library_dir)
    app = build_app(workspace, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl2", "tab", "e")
        await pilot.pause()
        assert isinstance(app.screen, PhraseEditor)
        await pilot.press("end", "X", "ctrl+s", "escape")
        await pilot.pause()
        assert app.screen.current_entry.phrase.title == "包裹破损X"
        await pilot.press("m", "enter")
        await pilot.pause()
        assert app.screen.current_entry.group.name == "English"
    again = open_workspace(library_dir)
    assert [(g.name, p.code) for g, p in again.library.phrases()] == [("物流", "wl1"), ("物流", "wl10"), ("English", "en1"), ("English", "wl2")]
    assert again.index.by_code("wl2").phrase.title == "包裹破损X"


def test_reload_notice_names_a_few_files():
    from qr.screens.changes import file_list

    assert file_list([Path("a.toml")]) == "a.toml"
    assert file_list([Path(f"g{n}.toml") for n in range(30)]) == "g0.toml, g1.toml, g2.toml +27"


async def test_same_phrase_deleted_by_the_teammate_keep_theirs_closes_the_form(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, "/wl2")
        await set_field(pilot, editor, "title", "我的版本")
        path = library_dir / LOGISTICS
        text = path.read_text(encoding="utf-8")
        start = text.index("[[phrases]]", text.index('"/WL2"') - 30)
        end = text.index("[[phrases]]", start + 5)
        path.write_text(text[:start] + text[end:], encoding="utf-8")  # the teammate deleted /wl2
        await pilot.press("ctrl+s")
        await pilot.pause()
        from qr.screens.merge import MergeDialog

        assert isinstance(app.screen, MergeDialog)
        assert "(deleted)" in str(app.screen.query_one("#merge-theirs-text").render())
        await pilot.press("right", "enter")  # "Keep theirs" (no "Edit merged" when one side deleted it)
        await pilot.pause()
        assert not isinstance(app.screen, PhraseEditor)
        assert titles(on_disk(library_dir)) == ["物流繁忙安抚", "催签收"]
