"""A Group read from the index cache whose Phrase objects are built on first use, and the
phrase columns (a checked pickle) it builds them from."""

from __future__ import annotations

import io
import pickle
import zlib
from datetime import date
from functools import cached_property

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from typing import Any

from qr.store.load import parse_group, read_toml
from qr.store.models import Group, Phrase

PHRASE_FIELDS = ("title", "body", "code", "tags", "asks", "note", "lang", "valid_from", "valid_until", "extra", "line", "body_line")
"""The order of a phrase blob's columns: part of the cache's format (every field of Phrase)."""
_ALLOWED_GLOBALS = {("datetime", name) for name in ("date", "datetime", "time", "timezone", "timedelta")}


class CacheRejected(Exception):
    """The cache file is not one we wrote for this library and this format: rebuild it."""


class _SafeUnpickler(pickle.Unpickler):
    """Builds only plain data (and TOML's date/time values): no global can be looked up."""

    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise CacheRejected(f"cache refers to {module}.{name}")


def safe_loads(data) -> Any:
    """Unpickle plain data only (see `_SafeUnpickler`)."""
    return _SafeUnpickler(io.BytesIO(data)).load()


class CachedGroup(Group):
    """A Group read from the cache: equal to the Group `load_group` would give, but its Phrase
    objects are built on first use (100,000 frozen dataclasses take longer than the whole warm
    start): one at a time for search hits, all at once when `phrases` is read."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Group):
            return NotImplemented
        return bool(Group._compared_values(self) == Group._compared_values(other))

    __hash__ = Group.__hash__

    def __reduce__(self):
        # copies and pickles are plain Groups (the cache's memory map does not travel)
        return (Group, tuple(getattr(self, name) for name in Group.FIELDS))

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


def _phrase_columns(state: dict[str, Any]) -> list[list[Any]]:
    """The phrase columns of a cached group, checked; from the file itself if the blob is bad."""
    blob, crc, count = state["_blob"], state["_crc"], state["_count"]
    try:
        if zlib.crc32(blob) != crc:
            raise CacheRejected("phrase blob fails its CRC")
        columns = safe_loads(unpack(blob))
        _check_columns(columns, count)
        return columns
    except Exception:  # noqa: BLE001
        # the cache is only a hint: read the group from its file instead
        relative = state["path"]
        document, text, stamp = read_toml(state["_root"] / relative, relative)
        group = parse_group(document, text, relative, stamp)
        return [[getattr(phrase, name) for phrase in group.phrases] for name in PHRASE_FIELDS]


_KINDS: dict[str, type | tuple[type, ...]] = {
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


_SHARED = {"tags", "asks", "note", "lang"}
"""Columns whose values repeat from phrase to phrase: each distinct value is pickled once (and is
one object when the phrases are built again)."""
BLOB_LIMIT = 256 * 1_048_576
"""Largest unpacked phrase pickle accepted (a group file is at most a few MB of TOML)."""


PACKED = b"L"
"""The first byte of a phrase blob (and of a field's blooms in the cache header): an LZ4 block follows."""


def phrase_blob(group: Group) -> bytes:
    """A group's phrases as columns, pickled, as an LZ4 block (what `CachedGroup` reads back).

    LZ4 keeps the cache file small (the phrase pickles were ~40% of it) at a cost of ~0.1 ms per
    group when its first phrase is shown, a third of unpickling it."""
    shared: dict[Any, Any] = {}
    same = shared.setdefault
    columns = []
    for name in PHRASE_FIELDS:
        column = [getattr(phrase, name) for phrase in group.phrases]
        if name in _SHARED:
            column = [same(value, value) for value in column]
        columns.append(column)
    return pack(pickle.dumps(columns, protocol=pickle.HIGHEST_PROTOCOL))


def pack(data: bytes) -> bytes:
    """`data` as an LZ4 block after the byte PACKED (lz4 is imported here: off the warm search path)."""
    import lz4.block

    return PACKED + lz4.block.compress(data, store_size=True)


def unpack(blob) -> bytes:
    """What `pack` packed (CacheRejected when it cannot be read here)."""
    if bytes(blob[:1]) != PACKED or len(blob) < 5 or int.from_bytes(blob[1:5], "little") > BLOB_LIMIT:
        raise CacheRejected("phrase blob kind or size")
    import lz4.block

    return lz4.block.decompress(blob[1:])
