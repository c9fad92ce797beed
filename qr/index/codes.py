"""The code table: coded phrases in code order (for `/prefix` ranges) and in natural order
(`wl2` before `wl10`), and the close spellings of a mistyped code."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

CLOSE_CODES = 1000
"""Codes compared with a mistyped `/code` at most."""
_NATURAL = re.compile(r"(\d+)")


def natural_key(code: str) -> tuple:
    """`wl2` sorts before `wl10`."""
    return tuple(int(part) if part.isdigit() else part for part in _NATURAL.split(code))


@dataclass(frozen=True)
class CodeTable:
    """Coded phrases in code order (for prefix ranges) and each phrase's rank in natural order."""

    order: array
    """Indexes of the coded phrases sorted by (code, index)."""
    natural: array
    """For every phrase index: its rank in natural code order (0 for phrases without a code)."""

    @classmethod
    def build(cls, codes: Sequence[str]) -> CodeTable:
        coded = [index for index, code in enumerate(codes) if code]
        order = sorted(coded, key=codes.__getitem__)
        natural = array("i", [0]) * len(codes)
        for rank, index in enumerate(sorted(coded, key=lambda index: natural_key(codes[index]))):
            natural[index] = rank
        return cls(array("i", order), natural)


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
    those sharing its first character (at most CLOSE_CODES of them: the nearest in sorted order)."""
    from rapidfuzz import fuzz, process

    low, high = codes.prefixed(prefix[0])
    if high - low > CLOSE_CODES:
        middle = bisect_left(codes, prefix, low, high)
        low = max(low, min(middle - CLOSE_CODES // 2, high - CLOSE_CODES))
        high = low + CLOSE_CODES
    candidates = {index: codes.code_of(index) for index in codes.order[low:high]}
    close = process.extract(prefix, candidates, scorer=fuzz.ratio, score_cutoff=60, limit=limit)
    return [(index, similarity) for _, similarity, index in sorted(close, key=lambda item: (-item[1], item[2]))]
