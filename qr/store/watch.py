"""Noticing group files changed on disk (a teammate's save, a `git pull`) and reloading only those.

No file-system events and no extra dependency: the TUI polls `LibraryWatcher.poll` about once a
second in a worker. A poll stats every group file (cheap) and reads a file only when its size or
mtime moved; the digest then decides whether the content really changed (a `touch` only refreshes
the stamp). The library's own stamps come from loading or saving, so qr's own saves are not
reported back as changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from qr.record import replace
from qr.store.load import LIBRARY_FILE, InvalidFile, UnsafeFile, group_files, load_group, load_library, read_regular
from qr.store.models import FileStamp, Library, Problem


@dataclass(frozen=True)
class DiskChanges:
    """Group files that differ from what the library holds, and new stamps to remember."""

    changed: tuple[Path, ...] = ()
    added: tuple[Path, ...] = ()
    removed: tuple[Path, ...] = ()
    touched: Mapping[Path, FileStamp] = field(default_factory=dict)
    """Loaded groups whose mtime moved but whose content did not: only their stamp is refreshed."""
    settings: bool = False
    """`_library.toml` changed, appeared or went away: the whole library is reloaded."""
    side: Mapping[Path, FileStamp] = field(default_factory=dict)
    """Stamps of the files no Group carries a stamp for (broken group files, `_library.toml`)."""

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed or self.settings)

    @property
    def files(self) -> tuple[Path, ...]:
        return self.changed + self.added + self.removed


@dataclass(frozen=True)
class Reloaded:
    library: Library
    problems: tuple[Problem, ...]
    """All load problems of the library after the reload (those of untouched files are kept)."""
    changes: DiskChanges
    side: Mapping[Path, FileStamp]

    @property
    def content_changed(self) -> bool:
        """False when only stamps were refreshed (nothing to re-index or redraw)."""
        return bool(self.changes)


def _quick(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _stamp(path: Path) -> FileStamp | None:
    try:
        data, stat = read_regular(path)  # a FIFO or a device must not hang the watcher
    except (OSError, UnsafeFile):
        return None
    return FileStamp(size=stat.st_size, mtime_ns=stat.st_mtime_ns, digest=hashlib.sha1(data).hexdigest())


def side_stamps(library: Library) -> dict[Path, FileStamp]:
    """Stamps of the broken group files and `_library.toml` as they are now (the watcher's start)."""
    stamps = {}
    for path in [*library.broken, Path(LIBRARY_FILE)]:
        stamp = _stamp(library.root / path)
        if stamp is not None:
            stamps[path] = stamp
    return stamps


def _moved(quick: tuple[int, int] | None, stamp: FileStamp | None) -> bool:
    return stamp is None or quick != (stamp.size, stamp.mtime_ns)


def disk_changes(library: Library, side: Mapping[Path, FileStamp] | None = None) -> DiskChanges:
    """Compare the library (and the `side` stamps) with the disk, reading only files that moved."""
    side = dict(side if side is not None else {})
    root = library.root
    if not root.is_dir():
        return DiskChanges(removed=tuple(group.path for group in library.groups) + tuple(sorted(library.broken)))
    on_disk = set(group_files(root))
    loaded = {group.path: group for group in library.groups}
    changed, added, touched = [], [], {}
    new_side: dict[Path, FileStamp] = {}

    for path in sorted(on_disk):
        full = root / path
        group = loaded.get(path)
        known = group.stamp if group is not None else side.get(path)
        quick = _quick(full)
        if quick is None:
            continue  # vanished between listing and stat: the next poll reports it
        if known is not None and not _moved(quick, known):
            if group is None:
                new_side[path] = known
            continue
        stamp = _stamp(full)
        if stamp is None:
            continue
        if group is None:
            new_side[path] = stamp
            if known is None and path not in library.broken:
                added.append(path)
            elif known is None or stamp.digest != known.digest:
                changed.append(path)
        elif known is not None and stamp.digest == known.digest:
            touched[path] = stamp
        else:
            changed.append(path)
            new_side[path] = stamp  # kept only if the file now fails to load
    removed = [path for path in sorted(set(loaded) | set(library.broken)) if path not in on_disk]

    settings_path = Path(LIBRARY_FILE)
    settings_known = side.get(settings_path)
    settings_quick = _quick(root / settings_path)
    settings = False
    if settings_quick is None:
        settings = settings_known is not None
    elif settings_known is not None and not _moved(settings_quick, settings_known):
        new_side[settings_path] = settings_known
    else:
        stamp = _stamp(root / settings_path)
        if stamp is not None:
            new_side[settings_path] = stamp
            settings = settings_known is None or stamp.digest != settings_known.digest
    return DiskChanges(tuple(changed), tuple(added), tuple(removed), touched, settings, new_side)


def reload_changes(library: Library, changes: DiskChanges, problems: tuple[Problem, ...] = ()) -> Reloaded:
    """A new Library with only the changed, added and removed group files (re)loaded.

    A file that now fails to load leaves the library (into `broken`) with its problem; problems of
    files that were not touched are kept as they were.
    """
    if changes.settings:
        result = load_library(library.root)
        return Reloaded(result.library, result.problems, changes, side_stamps(result.library))
    groups = {group.path: group for group in library.groups}
    broken = set(library.broken)
    reread = set(changes.files)
    kept = [problem for problem in problems if problem.file not in reread]
    new_problems: list[Problem] = []
    for path in changes.removed:
        groups.pop(path, None)
        broken.discard(path)
    for path in changes.changed + changes.added:
        try:
            group = load_group(library.root, path)
        except InvalidFile as error:
            groups.pop(path, None)
            broken.add(path)
            new_problems.append(error.problem)
        else:
            groups[path] = group
            broken.discard(path)
    for path, stamp in changes.touched.items():
        if path in groups:
            groups[path] = replace(groups[path], stamp=stamp)
    ordered = tuple(sorted(groups.values(), key=lambda group: group.sort_key))
    new_library = replace(library, groups=ordered, broken=frozenset(broken))
    side = {path: stamp for path, stamp in changes.side.items() if path in broken or path == Path(LIBRARY_FILE)}
    return Reloaded(new_library, tuple(kept + new_problems), changes, side)


class LibraryWatcher:
    """Remembers the side stamps between polls; `poll` returns a Reloaded when something changed."""

    def __init__(self, library: Library) -> None:
        self.side: dict[Path, FileStamp] = side_stamps(library)

    def poll(self, library: Library, problems: tuple[Problem, ...] = ()) -> Reloaded | None:
        changes = disk_changes(library, self.side)
        if not changes and not changes.touched:
            self.side = dict(changes.side)
            return None
        reloaded = reload_changes(library, changes, problems)
        self.side = dict(reloaded.side)
        return reloaded
