"""Loading a library through its index cache: a warm start maps one file instead of parsing TOML
and computing pinyin.

Where: `platformdirs.user_cache_dir("qr")/index/<hash of the library path>.qrindex`, one per
library. What: for each group file its size, mtime_ns and sha1 (the `FileStamp` that save
conflicts rely on), its group settings, its search keys (`GroupKeys`) and its phrases; plus the
parsed `_library.toml` and the library's code order. Nothing but library content: no order or
customer values, no rendered text, no usage. (The file itself: `qr.index.cache_file`.)

A changed, added or removed group file re-indexes that file only (the others' bytes are copied from
the old cache); the cache is then rewritten. Writes are atomic (temp file in the same folder, then
`os.replace`; a process still using the old file keeps its mapping) and readable by the user only.

Trust model: the cache dir is the user's own, but a cache file is never trusted, and it is all or
nothing. It must start with our magic, carry this format, the same library path and pinyin data,
pass its header checksum and a structure check where every fact is checked against the others
(see `qr.index.cache_file`); its header and phrase pickles are read with an unpickler that refuses
every global except the `datetime` types TOML values use, so it cannot run code. Anything
unexpected (missing, truncated, corrupt, foreign, older) deletes the file and rebuilds it from the
library files, which stay the only source of truth. Key bytes and phrase pickles carry checksums
checked on first use: key bytes that fail make the index delete the file and rebuild those keys
from the phrases before answering (`PhraseIndex.recover`), a phrase pickle that fails is read
from its TOML file instead; so a damaged cache never changes a result.

A file modified within `RACY_SECONDS` of the cache being written could change again without its
size or mtime moving (coarse clocks), so such entries are re-checked by digest on the next load.
"""

from __future__ import annotations

import os
import time
import zlib
from array import array
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from qr.index.fields import FieldLayout
    from qr.index.keys import GroupKeys
    from qr.index.pinyin import PinyinTables

from qr.index.cache_file import (
    CacheFile,
    CodeOrder,
    FileEntry,
    FileProblem,
    GroupHeader,
    SettingsEntry,
    read_cache,
    write_cache,
)
from qr.index.cached_group import CachedGroup, CacheRejected, phrase_blob
from qr.index.codes import CodeTable
from qr.index.fields import CacheDamaged
from qr.index.keys import group_keys
from qr.messages import Message
from qr.store.digest import sha1
from qr.store.load import (
    LIBRARY_FILE,
    InvalidFile,
    UnsafeFile,
    group_file_names,
    load_library,
    parse_group,
    parse_settings,
    read_regular,
    read_toml,
    string_value,
)
from qr.store.models import Group, Library, LoadResult, Problem

RACY_SECONDS = 2.0


def cache_path(root: Path) -> Path:
    """The cache file of the library at `root` (one per resolved library path)."""
    from qr.config import cache_dir

    key = sha1(str(root).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return cache_dir() / "index" / f"{key}.qrindex"


def _group_from_entry(root: Path, relative: Path, entry: FileEntry) -> CachedGroup:
    header, keys = entry.header, entry.keys
    assert header is not None and keys is not None  # a file that loaded (no problem) has both
    group = CachedGroup.__new__(CachedGroup)
    group.__dict__.update(
        path=relative, name=header.name, category=header.category, order=header.order,
        description=header.description, extra=header.extra,
        stamp=entry.stamp(), _blob=entry.blob, _crc=entry.crc, _count=keys.count, _root=root,
    )
    return group


class CachedLoad:
    """A library loaded through the cache, with what the index needs and what happened. (A plain
    class: a dataclass costs ~0.6 ms to define on every warm `qr search`.)"""

    def __init__(
        self,
        result: LoadResult,
        keys: dict[Path, GroupKeys],
        code_table: CodeTable | None = None,
        layouts: list[FieldLayout] | None = None,
        vocabulary: str = "",
        reindexed: tuple[Path, ...] = (),
        rejected: str = "",
        written: bool = False,
        path: Path | None = None,
    ) -> None:
        self.result = result
        self.keys = keys
        """Search keys of each loaded group, by relative path."""
        self.code_table = code_table
        """The code order of the whole library, in the library's group order."""
        self.layouts = layouts
        """The key fields laid out for the library's groups in order (slices of the cache's mmap)."""
        self.vocabulary = vocabulary
        """The merged typo-search vocabulary, when the cache had it for these groups."""
        self.reindexed = reindexed
        """Group files parsed and indexed in this load (not taken from the cache)."""
        self.rejected = rejected
        """Why an existing cache file was not used ("" when it was used or there was none)."""
        self.written = written
        self.path = path

    def forget(self) -> None:
        """Delete the cache file (the index found it damaged): the next start rebuilds it."""
        if self.path is not None:
            _unlink(self.path)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _digest(path: Path | str) -> str:
    try:
        data, _ = read_regular(path)  # never a FIFO or /dev/zero: those would hang or never end
    except (OSError, UnsafeFile):
        return ""
    return sha1(data).hexdigest()


def _unchanged(entry: FileEntry | None, stat: os.stat_result, full: str) -> bool:
    if entry is None or entry.size != stat.st_size or entry.mtime_ns != stat.st_mtime_ns:
        return False
    if entry.racy:
        # cached too soon after its last change to trust the mtime: compare the content
        return _digest(full) == entry.digest
    return True


def _is_racy(mtime_ns: int, now_ns: int) -> bool:
    return (now_ns - mtime_ns) / 1e9 <= RACY_SECONDS


def _problem(error: InvalidFile) -> FileProblem:
    found = error.problem
    return FileProblem(found.line, found.column, found.message)


def load_cached(
    root: Path | str,
    *,
    cache_file: Path | None = None,
    write: bool = True,
    on_reindex: Callable[[Path], None] | None = None,
) -> CachedLoad:
    """Load the library at `root` through (and refreshing) its index cache.

    Equal in content to `load_library(root)`, plus `group_keys` of every group: files whose size
    and mtime match the cache are neither parsed nor re-indexed (`on_reindex` sees the others).
    """
    root = Path(root)
    if not root.is_dir():
        return CachedLoad(load_library(root), {})
    try:
        resolved = root.resolve()
    except OSError:
        resolved = root.absolute()
    path = cache_file or cache_path(resolved)
    rejected = ""
    try:
        cache = read_cache(path, resolved)
    except CacheRejected as error:
        rejected = str(error) if path.exists() else ""
        if rejected:
            _unlink(path)  # all or nothing: rebuilt from the library files below
        cache = CacheFile(root=str(resolved))
    fresh = CacheFile(root=str(resolved))
    dirty = cache.buffer is None
    now_ns = time.time_ns()
    problems: list[Problem] = []

    # _library.toml: its parsed document is cached like a group
    settings: dict[str, Any] = {}
    settings_path = root / LIBRARY_FILE
    stat = _stat(settings_path)
    if stat is not None:
        known = cache.settings
        if known is not None and known.size == stat.st_size and known.mtime_ns == stat.st_mtime_ns and (
            not _is_racy(known.mtime_ns, now_ns) or _digest(settings_path) == known.digest
        ):
            fresh.settings = known
        else:
            dirty = True
            try:
                document, _, stamp = read_toml(settings_path, Path(LIBRARY_FILE))
                fresh.settings = SettingsEntry(stamp.size, stamp.mtime_ns, stamp.digest, document, None)
            except InvalidFile as error:
                fresh.settings = SettingsEntry(stat.st_size, stat.st_mtime_ns, _digest(settings_path), None, _problem(error))
        if fresh.settings.problem is not None:
            found = fresh.settings.problem
            problems.append(Problem(Path(LIBRARY_FILE), found.line, found.column, found.message))
        else:
            settings = fresh.settings.document or {}
    elif cache.settings is not None:
        dirty = True
    vars_, rules, extra = parse_settings(settings, problems, settings_path)

    # group files: unchanged ones from the cache, the others parsed and indexed
    groups: list[Group] = []
    keys: dict[Path, GroupKeys] = {}
    broken: set[Path] = set()
    names = group_file_names(root)
    if set(names) != set(cache.files):
        dirty = True
    prefix = str(root) + os.sep
    known_files: dict[str, FileEntry] = {}
    for name in names:
        full = prefix + name
        try:
            file_stat = os.stat(full)
        except OSError:
            file_stat = None
        entry = cache.files.get(name)
        if entry is not None and file_stat is not None and _unchanged(entry, file_stat, full):
            known_files[name] = entry
    stale = [name for name in names if name not in known_files]
    reindexed = tuple(Path(name) for name in stale)
    if on_reindex is not None:
        for relative in reindexed:
            on_reindex(relative)
    if stale:
        dirty = True
        for name, entry in zip(stale, index_files(root, stale)):
            if entry is not None:
                known_files[name] = entry
            else:  # unreadable right now: report it, remember nothing
                known_files[name] = FileEntry(0, 0, "", problem=_unreadable(root, name), transient=True)
    for name in names:
        entry = known_files[name]
        relative = Path(name)
        if entry.problem is not None:
            problems.append(Problem(relative, entry.problem.line, entry.problem.column, entry.problem.message))
            broken.add(relative)
        else:
            groups.append(_group_from_entry(root, relative, entry))
            assert entry.keys is not None  # as _group_from_entry checked
            keys[relative] = entry.keys
        if entry.transient:
            continue
        racy = _is_racy(entry.mtime_ns, now_ns)
        if racy != entry.racy:
            dirty = True  # newly racy, or its digest was just confirmed long enough after the change
            entry.racy = racy
        fresh.files[name] = entry

    groups.sort(key=lambda group: group.sort_key)
    library = Library(
        root=root, groups=tuple(groups), name=string_value(settings.get("name")), shop=string_value(settings.get("shop")),
        vars=vars_, rules=rules, extra=extra, broken=frozenset(broken),
    )
    fresh.order = tuple(group.path.as_posix() for group in groups)
    size = sum(keys[group.path].count for group in groups)

    code_table = layouts = None
    vocabulary = ""
    if not dirty and cache.order == fresh.order and cache.code_order is not None:
        code_table = _code_table(cache.code_order, size)
        layouts = cache.layouts
        vocabulary = cache.vocabulary
    written = False
    if code_table is None:
        from qr.index.fuzzy import merged_vocabulary
        from qr.index.pinyin import dictionary_signature

        try:
            codes = [code for group in groups for code in _codes(keys[group.path])]
        except CacheDamaged:
            # codes kept from the old file fail their checksum: start again without that file
            _unlink(path)
            return load_cached(root, cache_file=path, write=write, on_reindex=on_reindex)
        code_table = CodeTable.build(codes)
        fresh.pinyin = dictionary_signature()
        fresh.code_order = CodeOrder(code_table.order.tobytes(), code_table.natural.tobytes())
        fresh.vocabulary = vocabulary = merged_vocabulary(keys[group.path] for group in groups)
        if write:
            try:
                write_cache(path, fresh)
                written = True
            except OSError:
                pass  # a read-only cache dir only costs speed
        if stale:
            from qr.index.pinyin import flush_tables

            flush_tables(write)  # the pinyin tables file, if the readings came from pypinyin here
    return CachedLoad(
        LoadResult(library, tuple(problems)), keys, code_table, layouts, vocabulary, reindexed, rejected, written, path
    )


_TABLES: list[PinyinTables] = []


def index_file(root: str, name: str) -> FileEntry | None:
    """Parse and index one group file (None when it cannot be read at all)."""
    relative = Path(name)
    full = Path(root) / relative
    try:
        document, text, stamp = read_toml(full, relative)
        group = parse_group(document, text, relative, stamp)
    except InvalidFile as error:
        message = error.problem.message
        if isinstance(message, Message) and message.id in _NOT_CACHED:
            return None
        try:
            stat = full.stat()
        except OSError:
            return None
        return FileEntry(stat.st_size, stat.st_mtime_ns, _digest(full), problem=_problem(error))
    blob = phrase_blob(group)
    return FileEntry(
        stamp.size, stamp.mtime_ns, stamp.digest,
        header=GroupHeader(group.name, group.category, group.order, group.description, dict(group.extra)),
        keys=group_keys(group, _pinyin_tables()), blob=blob, crc=zlib.crc32(blob),
    )


PARALLEL_BYTES = 256 * 1024
"""Stale group files smaller than this in total are indexed in this process (a fork costs ~10 ms)."""


def index_files(root: Path, names: list[str]) -> list[FileEntry | None]:
    """`index_file` for each name, in order: with two or more cores and enough to do, half of the
    files in a forked child (`qr.store.forked`: parsing and pinyin are pure CPU work, a cold
    start at 100,000 phrases takes about half the time); otherwise, or if the child fails, all here."""
    if not _worth_forking(root, names):
        return _index_all(str(root), names)
    from functools import partial

    from qr.index.pinyin import dictionary_loaded, flush_tables, tables_due
    from qr.store import forked

    dictionary_loaded()  # before the fork: the child shares them
    child_writes_tables = tables_due()
    theirs, ours = _shares(root, names)
    # the child also writes the pinyin tables file when the readings came from pypinyin: after
    # its files were sent, while this process finishes (it does not wait for that)
    child = forked.start(partial(_index_all, str(root), theirs), then=flush_tables)
    if child is None:  # no fork here (Windows, macOS, another thread running) or it was refused
        return _index_all(str(root), names)
    mine = _index_all(str(root), ours)
    received = child.result(wait=not child_writes_tables)
    if isinstance(received, list) and len(received) == len(theirs):
        if child_writes_tables:
            flush_tables(write=False)  # the child writes it
    else:  # the child failed: its files indexed here
        received = _index_all(str(root), theirs)
    entries = dict(zip(theirs, received))
    entries.update(zip(ours, mine))
    return [entries[name] for name in names]


def _index_all(root: str, names: list[str]) -> list[FileEntry | None]:
    return [index_file(root, name) for name in names]


CHILD_SHARE = 0.49
"""The child's share of the bytes to index, a little under half: the child also pickles its
results and the parent waits for them, while the merge, the code order and the cache write come
after both halves are done. Cold loads, interleaved, medians of 5-7 on two free cores: 100,000
phrases 2,349 ms at 0.53, 2,256 ms at 0.49 (first run 2,490 / 2,384 ms); 10,000 phrases 285 / 275 ms."""


def _shares(root: Path, names: list[str]) -> tuple[list[str], list[str]]:
    """(the child's files, the parent's), in order: each file goes to whichever is below its share
    of the bytes so far (files near each other are alike, so both get a mix)."""
    theirs: list[str] = []
    ours: list[str] = []
    their_bytes = all_bytes = 0
    for name in names:
        try:
            size = os.stat(root / name).st_size
        except OSError:
            size = 0
        all_bytes += size
        if their_bytes < CHILD_SHARE * all_bytes:
            theirs.append(name)
            their_bytes += size
        else:
            ours.append(name)
    return theirs, ours


def _worth_forking(root: Path, names: list[str]) -> bool:
    """Two cores or more, and enough bytes to index that a fork (~10 ms) pays."""
    from qr.store.forked import available_cpus

    if available_cpus() < 2 or len(names) < 4:
        return False
    total = 0
    for name in names:
        try:
            total += os.stat(root / name).st_size
        except OSError:
            pass
    return total >= PARALLEL_BYTES


def _pinyin_tables() -> PinyinTables:
    """The process's pinyin tables (they grow as characters are met)."""
    if not _TABLES:
        from qr.index.pinyin import PinyinTables

        _TABLES.append(PinyinTables())
    return _TABLES[0]


_NOT_CACHED = {"load.cannot_read", "load.not_regular", "load.too_big"}
"""Problems re-checked at every load (no digest is taken of such a file: it might never end)."""


def _unreadable(root: Path, name: str) -> FileProblem:
    try:
        read_toml(root / name, Path(name))
    except InvalidFile as error:
        return _problem(error)
    return FileProblem(0, 0, Message("load.changed_while_loading"))


def _codes(keys: GroupKeys) -> list[str]:
    if keys.checksums is not None and zlib.crc32(keys.texts[0]) != keys.checksums[0]:
        raise CacheDamaged("codes fail their checksum")
    if not keys.count:
        return []
    return bytes(keys.texts[0])[1:].decode("utf-8", "replace").split("\n")


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _code_table(code_order: CodeOrder, size: int) -> CodeTable | None:
    order, natural = array("i"), array("i")
    try:
        order.frombytes(code_order.order)
        natural.frombytes(code_order.natural)
    except ValueError:
        return None
    if len(natural) != size or len(order) > size or (order and (min(order) < 0 or max(order) >= size)):
        return None
    return CodeTable(order, natural)
