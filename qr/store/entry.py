"""A phrase in its place (`Entry`) and a search result (`Hit`): the values screens, the CLI and
the index pass around. Frozen values beside the models; no search code here."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Iterable

from qr.store.models import Group, Library, Phrase


class Entry:
    """One phrase in its place: the library and group it belongs to. Immutable, compared by value.

    Entry and Hit are plain classes that behave as the frozen dataclasses they were (equality,
    hash, repr, no assignment): both are defined on every run, a warm `qr search` included, and a
    dataclass costs ~0.6 ms to define (its methods are generated and compiled)."""

    __slots__ = ("group", "library", "phrase")
    library: Library
    group: Group
    phrase: Phrase

    def __init__(self, library: Library, group: Group, phrase: Phrase) -> None:
        object.__setattr__(self, "library", library)
        object.__setattr__(self, "group", group)
        object.__setattr__(self, "phrase", phrase)

    def _key(self) -> tuple[object, ...]:
        return (self.library, self.group, self.phrase)

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if other.__class__ is self.__class__ else NotImplemented  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Entry(library={self.library!r}, group={self.group!r}, phrase={self.phrase!r})"

    def __reduce__(self) -> tuple[object, ...]:  # copy and pickle through the constructor
        return (Entry, self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")


class Hit:
    """One search result: the phrase found and its score. Compared by entry, score and where."""

    __slots__ = ("entry", "index", "score", "where")
    entry: Entry
    score: float
    """0-100: exact code 100, title matches 80-99, body matches 50-70, fuzzy below 60."""
    where: str
    """Which field matched best: code, title, tag, group, pinyin, body, fuzzy or all (empty query)."""
    index: int
    """The phrase's position in the index that found it (-1 when not from an index); not compared."""

    def __init__(self, entry: Entry, score: float, where: str, index: int = -1) -> None:
        object.__setattr__(self, "entry", entry)
        object.__setattr__(self, "score", score)
        object.__setattr__(self, "where", where)
        object.__setattr__(self, "index", index)

    def _key(self) -> tuple[object, ...]:
        return (self.entry, self.score, self.where)

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if other.__class__ is self.__class__ else NotImplemented  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Hit(entry={self.entry!r}, score={self.score!r}, where={self.where!r}, index={self.index!r})"

    def __reduce__(self) -> tuple[object, ...]:  # copy and pickle through the constructor
        return (Hit, (self.entry, self.score, self.where, self.index))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    @property
    def phrase(self) -> Phrase:
        return self.entry.phrase

    @property
    def group(self) -> Group:
        return self.entry.group


def entries_of(libraries: Iterable[Library]) -> list[Entry]:
    """Every phrase of `libraries` in library order."""
    return [Entry(library, group, phrase) for library in libraries for group, phrase in library.phrases()]
