"""The index cache file: its layout, reading it (never trusted: every part checked) and writing
it atomically. What goes into it and when is `qr.index.cache`'s business.

Layout: magic, header length, the header's CRC32, a small header (a pickle of plain values:
tuples, not our classes, so the safe unpickler needs no global), then the data: each key field of
every group as UTF-8 bytes, in index order, then each group's phrases as a pickle in an LZ4 block (see
`qr.index.cached_group`), in the order of the header's `files`, up to the end of the file.
Two things in the header are narrowed (at 100,000 phrases the file was 42 MB, the target 40): each
bloomed field's filters are one LZ4 block of every group's filter in index order (sparse bitmaps:
2.0 MB -> 0.15 MB on the generated library), and the code order's 32-bit numbers are stored
without their high byte, as three byte planes in an LZ4 block (0.8 -> 0.04 MB there: neighbours'
low bytes repeat; rebuilt with slice assignments). Both cost less to read than they save in
unpickling (big ints took ~5 ms of a warm start at 100,000 phrases).
The file is memory-mapped: search scans the key fields in place (`mmap.find`), and a group's
phrases are unpickled only when one of them is shown.

All or nothing: the header is used only if its CRC matches, and every structural fact in it is
checked against the others and against the file (the data's layout exactly fills the file; counts,
offsets, blob ranges, windows, bloom sizes, the code order's length); any mismatch rejects the
whole file. The data is too large to checksum on every start (~39 MB at 100,000 phrases): each
group's key bytes carry a CRC per field, checked on first use (`KeyField.check`), and each group's
phrase pickle its own CRC (`CachedGroup`), so no byte is used unchecked.

Keyed by what decides its content, not by qr's version: `FORMAT` (bump it when what is stored or
how keys are computed changes; `tests/test_cache.py` holds a digest of the keys of a fixed
library that fails until you do), the library path, every file's stamp, and the pinyin data the
keys were computed with (its file's path, size and mtime: one `stat` at start-up).
"""

from __future__ import annotations

import mmap
import os
import pickle
import struct
import sys
import zlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

from qr.index.cached_group import CacheRejected, pack, safe_loads, unpack
from qr.index.fields import BLOOM_BYTES, FieldLayout
from qr.index.keys import BLOOMED, KEY_FIELDS, GroupKeys, Window
from qr.messages import Message, from_plain, to_plain
from qr.record import Record
from qr.store.models import FileStamp

MAGIC = b"QRIDX\x00\x0a\n"
FORMAT = 14  # 7: a problem's message as (id, args); 8: checksums, keyed by format not qr version; 9: asks and notes key fields, pinyin read by word; 10: blooms of asks and notes; 11: pinyin keyed by both pypinyin data files; 12: phrase pickles as LZ4 blocks; 13: a phrase blob's first byte says packed or plain; 14: blooms as one LZ4 block per field, code order as three byte planes in an LZ4 block
LENGTH = struct.Struct("<QI")
"""The header's length and CRC32, after the magic."""


class FileProblem(Record):
    """Why a file did not load (what `Problem` says, without the file name)."""

    line: int
    column: int
    message: Message | str

    def __init__(self, line: int, column: int, message: Message | str) -> None:
        self.__dict__.update(line=line, column=column, message=message)


class GroupHeader(Record):
    """The group settings of a group file that loaded."""

    name: str
    category: str
    order: int | None
    description: str
    extra: dict

    def __init__(self, name: str, category: str, order: int | None, description: str, extra: dict) -> None:
        self.__dict__.update(name=name, category=category, order=order, description=description, extra=extra)


class SettingsEntry(Record):
    """`_library.toml` as the cache keeps it: its stamp and its parsed document, or its problem."""

    size: int
    mtime_ns: int
    digest: str
    document: dict | None
    problem: FileProblem | None

    def __init__(self, size: int, mtime_ns: int, digest: str, document: dict | None, problem: FileProblem | None) -> None:
        self.__dict__.update(size=size, mtime_ns=mtime_ns, digest=digest, document=document, problem=problem)


class CodeOrder(Record):
    """`CodeTable.order` and `CodeTable.natural` as bytes (`array.tobytes`), for `CacheFile.order`."""

    order: bytes
    natural: bytes

    def __init__(self, order: bytes, natural: bytes) -> None:
        self.__dict__.update(order=order, natural=natural)


class FileEntry:
    """One group file as the cache keeps it (key texts and blob may be slices of the old mmap).
    A plain class, as CacheFile below (a warm start defines them; see `qr.record`)."""

    def __init__(
        self, size: int, mtime_ns: int, digest: str, problem: FileProblem | None = None,
        header: GroupHeader | None = None, keys: GroupKeys | None = None, blob: Any = b"", crc: int = 0,
        racy: bool = False, transient: bool = False,
    ) -> None:
        self.size = size
        self.mtime_ns = mtime_ns
        self.digest = digest
        self.problem = problem
        self.header = header
        """The group settings of a group that loaded."""
        self.keys = keys
        self.blob = blob
        self.crc = crc
        self.racy = racy
        self.transient = transient
        """Not cached (the file could not be read this time)."""

    def stamp(self) -> FileStamp:
        return FileStamp(self.size, self.mtime_ns, self.digest)


def _keys(entry: FileEntry) -> GroupKeys:
    """The keys of a file that loaded (the cache's order and key texts hold only those)."""
    if entry.keys is None:
        raise CacheRejected("a listed group has no keys")
    return entry.keys


class CacheFile:
    """A library's index cache as read from disk or about to be written."""

    def __init__(
        self, root: str, files: dict[str, FileEntry] | None = None, settings: SettingsEntry | None = None,
        order: tuple[str, ...] = (), layouts: list[FieldLayout] | None = None, code_order: CodeOrder | None = None,
        vocabulary: str = "", buffer: Any = None, pinyin: tuple | None = None,
    ) -> None:
        self.root = root
        self.files: dict[str, FileEntry] = files if files is not None else {}
        self.settings = settings
        self.order = order
        """Loaded group files in index order (the order of the key fields in the data)."""
        self.layouts: list[FieldLayout] = layouts if layouts is not None else []
        """Per KEY_FIELDS entry: the absolute offsets of each group in `order` in `buffer`, then the end."""
        self.code_order = code_order
        self.vocabulary = vocabulary
        """All groups' typo-search vocabularies merged (see `qr.index.fuzzy.merged_vocabulary`)."""
        self.buffer = buffer
        """The mmap the offsets point into."""
        self.pinyin = pinyin
        """((path, size, mtime_ns), ...) of the pinyin data files the keys were computed with."""


# -- reading -----------------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_stamp(raw: Any) -> None:
    if not (isinstance(raw, tuple) and len(raw) >= 3 and _is_int(raw[0]) and _is_int(raw[1]) and isinstance(raw[2], str)):
        raise CacheRejected("stamp")


def read_cache(path: Path, root: Path) -> CacheFile:
    """The cache for `root`, or CacheRejected (missing, truncated, corrupt, foreign, other format)."""
    try:
        with open(path, "rb") as handle:
            buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as error:  # ValueError: an empty file cannot be mapped
        raise CacheRejected(f"cannot read: {error}") from None
    start = len(MAGIC) + LENGTH.size
    if len(buffer) < start or buffer[: len(MAGIC)] != MAGIC:
        raise CacheRejected("not a qr index cache of this format")
    header_length, header_crc = LENGTH.unpack(buffer[len(MAGIC) : start])
    base = start + header_length
    if base > len(buffer):
        raise CacheRejected("truncated")
    header = buffer[start:base]
    if zlib.crc32(header) != header_crc:
        raise CacheRejected("header fails its checksum")
    try:
        document = safe_loads(header)
    except CacheRejected:
        raise
    except Exception as error:  # corrupt pickles raise many kinds of errors  # noqa: BLE001
        raise CacheRejected(f"unreadable: {type(error).__name__}") from None
    return _decode(document, buffer, base, root)


def _pinyin_unchanged(signature: Any) -> bool:
    """Whether pypinyin's data files still have the stamps the keys were computed with."""
    if signature is None:
        return True
    if not (isinstance(signature, tuple) and signature and all(
        isinstance(stamp, tuple) and len(stamp) == 3 and isinstance(stamp[0], str) for stamp in signature
    )):
        return False
    for path, size, mtime_ns in signature:
        try:
            stat = os.stat(path)
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != (size, mtime_ns):
            return False
    return True


def _decode(document: Any, buffer, base: int, root: Path) -> CacheFile:
    size = len(buffer)
    if not isinstance(document, dict):
        raise CacheRejected("not a dict")
    if document.get("format") != FORMAT:
        raise CacheRejected("written in another format")
    if document.get("root") != str(root):
        raise CacheRejected("written for another library")
    if not _pinyin_unchanged(document.get("pinyin")):
        raise CacheRejected("the pinyin data changed")
    cache = CacheFile(root=str(root), buffer=buffer, pinyin=document.get("pinyin"))

    settings = document.get("settings")
    if settings is not None:
        _check_stamp(settings)
        if not (len(settings) == 5 and (settings[3] is None or isinstance(settings[3], dict))
                and (settings[4] is None or _is_problem(settings[4]))):
            raise CacheRejected("settings")
        problem = _file_problem(settings[4]) if settings[4] is not None else None
        cache.settings = SettingsEntry(settings[0], settings[1], settings[2], settings[3], problem)

    order = document.get("order")
    if not (isinstance(order, tuple) and all(isinstance(name, str) for name in order) and len(set(order)) == len(order)):
        raise CacheRejected("order")
    cache.order = order
    fields = document.get("fields")
    if not (isinstance(fields, tuple) and len(fields) == len(KEY_FIELDS)):
        raise CacheRejected("fields")
    expected = base  # the fields lie one after the other from the start of the data
    for offsets in fields:
        if not (isinstance(offsets, tuple) and len(offsets) == len(order) + 1 and {type(o) for o in offsets} <= {int}):
            raise CacheRejected("field offsets")
        absolute = [base + offset for offset in offsets]
        if absolute[0] != expected or sorted(absolute) != absolute or absolute[-1] >= size:
            raise CacheRejected("field offsets out of order or outside the file")
        if buffer[absolute[-1]] != 0x0A:
            raise CacheRejected("field end")
        expected = absolute[-1] + 1
        cache.layouts.append(FieldLayout(buffer, absolute))

    blooms = _group_blooms(document.get("blooms"), len(order))
    files = document.get("files")
    if not isinstance(files, dict):
        raise CacheRejected("files")
    position = {name: index for index, name in enumerate(order)}
    view = memoryview(buffer)
    for name, raw in files.items():
        if not (isinstance(name, str) and isinstance(raw, tuple) and len(raw) == 10):
            raise CacheRejected("file entry")
        _check_stamp(raw)
        file_size, mtime_ns, digest, problem, header, blob_ref, windows, words, racy, checksums = raw
        entry = FileEntry(file_size, mtime_ns, digest, racy=racy is True)
        if problem is not None:
            if not _is_problem(problem) or name in position:
                raise CacheRejected("problem")
            entry.problem = _file_problem(problem)
            cache.files[name] = entry
            continue
        if name not in position:
            raise CacheRejected("group missing from the order")
        index = position[name]
        entry.header = _checked_header(header)
        if not (isinstance(blob_ref, tuple) and len(blob_ref) == 4 and all(_is_int(part) for part in blob_ref)):
            raise CacheRejected("phrase blob")
        offset, length, crc, count = blob_ref
        # the phrase pickles follow the fields one after the other, in the order of `files`
        if base + offset != expected or length <= 0 or base + offset + length > size or count < 0:
            raise CacheRejected("phrase blob outside its place")
        expected = base + offset + length
        if not (isinstance(windows, tuple) and all(
            isinstance(window, tuple) and len(window) == 3 and all(_is_int(part) and part >= 0 for part in window)
            and window[0] < count
            for window in windows
        ) and len({window[0] for window in windows}) == len(windows)):
            raise CacheRejected("windows")
        if not isinstance(words, str):
            raise CacheRejected("words")
        if not (isinstance(checksums, tuple) and len(checksums) == len(KEY_FIELDS) and all(_is_int(crc) for crc in checksums)):
            raise CacheRejected("checksums")
        texts = []
        for layout in cache.layouts:
            low, high = layout.offsets[index], layout.offsets[index + 1]
            # a group's values each start with a newline: some bytes exactly when it has phrases (that
            # first byte is checked with the rest on first use, `KeyField.check`: reading it here
            # would map the whole file, ~40 MB of resident memory at 100,000 phrases)
            if (high > low) != (count > 0) or high - low < count:
                raise CacheRejected("key field does not fit the phrase count")
            texts.append(view[low:high])
        entry.keys = GroupKeys(count, tuple(texts), tuple(Window(*window) for window in windows), blooms[index], words, checksums)
        entry.blob = view[base + offset : base + offset + length]
        entry.crc = crc
        cache.files[name] = entry
    if expected != size:
        raise CacheRejected("the data does not fill the file")
    if set(order) != {name for name, entry in cache.files.items() if entry.problem is None}:
        raise CacheRejected("order names unknown groups")

    vocabulary = document.get("vocabulary", "")
    if not isinstance(vocabulary, str):
        raise CacheRejected("vocabulary")
    cache.vocabulary = vocabulary
    code_order = document.get("code_order")
    if code_order is not None:
        total = sum(_keys(cache.files[name]).count for name in order)
        if not (isinstance(code_order, tuple) and len(code_order) == 2 and all(isinstance(part, bytes) for part in code_order)):
            raise CacheRejected("code order")
        order_planes, natural_planes = map(unpack, code_order)
        if not (len(natural_planes) == 3 * total and len(order_planes) <= 3 * total and len(order_planes) % 3 == 0):
            raise CacheRejected("code order sizes")
        cache.code_order = CodeOrder(_widened(order_planes), _widened(natural_planes))
    return cache


def _group_blooms(raw: Any, groups: int) -> list[tuple[bytes, ...]]:
    """Per group in index order, its BLOOMED filters (from one packed block per filter)."""
    if not (isinstance(raw, tuple) and len(raw) == BLOOMED and all(isinstance(block, bytes) for block in raw)):
        raise CacheRejected("blooms")
    fields = []
    for block in raw:
        data = unpack(block)
        if len(data) != groups * BLOOM_BYTES:
            raise CacheRejected("bloom sizes")
        fields.append([data[start : start + BLOOM_BYTES] for start in range(0, len(data), BLOOM_BYTES)])
    return list(zip(*fields)) if groups else []


_HIGH = 3 if sys.byteorder == "little" else 0
"""Where the high byte of a 32-bit number is (what `array.tobytes` gives): the code order drops it."""
_LOW_PLANES = [plane for plane in range(4) if plane != _HIGH]


def _narrowed(data: bytes) -> bytes | None:
    """32-bit numbers (native order) as their three low byte planes; None if one needs the fourth."""
    if data[_HIGH::4].count(0) != len(data) // 4:
        return None
    return b"".join(data[plane::4] for plane in _LOW_PLANES)


def _widened(data: bytes) -> bytes:
    """`_narrowed` undone (slice assignments: C speed)."""
    count = len(data) // 3
    wide = bytearray(4 * count)
    for number, plane in enumerate(_LOW_PLANES):
        wide[plane::4] = data[number * count : (number + 1) * count]
    return bytes(wide)


def _is_problem(problem: Any) -> bool:
    return isinstance(problem, tuple) and len(problem) == 3 and _is_int(problem[0]) and _is_int(problem[1]) and from_plain(problem[2]) is not None


def _file_problem(problem: tuple) -> FileProblem:
    line, column, message = problem
    return FileProblem(line, column, from_plain(message) or "")


def _plain_problem(problem: FileProblem | None) -> tuple | None:
    return None if problem is None else (problem.line, problem.column, to_plain(problem.message))


def _checked_header(header: Any) -> GroupHeader:
    if not (isinstance(header, tuple) and len(header) == 5):
        raise CacheRejected("group header")
    name, category, order, description, extra = header
    if not (isinstance(name, str) and isinstance(category, str) and isinstance(description, str)
            and (order is None or _is_int(order)) and isinstance(extra, dict)):
        raise CacheRejected("group header types")
    return GroupHeader(*header)


# -- writing -----------------------------------------------------------------------------------------


def _plain(value: Record | None) -> tuple | None:
    """A named value as the plain tuple the file holds (the safe unpickler builds no classes)."""
    return None if value is None else tuple(getattr(value, name) for name in value.FIELDS)


def _narrowed_order(code_order: CodeOrder | None) -> tuple[bytes, bytes] | None:
    """The code order as the file keeps it (not kept when a number needs 32 bits: 16 million phrases)."""
    if code_order is None:
        return None
    order, natural = _narrowed(code_order.order), _narrowed(code_order.natural)
    return None if order is None or natural is None else (pack(order), pack(natural))


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
        offsets = [put(_keys(entry).texts[index]) for entry in entries]
        offsets.append(put(b"\n"))  # the sentinel newline after the last group
        fields.append(tuple(offsets))
    # each filter of every group (in index order) as one block: the blooms are sparse bitmaps
    blooms = tuple(pack(b"".join(_keys(entry).blooms[kind] for entry in entries)) for kind in range(BLOOMED))
    files = {}
    for name, entry in cache.files.items():
        blob_ref = windows = checksums = None
        words = ""
        if entry.problem is None:
            keys = _keys(entry)
            blob_ref = (put(entry.blob), len(entry.blob), entry.crc, keys.count)
            windows = tuple(_plain(window) for window in keys.windows)
            words = keys.words
            # keys copied from the old file keep their checksums: damage there stays detectable
            checksums = keys.checksums or tuple(zlib.crc32(text) for text in keys.texts)
        files[name] = (
            entry.size, entry.mtime_ns, entry.digest, _plain_problem(entry.problem), _plain(entry.header),
            blob_ref, windows, words, entry.racy, checksums,
        )
    kept = cache.settings
    settings = None
    if kept is not None:
        settings = (kept.size, kept.mtime_ns, kept.digest, kept.document, _plain_problem(kept.problem))
    header = pickle.dumps(
        {
            "format": FORMAT, "root": cache.root, "pinyin": cache.pinyin, "settings": settings,
            "order": tuple(cache.order), "fields": tuple(fields), "files": files,
            "blooms": blooms, "code_order": _narrowed_order(cache.code_order), "vocabulary": cache.vocabulary,
        },
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    from qr.index.private_file import write_private  # off the warm path: only a load that changed something writes

    write_private(path, (MAGIC, LENGTH.pack(len(header), zlib.crc32(header)), header, *chunks))
