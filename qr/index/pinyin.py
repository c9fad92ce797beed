"""Pinyin keys of titles and tags, so `wuliu` and `wlfm` find 物流繁忙.

One reading per character (pypinyin's most common), looked up once per distinct character and
applied with `str.translate`: whole-phrase `lazy_pinyin` was 4x slower on titles for the same result.
Heteronyms (行 xing/hang) are read by word where a dictionary word covers them (`qr.index.word_pinyin`).

pypinyin's data (~42,000 characters, ~47,000 words as JSON: ~0.13 s to load and ~0.3 s through
its modules) is read only when a library is indexed without a cache, and only the first time:
what the keys need of it (each character's plain first reading, which characters have several,
each word's plain readings) is kept in a small file of its own in the cache folder
(`pinyin/<hash of the data files' stamps>.tables`, ~15 ms to load). It is keyed by pypinyin's
data files, not by qr's version or the library, so a cold load after a qr upgrade, a `git pull`
or for another library reuses it. Like the index cache it is never trusted: magic, format, the
data files' stamps and a CRC must match, else it is rebuilt from pypinyin.
"""

from __future__ import annotations

import os
import unicodedata
from functools import lru_cache

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from pathlib import Path

DATA_FILES = ("pinyin_dict.json", "phrases_dict.json")
"""pypinyin's character and word data, whose stamps key the tables (and the index cache)."""
TABLES_MAGIC = b"QRPINYIN\x00\x01\n"
TABLES_FORMAT = 1


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0003134f"


def has_han(text: str) -> bool:
    return any(_is_han(char) for char in text)


def _package_folder() -> str | None:
    import importlib.util

    package = importlib.util.find_spec("pypinyin")
    folders = list(package.submodule_search_locations or []) if package is not None else []
    return folders[0] if folders else None


def dictionary_signature() -> tuple | None:
    """((path, size, mtime_ns), ...) of pypinyin's character and word data: the index cache and
    the tables are valid only for the data they were computed with (an upgrade may change readings)."""
    folder = _package_folder()
    if folder is None:
        return None
    stamps = []
    for name in DATA_FILES:
        path = f"{folder}/{name}"
        try:
            stat = os.stat(path)
        except OSError:
            return None
        stamps.append((path, stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)


class Readings:
    """What the keys need of pypinyin's data: each character's most common reading, which
    characters have several, and the words that read them, in plain syllables (`lv`, not `lǜ`).

    Read from the tables file, every value is ready. Read from pypinyin's data (the first cold
    load for this pypinyin), its dicts are used as they are and a value is made plain when looked
    up: the tables file is written afterwards (`flush_tables`), off the path a first query waits on."""

    def __init__(self, chars: dict, heteronyms: frozenset[str] | None, words: dict) -> None:
        self.chars = chars
        """Code point -> plain reading (from the tables file), or pypinyin's dict as it is."""
        self.heteronyms = heteronyms
        self.words = words
        """Word -> plain readings separated by spaces (from the tables file), or pypinyin's dict."""
        self.plain: dict[str, str] = {}

    def syllable(self, char: str) -> str | None:
        """The character's most common reading, plain."""
        if self.heteronyms is not None:
            return self.chars.get(ord(char))
        readings = self.chars.get(ord(char))
        if readings is None:
            readings = self.chars.get(str(ord(char)))  # the JSON file's keys are strings
        return self._plain(readings.split(",", 1)[0]) if isinstance(readings, str) and readings else None

    def is_heteronym(self, char: str) -> bool:
        if self.heteronyms is not None:
            return char in self.heteronyms
        readings = self.chars.get(ord(char)) or self.chars.get(str(ord(char)))
        return isinstance(readings, str) and "," in readings

    def word_syllable(self, word: str, offset: int) -> str | None:
        """The plain reading of `word[offset]` in the dictionary word `word` (None: not a word)."""
        entry = self.words.get(word)
        if entry is None:
            return None
        if isinstance(entry, str):
            parts = entry.split(" ")
            return parts[offset] if len(parts) == len(word) else None
        if len(entry) != len(word) or not entry[offset]:
            return None
        return self._plain(entry[offset][0])

    def _plain(self, syllable: str) -> str:
        found = self.plain.get(syllable)
        if found is None:
            found = self.plain[syllable] = _plain(syllable)
        return found


_PENDING: list[tuple[Path, tuple]] = []
"""The tables file still to write for readings read from pypinyin: (path, signature)."""


@lru_cache(maxsize=1)
def _dictionary() -> Readings:
    """The readings, from the tables file when it matches pypinyin's data, else from pypinyin
    (and the tables file is then due: `flush_tables`)."""
    signature = dictionary_signature()
    path = _tables_path(signature)
    if path is not None and signature is not None:
        try:
            found = _read_tables(path, signature)
        except (OSError, ValueError, UnicodeDecodeError):
            found = None
        if found is not None:
            return found
    readings, exact = _from_pypinyin(signature)
    _PENDING.clear()
    if path is not None and signature is not None and exact:
        _PENDING.append((path, signature))
    return readings


def dictionary_loaded(words: bool = False) -> None:
    """Load the readings now (before a fork, so that both processes share them). `words` is
    accepted for callers of the time when the word table was a separate, larger load."""
    _dictionary()


def tables_due() -> bool:
    """Whether the readings came from pypinyin and the tables file is not written yet."""
    return bool(_PENDING)


def flush_tables(write: bool = True) -> None:
    """Write the tables file for the readings read from pypinyin (~70 ms: the cold load does it
    after the index, or in its forked helper after its share); `write=False` only forgets it."""
    if not _PENDING:
        return
    path, signature = _PENDING.pop()
    if write:
        try:
            _write_tables(path, _payload(_dictionary(), signature))
        except (OSError, ValueError):
            pass  # a read-only cache folder only costs speed


def _tables_path(signature: tuple | None) -> Path | None:
    if signature is None:
        return None
    from qr.config import cache_dir
    from qr.store.digest import sha1

    key = sha1(repr((TABLES_FORMAT, signature)).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return cache_dir() / "pinyin" / f"{key}.tables"


# The file: TABLES_MAGIC, then one line "<format> <crc32 of the rest>", then UTF-8 text in
# NUL-separated sections: the signature's repr, the characters, their syllables (space-separated,
# in the same order), the heteronyms, the words (newline-separated) and their readings (same order).


def _read_tables(path: Path, signature: tuple) -> Readings | None:
    import zlib

    with open(path, "rb") as handle:
        data = handle.read()
    if not data.startswith(TABLES_MAGIC):
        return None
    head, _, rest = data[len(TABLES_MAGIC) :].partition(b"\n")
    fields = head.split(b" ")
    if len(fields) != 2 or fields[0] != str(TABLES_FORMAT).encode() or fields[1] != str(zlib.crc32(rest)).encode():
        return None
    sections = rest.decode("utf-8").split("\x00")
    if len(sections) != 6 or sections[0] != repr(signature):
        return None
    _, chars, syllables, heteronyms, words, readings = sections
    syllable_list = syllables.split(" ")
    word_list, reading_list = words.split("\n"), readings.split("\n")
    if len(syllable_list) != len(chars) or len(word_list) != len(reading_list):
        return None
    return Readings(dict(zip(map(ord, chars), syllable_list)), frozenset(heteronyms), dict(zip(word_list, reading_list)))


def _write_tables(path: Path, payload: str) -> None:
    import zlib

    from qr.index.private_file import write_private

    body = payload.encode("utf-8", "surrogatepass")
    write_private(path, (TABLES_MAGIC + f"{TABLES_FORMAT} {zlib.crc32(body)}\n".encode(), body))


def _load_json(name: str):
    import json

    folder = _package_folder()
    if folder is None:
        return None
    try:
        with open(f"{folder}/{name}", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data else None


def _from_pypinyin(signature: tuple | None) -> tuple[Readings, bool]:
    """The readings as pypinyin's data has them, and whether they came from the data files the
    signature describes (else through pypinyin's modules: no tables file is written)."""
    chars = _load_json(DATA_FILES[0])
    words = _load_json(DATA_FILES[1])
    exact = chars is not None and words is not None and signature is not None
    if chars is None:
        from pypinyin.pinyin_dict import pinyin_dict as chars  # a different layout: the documented way in
    if words is None:
        from pypinyin.phrases_dict import phrases_dict as words
    return Readings(chars, None, words), exact


def _payload(readings: Readings, signature: tuple) -> str:
    """The tables file's text (after its head) for readings read from pypinyin's data."""
    from qr.index.word_pinyin import LONGEST_WORD

    if readings.heteronyms is not None:
        raise ValueError("readings from a tables file")
    plain = readings._plain
    char_list: list[str] = []
    syllables: list[str] = []
    heteronyms: list[str] = []
    for code, found in readings.chars.items():
        if not isinstance(found, str) or not found:
            continue
        char = chr(int(code))
        syllable = plain(found.split(",", 1)[0])
        if not syllable or " " in syllable or "\x00" in syllable or char in "\x00\n":
            continue
        char_list.append(char)
        syllables.append(syllable)
        if "," in found:
            heteronyms.append(char)
    word_list: list[str] = []
    reading_list: list[str] = []
    for word, entry in readings.words.items():
        if not 2 <= len(word) <= LONGEST_WORD or len(entry) != len(word) or "\n" in word or "\x00" in word:
            continue
        if not all(entry):
            continue
        parts = [plain(syllables_of[0]) for syllables_of in entry]
        if all(part and " " not in part and "\n" not in part and "\x00" not in part for part in parts):
            word_list.append(word)
            reading_list.append(" ".join(parts))
    return "\x00".join((repr(signature), "".join(char_list), " ".join(syllables), "".join(heteronyms),
                         "\n".join(word_list), "\n".join(reading_list)))


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
        self._windows: dict[tuple[str, int], str | None] = {}
        """Heteronym readings by the text around them (`qr.index.word_pinyin.word_readings`)."""

    def _learn(self, text: str) -> None:
        # set difference runs in C: most calls meet only characters seen before
        new = set(text).difference(self._seen)
        if not new:
            return
        self._seen.update(new)
        unknown = [char for char in new if _is_han(char)]
        if not unknown:
            return
        readings = _dictionary()
        for char in unknown:
            syllable = readings.syllable(char) or char
            self.full[ord(char)] = syllable
            self.initials[ord(char)] = syllable[0]
            if readings.is_heteronym(char):
                self.heteronyms.add(char)

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
        if self.heteronyms.isdisjoint(lowered):
            return plain_initials, plain_full, plain_initials, plain_full
        from qr.index.word_pinyin import word_readings

        readings = word_readings(lowered, self.heteronyms, _dictionary().word_syllable, self._windows)
        if not readings:
            return plain_initials, plain_full, plain_initials, plain_full
        # the plain spelling with the heteronyms' readings put in (readings come in position order)
        full = self.full
        pieces: list[str] = []
        letters = list(plain_initials)  # one letter per character: positions line up
        previous = 0
        for position, syllable in readings.items():
            pieces.append(lowered[previous:position].translate(full))
            pieces.append(syllable)
            letters[position] = syllable[0]
            previous = position + 1
        pieces.append(lowered[previous:].translate(full))
        return "".join(letters), "".join(pieces), plain_initials, plain_full
