"""Pinyin keys of titles and tags, so `wuliu` and `wlfm` find 物流繁忙.

One reading per character (pypinyin's most common), looked up once per distinct character and
applied with `str.translate`: whole-phrase `lazy_pinyin` was 4x slower on titles for the same result.
pypinyin is imported only here, only when a library is indexed without a cache (~200 ms).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0003134f"


def has_han(text: str) -> bool:
    return any(_is_han(char) for char in text)


def _dictionary_file() -> str | None:
    import importlib.util

    package = importlib.util.find_spec("pypinyin")
    folders = list(package.submodule_search_locations or []) if package is not None else []
    return f"{folders[0]}/pinyin_dict.py" if folders else None


def dictionary_signature() -> tuple[str, int, int] | None:
    """(path, size, mtime_ns) of pypinyin's character table: the index cache is valid only for the
    table its keys were computed with (an upgrade of pypinyin may change readings)."""
    import os

    path = _dictionary_file()
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (path, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=1)
def _dictionary() -> dict[int, str]:
    """pypinyin's character table. Only its data module is loaded: `import pypinyin` also loads
    the phrase dictionary and trains a segmenter (~200 ms) that per-character readings never use."""
    import importlib.util

    try:
        spec = importlib.util.spec_from_file_location("qr._pypinyin_dict", _dictionary_file())
        if spec is None or spec.loader is None:
            raise ImportError("pypinyin's dictionary module was not found")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        table = module.pinyin_dict
        if isinstance(table, dict) and table:
            return table
    except Exception:  # a different pypinyin layout: take the documented way in  # noqa: BLE001
        pass
    from pypinyin.pinyin_dict import pinyin_dict

    return pinyin_dict


def dictionary_loaded(words: bool = False) -> None:
    """Load the character table now, and with `words` the word table of `qr.index.word_pinyin`
    (before a fork, so that both processes share them instead of each loading its own)."""
    _dictionary()
    if words:
        from qr.index.word_pinyin import load

        load()


def _plain(syllable: str) -> str:
    """`lǜ` -> `lv`, `wù` -> `wu`."""
    decomposed = unicodedata.normalize("NFD", syllable)
    out: list[str] = []
    for char in decomposed:
        if char == "\u0308":
            if out and out[-1] == "u":
                out[-1] = "v"
        elif not unicodedata.combining(char):
            out.append(char)
    return "".join(out)


class PinyinTables:
    """Translation tables grown on demand: full syllables and initials for each Han character."""

    def __init__(self) -> None:
        self.full: dict[int, str] = {}
        self.initials: dict[int, str] = {}
        self.heteronyms: set[str] = set()
        """Characters with several readings (read by word where a dictionary word covers them)."""
        self._seen: set[str] = set()
        self._words: dict[str, list[str]] = {}

    def _learn(self, text: str) -> None:
        # set difference runs in C: most calls meet only characters seen before
        new = set(text).difference(self._seen)
        if not new:
            return
        self._seen.update(new)
        unknown = [char for char in new if _is_han(char)]
        if not unknown:
            return
        dictionary = _dictionary()
        for char in unknown:
            readings = dictionary.get(ord(char))
            syllable = _plain(readings.split(",")[0]) if readings else char
            if readings and "," in readings:
                self.heteronyms.add(char)
            self.full[ord(char)] = syllable
            self.initials[ord(char)] = syllable[0]

    def pair(self, text: str) -> tuple[str, str]:
        """(`initials_of(text)`, `full_pinyin(text)`), learning the characters once."""
        self._learn(text)
        lowered = text.lower()
        return lowered.translate(self.initials), lowered.translate(self.full)

    def full_pinyin(self, text: str) -> str:
        """`物流繁忙` -> `wuliufanmang`; other characters kept, lower-cased."""
        self._learn(text)
        return text.lower().translate(self.full)

    def initials_of(self, text: str) -> str:
        """One letter per character of `text` (so positions line up): `物流繁忙` -> `wlfm`."""
        self._learn(text)
        return text.lower().translate(self.initials)

    def word_readings(self, text: str) -> list[str]:
        """[initials, full pinyin] of `text` with heteronyms read by word (`qr.index.word_pinyin`):
        银行卡 -> yhk, yinhangka; one initial per character, as `initials_of`. Remembered per
        distinct text: tags and asks repeat from phrase to phrase."""
        found = self._words.get(text)
        if found is None:
            found = self._words[text] = list(self.title_readings(text)[:2])
        return list(found)

    def title_readings(self, text: str) -> tuple[str, str, str, str]:
        """(initials, full) read by word, then (initials, full) read character by character."""
        plain_initials, plain_full = self.pair(text)
        lowered = text.lower()
        if not self.heteronyms.intersection(lowered):
            return plain_initials, plain_full, plain_initials, plain_full
        from qr.index.word_pinyin import word_readings

        readings = word_readings(lowered, self.heteronyms.__contains__, _plain)
        if not readings:
            return plain_initials, plain_full, plain_initials, plain_full
        syllables = [readings.get(position) or self.full.get(ord(char), char) for position, char in enumerate(lowered)]
        initials = "".join(
            readings[position][0] if position in readings else self.initials.get(ord(char), char)
            for position, char in enumerate(lowered)
        )
        return initials, "".join(syllables), plain_initials, plain_full
