"""Writing group files: minimal-diff or canonical TOML, atomic replace, refusal when the file changed on disk."""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from qr.messages import Message, MessageError
from qr.record import replace
from qr.store.documents import group_document
from qr.store.load import LIBRARY_FILE, stamp_of
from qr.store.merge import Merge
from qr.store.models import FileStamp, Group, Library
from qr.store.tempfiles import TEMP_SUFFIX


class SaveError(MessageError):
    """A save that was refused or failed; nothing on disk was changed (its text: a Message)."""


class ConflictError(SaveError):
    """The file changed on disk since it was loaded (another lead saved it, or a git pull)."""


class MergeConflict(ConflictError):
    """A teammate changed the same phrase (or group setting) on disk: nothing was written.

    `merge.conflicts` holds base, theirs and mine of each such phrase; `base` is the group as loaded,
    `theirs` the group on disk (with its stamp), `mine` what was being saved: finish with
    `merge_groups(base, theirs, mine, resolved=...)` saved with `previous=theirs`.
    """

    def __init__(self, message: Message, merge: Merge, base: Group, theirs: Group, mine: Group) -> None:
        super().__init__(message)
        self.merge = merge
        self.base = base
        self.theirs = theirs
        self.mine = mine


def dumps_group(group: Group) -> str:
    document = group_document(group)
    # tomli-w turns "\r\n" into "\n" inside multi-line strings; a document holding one (only an
    # escaped "\r\n" can load that way) is written with escaped one-line strings so nothing changes.
    multiline = not _has_crlf(document)
    phrases = document["phrases"]
    if not phrases or any(_has_table(value) for phrase in phrases for value in phrase.values()):
        return tomli_w.dumps(document, multiline_strings=multiline)
    # tomli-w writes an array of short tables inline (`phrases = [{...}, ...]`, one line each) when
    # every phrase is short; the canonical form is one [[phrases]] table per phrase, so they are
    # written one by one (same text as tomli-w's own [[phrases]] form).
    del document["phrases"]
    head = tomli_w.dumps(document, multiline_strings=multiline)
    tables = "\n".join("[[phrases]]\n" + tomli_w.dumps(phrase, multiline_strings=multiline) for phrase in phrases)
    return f"{head}\n{tables}"


def _has_table(value: Any) -> bool:
    return isinstance(value, dict) or (isinstance(value, (list, tuple)) and any(isinstance(item, dict) for item in value))


def _has_crlf(value: Any) -> bool:
    if isinstance(value, str):
        return "\r\n" in value
    if isinstance(value, dict):
        return any(_has_crlf(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_crlf(item) for item in value)
    return False


def current_stamp(path: Path) -> FileStamp | None:
    try:
        return stamp_of(path.read_bytes(), path.stat())
    except FileNotFoundError:
        return None


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new one, never a part.

    A symlink is written through: its target is replaced and the link stays a link.
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        # mkstemp makes 0600 files; a group file is shared with the team like any file the user writes
        os.chmod(temp_name, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


def _umask() -> int:
    """The process umask, read without changing it where the OS allows (os.umask is process-wide)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_group(library: Library, group: Group, *, previous: Group | None = None, force: bool = False) -> Group:
    """Write `group` to its file in `library` and return it with its new stamp.

    `previous` is the group as loaded (None for a new file); the save is refused when the file on
    disk is no longer what was loaded, when a new file would overwrite an existing one, or when
    the file failed to load (it is never rewritten until fixed by hand).
    """
    return write_group(library, group, previous=previous, force=force).group


@dataclass(frozen=True)
class Saved:
    group: Group
    """The group as written (the merged group when the file had changed on disk)."""
    merge: Merge | None = None
    """The merge with the file on disk, when a teammate had changed it since it was loaded."""


def write_group(library: Library, group: Group, *, previous: Group | None = None, force: bool = False, merge: bool = False) -> Saved:
    """`save_group`, and with `merge` a file changed on disk since it was loaded is merged phrase by
    phrase (base = `previous`, theirs = the disk, mine = `group`) instead of refused; a phrase both
    sides changed raises MergeConflict carrying the three versions, and nothing is written."""
    path = library.root / group.path
    if group.path in library.broken:
        raise SaveError(Message("save.broken", path=str(group.path)))
    _refuse_unsafe(path, str(group.path))
    disk = _read_if_present(path)
    on_disk = stamp_of(disk, path.stat()) if disk is not None else None
    expected = previous.stamp if previous is not None else None
    merged = None
    data = None
    if not force:
        if previous is None and on_disk is not None:
            raise ConflictError(Message("save.exists", path=str(group.path)))
        if previous is not None and on_disk is not None and expected is not None and on_disk.digest != expected.digest:
            if not merge or disk is None:
                raise ConflictError(Message("save.changed", path=str(group.path)))
            merged, data = _merge_with_disk(group, previous, disk, on_disk)
            group = merged.group
        if previous is not None and on_disk is None and expected is not None:
            raise ConflictError(Message("save.deleted", path=str(group.path)))
    if data is None and previous is not None and disk is not None and on_disk is not None and expected is not None and on_disk.digest == expected.digest:
        data = minimal_bytes(disk, previous, group)
    if data is None:
        data = dumps_group(group).encode("utf-8")
    try:
        atomic_write(path, data)
    except OSError as error:
        raise SaveError(Message("save.cannot_write", path=str(group.path), reason=error.strerror or str(error))) from None
    return Saved(replace(group, stamp=stamp_of(data, path.stat())), merged)


def theirs_on_disk(group: Group, disk: bytes, stamp: FileStamp | None) -> Group | None:
    """The group file's bytes as a Group (None when they do not load: then there is nothing to merge)."""
    import tomllib

    from qr.store.load import InvalidFile, parse_group

    try:
        text = disk.decode("utf-8-sig")
        return parse_group(tomllib.loads(text), text, group.path, stamp)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, InvalidFile, RecursionError):
        return None


def _merge_with_disk(group: Group, previous: Group, disk: bytes, stamp: FileStamp) -> tuple[Merge, bytes | None]:
    from qr.store.merge import merge_groups

    theirs = theirs_on_disk(group, disk, stamp)
    if theirs is None:
        raise ConflictError(Message("save.changed", path=str(group.path)))
    merged = merge_groups(previous, theirs, group)
    if not merged.clean:
        raise MergeConflict(Message("save.same_phrase", path=str(group.path), phrases=", ".join(
            [conflict.label for conflict in merged.conflicts] + list(merged.setting_conflicts))), merged, previous, theirs, group)
    return merged, minimal_bytes(disk, theirs, merged.group)


def _refuse_unsafe(path: Path, shown: str) -> None:
    """Refuse a file qr must not replace: read-only, not a regular file, or a link to nothing usable.

    A symlinked group file is fine: atomic_write writes through the link (the target changes).
    """
    if not os.path.lexists(path):
        return
    try:
        target = path.stat()
    except OSError:
        raise SaveError(Message("save.link_broken", path=shown, target=os.readlink(path))) from None
    if not stat.S_ISREG(target.st_mode):
        raise SaveError(Message("save.not_regular", path=shown))
    # the mode bits, not os.access: root may write anything, but a file made read-only says "do not"
    if not target.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise SaveError(Message("save.file_read_only", path=shown))


def minimal_bytes(disk: bytes, loaded: Group, group: Group) -> bytes | None:
    """The file `disk` (which loads as `loaded`) changed only where `group` differs; None when it cannot be.

    Comments, key order and the file's own formatting stay, so a teammate's git diff shows the edit
    and nothing else (see docs/file-format.md, "Saving").
    """
    from qr.store.patch import patch_group_text  # tomlkit is only needed when a file is saved

    bom = disk.startswith(b"\xef\xbb\xbf")
    try:
        text = disk.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    patched = patch_group_text(text, loaded, group)
    if patched is None:
        return None
    return (b"\xef\xbb\xbf" if bom else b"") + patched.encode("utf-8")


def _read_if_present(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def delete_group(library: Library, group: Group, *, force: bool = False) -> None:
    """Remove a group's file, refusing when it changed on disk since it was loaded."""
    path = library.root / group.path
    on_disk = current_stamp(path)
    if on_disk is None:
        return
    if not force and group.stamp is not None and on_disk.digest != group.stamp.digest:
        raise ConflictError(Message("save.changed", path=str(group.path)))
    try:
        path.unlink()
    except OSError as error:
        raise SaveError(Message("save.cannot_delete", path=str(group.path), reason=error.strerror or str(error))) from None


def is_writable(library: Library) -> Message | None:
    """None when qr may write the library, else the reason it may not."""
    root = library.root
    if not os.access(root, os.W_OK):
        return Message("save.read_only", path=str(root))
    if (root / LIBRARY_FILE).exists() and not os.access(root / LIBRARY_FILE, os.W_OK):
        return Message("save.read_only", path=str(root / LIBRARY_FILE))
    return None
