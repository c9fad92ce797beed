"""Editing operations and the file watcher: every edit saves whole group files safely."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from conftest import write_library

from qr.record import replace
from qr.store import edit, load_library
from qr.store.edit import EditError, MoveError
from qr.store.lint import lint
from qr.store.models import Phrase
from qr.store.save import ConflictError, MergeConflict
from qr.store.watch import LibraryWatcher, disk_changes, reload_changes, side_stamps

LOGISTICS = Path("logistics.toml")
ENGLISH = Path("en/english.toml")


@pytest.fixture
def library(library_dir):
    return load_library(library_dir).library


def reloaded(library):
    result = load_library(library.root)
    assert result.problems == ()
    return result.library


def codes(library, path):
    return [phrase.code for phrase in library.group_by_path(path).phrases]


# -- phrases ------------------------------------------------------------------------------------

def test_add_phrase_saves_the_group_and_returns_the_new_library(library):
    phrase = Phrase(title=" 新话术 ", body="您好{customer}\n第二行\n", code="/WL3", tags=(" 新 ", ""))
    result = edit.add_phrase(library, LOGISTICS, phrase)
    assert result.written == (LOGISTICS,)
    assert codes(result.library, LOGISTICS) == ["wl1", "wl2", "wl10", "wl3"]
    saved = result.group.phrases[result.index]
    assert saved.code == "wl3" and saved.title == "新话术" and saved.tags == ("新",)
    assert saved.line > 0 and saved.body_line > saved.line  # positions known for lint at once
    assert reloaded(library).groups == result.library.groups
    assert lint(result.library) == lint(reloaded(library))


def test_add_at_position(library):
    result = edit.add_phrase(library, LOGISTICS, Phrase(title="首条", body="x", code="wl0"), position=0)
    assert codes(reloaded(library), LOGISTICS) == ["wl0", "wl1", "wl2", "wl10"]
    assert result.index == 0


@pytest.mark.parametrize("code", ["wl1", "WL1", "/Wl1", "EN1"])
def test_code_must_be_unique_across_the_library_case_insensitive(library, code):
    before = (library.root / LOGISTICS).read_bytes()
    with pytest.raises(EditError, match="already used"):
        edit.add_phrase(library, LOGISTICS, Phrase(title="重复", body="x", code=code))
    assert (library.root / LOGISTICS).read_bytes() == before


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        (Phrase(title="  ", body="x"), "title is empty"),
        (Phrase(title="t", body="x", code="w l"), "ASCII"),
        (Phrase(title="t", body="您好{customer"), r"template: unclosed '\{'.*line 1, column 3"),
        (Phrase(title="t", body="  \n"), "body is empty"),
        (Phrase(title="a\nb", body="x"), "one line"),
        (Phrase(title="t", body="x", valid_from=date(2026, 6, 20), valid_until=date(2026, 6, 1)), "before valid_from"),
    ],
)
def test_invalid_phrase_is_refused_before_writing(library, phrase, message):
    before = (library.root / LOGISTICS).read_bytes()
    with pytest.raises(EditError, match=message):
        edit.add_phrase(library, LOGISTICS, phrase)
    assert (library.root / LOGISTICS).read_bytes() == before


def test_update_keeps_own_code_and_unknown_keys(library_dir):
    write_library(library_dir, {"extra.toml": 'name = "X"\nowner = "lead"\n[[phrases]]\ncode = "x1"\ntitle = "t"\nbody = "b"\nreviewed = 2026-01-01\n'})
    library = load_library(library_dir).library
    group = library.group_by_path("extra.toml")
    changed = replace(group.phrases[0], title="新标题", code="X1")
    result = edit.update_phrase(library, "extra.toml", 0, changed)
    again = reloaded(library).group_by_path("extra.toml")
    assert again.extra == {"owner": "lead"}
    assert again.phrases[0].extra == {"reviewed": date(2026, 1, 1)}
    assert again.phrases[0].title == "新标题" and again.phrases[0].code == "x1"
    assert result.library.group_by_path("extra.toml") == again


def test_update_to_a_taken_code_is_refused(library):
    group = library.group_by_path(LOGISTICS)
    with pytest.raises(EditError, match="/wl2 is already used by '包裹破损'"):
        edit.update_phrase(library, LOGISTICS, 0, replace(group.phrases[0], code="wl2"))


def test_update_bad_index(library):
    with pytest.raises(EditError, match="no phrase number 9"):
        edit.update_phrase(library, LOGISTICS, 8, Phrase(title="t", body="x"))


def test_delete_phrase(library):
    result = edit.delete_phrase(library, LOGISTICS, 1)
    assert codes(result.library, LOGISTICS) == ["wl1", "wl10"]
    assert codes(reloaded(library), LOGISTICS) == ["wl1", "wl10"]


def test_edit_after_a_teammate_saved_elsewhere_in_the_file_merges(library):
    path = library.root / LOGISTICS
    path.write_text(path.read_text(encoding="utf-8").replace("记得取件哦", "记得及时取件哦") + "\n# teammate\n", encoding="utf-8")
    result = edit.delete_phrase(library, LOGISTICS, 0)
    text = path.read_text(encoding="utf-8")
    assert "# teammate" in text and "记得及时取件哦" in text and 'code = "wl1"' not in text
    assert len(result.merged) == 1 and result.merged[0].startswith("/wl10 ")
    assert codes(reloaded(library), LOGISTICS) == codes(result.library, LOGISTICS)


def test_edit_of_the_phrase_a_teammate_changed_is_a_merge_conflict(library):
    path = library.root / LOGISTICS
    path.write_text(path.read_text(encoding="utf-8").replace("最近物流繁忙", "近期物流繁忙"), encoding="utf-8")
    teammate = path.read_bytes()
    with pytest.raises(MergeConflict, match="same phrase") as stopped:
        edit.delete_phrase(library, LOGISTICS, 0)
    assert path.read_bytes() == teammate
    (conflict,) = stopped.value.merge.conflicts
    assert conflict.mine is None and conflict.theirs is not None and "近期物流繁忙" in conflict.theirs.body
    assert conflict.label.startswith("/wl1 ")


def test_consecutive_edits_use_the_new_stamp(library):
    first = edit.delete_phrase(library, LOGISTICS, 0)
    second = edit.delete_phrase(first.library, LOGISTICS, 0)
    assert codes(reloaded(library), LOGISTICS) == ["wl10"] == codes(second.library, LOGISTICS)
    # the first library's stamp is stale now: deleting wl1 again merges with the disk (both deleted it,
    # the second edit deleted wl2 that this stale edit did not touch)
    assert codes(edit.delete_phrase(library, LOGISTICS, 0).library, LOGISTICS) == ["wl10"]


def test_move_phrase_saves_target_then_source(library):
    result = edit.move_phrase(library, LOGISTICS, 1, ENGLISH)
    assert result.written == (ENGLISH, LOGISTICS)
    again = reloaded(library)
    assert codes(again, LOGISTICS) == ["wl1", "wl10"]
    assert codes(again, ENGLISH) == ["en1", "wl2"]
    assert result.library.groups == again.groups
    assert result.group.path == ENGLISH and result.group.phrases[result.index].code == "wl2"


def test_move_when_source_save_fails_says_the_phrase_is_in_both(library, monkeypatch):
    import qr.store.save as save

    real = save.atomic_write

    def fail_on_source(path, data):
        if path.name == "logistics.toml":
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(save, "atomic_write", fail_on_source)
    with pytest.raises(MoveError) as caught:
        edit.move_phrase(library, LOGISTICS, 1, ENGLISH)
    message = str(caught.value)
    assert "copied to English" in message and "now in both groups" in message and "No space left" in message
    again = reloaded(library)
    assert codes(again, ENGLISH) == ["en1", "wl2"] and codes(again, LOGISTICS) == ["wl1", "wl2", "wl10"]
    assert caught.value.library.groups == again.groups


def test_move_refuses_before_writing_when_a_teammate_changed_the_moved_phrase(library):
    source = library.root / LOGISTICS
    source.write_text(source.read_text(encoding="utf-8").replace("最近物流繁忙", "近期物流繁忙"), encoding="utf-8")
    target_before = (library.root / ENGLISH).read_bytes()
    with pytest.raises(MergeConflict, match="logistics.toml"):
        edit.move_phrase(library, LOGISTICS, 0, ENGLISH)
    assert (library.root / ENGLISH).read_bytes() == target_before


def test_move_merges_with_a_teammates_change_elsewhere_in_the_source(library):
    source = library.root / LOGISTICS
    source.write_text(source.read_text(encoding="utf-8").replace("记得取件哦", "记得及时取件哦"), encoding="utf-8")
    result = edit.move_phrase(library, LOGISTICS, 0, ENGLISH)
    again = reloaded(library)
    assert codes(again, LOGISTICS) == ["wl2", "wl10"] and codes(again, ENGLISH) == ["en1", "wl1"]
    assert "记得及时取件哦" in source.read_text(encoding="utf-8") and result.merged


def test_move_to_same_group_is_refused(library):
    with pytest.raises(EditError, match="already in"):
        edit.move_phrase(library, LOGISTICS, 0, LOGISTICS)


# -- groups -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "stem"),
    [("售后 退款", "售后-退款"), ("_draft", "draft"), (".hidden", "hidden"), ("a/b\\c:d", "a-b-c-d"), ("???", "group"), ("ＡＢ", "ab")],
)
def test_safe_file_stem(name, stem):
    assert edit.safe_file_stem(name) == stem


def test_new_group_creates_a_file_and_never_overwrites(library):
    (library.root / "售后.toml").write_text("not toml at all [", encoding="utf-8")  # broken, on disk
    library = load_library(library.root).library
    result = edit.new_group(library, "售后", category="售后", order=20, description="退款、退货")
    assert result.written == (Path("售后-2.toml"),)
    assert (library.root / "售后.toml").read_text(encoding="utf-8") == "not toml at all ["
    group = load_library(library.root).library.group_by_path("售后-2.toml")
    assert (group.name, group.category, group.order, group.description, group.phrases) == ("售后", "售后", 20, "退款、退货", ())
    added = edit.add_phrase(result.library, group.path, Phrase(title="退款", body="已退款", code="tk1"))
    assert codes(added.library, group.path) == ["tk1"]


def test_new_group_in_a_folder_and_duplicate_name(library):
    result = edit.new_group(library, "Returns", folder="en", category="英文")
    assert result.group.path == Path("en/returns.toml")
    with pytest.raises(EditError, match="already exists"):
        edit.new_group(result.library, "Returns", category="英文")
    with pytest.raises(EditError, match="inside the library"):
        edit.new_group(library, "x", folder="../out")
    with pytest.raises(EditError, match="needs a name"):
        edit.new_group(library, "  ")


def test_rename_and_set_fields(library):
    renamed = edit.update_group(library, LOGISTICS, name="快递")
    changed = edit.update_group(renamed.library, LOGISTICS, category="物流类", order=5, description="说明")
    group = reloaded(library).group_by_path(LOGISTICS)
    assert (group.name, group.category, group.order, group.description) == ("快递", "物流类", 5, "说明")
    assert [g.path for g in changed.library.groups] == [LOGISTICS, ENGLISH]
    cleared = edit.update_group(changed.library, LOGISTICS, order=None)
    assert reloaded(library).group_by_path(LOGISTICS).order is None == cleared.group.order
    with pytest.raises(EditError, match="needs a name"):
        edit.update_group(library, ENGLISH, name=" ")


def test_delete_group_refuses_non_empty_unless_forced(library):
    with pytest.raises(EditError, match="物流 has 3 phrases"):
        edit.delete_group(library, LOGISTICS)
    assert (library.root / LOGISTICS).exists()
    result = edit.delete_group(library, LOGISTICS, force=True)
    assert result.removed == (LOGISTICS,)
    assert not (library.root / LOGISTICS).exists()
    assert [g.path for g in result.library.groups] == [ENGLISH]


def test_delete_empty_group(library):
    created = edit.new_group(library, "空组")
    result = edit.delete_group(created.library, created.group.path)
    assert not (library.root / created.group.path).exists()
    assert result.library.group_by_path(created.group.path) is None


def test_delete_group_changed_on_disk_is_a_conflict(library):
    path = library.root / ENGLISH
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(ConflictError):
        edit.delete_group(library, ENGLISH, force=True)
    assert path.exists()


# -- libraries that may not be edited -----------------------------------------------------------

def test_bundled_library_refuses_editing():
    from qr.config import bundled_library

    library = load_library(bundled_library()).library
    assert edit.why_not_editable(library) == edit.BUNDLED_MESSAGE
    group = library.groups[0]
    before = (library.root / group.path).read_bytes()
    with pytest.raises(EditError, match=r"bundled library; run `qr init PATH`"):
        edit.delete_phrase(library, group.path, 0)
    assert (library.root / group.path).read_bytes() == before


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write read-only folders")
def test_read_only_library_refuses_editing(library):
    os.chmod(library.root, 0o555)
    try:
        assert "read-only" in edit.why_not_editable(library)
        with pytest.raises(EditError, match="read-only"):
            edit.new_group(library, "新组")
    finally:
        os.chmod(library.root, 0o755)


def test_read_only_reason_is_checked_first(library, monkeypatch):
    # Works as root too: the check is what the editor asks before it offers to edit.
    monkeypatch.setattr(edit, "is_writable", lambda lib: f"{lib.root} is read-only")
    with pytest.raises(EditError, match="is read-only"):
        edit.add_phrase(library, LOGISTICS, Phrase(title="t", body="x"))


def test_broken_file_is_never_written(library_dir):
    broken = library_dir / "broken.toml"
    broken.write_text('name = "坏"\n[[phrases]]\ntitle = \n', encoding="utf-8")
    library = load_library(library_dir).library
    with pytest.raises(EditError, match="failed to load"):
        edit.add_phrase(library, "broken.toml", Phrase(title="t", body="x"))
    with pytest.raises(EditError, match="failed to load"):
        edit.move_phrase(library, LOGISTICS, 0, "broken.toml")
    assert broken.read_text(encoding="utf-8") == 'name = "坏"\n[[phrases]]\ntitle = \n'


def test_saved_files_lint_like_the_originals(library):
    result = edit.add_phrase(library, LOGISTICS, Phrase(title="新", body="您好{customer}", code="wl20"))
    result = edit.move_phrase(result.library, LOGISTICS, 0, ENGLISH)
    assert [f.rule for f in lint(reloaded(library))] == [f.rule for f in lint(load_library(library.root).library)]
    assert not [f for f in lint(reloaded(library)) if f.severity == "error"]


# -- watching the disk ---------------------------------------------------------------------------

def _bump(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # distinct mtime, whatever the clock


def test_no_changes_reads_nothing(library, monkeypatch):
    changes = disk_changes(library, side_stamps(library))
    assert not changes and not changes.touched
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"read {self}"))
    assert not disk_changes(library, changes.side)


def test_own_saves_are_not_reported(library):
    result = edit.delete_phrase(library, LOGISTICS, 0)
    assert not disk_changes(result.library, side_stamps(result.library))


def test_watcher_change_add_remove(library):
    root = library.root
    side = side_stamps(library)
    path = root / LOGISTICS
    _bump(path, path.read_text(encoding="utf-8").replace("物流繁忙安抚", "物流很忙"))
    _bump(root / "new.toml", 'name = "新"\n[[phrases]]\ncode = "n1"\ntitle = "新的"\nbody = "x"\n')
    (root / ENGLISH).unlink()
    changes = disk_changes(library, side)
    assert (changes.changed, changes.added, changes.removed) == ((LOGISTICS,), (Path("new.toml"),), (ENGLISH,))
    result = reload_changes(library, changes)
    assert result.library.groups == load_library(root).library.groups
    assert result.library.find_code("wl1")[1].title == "物流很忙"
    assert result.library.find_code("n1") is not None and result.library.find_code("en1") is None
    assert not disk_changes(result.library, result.side)


def test_touch_without_change_only_refreshes_the_stamp(library):
    path = library.root / LOGISTICS
    _bump(path, path.read_text(encoding="utf-8"))
    changes = disk_changes(library, side_stamps(library))
    assert not changes and LOGISTICS in changes.touched
    result = reload_changes(library, changes)
    assert not result.content_changed
    assert result.library.group_by_path(LOGISTICS).stamp.mtime_ns == path.stat().st_mtime_ns
    edit.delete_phrase(result.library, LOGISTICS, 0)  # the refreshed stamp still matches the disk


def test_watcher_file_becomes_broken_then_fixed(library):
    watcher = LibraryWatcher(library)
    path = library.root / LOGISTICS
    good = path.read_text(encoding="utf-8")
    _bump(path, good + "\n[[phrases]]\ntitle = \n")
    result = watcher.poll(library)
    assert LOGISTICS in result.library.broken and result.library.group_by_path(LOGISTICS) is None
    assert [p.file for p in result.problems] == [LOGISTICS] and result.problems[0].line > 0
    assert watcher.poll(result.library, result.problems) is None  # not re-read while unchanged
    _bump(path, good)
    fixed = watcher.poll(result.library, result.problems)
    assert fixed.problems == () and LOGISTICS not in fixed.library.broken
    assert codes(fixed.library, LOGISTICS) == ["wl1", "wl2", "wl10"]


def test_watcher_settings_change_reloads_everything(library):
    watcher = LibraryWatcher(library)
    settings = library.root / "_library.toml"
    _bump(settings, settings.read_text(encoding="utf-8").replace('default = "亲"', 'default = "亲爱的"'))
    result = watcher.poll(library)
    assert result.changes.settings
    assert result.library.vars["customer"].default == "亲爱的"
    assert watcher.poll(result.library) is None


def test_watcher_keeps_problems_of_untouched_files(library_dir):
    (library_dir / "bad.toml").write_text("x = [", encoding="utf-8")
    loaded = load_library(library_dir)
    watcher = LibraryWatcher(loaded.library)
    _bump(library_dir / ENGLISH, (library_dir / ENGLISH).read_text(encoding="utf-8") + "\n")
    result = watcher.poll(loaded.library, loaded.problems)
    assert result.changes.changed == (ENGLISH,)
    assert [p.file for p in result.problems] == [Path("bad.toml")]


# -- the workspace after an edit ------------------------------------------------------------------

def _keys_of(index, path):
    """The precomputed search keys of one group (whichever way the index stores them)."""
    return [part.keys for part in index.parts if part.group.path == path]


def test_workspace_update_library_reindexes_only_changed_groups(library_dir):
    from qr.index.phrase_index import PhraseIndex
    from qr.workspace import open_workspace

    workspace = open_workspace(library_dir)
    before = workspace.index
    result = edit.add_phrase(workspace.library, LOGISTICS, Phrase(title="仓库爆仓", body="x", code="wl30"))
    workspace.update_library(result.library)
    index = workspace.index
    assert index is not before
    assert index.search("/wl30")[0].phrase.title == "仓库爆仓"
    assert index.search("cangku")[0].phrase.code == "wl30"  # pinyin of the new title
    fresh = PhraseIndex.from_libraries([result.library])
    for query in ("", "/wl", "wl", "物流", "cangku", "Shipping", "破损"):
        assert [(h.phrase, h.score) for h in index.search(query)] == [(h.phrase, h.score) for h in fresh.search(query)]
    assert all(a is b for a, b in zip(_keys_of(index, ENGLISH), _keys_of(before, ENGLISH)))  # reused
    assert _keys_of(index, LOGISTICS) != _keys_of(before, LOGISTICS)


def test_workspace_update_library_replaces_problems(library_dir):
    from qr.workspace import open_workspace

    (library_dir / "bad.toml").write_text("x = [", encoding="utf-8")
    workspace = open_workspace(library_dir)
    assert [p.file for p in workspace.problems] == [Path("bad.toml")]
    watcher = LibraryWatcher(workspace.library)
    _bump(library_dir / "bad.toml", 'name = "修好了"\n')
    result = watcher.poll(workspace.library, workspace.problems_of(workspace.library))
    workspace.update_library(result.library, result.problems)
    assert workspace.problems == ()
    assert [g.name for g in workspace.library.groups] == ["物流", "English", "修好了"]


def test_workspace_with_a_profile_edits_and_reloads_the_shared_library(tmp_path, isolated_home):
    from qr.workspace import open_workspace

    own = write_library(tmp_path / "own")
    common = write_library(tmp_path / "common", {
        "common.toml": 'name = "通用"\n[[phrases]]\ncode = "ty1"\ntitle = "问候"\nbody = "您好"\n',
        "broken.toml": "name = \n",
    })
    config = isolated_home / "xdg_config_home" / "qr" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[profiles.shop]\nlibraries = ["{own}", "{common}"]\n', encoding="utf-8")
    workspace = open_workspace(profile="shop")
    shared = workspace.shared_libraries[0]
    assert [p.file for p in workspace.problems] == [common / "broken.toml"]
    assert [p.file for p in workspace.problems_of(shared)] == [Path("broken.toml")]

    result = edit.update_phrase(shared, "common.toml", 0, Phrase(title="问候语", body="您好呀", code="ty1"))
    workspace.update_library(result.library)
    assert workspace.shared_libraries[0] is result.library and workspace.library.root == own
    assert workspace.index.by_code("ty1").phrase.title == "问候语"

    watcher = LibraryWatcher(workspace.shared_libraries[0])
    _bump(common / "broken.toml", 'name = "修好"\n')
    reloaded = watcher.poll(workspace.shared_libraries[0], workspace.problems_of(workspace.shared_libraries[0]))
    workspace.update_library(reloaded.library, reloaded.problems)
    assert workspace.problems == ()
    assert sorted(g.name for g in workspace.shared_libraries[0].groups) == ["修好", "通用"]


def test_next_free_code_follows_the_groups_numbering(library):
    from qr.store.models import natural_key

    group = library.group_by_path(LOGISTICS)
    assert codes(library, LOGISTICS) == ["wl1", "wl2", "wl10"]
    assert edit.next_free_code(library, group) == "wl11"
    taken = edit.add_phrase(library, ENGLISH, Phrase(title="x", body="y", code="wl11")).library
    assert edit.next_free_code(taken, taken.group_by_path(LOGISTICS)) == "wl12"  # free across the library
    assert edit.next_free_code(library, replace(group, phrases=())) is None
    assert sorted(["wl10", "wl2", "wl1", "a", "wl1b"], key=natural_key) == ["a", "wl1", "wl1b", "wl2", "wl10"]


def test_renaming_a_code_names_the_notes_that_still_mention_the_old_one(library):
    group = library.group_by_path(LOGISTICS)
    noted = edit.update_phrase(library, LOGISTICS, 2, replace(group.phrases[2], note="先发 /wl1，不行再发 /wl10"))
    renamed = edit.update_phrase(noted.library, LOGISTICS, 0, replace(group.phrases[0], code="wl01"))
    (reference,) = renamed.references
    assert reference.startswith("/wl10 催签收 (logistics.toml:")
    assert "先发 /wl1，" in (library.root / LOGISTICS).read_text(encoding="utf-8")  # nothing changed silently
    assert edit.update_phrase(renamed.library, LOGISTICS, 2, replace(group.phrases[2], note="x")).references == ()


def test_lint_names_a_note_that_still_points_at_a_renamed_code(library):
    group = library.group_by_path(LOGISTICS)
    noted = edit.update_phrase(library, LOGISTICS, 2, replace(group.phrases[2], note="先发 /wl1，不行再发 /wl10；售前/售后 都可用, see https://example.com/wl9"))
    assert [f for f in lint(noted.library) if f.rule == "missing-code"] == []
    renamed = edit.update_phrase(noted.library, LOGISTICS, 0, replace(group.phrases[0], code="wl01"))
    (finding,) = [f for f in lint(renamed.library) if f.rule == "missing-code"]
    assert (finding.code, finding.severity, finding.args["code"]) == ("wl10", "warning", "wl1")
    assert "/wl1" in finding.message_in("en") and "/wl1" in finding.message_in("zh")
