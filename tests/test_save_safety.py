"""Saves keep what is on disk honest (#14.8): symlinks written through, read-only files refused,
leftover temp files of a killed save swept up at the next load."""

from __future__ import annotations

import os
import time

import pytest

from qr.record import replace
from qr.store import edit, load_library
from qr.store.save import SaveError, atomic_write
from qr.store.tempfiles import is_own_temp_name


def _edit_first_phrase(root) -> None:
    library = load_library(root).library
    group = library.group_by_path("logistics.toml")
    edit.update_phrase(library, group.path, 0, replace(group.phrases[0], body=group.phrases[0].body + "谢谢"))


def test_a_symlinked_group_file_is_written_through_the_link(library_dir, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "logistics.toml"
    os.replace(library_dir / "logistics.toml", target)
    (library_dir / "logistics.toml").symlink_to(target)

    _edit_first_phrase(library_dir)

    assert (library_dir / "logistics.toml").is_symlink()
    assert os.readlink(library_dir / "logistics.toml") == str(target)
    assert "谢谢" in target.read_text(encoding="utf-8")
    assert [name for name in os.listdir(shared) if name.endswith(".tmp")] == []


def test_atomic_write_through_a_relative_link_keeps_the_link(tmp_path):
    (tmp_path / "real.toml").write_text("old", encoding="utf-8")
    (tmp_path / "link.toml").symlink_to("real.toml")
    atomic_write(tmp_path / "link.toml", b"new")
    assert (tmp_path / "link.toml").is_symlink() and (tmp_path / "real.toml").read_text(encoding="utf-8") == "new"


def test_a_link_to_something_that_is_not_a_regular_file_is_refused(library_dir):
    library = load_library(library_dir).library
    group = library.group_by_path("logistics.toml")
    os.unlink(library_dir / "logistics.toml")
    (library_dir / "logistics.toml").symlink_to(library_dir / "gone.toml")
    with pytest.raises(SaveError) as refused:
        edit.update_phrase(library, group.path, 0, replace(group.phrases[0], body="x"))
    assert "gone.toml" in str(refused.value) and "does not exist" in str(refused.value)
    assert (library_dir / "logistics.toml").is_symlink() and not (library_dir / "gone.toml").exists()

    os.unlink(library_dir / "logistics.toml")
    (library_dir / "logistics.toml").symlink_to("/dev/null")
    with pytest.raises(SaveError, match="not a regular file"):
        edit.update_phrase(library, group.path, 0, replace(group.phrases[0], body="x"))
    assert (library_dir / "logistics.toml").is_symlink()


def test_a_read_only_group_file_is_refused_and_left_alone(library_dir):
    path = library_dir / "logistics.toml"
    before = path.read_bytes()
    path.chmod(0o444)
    try:
        with pytest.raises(SaveError, match="read-only"):
            _edit_first_phrase(library_dir)
        assert path.read_bytes() == before
        assert [name for name in os.listdir(library_dir) if name.endswith(".tmp")] == []
    finally:
        path.chmod(0o644)


def test_leftover_temp_files_older_than_a_minute_are_removed_at_the_next_load(library_dir):
    old = library_dir / ".logistics.toml.k3j_x9ab.tmp"
    fresh = library_dir / "en" / ".english.toml.a1b2c3d4.tmp"
    other = library_dir / ".notes.tmp"  # not qr's naming: never touched
    for path in (old, fresh, other):
        path.write_text("half a save", encoding="utf-8")
    two_minutes_ago = time.time() - 120
    os.utime(old, (two_minutes_ago, two_minutes_ago))
    os.utime(other, (two_minutes_ago, two_minutes_ago))

    result = load_library(library_dir)

    assert not old.exists()
    assert fresh.exists() and other.exists()  # a save may be writing `fresh` right now
    assert result.problems == ()


def test_own_temp_names():
    assert is_own_temp_name(".售后.toml.abcd_123.tmp")
    assert not is_own_temp_name("售后.toml.abcd_123.tmp")
    assert not is_own_temp_name(".售后.toml.tmp")
    assert not is_own_temp_name(".notes.txt.abcd1234.tmp")
