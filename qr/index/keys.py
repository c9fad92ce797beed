"""What the index precomputes per group (`GroupKeys`): one byte string per key field, windows,
blooms and the typo vocabulary. Plain bytes, so the cache stores them as they are."""

from __future__ import annotations

import re
from functools import lru_cache

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Iterable

    from qr.index.pinyin import PinyinTables
    from qr.store.models import Group

from qr.index.fields import SEP, bloom_of
from qr.record import Record

KEY_FIELDS = ("codes", "titles", "others", "pinyin", "bodies", "ascii_titles", "ascii_others", "ascii_bodies", "asks", "notes")
"""The key fields of a phrase, in the order of `GroupKeys.texts`:
codes (lower case, empty when none); lower-cased titles; code SEP tags SEP group name;
title initials (aligned with the title) SEP full pinyin SEP, per Han tag, initials SEP full;
lower-cased bodies; then titles, others and bodies with each run of non-ASCII text replaced by NUL
(ASCII queries scan those: a quarter of the bytes); the lower-cased asks (SEP between them) and notes."""
BLOOMED = 7
"""How many bloom filters a group has (see `GroupKeys.blooms`)."""
BLOOM_OF_FIELD = (0, 1, 2, 3, None, 1, 2, 4, 5, 6)
"""For each KEY_FIELDS entry, the bloom filter it is searched with: the ASCII copies share their
field's; the bodies' bloom is of their ASCII copy, so the bodies themselves have none."""

WORDS = re.compile(r"[a-z]{2,}")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@lru_cache(maxsize=1)
def _not_pinyin() -> re.Pattern:
    # compiled when keys are computed, not on every start: a class of 27,000 Han characters takes ~1 ms
    return re.compile(r"[^a-z0-9\u3400-\u9fff]+")


@lru_cache(maxsize=1)
def han() -> re.Pattern:
    """Han characters (compiled on first use: the astral range makes this one pattern cost ~10 ms
    at import)."""
    return re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


class Window(Record):
    """A phrase with a validity window: its position in its group and the window's days as
    ordinals (0 when open on that side)."""

    position: int
    start: int
    end: int

    def __init__(self, position: int, start: int, end: int) -> None:
        self.__dict__.update(position=position, start=start, end=end)


class GroupKeys(Record):
    """Everything the index precomputes for one group: per field, one UTF-8 byte string holding
    every phrase's value preceded by a newline (values never contain one), so groups concatenate
    and `b"\n" + word` finds prefixes. What the on-disk cache stores per file (as slices of it)."""

    count: int
    texts: tuple
    """One bytes-like value per KEY_FIELDS entry."""
    windows: tuple[Window, ...]
    """The phrases of the group that have a validity window."""
    blooms: tuple[bytes, ...]
    """Bloom filters of the character pairs of codes, titles, others, pinyin, the ASCII copy of
    bodies, asks and notes (see `bloom_of`): a search skips the groups that cannot contain a word."""
    words: str
    """The group's vocabulary for typo search: ASCII words and Han characters of titles, tags and
    the group name, one per line, each followed by a tab and how often it occurs."""
    checksums: tuple[int, ...] | None
    """CRC32 of each of `texts` when they were read from the cache file (None when computed here):
    `KeyField` checks a group's bytes against them before using them."""

    def __init__(
        self, count: int, texts: tuple, windows: tuple[Window, ...] = (), blooms: tuple[bytes, ...] = (),
        words: str = "", checksums: tuple[int, ...] | None = None,
    ) -> None:
        self.__dict__.update(count=count, texts=texts, windows=windows, blooms=blooms, words=words, checksums=checksums)

    def intact(self) -> bool:
        """Whether every text matches its checksum (always, for keys computed in this process)."""
        import zlib

        return self.checksums is None or all(
            zlib.crc32(text) == crc for text, crc in zip(self.texts, self.checksums, strict=True)
        )


# `{name}` and `{name|fallback}` but not `{{`: a body is searched as the agent will see it, so
# `refund` does not find every reply that merely uses `{refund_days}`.
# (the brace first, its lookbehind after it: a pattern that starts with a literal is searched for
# at C speed, one that starts with a lookbehind is tried at every character: a third faster)
_PLACEHOLDER = re.compile(r"\{(?<!\{\{)(\w+)(?:\|([^{}]*))?\}")


def _placeholder_text(match: re.Match) -> str:
    return match[2] or " "


def _one_line(text: str) -> str:
    if "\n" not in text and "\r" not in text:
        return text
    return text.replace("\r", " ").replace("\n", " ")


def _joined(values: Iterable[str]) -> str:
    return "".join("\n" + value for value in values)


def pinyin_parts(phrase, tables: PinyinTables, has_han) -> list[str]:
    """The pinyin key of a phrase, in parts: the title's initials and full pinyin (read by word:
    银行 yinhang), then each Han tag's and each ask's; then, where reading each character on its
    own spells the title differently (yinxing), that spelling too, so either is found. Empty
    without Han text."""
    if not has_han(phrase.title + "".join(phrase.tags) + "".join(phrase.asks)):
        return []
    initials, full, plain_initials, plain_full = tables.title_readings(phrase.title)
    parts = [initials, full]
    for text in (*phrase.tags, *phrase.asks):
        if has_han(text):
            parts += tables.word_readings(text)
    if full != plain_full:
        parts += [plain_initials, plain_full]
    # 修改地址（已发货）: typed as xgdzyfh (letters and digits alone need no pass: most titles)
    if not (full.isascii() and full.isalnum()):
        not_pinyin = _not_pinyin()
        compact = [not_pinyin.sub("", part) for part in (initials, full)]
        if compact != [initials, full]:
            parts += compact
    return parts


def _lowered_field(values: list[str]) -> str:
    """`_joined` of the values lower-cased and on one line each, in a few C-speed passes over the
    whole field instead of several calls per value (the same text: `lower` and the newline
    checks act character by character)."""
    joined = "\n".join(values)
    if "\r" in joined or joined.count("\n") != len(values) - 1:
        return _joined(_one_line(value.lower()) for value in values)
    return "\n" + joined.lower() if values else ""


def group_keys(group: Group, tables: PinyinTables | None = None) -> GroupKeys:
    """Compute one group's keys (pinyin through `tables`)."""
    from qr.index.pinyin import PinyinTables

    tables = tables or PinyinTables()
    has_han = han().search
    placeholder = _PLACEHOLDER.sub
    name = SEP + group.name
    phrases = group.phrases
    codes = [phrase.code or "" for phrase in phrases]
    titles = [phrase.title for phrase in phrases]
    # codes are lower case already when loaded (`normalise_code`): then code, tags and the group
    # name are lower-cased together; a code is never lower-cased here
    codes_field = _joined(codes)
    if codes_field == codes_field.lower():
        others_field = _lowered_field([code + SEP + SEP.join(phrase.tags) + name for code, phrase in zip(codes, phrases)])
    else:
        lowered_name = _one_line(group.name.lower())
        others_field = _joined(
            SEP.join((code, _one_line(SEP.join(phrase.tags).lower()), lowered_name)) for code, phrase in zip(codes, phrases)
        )
    # most bodies have no placeholder: skip the substitution's Python callback
    bodies = [placeholder(_placeholder_text, body) if "{" in body else body for body in (phrase.body for phrase in phrases)]
    asks = [SEP.join(phrase.asks) for phrase in phrases]
    notes = [phrase.note for phrase in phrases]
    pinyin = [_one_line(SEP.join(pinyin_parts(phrase, tables, has_han))) for phrase in phrases]
    windows = [
        Window(
            position,
            phrase.valid_from.toordinal() if phrase.valid_from else 0,
            phrase.valid_until.toordinal() if phrase.valid_until else 0,
        )
        for position, phrase in enumerate(phrases)
        if phrase.valid_from is not None or phrase.valid_until is not None
    ]
    fields = [codes_field, _lowered_field(titles), others_field, _joined(pinyin), _lowered_field(bodies)]
    projected = [text if text.isascii() else _NON_ASCII.sub("\0", text) for text in (fields[1], fields[2], fields[4])]
    projected += [_lowered_field(asks), _lowered_field(notes)]
    # how often each word occurs in titles, tags and the group name (typo search picks rare ones first)
    vocabulary: dict[str, int] = {}
    for word in WORDS.findall(fields[1]) + WORDS.findall(fields[2]) + han().findall(fields[1] + fields[2]):
        vocabulary[word] = vocabulary.get(word, 0) + 1
    return GroupKeys(
        count=len(phrases),
        texts=tuple(text.encode("utf-8", "surrogatepass") for text in fields + projected),
        windows=tuple(windows),
        # bodies: the bloom of their ASCII projection (a tenth of the work); it serves ASCII words
        blooms=tuple(bloom_of(text) for text in fields[:4] + projected[2:]),
        words="".join(f"{word}\t{count}\n" for word, count in vocabulary.items()),
    )
