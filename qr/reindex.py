"""Updating the search index after an edit or a reload without recomputing every phrase.

Edits and reloads build a new Library in which every untouched Group is the very same object as
before; only the changed groups are new. Their rows (pinyin above all, the costly part) are
computed again, every other row is reused. No Textual here.
"""

from __future__ import annotations

from typing import Iterable

from qr.search import Entry, IndexColumns, PhraseIndex, build_columns, entries_of
from qr.store.models import Library

_FIELDS = ("codes", "titles", "short", "pinyin", "bodies")


def updated_index(old: PhraseIndex | None, libraries: Iterable[Library]) -> PhraseIndex:
    """The index of `libraries`, reusing `old`'s rows for groups that are the same objects."""
    libraries = list(libraries)
    entries = entries_of(libraries)
    if old is None:
        return PhraseIndex(entries)
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


def rows_match(index: PhraseIndex, entries: list[Entry]) -> bool:
    """True when `index` holds exactly these entries' rows (used by tests and the benchmark)."""
    fresh = build_columns(entries)
    return all(getattr(index.columns, name) == getattr(fresh, name) for name in _FIELDS)
