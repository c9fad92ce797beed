"""Undo in the lists (#17.3): ctrl+z takes back the session's edits one by one, with a notice;
each kind (add, edit, delete, move, group change) through the real keys and files."""

from __future__ import annotations

from pathlib import Path

from conftest import build_app
from test_editor import FIXED, LOGISTICS, messages, on_disk, open_editor, set_field, titles

from qr.record import replace
from qr.screens.dialogs import ChoiceDialog
from qr.screens.groups import GroupForm
from qr.store import edit, load_library
from qr.store.undo import record, undo

ENGLISH = Path("en/english.toml")


def build(library_dir):
    return build_app(library_dir, watch_library=False, now=lambda: FIXED)


async def undo_key(pilot):
    await pilot.press("ctrl+z")
    await pilot.pause()


async def test_undo_an_edit_then_a_delete_in_order(library_dir):
    original = on_disk(library_dir).group_by_path(LOGISTICS)
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl2", "tab", "d")
        await pilot.pause()
        await pilot.press("right", "enter")
        await pilot.pause()
        assert titles(on_disk(library_dir)) == ["物流繁忙安抚", "催签收"]
        app.screen.query_one("Input").value = ""
        await pilot.pause()
        editor = await open_editor(pilot, "/wl1")
        await set_field(pilot, editor, "title", "物流繁忙（改）")
        await pilot.press("ctrl+s", "escape")
        await pilot.pause()
        assert titles(on_disk(library_dir)) == ["物流繁忙（改）", "催签收"]

        await undo_key(pilot)
        assert titles(on_disk(library_dir)) == ["物流繁忙安抚", "催签收"]
        assert any("Undone: edited /wl1" in message for message in messages(app))
        await undo_key(pilot)
        assert titles(on_disk(library_dir)) == ["物流繁忙安抚", "包裹破损", "催签收"]
        assert any("Undone: deleted /wl2 包裹破损" in message for message in messages(app))
        assert on_disk(library_dir).group_by_path(LOGISTICS) == original
        await undo_key(pilot)
        assert any("Nothing to undo" in message for message in messages(app))


async def test_undo_an_added_phrase(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl2", "tab", "n")
        await pilot.pause()
        editor = app.screen
        assert editor.field_values()["code"] == "wl11"  # the group's next free code is offered
        await set_field(pilot, editor, "title", "新话术")
        await set_field(pilot, editor, "body", "亲，新的回复")
        await pilot.press("ctrl+s", "escape")
        await pilot.pause()
        assert titles(on_disk(library_dir))[-1] == "新话术"
        await pilot.press("escape")
        await undo_key(pilot)
        assert "新话术" not in titles(on_disk(library_dir))
        assert any("Undone: added /wl11 新话术" in message for message in messages(app))


async def test_undo_a_move_puts_the_phrase_back_where_it_was(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl2", "tab", "m")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert titles(on_disk(library_dir), ENGLISH)[-1] == "包裹破损"
        await undo_key(pilot)
        library = on_disk(library_dir)
        assert titles(library) == ["物流繁忙安抚", "包裹破损", "催签收"]
        assert "包裹破损" not in titles(library, ENGLISH)
        assert any("Undone: moved /wl2 包裹破损" in message for message in messages(app))


async def test_undo_group_changes(library_dir):
    app = build(library_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl2", "tab", "g")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")  # "New group"
        await pilot.pause()
        assert isinstance(app.screen, GroupForm)
        await pilot.press(*"售后", "enter")
        await pilot.pause()
        assert (library_dir / "售后.toml").exists()
        await undo_key(pilot)
        assert not (library_dir / "售后.toml").exists()
        assert any("Undone: new group 售后" in message for message in messages(app))


def test_undo_keeps_a_teammates_later_change_and_refuses_when_they_changed_that_phrase(library_dir):
    library = load_library(library_dir).library
    group = library.group_by_path(LOGISTICS)
    deleted = edit.delete_phrase(library, LOGISTICS, 1)
    step = record(library, deleted)
    path = library_dir / LOGISTICS
    path.write_text(path.read_text(encoding="utf-8").replace("催签收", "催签收（同事）"), encoding="utf-8")
    now = load_library(library_dir).library
    restored = undo(now, step)
    assert titles(on_disk(library_dir)) == ["物流繁忙安抚", "包裹破损", "催签收（同事）"]
    assert restored.group.phrases[restored.index] == group.phrases[1]

    edited = edit.update_phrase(restored.library, LOGISTICS, 0, replace(group.phrases[0], title="我改的"))
    step = record(restored.library, edited)
    path.write_text(path.read_text(encoding="utf-8").replace("我改的", "同事又改了"), encoding="utf-8")
    import pytest

    from qr.store.edit import EditError

    with pytest.raises(EditError, match="changed since"):
        undo(load_library(library_dir).library, step)
    assert "同事又改了" in path.read_text(encoding="utf-8")
