"""A phrase in its place (`Entry`) and a search result (`Hit`): the values screens, the CLI and
the index pass around. Frozen values beside the models; no search code here."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Iterable

from qr.record import Record
from qr.store.models import Group, Library, Phrase


class Entry(Record):
    """One phrase in its place: the library and group it belongs to. Immutable, compared by value."""

    library: Library
    group: Group
    phrase: Phrase

    def __init__(self, library: Library, group: Group, phrase: Phrase) -> None:
        self.__dict__.update(library=library, group=group, phrase=phrase)


class Hit(Record):
    """One search result: the phrase found and its score. Compared by entry, score and where."""

    entry: Entry
    score: float
    """0-100: exact code 100, title matches 80-99, body matches 50-70, fuzzy below 60."""
    where: str
    """Which field matched best: code, title, tag, group, pinyin, body, fuzzy or all (empty query)."""
    index: int
    """The phrase's position in the index that found it (-1 when not from an index); not compared."""
    NOT_COMPARED = ("index",)

    def __init__(self, entry: Entry, score: float, where: str, index: int = -1) -> None:
        self.__dict__.update(entry=entry, score=score, where=where, index=index)

    @property
    def phrase(self) -> Phrase:
        return self.entry.phrase

    @property
    def group(self) -> Group:
        return self.entry.group


def entries_of(libraries: Iterable[Library]) -> list[Entry]:
    """Every phrase of `libraries` in library order."""
    return [Entry(library, group, phrase) for library in libraries for group, phrase in library.phrases()]
