"""Restore a deleted phrase (#17.3): the session's deleted phrases in a list (r, or the palette),
the chosen one back into its group while the edits made since stay; a code taken meanwhile is
dropped (and said); a group file gone is said plainly."""

from __future__ import annotations

from conftest import build_app
from test_editor import FIXED, LOGISTICS, messages, on_disk, open_editor, set_field, titles

from qr.screens.dialogs import DeletedPicker
from qr.screens.launcher import LauncherScreen


def build(library_dir):
    return build_app(library_dir, watch_library=False, now=lambda: FIXED)


async def delete(pilot, query: str) -> None:
    await pilot.press(*query, "tab", "d")
    await pilot.pause()
    await pilot.press("right", "enter")
    await pilot.pause()
    pilot.app.screen.query_one("Input").value = ""
    await pilot.pause()


async def restore_newest(pilot) -> DeletedPicker:
    await pilot.press("tab", "r")
    await pilot.pause()
    picker = pilot.app.screen
    assert isinstance(picker, DeletedPicker)
    await pilot.press("enter")
    await pilot.pause()
    return picker


async def test_restore_a_deleted_phrase_keeps_the_later_edit(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await delete(pilot, "/wl2")
        assert titles(on_disk(library_dir)) == ["物流繁忙安抚", "催签收"]
        editor = await open_editor(pilot, "/wl1")
        await set_field(pilot, editor, "title", "物流繁忙（改）")
        await pilot.press("ctrl+s", "escape")
        await pilot.pause()
        await pilot.press("shift+tab")
        app.screen.query_one("Input").value = ""
        await pilot.pause()

        picker = await restore_newest(pilot)
        assert [(item.phrase.code, item.phrase.title, item.group_name) for item in picker.items] == [("wl2", "包裹破损", "物流")]
        library = on_disk(library_dir)
        assert sorted(titles(library)) == sorted(["物流繁忙（改）", "催签收", "包裹破损"])  # A back, B's edit kept
        assert library.group_by_path(LOGISTICS).phrases[-1].code == "wl2"
        assert any("Restored /wl2 包裹破损 into 物流" in message for message in messages(app))

        launcher = app.screen
        assert isinstance(launcher, LauncherScreen)
        await pilot.press("shift+tab", "ctrl+u", *"/wl2")
        await pilot.pause()
        assert launcher.current_entry.phrase.title == "包裹破损"  # searchable at once

        await pilot.press("tab", "r")  # nothing left to restore
        await pilot.pause()
        assert any("No phrase was deleted" in message for message in messages(app))


async def test_restore_without_the_code_when_it_was_taken_since(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await delete(pilot, "/wl2")
        editor = await open_editor(pilot, "/wl1")
        await set_field(pilot, editor, "code", "wl2")
        await pilot.press("ctrl+s", "escape")
        await pilot.pause()
        await pilot.press("shift+tab")
        await restore_newest(pilot)
        phrases = {phrase.title: phrase.code for phrase in on_disk(library_dir).group_by_path(LOGISTICS).phrases}
        assert phrases["包裹破损"] is None and phrases["物流繁忙安抚"] == "wl2"
        assert any("without its code: /wl2 is now used by /wl2 物流繁忙安抚" in message for message in messages(app))


async def test_restore_tells_when_the_group_file_is_gone(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await delete(pilot, "/wl2")
        await pilot.press(*"/wl1", "tab", "g")
        await pilot.pause()
        await pilot.press("right", "right", "enter", "right", "enter")  # delete the group, with its phrases
        await pilot.pause()
        assert not (library_dir / LOGISTICS).exists()
        await pilot.press("shift+tab")
        app.screen.query_one("Input").value = ""
        await pilot.pause()
        picker = await restore_newest(pilot)
        assert len(picker.items) == 3  # /wl2, then the group's two phrases
        assert any("group 物流" in message and "no longer exists" in message for message in messages(app))
        assert not (library_dir / LOGISTICS).exists()


async def test_palette_lists_restore(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Restore a deleted phrase" in [command.title for command in app.get_system_commands(app.screen)]
