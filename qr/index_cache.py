"""The on-disk index cache: a warm start maps one file instead of parsing TOML and computing pinyin.

Where: `platformdirs.user_cache_dir("qr")/index/<hash of the library path>.qrindex`, one per
library. What: for each group file its size, mtime_ns and sha1 (the `FileStamp` that save
conflicts rely on), its group settings, its search keys (`qr.search.GroupKeys`) and its phrases;
plus the parsed `_library.toml` and the library's code order. Nothing but library content: no
order or customer values, no rendered text, no usage.

Layout: magic, header length, a small header (a pickle of plain values), then the data: each
key field of every group as UTF-8 bytes, in index order, then each group's phrases as a pickle.
The file is memory-mapped: search scans the key fields in place (`mmap.find`), and a group's
phrases are unpickled only when one of them is shown. So a warm start at 100,000 phrases reads a
header of a few hundred kilobytes, not the whole library.

A changed, added or removed group file re-indexes that file only (the others' bytes are copied from
the old cache); the cache is then rewritten. Writes are atomic (temp file in the same folder, then
`os.replace`; a process still using the old file keeps its mapping) and readable by the user only.

Trust model: the cache dir is the user's own, but a cache file is never trusted. It must start
with our magic, carry this format and qr version and the same library path, and pass a structure
and type check (offsets inside the file and in order, counts matching); its header and phrase
pickles are read with an unpickler that refuses every global except the `datetime` types TOML
values use, so it cannot run code; each phrase pickle carries a CRC checked before use, and a group
whose key values do not match its phrase count is treated as damaged (searched as empty, never
misplaced) and the file is deleted so the next start rebuilds it. Anything unexpected (missing,
truncated, corrupt, foreign, older) is ignored and rebuilt from the library files, which stay the
only source of truth.

A file modified within `RACY_SECONDS` of the cache being written could change again without its
size or mtime moving (coarse clocks), so such entries are re-checked by digest on the next load.
"""

from __future__ import annotations

import io
import mmap
import os
import pickle
import struct
import time
import zlib
from array import array
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

from qr import __version__
from qr.messages import Message, from_plain, to_plain
from qr.search import BLOOMED, KEY_FIELDS, CodeTable, GroupKeys, group_keys, merged_vocabulary
from qr.store.digest import sha1
from qr.store.load import (
    LIBRARY_FILE,
    InvalidFile,
    _parse_settings,
    _string,
    group_file_names,
    load_library,
    parse_group,
    read_toml,
)
from qr.store.models import FileStamp, Group, Library, LoadResult, Phrase, Problem

MAGIC = b"QRIDX\x00\x07\n"
FORMAT = 7  # 7: a problem's message as qr.messages.to_plain (id, args)
RACY_SECONDS = 2.0
PHRASE_FIELDS = ("title", "body", "code", "tags", "asks", "note", "lang", "valid_from", "valid_until", "extra", "line", "body_line")
_LENGTH = struct.Struct("<Q")
_ALLOWED_GLOBALS = {("datetime", name) for name in ("date", "datetime", "time", "timezone", "timedelta")}


class CacheRejected(Exception):
    """The cache file is not one we wrote for this library and this qr: rebuild it."""


class _SafeUnpickler(pickle.Unpickler):
    """Builds only plain data (and TOML's date/time values): no global can be looked up."""

    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise CacheRejected(f"cache refers to {module}.{name}")


def _safe_loads(data) -> Any:
    return _SafeUnpickler(io.BytesIO(data)).load()


def cache_path(root: Path) -> Path:
    """The cache file of the library at `root` (one per resolved library path)."""
    from qr.config import cache_dir

    key = sha1(str(root).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return cache_dir() / "index" / f"{key}.qrindex"


# -- lazy groups -----------------------------------------------------------------------------------


class CachedGroup(Group):
    """A Group read from the cache: equal to the Group `load_group` would give, but its Phrase
    objects are built on first use (100,000 frozen dataclasses take longer than the whole warm
    start): one at a time for search hits, all at once when `phrases` is read."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Group):
            return NotImplemented
        return _compared(self) == _compared(other)

    __hash__ = Group.__hash__

    def __reduce__(self):
        # copies and pickles are plain Groups (the cache's memory map does not travel)
        return (Group, (self.path, self.name, self.phrases, self.category, self.order, self.description, self.extra, self.stamp))

    @cached_property
    def phrases(self) -> tuple[Phrase, ...]:  # type: ignore[override]
        return tuple(self.phrase_at(position) for position in range(self.__dict__["_count"]))

    def phrase_at(self, position: int) -> Phrase:
        state = self.__dict__
        if "phrases" in state:
            return state["phrases"][position]
        built = state.setdefault("_built", {})
        phrase = built.get(position)
        if phrase is None:
            columns = state.get("_columns")
            if columns is None:
                columns = state["_columns"] = _phrase_columns(state)
            phrase = built[position] = Phrase(**{name: column[position] for name, column in zip(PHRASE_FIELDS, columns)})
        return phrase


def _compared(group: Group) -> tuple:
    return (group.path, group.name, group.phrases, group.category, group.order, group.description, group.extra)


def _phrase_columns(state: dict[str, Any]) -> list[list[Any]]:
    """The phrase columns of a cached group, checked; from the file itself if the blob is bad."""
    blob, crc, count = state["_blob"], state["_crc"], state["_count"]
    try:
        if zlib.crc32(blob) != crc:
            raise CacheRejected("phrase blob fails its CRC")
        columns = _safe_loads(blob)
        _check_columns(columns, count)
        return columns
    except Exception:  # noqa: BLE001
        # the cache is only a hint: read the group from its file instead
        relative = state["path"]
        document, text, stamp = read_toml(state["_root"] / relative, relative)
        group = parse_group(document, text, relative, stamp)
        return [[getattr(phrase, name) for phrase in group.phrases] for name in PHRASE_FIELDS]


_KINDS = {
    "title": str, "body": str, "note": str, "lang": str, "line": int, "body_line": int, "extra": dict,
    "tags": tuple, "asks": tuple, "code": (str, type(None)), "valid_from": (date, type(None)), "valid_until": (date, type(None)),
}


def _check_columns(columns: Any, count: int) -> None:
    if not isinstance(columns, list) or len(columns) != len(PHRASE_FIELDS):
        raise CacheRejected("phrase columns")
    for name, column in zip(PHRASE_FIELDS, columns):
        if not isinstance(column, list) or len(column) != count:
            raise CacheRejected(f"phrase column {name}")
        if not all(isinstance(value, _KINDS[name]) for value in column):
            raise CacheRejected(f"phrase column {name} types")
    for name in ("tags", "asks"):
        if not all(isinstance(word, str) for words in columns[PHRASE_FIELDS.index(name)] for word in words):
            raise CacheRejected(f"{name} types")


def _phrase_blob(group: Group) -> bytes:
    columns = [[getattr(phrase, name) for phrase in group.phrases] for name in PHRASE_FIELDS]
    return pickle.dumps(columns, protocol=pickle.HIGHEST_PROTOCOL)


# -- what one file contributes ---------------------------------------------------------------------


@dataclass
class FileEntry:
    """One group file as the cache keeps it (key texts and blob may be slices of the old mmap)."""

    size: int
    mtime_ns: int
    digest: str
    problem: tuple[int, int, Any] | None = None  # message as qr.messages.to_plain
    header: tuple | None = None
    """(name, category, order, description, extra) of a group that loaded."""
    keys: GroupKeys | None = None
    blob: Any = b""
    crc: int = 0
    racy: bool = False
    transient: bool = False
    """Not cached (the file could not be read this time)."""

    def stamp(self) -> FileStamp:
        return FileStamp(self.size, self.mtime_ns, self.digest)


def _group_from_entry(root: Path, relative: Path, entry: FileEntry) -> CachedGroup:
    name, category, order, description, extra = entry.header
    group = CachedGroup.__new__(CachedGroup)
    group.__dict__.update(
        path=relative, name=name, category=category, order=order, description=description, extra=extra,
        stamp=entry.stamp(), _blob=entry.blob, _crc=entry.crc, _count=entry.keys.count, _root=root,
    )
    return group


# -- the cache file --------------------------------------------------------------------------------


@dataclass
class CacheFile:
    """A library's index cache as read from disk or about to be written."""

    root: str
    files: dict[str, FileEntry] = field(default_factory=dict)
    settings: tuple | None = None
    """(size, mtime_ns, digest, document or None, problem or None) of `_library.toml`."""
    order: tuple[str, ...] = ()
    """Loaded group files in index order (the order of the key fields in the data)."""
    fields: list[list[int]] = field(default_factory=list)
    """Per KEY_FIELDS entry: absolute offsets of each group in `order` in `buffer`, then the end."""
    code_order: tuple[bytes, bytes] | None = None
    """CodeTable.order and CodeTable.natural as bytes, for `order`."""
    vocabulary: str = ""
    """All groups' typo-search vocabularies merged (see `qr.search.merged_vocabulary`)."""
    buffer: Any = None
    """The mmap the offsets point into."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_stamp(raw: Any) -> None:
    if not (isinstance(raw, tuple) and len(raw) >= 3 and _is_int(raw[0]) and _is_int(raw[1]) and isinstance(raw[2], str)):
        raise CacheRejected("stamp")


def read_cache(path: Path, root: Path) -> CacheFile:
    """The cache for `root`, or CacheRejected (missing, truncated, corrupt, foreign, other version)."""
    try:
        with open(path, "rb") as handle:
            buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as error:  # ValueError: an empty file cannot be mapped
        raise CacheRejected(f"cannot read: {error}") from None
    start = len(MAGIC) + _LENGTH.size
    if len(buffer) < start or buffer[: len(MAGIC)] != MAGIC:
        raise CacheRejected("not a qr index cache")
    (header_length,) = _LENGTH.unpack(buffer[len(MAGIC) : start])
    base = start + header_length
    if base > len(buffer):
        raise CacheRejected("truncated")
    try:
        document = _safe_loads(buffer[start:base])
    except CacheRejected:
        raise
    except Exception as error:  # corrupt pickles raise many kinds of errors  # noqa: BLE001
        raise CacheRejected(f"unreadable: {type(error).__name__}") from None
    return _decode(document, buffer, base, root)


def _decode(document: Any, buffer, base: int, root: Path) -> CacheFile:
    size = len(buffer)
    if not isinstance(document, dict):
        raise CacheRejected("not a dict")
    if document.get("format") != FORMAT or document.get("qr") != __version__:
        raise CacheRejected("written by another version of qr")
    if document.get("root") != str(root):
        raise CacheRejected("written for another library")
    cache = CacheFile(root=str(root), buffer=buffer)

    settings = document.get("settings")
    if settings is not None:
        _check_stamp(settings)
        if not (len(settings) == 5 and (settings[3] is None or isinstance(settings[3], dict))
                and (settings[4] is None or _is_problem(settings[4]))):
            raise CacheRejected("settings")
        cache.settings = settings

    order = document.get("order")
    if not (isinstance(order, tuple) and all(isinstance(name, str) for name in order)):
        raise CacheRejected("order")
    cache.order = order
    fields = document.get("fields")
    if not (isinstance(fields, tuple) and len(fields) == len(KEY_FIELDS)):
        raise CacheRejected("fields")
    for offsets in fields:
        if not (isinstance(offsets, tuple) and len(offsets) == len(order) + 1 and {type(o) for o in offsets} <= {int}):
            raise CacheRejected("field offsets")
        absolute = [base + offset for offset in offsets]
        if sorted(absolute) != absolute or absolute[0] < base or absolute[-1] >= size:
            raise CacheRejected("field offsets out of order or outside the file")
        if buffer[absolute[-1]] != 0x0A:
            raise CacheRejected("field end")
        cache.fields.append(absolute)

    files = document.get("files")
    if not isinstance(files, dict):
        raise CacheRejected("files")
    position = {name: index for index, name in enumerate(order)}
    for name, raw in files.items():
        if not (isinstance(name, str) and isinstance(raw, tuple) and len(raw) == 10):
            raise CacheRejected("file entry")
        _check_stamp(raw)
        file_size, mtime_ns, digest, problem, header, blob_ref, windows, blooms, words, racy = raw
        entry = FileEntry(file_size, mtime_ns, digest, racy=racy is True)
        if problem is not None:
            if not _is_problem(problem):
                raise CacheRejected("problem")
            entry.problem = problem
            cache.files[name] = entry
            continue
        if name not in position:
            raise CacheRejected("group missing from the order")
        index = position[name]
        entry.header = _checked_header(header)
        if not (isinstance(blob_ref, tuple) and len(blob_ref) == 4 and all(_is_int(part) for part in blob_ref)):
            raise CacheRejected("phrase blob")
        offset, length, crc, count = blob_ref
        if offset < 0 or length < 0 or base + offset + length > size or count < 0:
            raise CacheRejected("phrase blob outside the file")
        if not (isinstance(windows, tuple) and all(
            isinstance(window, tuple) and len(window) == 3 and all(_is_int(part) and part >= 0 for part in window)
            and window[0] < count
            for window in windows
        )):
            raise CacheRejected("windows")
        if not (isinstance(blooms, tuple) and len(blooms) == BLOOMED and all(_is_int(bloom) and bloom >= 0 for bloom in blooms)):
            raise CacheRejected("blooms")
        if not isinstance(words, str):
            raise CacheRejected("words")
        view = memoryview(buffer)
        texts = tuple(view[offsets[index] : offsets[index + 1]] for offsets in cache.fields)
        entry.keys = GroupKeys(count, texts, windows, blooms, words)
        entry.blob = view[base + offset : base + offset + length]
        entry.crc = crc
        cache.files[name] = entry
    if set(order) - {name for name, entry in cache.files.items() if entry.problem is None}:
        raise CacheRejected("order names unknown groups")

    vocabulary = document.get("vocabulary", "")
    if not isinstance(vocabulary, str):
        raise CacheRejected("vocabulary")
    cache.vocabulary = vocabulary
    code_order = document.get("code_order")
    if code_order is not None:
        if not (isinstance(code_order, tuple) and len(code_order) == 2 and all(isinstance(part, bytes) for part in code_order)):
            raise CacheRejected("code order")
        cache.code_order = code_order
    return cache


def _is_problem(problem: Any) -> bool:
    return isinstance(problem, tuple) and len(problem) == 3 and _is_int(problem[0]) and _is_int(problem[1]) and from_plain(problem[2]) is not None


def _checked_header(header: Any) -> tuple:
    if not (isinstance(header, tuple) and len(header) == 5):
        raise CacheRejected("group header")
    name, category, order, description, extra = header
    if not (isinstance(name, str) and isinstance(category, str) and isinstance(description, str)
            and (order is None or _is_int(order)) and isinstance(extra, dict)):
        raise CacheRejected("group header types")
    return header


def write_cache(path: Path, cache: CacheFile) -> None:
    """Write the cache atomically: readers see the old file or the new one, never half of one."""
    chunks: list[Any] = []
    position = 0

    def put(data) -> int:
        nonlocal position
        offset = position
        chunks.append(data)
        position += len(data)
        return offset

    entries = [cache.files[name] for name in cache.order]
    fields = []
    for index in range(len(KEY_FIELDS)):
        offsets = [put(entry.keys.texts[index]) for entry in entries]
        offsets.append(put(b"\n"))  # the sentinel newline after the last group
        fields.append(tuple(offsets))
    files = {}
    for name, entry in cache.files.items():
        blob_ref = windows = blooms = None
        words = ""
        if entry.problem is None:
            blob_ref = (put(entry.blob), len(entry.blob), entry.crc, entry.keys.count)
            windows, blooms, words = entry.keys.windows, tuple(entry.keys.blooms), entry.keys.words
        files[name] = (entry.size, entry.mtime_ns, entry.digest, entry.problem, entry.header, blob_ref, windows, blooms, words, entry.racy)
    header = pickle.dumps(
        {
            "format": FORMAT, "qr": __version__, "root": cache.root, "settings": cache.settings,
            "order": tuple(cache.order), "fields": tuple(fields), "files": files, "code_order": cache.code_order,
            "vocabulary": cache.vocabulary,
        },
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(MAGIC)
            out.write(_LENGTH.pack(len(header)))
            out.write(header)
            for chunk in chunks:
                out.write(chunk)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


# -- loading through the cache ---------------------------------------------------------------------


@dataclass
class CachedLoad:
    """A library loaded through the cache, with what the index needs and what happened."""

    result: LoadResult
    keys: dict[Path, GroupKeys]
    """Search keys of each loaded group, by relative path."""
    code_table: CodeTable | None = None
    """The code order of the whole library, in the library's group order."""
    joined: list | None = None
    """The key fields laid out for the library's groups in order: (mmap, offsets) per field."""
    vocabulary: str = ""
    """The merged typo-search vocabulary, when the cache had it for these groups."""
    reindexed: tuple[Path, ...] = ()
    """Group files parsed and indexed in this load (not taken from the cache)."""
    rejected: str = ""
    """Why an existing cache file was not used ("" when it was used or there was none)."""
    written: bool = False
    path: Path | None = None

    def forget(self) -> None:
        """Delete the cache file (the index found it damaged): the next start rebuilds it."""
        if self.path is not None:
            try:
                self.path.unlink()
            except OSError:
                pass


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _digest(path: Path | str) -> str:
    try:
        with open(path, "rb") as handle:
            return sha1(handle.read()).hexdigest()
    except OSError:
        return ""


def _unchanged(entry: FileEntry | None, stat: os.stat_result, full: str) -> bool:
    if entry is None or entry.size != stat.st_size or entry.mtime_ns != stat.st_mtime_ns:
        return False
    if entry.racy:
        # cached too soon after its last change to trust the mtime: compare the content
        return _digest(full) == entry.digest
    return True


def _is_racy(mtime_ns: int, now_ns: int) -> bool:
    return (now_ns - mtime_ns) / 1e9 <= RACY_SECONDS


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
        if known is not None and known[0] == stat.st_size and known[1] == stat.st_mtime_ns and (
            not _is_racy(known[1], now_ns) or _digest(settings_path) == known[2]
        ):
            fresh.settings = known
        else:
            dirty = True
            try:
                document, _, stamp = read_toml(settings_path, Path(LIBRARY_FILE))
                fresh.settings = (stamp.size, stamp.mtime_ns, stamp.digest, document, None)
            except InvalidFile as error:
                found = error.problem
                fresh.settings = (stat.st_size, stat.st_mtime_ns, _digest(settings_path), None, (found.line, found.column, to_plain(found.message)))
        if fresh.settings[4] is not None:
            line, column, message = fresh.settings[4]
            problems.append(Problem(Path(LIBRARY_FILE), line, column, from_plain(message) or ""))
        else:
            settings = fresh.settings[3] or {}
    elif cache.settings is not None:
        dirty = True
    vars_, rules, extra = _parse_settings(settings, problems)

    # group files: unchanged ones from the cache, the others parsed and indexed (in parallel when many)
    groups: list[Group] = []
    keys: dict[Path, GroupKeys] = {}
    broken: set[Path] = set()
    names = group_file_names(root)
    if set(names) != set(cache.files):
        dirty = True
    prefix = str(root) + os.sep
    known: dict[str, FileEntry] = {}
    for name in names:
        full = prefix + name
        try:
            stat = os.stat(full)
        except OSError:
            stat = None
        entry = cache.files.get(name)
        if stat is not None and _unchanged(entry, stat, full):
            known[name] = entry
    stale = [name for name in names if name not in known]
    reindexed = tuple(Path(name) for name in stale)
    if on_reindex is not None:
        for relative in reindexed:
            on_reindex(relative)
    if stale:
        dirty = True
        for name, entry in zip(stale, index_files(root, stale)):
            if entry is not None:
                known[name] = entry
            else:  # unreadable right now: report it, remember nothing
                known[name] = FileEntry(0, 0, "", problem=_unreadable(root, name), transient=True)
    for name in names:
        entry = known[name]
        relative = Path(name)
        if entry.problem is not None:
            line, column, message = entry.problem
            problems.append(Problem(relative, line, column, from_plain(message) or ""))
            broken.add(relative)
        else:
            groups.append(_group_from_entry(root, relative, entry))
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
        root=root, groups=tuple(groups), name=_string(settings.get("name")), shop=_string(settings.get("shop")),
        vars=vars_, rules=rules, extra=extra, broken=frozenset(broken),
    )
    fresh.order = tuple(group.path.as_posix() for group in groups)
    size = sum(keys[group.path].count for group in groups)

    code_table = joined = None
    vocabulary = ""
    if not dirty and cache.order == fresh.order and cache.code_order is not None:
        code_table = _code_table(cache.code_order, size)
        joined = [(cache.buffer, offsets) for offsets in cache.fields]
        vocabulary = cache.vocabulary
    written = False
    if code_table is None:
        codes = [code for group in groups for code in _codes(keys[group.path])]
        code_table = CodeTable.build(codes)
        fresh.code_order = (code_table.order.tobytes(), code_table.natural.tobytes())
        fresh.vocabulary = vocabulary = merged_vocabulary(keys[group.path] for group in groups)
        if write:
            try:
                write_cache(path, fresh)
                written = True
            except OSError:
                pass  # a read-only cache dir only costs speed
    return CachedLoad(
        LoadResult(library, tuple(problems)), keys, code_table, joined, vocabulary, reindexed, rejected, written, path
    )


_TABLES: list = []


def index_file(root: str, name: str) -> FileEntry | None:
    """Parse and index one group file (None when it cannot be read at all)."""
    relative = Path(name)
    full = Path(root) / relative
    try:
        document, text, stamp = read_toml(full, relative)
        group = parse_group(document, text, relative, stamp)
    except InvalidFile as error:
        found = error.problem
        if isinstance(found.message, Message) and found.message.id == "load.cannot_read":
            return None
        try:
            stat = full.stat()
        except OSError:
            return None
        return FileEntry(stat.st_size, stat.st_mtime_ns, _digest(full), problem=(found.line, found.column, to_plain(found.message)))
    if not _TABLES:
        from qr.pinyin import PinyinTables

        _TABLES.append(PinyinTables())
    blob = _phrase_blob(group)
    return FileEntry(
        stamp.size, stamp.mtime_ns, stamp.digest,
        header=(group.name, group.category, group.order, group.description, dict(group.extra)),
        keys=group_keys(group, _TABLES[0]), blob=blob, crc=zlib.crc32(blob),
    )


def index_files(root: Path, names: list[str]) -> list[FileEntry | None]:
    """`index_file` for each name, in order.

    (Sharing this among forked workers was tried: on the shared 2-core machine it gained nothing
    measurable, so a cold start stays single-process.)"""
    return [index_file(str(root), name) for name in names]


def _unreadable(root: Path, name: str) -> tuple[int, int, Any]:
    try:
        read_toml(root / name, Path(name))
    except InvalidFile as error:
        return (error.problem.line, error.problem.column, to_plain(error.problem.message))
    return (0, 0, to_plain(Message("load.changed_while_loading")))


def _codes(keys: GroupKeys) -> list[str]:
    if not keys.count:
        return []
    return bytes(keys.texts[0])[1:].decode("utf-8", "replace").split("\n")


def _code_table(code_order: tuple[bytes, bytes], size: int) -> CodeTable | None:
    order, natural = array("i"), array("i")
    try:
        order.frombytes(code_order[0])
        natural.frombytes(code_order[1])
    except ValueError:
        return None
    if len(natural) != size or len(order) > size or (order and (min(order) < 0 or max(order) >= size)):
        return None
    return CodeTable(order, natural)
