"""The code table: coded phrases in code order (for `/prefix` ranges) and in natural order
(`wl2` before `wl10`), and the close spellings of a mistyped code."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from itertools import repeat

from qr.store.models import natural_key

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

CLOSE_CODES = 1000
"""Codes compared with a mistyped `/code` at most."""


class CodeTable:
    """Coded phrases in code order (for prefix ranges) and each phrase's rank in natural order.
    (A plain class: a dataclass costs ~0.6 ms to define on every warm `qr search`.)"""

    __slots__ = ("natural", "order")

    def __init__(self, order: array, natural: array) -> None:
        self.order = order
        """Indexes of the coded phrases sorted by (code, index)."""
        self.natural = natural
        """For every phrase index: its rank in natural code order (0 for phrases without a code)."""

    @classmethod
    def build(cls, codes: Sequence[str]) -> CodeTable:
        coded = [index for index, code in enumerate(codes) if code]
        order = sorted(coded, key=codes.__getitem__)
        natural = array("i", [0]) * len(codes)
        keys = _natural_strings(codes)
        key = keys.__getitem__ if keys is not None else (lambda index: natural_key(codes[index]))
        for rank, index in enumerate(sorted(coded, key=key)):
            natural[index] = rank
        return cls(array("i", order), natural)


_DIGIT_RUN = re.compile(r"(\d+)")


def _natural_strings(codes: Sequence[str]) -> list[str] | None:
    """Strings that sort like `natural_key` of each code, made in C-speed passes over the whole
    list (a cold start at 100,000 phrases spent ~0.2 s on `natural_key`, one call per code): each
    digit run is zero-padded to the widest run (equal numbers, equal strings) with a \\x01 before
    it (below every code character: a text part that is a prefix of another sorts first, as in
    the tuples). None when that cannot work: non-ASCII text, or a \\x01 in a code."""
    joined = "\n".join(codes)
    if not joined.isascii() or "\x01" in joined:
        return None
    parts = _DIGIT_RUN.split(joined)  # text, digits, text, ... over the whole list
    runs = parts[1::2]
    widest = max(map(len, runs), default=0)
    parts[1::2] = map("\x01".__add__, map(str.zfill, runs, repeat(widest)))
    return "".join(parts).split("\n")


class SortedCodes:
    """Codes in sorted order as a sequence for `bisect`, read through a permutation."""

    def __init__(self, order: Sequence[int], code_of: Callable[[int], str]) -> None:
        self.order = order
        self.code_of = code_of

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, position: int) -> str:
        return self.code_of(self.order[position])

    def first_index(self, code: str) -> int | None:
        """The index of the first phrase with exactly this code."""
        position = bisect_left(self, code)
        return self.order[position] if position < len(self) and self[position] == code else None

    def prefixed(self, prefix: str) -> tuple[int, int]:
        """The positions [low, high) of the codes that start with `prefix`."""
        return bisect_left(self, prefix), bisect_right(self, prefix + "\U0010ffff")


def close_codes(codes: SortedCodes, prefix: str, limit: int) -> list[tuple[int, float]]:
    """(index, similarity 0-100) of codes spelt almost like `prefix`, most similar first, among
    those sharing its first character (at most CLOSE_CODES of them: the nearest in sorted order).

    The similarity is rapidfuzz's `fuzz.ratio` (indel distance over both lengths), computed here:
    codes are a few characters long, and an exact `/code` that fills its page with near misses
    would otherwise import rapidfuzz (~10 ms of a warm `qr search`). tests/test_search.py compares
    the two on random code tables."""
    low, high = codes.prefixed(prefix[0])
    if high - low > CLOSE_CODES:
        middle = bisect_left(codes, prefix, low, high)
        low = max(low, min(middle - CLOSE_CODES // 2, high - CLOSE_CODES))
        high = low + CLOSE_CODES
    close = []
    masks, width, code_of = _positions(prefix), len(prefix), codes.code_of
    for index in codes.order[low:high]:
        similarity = _similarity(masks, width, code_of(index))
        if similarity >= CLOSE_SIMILARITY:
            close.append((index, similarity))
    close.sort(key=lambda item: -item[1])  # stable: equal scores keep the candidates' order, as process.extract
    return sorted(close[:limit], key=lambda item: (-item[1], item[0]))


CLOSE_SIMILARITY = 60.0


def ratio(a: str, b: str) -> float:
    """rapidfuzz's `fuzz.ratio(a, b)`: 100 * (1 - indel distance / (len(a) + len(b))), the indel
    distance being what the two spellings do not share (their longest common subsequence)."""
    return _similarity(_positions(a), len(a), b)


def _similarity(masks: dict[str, int], width: int, b: str) -> float:
    """`ratio(a, b)` with `a` given as `_positions(a)` and its length (`a` is the same for every
    code a `/code` query compares)."""
    total = width + len(b)
    if not total:
        return 100.0
    return (1.0 - (total - 2 * _common(masks, width, b)) / total) * 100


def _positions(a: str) -> dict[str, int]:
    """Each character of `a` -> the bits of the positions where it stands."""
    masks: dict[str, int] = {}
    for position, char in enumerate(a):
        masks[char] = masks.get(char, 0) | 1 << position
    return masks


def _common(masks: dict[str, int], width: int, b: str) -> int:
    """The length of the longest common subsequence of `a` (as `_positions(a)`, `width` = len(a))
    and `b`, bit-parallel (Hyyrö 2004): a few integer operations per character of `b` instead of
    a row of the dynamic programme: `/sh12` over 1,000 codes 4.4 -> 1.3 ms."""
    full = (1 << width) - 1
    row = full
    for char in b:
        matched = row & masks.get(char, 0)
        row = ((row + matched) | (row - matched)) & full
    return width - row.bit_count()


def updated_table(
    old: CodeTable,
    old_firsts: Sequence[int],
    kept: dict[int, int],
    size: int,
    code_of: Callable[[int], str],
    added: list[tuple[str, int]],
) -> CodeTable:
    """The code table after an edit, from the old one (no full sort: ~5x faster at 100,000).

    `old_firsts`: the old index's group starts (and its size last); `kept`: old group position
    -> new index of its first phrase, for the groups that did not change; `size`: the new number
    of phrases; `code_of`: a new index's code; `added`: (code, new index) of the coded phrases of
    the other groups. Equal to `CodeTable.build` of the new codes (ties still go by index)."""
    old_size = len(old.natural)
    moved = array("i", [-1]) * old_size  # old index -> new index, -1 for a phrase that went away
    for group, first in kept.items():
        low, high = old_firsts[group], old_firsts[group + 1]
        moved[low:high] = array("i", range(first, first + high - low))
    order = [moved[index] for index in old.order if moved[index] >= 0]
    by_natural = [0] * len(old.order)
    for index in old.order:
        by_natural[old.natural[index]] = index
    natural_order = [moved[index] for index in by_natural if moved[index] >= 0]
    added = sorted(added, key=lambda item: (item[0], item[1]))
    for code, index in added:
        order.insert(bisect_left(_Keyed(order, lambda i: (code_of(i), i)), (code, index)), index)
    for code, index in sorted(added, key=lambda item: (natural_key(item[0]), item[1])):
        position = bisect_left(_Keyed(natural_order, lambda i: (natural_key(code_of(i)), i)), (natural_key(code), index))
        natural_order.insert(position, index)
    natural = array("i", [0]) * size
    for rank, index in enumerate(natural_order):
        natural[index] = rank
    return CodeTable(array("i", order), natural)


class _Keyed:
    """A list seen through a key function, for `bisect`."""

    def __init__(self, items: list[int], key: Callable[[int], tuple]) -> None:
        self.items = items
        self.key = key

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, position: int) -> tuple:
        return self.key(self.items[position])
