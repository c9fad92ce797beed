"""Updating the search index after an edit or a reload without recomputing every phrase.

Edits and reloads build a new Library in which every untouched Group is the very same object as
before; only the changed groups are new. Their rows (pinyin above all, the costly part) are
computed again, every other row is reused. No Textual here.
"""

from __future__ import annotations

from typing import Iterable

from qr.search import PhraseIndex, entries_of
from qr.store.models import Library

_FIELDS = ("codes", "titles", "short", "pinyin", "bodies")


def updated_index(old: PhraseIndex | None, libraries: Iterable[Library]) -> PhraseIndex:
    """The index of `libraries`, reusing `old`'s rows for groups that are the same objects."""
    libraries = list(libraries)
    if old is None:
        return PhraseIndex.from_libraries(libraries)
    if hasattr(old, "parts"):
        return _updated_by_group(old, libraries)
    from qr.search import IndexColumns, build_columns

    entries = entries_of(libraries)
    reusable: dict[tuple[str, int], int] = {}
    for row, entry in enumerate(old.entries):
        reusable.setdefault((str(entry.library.root), id(entry.group)), row)
    # Keep the old groups alive while ids are compared (an id is only unique among live objects).
    alive = [entry.group for entry in old.entries]

    columns = IndexColumns([], [], [], [], [])
    old_columns = old.columns
    position = 0
    while position < len(entries):
        entry = entries[position]
        end = position
        while end < len(entries) and entries[end].group is entry.group:
            end += 1
        start = reusable.get((str(entry.library.root), id(entry.group)))
        if start is not None:
            rows = slice(start, start + (end - position))
            for name in _FIELDS:
                getattr(columns, name).extend(getattr(old_columns, name)[rows])
        else:
            fresh = build_columns(entries[position:end])
            for name in _FIELDS:
                getattr(columns, name).extend(getattr(fresh, name))
        position = end
    del alive
    return PhraseIndex(entries, columns)


def _updated_by_group(old, libraries: list[Library]):
    """For an index built from per-group keys: reuse the keys of every unchanged group."""
    from qr.pinyin import PinyinTables
    from qr.search import IndexPart, group_keys

    reusable = {(str(part.library.root), id(part.group)): part.keys for part in old.parts}
    tables = None
    parts = []
    for library in libraries:
        for group in library.groups:
            keys = reusable.get((str(library.root), id(group)))
            if keys is None:
                tables = tables or PinyinTables()
                keys = group_keys(group, tables)
            parts.append(IndexPart(library, group, keys))
    return PhraseIndex(parts)
