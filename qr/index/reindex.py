"""Updating the search index after an edit or a reload without recomputing every group.

Edits and reloads build a new Library in which every untouched Group is the very same object as
before; only the changed groups are new. Their keys (pinyin above all, the costly part) are
computed again, every other group's keys are reused. No Textual here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from qr.index.phrase_index import KnownKeys, PhraseIndex
from qr.store.models import Library


def updated_index(
    old: PhraseIndex | None, libraries: Iterable[Library], known: Mapping[int, KnownKeys] | None = None
) -> PhraseIndex:
    """The index of `libraries`, reusing `old`'s keys (and `known`, by id of the group) for
    groups that are the very same objects."""
    reusable = dict(known or {})
    if old is not None:
        reusable.update({id(part.group): KnownKeys(part.group, part.keys) for part in old.parts})
    index = PhraseIndex.from_libraries(libraries, known=reusable)
    if old is not None:
        index.carry_code_table(old)
    return index
