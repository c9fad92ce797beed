"""The phrase index: `/code` queries, text, pinyin and fuzzy search, built for 100,000 phrases.

A keystroke never runs a fuzzy scorer over the whole library. Searching goes in tiers, best score
first, and stops as soon as nothing left unscanned could enter the page:
code -> title prefix -> title -> code/tags/group -> pinyin -> body -> fuzzy over a candidate set
chosen through a vocabulary of the library's words (typo-tolerant, bounded).
Each field of every phrase is joined into one UTF-8 byte string and searched with `find` (C
speed): a common word stops after the first page of hits; a rare word or a typo skips, through a
bloom filter of character pairs per group, the groups that cannot contain it. ASCII queries scan
an ASCII-only projection of the Chinese fields (a quarter of the bytes).

The keys of a group (`GroupKeys`) are plain bytes, so the on-disk cache (`qr.index_cache`) stores
them per file and a warm start searches them in the memory-mapped cache file, without TOML,
pinyin or Phrase objects: hits build their `Entry` on demand.

No Textual here: the CLI and the TUI share it.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from itertools import accumulate, pairwise

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

from qr.store.models import Group, Library, Phrase, is_valid_code, normalise_code

SEP = "\x1f"
FUZZY_CANDIDATES = 300
"""Phrases scored by the fuzzy tier at most (building their keys and scoring cost ~10 µs each)."""
CLOSE_CODES = 1000
"""Codes compared with a mistyped `/code` at most."""
VOCABULARY_MATCHES = 3
"""Close vocabulary words tried per misspelt query word."""
_NATURAL = re.compile(r"(\d+)")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_WORDS = re.compile(r"[a-z]{2,}")


@lru_cache(maxsize=1)
def _han() -> re.Pattern:
    # compiled on first use: the astral range makes this one pattern cost ~10 ms at import
    return re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def natural_key(code: str) -> tuple:
    """`wl2` sorts before `wl10`."""
    return tuple(int(part) if part.isdigit() else part for part in _NATURAL.split(code))


@dataclass(frozen=True)
class Entry:
    """One phrase in its place: the library and group it belongs to."""

    library: Library
    group: Group
    phrase: Phrase


@dataclass(frozen=True)
class Hit:
    """One search result: the phrase found and its score."""

    entry: Entry
    score: float
    """0-100: exact code 100, title matches 80-99, body matches 50-70, fuzzy below 60."""
    where: str
    """Which field matched best: code, title, tag, group, pinyin, body, fuzzy or all (empty query)."""
    index: int = field(default=-1, compare=False)

    @property
    def phrase(self) -> Phrase:
        return self.entry.phrase

    @property
    def group(self) -> Group:
        return self.entry.group


# -- keys ------------------------------------------------------------------------------------------


KEY_FIELDS = ("codes", "titles", "others", "pinyin", "bodies", "ascii_titles", "ascii_others", "ascii_bodies")
"""The key fields of a phrase, in the order of `GroupKeys.texts`:
codes (lower case, empty when none); lower-cased titles; code SEP tags SEP group name;
title initials (aligned with the title) SEP full pinyin SEP, per Han tag, initials SEP full;
lower-cased bodies; then titles, others and bodies with each run of non-ASCII text replaced by NUL
(ASCII queries scan those: a quarter of the bytes)."""
BLOOMED = 5
"""How many bloom filters a group has (see `GroupKeys.blooms`)."""


@dataclass(frozen=True)
class GroupKeys:
    """Everything the index precomputes for one group: per field, one UTF-8 byte string holding
    every phrase's value preceded by a newline (values never contain one), so groups concatenate
    and `b"\n" + word` finds prefixes. What the on-disk cache stores per file (as slices of it)."""

    count: int
    texts: tuple
    """One bytes-like value per KEY_FIELDS entry."""
    windows: tuple[tuple[int, int, int], ...] = ()
    """(position in group, valid_from ordinal or 0, valid_until ordinal or 0) of windowed phrases."""
    blooms: tuple[int, ...] = ()
    """Bloom filters of the character pairs of codes, titles, others, pinyin and the ASCII copy of
    bodies (see `bloom_of`): a search skips the groups that cannot contain a word."""
    words: str = ""
    """The group's vocabulary for typo search: ASCII words and Han characters of titles, tags and
    the group name, one per line, each followed by a tab and how often it occurs."""


BLOOM_BITS = 8192


def _bit(first: str, second: str, kind: int) -> int:
    # stable across processes (str hash is salted) and cheap; kind 2 = a pair, 1 = one character
    return ((ord(first) * 0x9E3779B1) ^ (ord(second) * 0x85EBCA6B) ^ kind) % BLOOM_BITS


def bloom_of(text: str) -> int:
    """A bit per distinct character pair (and per character) of `text`'s values and their parts."""
    # tags, group names and tag pinyin repeat from phrase to phrase: each distinct part once
    # (a word never holds the separators, so pairs across them need no bit)
    text = "\n".join(set(text.replace(SEP, "\n").split("\n")))
    bits = bytearray(BLOOM_BITS // 8)
    for first, second in set(pairwise(text)):  # zip + set run in C; the loop sees distinct pairs only
        bit = _bit(first, second, 2)
        bits[bit >> 3] |= 1 << (bit & 7)
    for char in set(text):
        bit = _bit(char, char, 1)
        bits[bit >> 3] |= 1 << (bit & 7)
    return int.from_bytes(bits, "little")


def bloom_bits(token: str) -> int:
    """The bits a group's bloom must have to possibly contain `token`."""
    wanted = 0
    if len(token) == 1:
        return 1 << _bit(token, token, 1)
    for first, second in pairwise(token):
        wanted |= 1 << _bit(first, second, 2)
    return wanted


# `{name}` and `{name|fallback}` but not `{{`: a body is searched as the agent will see it, so
# `refund` does not find every reply that merely uses `{refund_days}`.
_PLACEHOLDER = re.compile(r"(?<!\{)\{(\w+)(?:\|([^{}]*))?\}")


def _placeholder_text(match: re.Match) -> str:
    return match[2] or " "


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


def _joined(values: Iterable[str]) -> str:
    return "".join("\n" + value for value in values)


def group_keys(group: Group, tables=None) -> GroupKeys:
    """Compute one group's keys (pinyin through `tables`, a `qr.pinyin.PinyinTables`)."""
    from qr.pinyin import PinyinTables

    tables = tables or PinyinTables()
    has_han = _han().search
    name = _one_line(group.name.lower())
    codes, titles, others, pinyin, bodies, windows = [], [], [], [], [], []
    for position, phrase in enumerate(group.phrases):
        code = phrase.code or ""
        title = _one_line(phrase.title.lower())
        tags = _one_line(SEP.join(phrase.tags).lower())
        codes.append(code)
        titles.append(title)
        other = SEP.join((code, tags, name))
        others.append(other)
        bodies.append(_one_line(_PLACEHOLDER.sub(_placeholder_text, phrase.body).lower()))
        if has_han(phrase.title + "".join(phrase.tags)):
            parts = [tables.initials_of(phrase.title), tables.full_pinyin(phrase.title)]
            for tag in phrase.tags:
                if has_han(tag):
                    parts += [tables.initials_of(tag), tables.full_pinyin(tag)]
            pinyin.append(_one_line(SEP.join(parts)))
        else:
            pinyin.append("")
        if phrase.valid_from is not None or phrase.valid_until is not None:
            windows.append((
                position,
                phrase.valid_from.toordinal() if phrase.valid_from else 0,
                phrase.valid_until.toordinal() if phrase.valid_until else 0,
            ))
    fields = [_joined(values) for values in (codes, titles, others, pinyin, bodies)]
    projected = [text if text.isascii() else _NON_ASCII.sub("\0", text) for text in (fields[1], fields[2], fields[4])]
    # how often each word occurs in titles, tags and the group name (typo search picks rare ones first)
    vocabulary: dict[str, int] = {}
    for word in _WORDS.findall(fields[1]) + _WORDS.findall(fields[2]) + _han().findall(fields[1] + fields[2]):
        vocabulary[word] = vocabulary.get(word, 0) + 1
    return GroupKeys(
        count=len(group.phrases),
        texts=tuple(text.encode("utf-8", "surrogatepass") for text in fields + projected),
        windows=tuple(windows),
        # bodies: the bloom of their ASCII projection (a tenth of the work); it serves ASCII words
        blooms=tuple(bloom_of(text) for text in fields[:4] + projected[2:]),
        words="".join(f"{word}\t{count}\n" for word, count in vocabulary.items()),
    )


# -- one field of every phrase -------------------------------------------------------------------


class _Field:
    """One key field of every phrase: UTF-8 bytes (in memory, or the mmap of the cache file),
    searched with `find` at C speed. Group g occupies [offsets[g], offsets[g + 1]); a newline
    follows the last group. Values are decoded per group, on first use."""

    def __init__(self, buffer, offsets: list[int], firsts: Sequence[int], counts: Sequence[int],
                 blooms: Sequence[int] | None = None, on_damage=None) -> None:
        self.buffer = buffer
        self.offsets = offsets
        self.end = offsets[-1] + 1
        self.firsts = firsts
        self.counts = counts
        self.blooms = blooms
        self.on_damage = on_damage
        self._values: dict[int, list[str]] = {}
        self._starts: dict[int, list[int]] = {}

    @classmethod
    def joined(cls, parts: Sequence, firsts, counts, blooms=None, on_damage=None) -> _Field:
        buffer = b"".join(parts) + b"\n"
        return cls(buffer, list(accumulate(map(len, parts), initial=0)), firsts, counts, blooms, on_damage)

    def _part(self, group: int) -> bytes:
        low, high = self.offsets[group], self.offsets[group + 1]
        return self.buffer[low + 1 : high] if high > low else b""

    def values(self, group: int) -> list[str]:
        """The values of one group's phrases (decoded on first use)."""
        values = self._values.get(group)
        if values is None:
            count = self.counts[group]
            values = self._part(group).decode("utf-8", "replace").split("\n") if count else []
            if len(values) != count:
                # a damaged cache: never crash or misplace hits beyond this group; rebuild next time
                values = (values + [""] * count)[:count]
                if self.on_damage is not None:
                    self.on_damage()
            self._values[group] = values
        return values

    def _group_starts(self, group: int) -> list[int]:
        starts = self._starts.get(group)
        if starts is None:
            pieces = self._part(group).split(b"\n") if self.counts[group] else []
            starts = self._starts[group] = list(accumulate((len(piece) + 1 for piece in pieces), initial=0))
        return starts

    def ids(self, needle: str, token: str | None = None) -> Iterable[int]:
        """Indexes of the phrases whose value contains `needle`, ascending, one per phrase.

        Only groups whose bloom filter has every character pair of `token` (the needle without
        its newline markers) are scanned: a typo costs almost nothing instead of a full pass.
        """
        find, offsets, firsts = self.buffer.find, self.offsets, self.firsts
        encoded = needle.encode("utf-8", "surrogatepass")
        for low, high in self._ranges(token if token is not None else needle):
            position = find(encoded, low, high)
            while position != -1:
                group = bisect_right(offsets, position) - 1
                base = offsets[group]
                starts = self._group_starts(group)
                k = bisect_right(starts, position - base) - 1
                if k >= self.counts[group]:
                    break  # damaged cache (see values)
                yield firsts[group] + k
                position = find(encoded, base + starts[k + 1], high)

    def _ranges(self, token: str) -> list[tuple[int, int]]:
        """Byte ranges (whole groups, neighbours merged) that may contain `token`."""
        offsets, end = self.offsets, self.end
        if self.blooms is None:
            return [(offsets[0], end)]
        wanted = bloom_bits(token)
        ranges: list[tuple[int, int]] = []
        for group, bloom in enumerate(self.blooms):
            if bloom & wanted != wanted:
                continue
            low, high = offsets[group], min(offsets[group + 1] + 1, end)
            if ranges and ranges[-1][1] >= low:
                ranges[-1] = (ranges[-1][0], high)
            else:
                ranges.append((low, high))
        return ranges


class _SortedCodes:
    """Codes in sorted order as a sequence for `bisect`, read through a permutation."""

    def __init__(self, order: Sequence[int], code_of) -> None:
        self.order = order
        self.code_of = code_of

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, position: int) -> str:
        return self.code_of(self.order[position])


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


@dataclass(frozen=True)
class IndexPart:
    """One group of one library with its keys: what the index is built from."""

    library: Library
    group: Group
    keys: GroupKeys


def phrase_at(group: Group, position: int) -> Phrase:
    """The phrase at `position` without building the whole group when the group is lazy (cache)."""
    getter = getattr(group, "phrase_at", None)
    return getter(position) if getter is not None else group.phrases[position]


# -- the index ------------------------------------------------------------------------------------


_TIERS = (
    # (bound, field, needle form): the best score a phrase first found in this tier can have
    (99.0, "codes", "exact"),
    (98.0, "titles", "prefix"),
    (94.0, "titles", "plain"),
    (88.0, "others", "plain"),
    (86.0, "pinyin", "plain"),
    (60.0, "bodies", "plain"),
)


class PhraseIndex:
    """Search over the phrases of one or more libraries (earlier libraries win a shared code)."""

    def __init__(
        self, parts: Sequence[IndexPart], code_table: CodeTable | None = None, joined: Sequence | None = None
    ) -> None:
        """`joined`, when given, holds each KEY_FIELDS field already laid out for these parts in
        this order: (buffer, group offsets) pairs, e.g. slices of the cache file's mmap."""
        self.parts = list(parts)
        keys = [part.keys for part in self.parts]
        counts = [k.count for k in keys]
        self._firsts = list(accumulate(counts, initial=0))
        self._size = self._firsts[-1]
        firsts = self._firsts[:-1]
        if joined is None:
            joined = [
                (None, [k.texts[position] for k in keys]) for position in range(len(KEY_FIELDS))
            ]
        fields = []
        for position, (buffer, parts_or_offsets) in enumerate(joined):
            # the ASCII copies share the blooms of their fields; the bodies' bloom covers ASCII only
            source = {4: None, 5: 1, 6: 2, 7: 4}.get(position, position)
            blooms = [k.blooms[source] if source is not None and len(k.blooms) == BLOOMED else None for k in keys]
            blooms = None if None in blooms else blooms
            if buffer is None:
                fields.append(_Field.joined(parts_or_offsets, firsts, counts, blooms, self._damaged))
            else:
                fields.append(_Field(buffer, parts_or_offsets, firsts, counts, blooms, self._damaged))
        self._codes, self._titles, self._others, self._pinyin, self._bodies = fields[:BLOOMED]
        self._ascii = dict(zip(("titles", "others", "bodies"), fields[BLOOMED:]))
        self.damaged = False
        self.on_damage = None
        self._windows: dict[int, tuple[int, int]] = {
            self._firsts[g] + position: (start, end)
            for g, k in enumerate(keys)
            for position, start, end in k.windows
        }
        self._code_table = code_table if code_table is not None and len(code_table.natural) == self._size else None
        self._entries: dict[int, Entry] = {}
        self._vocabulary: dict[str, int] | None = None
        self.vocabulary_text = ""
        """The merged vocabulary in `GroupKeys.words` form, when the cache has it."""
        self._choices: list[str] | None = None
        self._used: dict[str, int | None] = {}

    def _damaged(self) -> None:
        self.damaged = True
        if self.on_damage is not None:
            self.on_damage()

    @cached_property
    def _pinyin_ascii(self) -> bool:
        """Whether pinyin keys hold only ASCII (then a word with Han characters cannot match them)."""
        column = self._pinyin
        return column.buffer[column.offsets[0] : column.end].isascii()

    @classmethod
    def from_libraries(
        cls,
        libraries: Iterable[Library],
        known: Mapping[int, tuple[Group, GroupKeys]] | None = None,
        code_table: CodeTable | None = None,
        joined: Sequence | None = None,
    ) -> PhraseIndex:
        """The index of `libraries`. `known` maps `id(group)` to (group, keys) already computed
        (the index cache): only the other groups are indexed, and pypinyin is imported only then."""
        known = known or {}
        tables = None
        parts = []
        for library in libraries:
            for group in library.groups:
                found = known.get(id(group))
                if found is not None and found[0] is group:
                    keys = found[1]
                else:
                    if tables is None:
                        from qr.pinyin import PinyinTables

                        tables = PinyinTables()
                    keys = group_keys(group, tables)
                parts.append(IndexPart(library, group, keys))
        return cls(parts, code_table, joined)

    def __len__(self) -> int:
        return self._size

    # -- entries ---------------------------------------------------------------------------------

    def _group_of(self, index: int) -> int:
        return bisect_right(self._firsts, index) - 1

    def entry(self, index: int) -> Entry:
        """The Entry at `index` (built on first use: a warm start builds no Phrase it does not show)."""
        entry = self._entries.get(index)
        if entry is None:
            g = self._group_of(index)
            part = self.parts[g]
            entry = self._entries[index] = Entry(part.library, part.group, phrase_at(part.group, index - self._firsts[g]))
        return entry

    @property
    def entries(self) -> list[Entry]:
        """Every entry in library order (builds them all: for browsing, not for searching)."""
        return [self.entry(index) for index in range(self._size)]

    def _value(self, column: _Field, index: int) -> str:
        g = self._group_of(index)
        return column.values(g)[index - self._firsts[g]]

    def code_of(self, index: int) -> str:
        return self._value(self._codes, index)

    def pinyin_of(self, index: int) -> str:
        """Title initials SEP full pinyin SEP tag pinyin of the phrase at `index` ("" without Han)."""
        return self._value(self._pinyin, index)

    # -- lookups ---------------------------------------------------------------------------------

    @property
    def code_table(self) -> CodeTable:
        if self._code_table is None:
            codes = [code for g in range(len(self.parts)) for code in self._codes.values(g)]
            self._code_table = CodeTable.build(codes)
        return self._code_table

    def _sorted_codes(self) -> _SortedCodes:
        return _SortedCodes(self.code_table.order, self.code_of)

    def _first_with_code(self, code: str) -> int | None:
        if code in self._used:
            return self._used[code]
        codes = self._sorted_codes()
        position = bisect_left(codes, code)
        found = codes.order[position] if position < len(codes) and codes[position] == code else None
        self._used[code] = found
        return found

    def by_code(self, code: str, *, today: date | None = None) -> Entry | None:
        """The phrase with this code (the first library's, when several share it)."""
        wanted = normalise_code(code)
        index = self._first_with_code(wanted) if wanted else None
        return None if index is None else self.entry(index)

    def suggest_codes(self, code: str, limit: int = 5) -> list[str]:
        """Known codes close to an unknown one (prefix matches first, then similar spellings)."""
        wanted = normalise_code(code)
        hits = self.search("/" + wanted, limit=limit)
        return [hit.phrase.code for hit in hits if hit.phrase.code]

    def _visible(self, index: int, today: date) -> bool:
        window = self._windows.get(index)
        if window is None:
            return True
        day = today.toordinal()
        return not ((window[0] and day < window[0]) or (window[1] and day > window[1]))

    # -- search ----------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        limit: int = 50,
        today: date | None = None,
        usage: Mapping[str, float] | None = None,
    ) -> list[Hit]:
        """Ranked hits for `query`. `usage` maps a code to how much the user uses it (ties, empty query)."""
        today = today or date.today()
        usage = usage or {}
        query = query.replace("\0", "").strip()
        if limit <= 0:
            return []
        if query.startswith("/"):
            code, _, text = query[1:].partition(" ")
            scored = self._code_search(code.strip().lower(), text.strip().lower(), limit, today)
        elif not query:
            scored = self._empty(limit, today, usage)
        else:
            scored = self._text_search(query.lower().split(), limit, today, usage)
        return self._rank(scored, limit, usage)

    def _rank(self, scored: dict[int, tuple[float, str]], limit: int, usage: Mapping[str, float]) -> list[Hit]:
        def order(index: int):
            score, _ = scored[index]
            return (-score, -usage.get(self.code_of(index), 0.0) if usage else 0.0, index)

        best = sorted(scored, key=order)[:limit]
        return [Hit(self.entry(index), round(scored[index][0], 1), scored[index][1], index) for index in best]

    def _empty(self, limit: int, today: date, usage: Mapping[str, float]) -> dict[int, tuple[float, str]]:
        scored: dict[int, tuple[float, str]] = {}
        for code in sorted(usage, key=usage.get, reverse=True)[:limit]:
            index = self._first_with_code(normalise_code(code))
            if index is not None and self._visible(index, today):
                scored[index] = (0.0, "all")
        for index in range(self._size):
            if len(scored) >= limit:
                break
            if self._visible(index, today):
                scored.setdefault(index, (0.0, "all"))
        return scored

    def _code_search(self, prefix: str, text: str, limit: int, today: date) -> dict[int, tuple[float, str]]:
        codes = self._sorted_codes()
        low = bisect_left(codes, prefix)
        high = bisect_right(codes, prefix + "\U0010ffff")
        order, natural = codes.order, self.code_table.natural
        tokens = text.split()
        scored: dict[int, tuple[float, str]] = {}
        if tokens:
            for index in order[low:high]:
                if self._visible(index, today):
                    score = self._token_score(index, tokens)
                    if score is not None:
                        scored[index] = (score[0] - natural[index] / 1e7, score[1])
            return scored
        count = high - low
        if count <= 4096:
            ranked = sorted(order[low:high], key=natural.__getitem__)
        else:
            import heapq

            ranked = heapq.nsmallest(limit * 4, order[low:high], key=natural.__getitem__)
        for index in ranked:
            if len(scored) >= limit:
                break
            if not self._visible(index, today):
                continue
            exact = self.code_of(index) == prefix
            scored[index] = (100.0 if exact else 90.0 - min(natural[index], 10**6) / 10**6, "code")
        if len(scored) < limit and prefix:
            self._close_codes(prefix, limit, today, scored)
        return scored

    def _close_codes(self, prefix: str, limit: int, today: date, scored: dict[int, tuple[float, str]]) -> None:
        """Codes spelt almost like `prefix`, among those sharing its first character (bounded)."""
        from rapidfuzz import fuzz, process

        codes = self._sorted_codes()
        low = bisect_left(codes, prefix[0])
        high = bisect_right(codes, prefix[0] + "\U0010ffff")
        if high - low > CLOSE_CODES:
            # the codes spelt nearest in sorted order (same first character), not all of them
            middle = bisect_left(codes, prefix, low, high)
            low = max(low, min(middle - CLOSE_CODES // 2, high - CLOSE_CODES))
            high = low + CLOSE_CODES
        candidates = {index: self.code_of(index) for index in codes.order[low:high]}
        close = process.extract(prefix, candidates, scorer=fuzz.ratio, score_cutoff=60, limit=limit * 2)
        for _, similarity, index in sorted(close, key=lambda item: (-item[1], item[2])):
            if len(scored) >= limit:
                break
            if index not in scored and self._visible(index, today):
                scored[index] = (similarity * 0.6, "code")

    def _token_score(self, index: int, tokens: list[str]) -> tuple[float, str] | None:
        """The worst of each token's best field score; None when a token matches nowhere."""
        g = self._group_of(index)
        k = index - self._firsts[g]
        code = self._codes.values(g)[k]
        title = self._titles.values(g)[k]
        others = None
        worst = (101.0, "")
        for token in tokens:
            if title.startswith(token):
                best = (98.0, "title")
            elif code == token:
                best = (99.0, "code")
            elif token in title:
                best = (94.0, "title")
            else:
                if others is None:
                    others = self._others.values(g)[k]
                if token in others:
                    best = (88.0, "code" if token in code else "tag")
                else:
                    pinyin = self._pinyin.values(g)[k]
                    if token in pinyin:
                        best = (_pinyin_score(pinyin, token), "pinyin")
                    elif token in self._bodies.values(g)[k]:
                        best = (60.0, "body")
                    else:
                        return None
            if best < worst:
                worst = best
        return worst

    def _field(self, name: str, needle: str) -> _Field:
        if needle.isascii() and name in self._ascii:
            return self._ascii[name]
        return getattr(self, "_" + name)

    def _text_search(
        self, tokens: list[str], limit: int, today: date, usage: Mapping[str, float]
    ) -> dict[int, tuple[float, str]]:
        scored: dict[int, tuple[float, str]] = {}
        # The user's own phrases are scored exactly first: then stopping a tier early never
        # drops a used phrase that would have won a tie.
        for code in usage:
            index = self._first_with_code(normalise_code(code))
            if index is not None and index not in scored and self._visible(index, today):
                score = self._token_score(index, tokens)
                if score is not None:
                    scored[index] = score
        used = set(scored)
        # Every hit contains the driver token somewhere: scan its tiers only.
        driver = self._rarest(tokens)
        pinyin_possible = driver.isascii() or not self._pinyin_ascii
        tiers = self._tiers(tokens, pinyin_possible)
        for position, (bound, name, form) in enumerate(tiers):
            # stopping inside a tier is right only if the next tier's phrases all score lower
            may_stop = position + 1 == len(tiers) or tiers[position + 1][0] < bound
            # `ahead` counts hits that outrank every phrase still unscanned: higher scores, used
            # phrases at this score, and (as the scan passes their index) earlier hits at this score
            ahead = sum(1 for score, _ in scored.values() if score > bound)
            ahead += sum(1 for index in used if scored[index][0] == bound)
            ties = sorted(index for index, (score, _) in scored.items() if score == bound and index not in used)
            passed = 0
            if ahead >= limit:
                return scored
            column = self._field(name, driver)
            needle = "\n" + driver + "\n" if form == "exact" else "\n" + driver if form == "prefix" else driver
            for index in column.ids(needle, driver):
                while passed < len(ties) and ties[passed] < index:
                    passed += 1
                    ahead += 1
                if ahead >= limit and may_stop:
                    return scored
                if index in scored or not self._visible(index, today):
                    continue
                score = self._token_score(index, tokens)
                if score is None:
                    continue
                scored[index] = score
                if score[0] == bound:
                    ahead += 1
        if len(scored) < limit:
            self._fuzzy(tokens, limit, today, scored)
        return scored

    @staticmethod
    def _tiers(tokens: list[str], pinyin_possible: bool) -> list[tuple[float, str, str]]:
        """The tiers to scan, with the best final score a phrase first found in each can have.

        With several words the final score is the worst word's: at most one word can be the
        code and one the start of the title, so three distinct words, or two that cannot both be
        (neither a code-like word nor one a prefix of the other), score at most 94 (inside the
        title). Then the title-prefix tier adds nothing the title tier does not find.
        """
        tiers = [tier for tier in _TIERS if tier[1] != "pinyin" or pinyin_possible]
        distinct = set(tokens)
        if len(distinct) < 2 or len(distinct) < len(tokens):
            return tiers
        if any(a != b and b.startswith(a) for a in distinct for b in distinct):
            return tiers
        if len(distinct) == 2 and any(is_valid_code(token) for token in distinct):
            return tiers
        return [(min(bound, 94.0), name, form) for bound, name, form in tiers if form != "prefix"]

    def _rarest(self, tokens: list[str]) -> str:
        """The token that the fewest groups may contain (their bloom filters say; longer wins a tie)."""
        if len(tokens) == 1:
            return tokens[0]
        columns = (self._codes, self._titles, self._others, self._pinyin, self._bodies)

        def groups(token: str) -> int:
            wanted = bloom_bits(token)
            return sum(1 for column in columns for bloom in column.blooms or () if bloom & wanted == wanted)

        return min(tokens, key=lambda token: (groups(token), -len(token)))

    # -- typos -----------------------------------------------------------------------------------

    @property
    def vocabulary(self) -> dict[str, int]:
        """Every ASCII word and Han character of titles, tags and group names, with how many
        phrases have it (merged from the groups' keys on first use, or given by the cache)."""
        if self._vocabulary is None:
            self._vocabulary = parse_vocabulary(self.vocabulary_text or merged_vocabulary(part.keys for part in self.parts))
        return self._vocabulary

    def _fuzzy(self, tokens: list[str], limit: int, today: date, scored: dict[int, tuple[float, str]]) -> None:
        """Typos and near misses: partial_ratio over a bounded candidate set, chosen through the
        vocabulary (a misspelt word is replaced by the library's closest words), rarest first."""
        from rapidfuzz import fuzz, process

        query = " ".join(tokens)
        vocabulary = self.vocabulary
        grams: dict[str, int] = {}
        words = sorted(set(_WORDS.findall(query)))
        unknown = [word for word in words if word not in vocabulary]
        for word in words:
            if word in vocabulary:
                grams[word] = vocabulary[word]
        if unknown:
            if self._choices is None:
                self._choices = [word for word in vocabulary if word.isascii()]
            choices = self._choices
            for word in unknown:
                for close, _, _ in process.extract(
                    word, choices, scorer=fuzz.ratio, score_cutoff=70, limit=VOCABULARY_MATCHES
                ):
                    grams[close] = vocabulary[close]
        for char in _han().findall(query):
            if char in vocabulary:
                grams[char] = vocabulary[char]
        candidates: dict[int, None] = {}
        share = max(FUZZY_CANDIDATES // max(len(grams), 1), 50)
        for gram in sorted(grams, key=grams.__getitem__):
            taken = 0
            for name in ("titles", "others"):
                for index in self._field(name, gram).ids(gram):
                    if index not in scored and index not in candidates:
                        candidates[index] = None
                        taken += 1
                        if taken >= share or len(candidates) >= FUZZY_CANDIDATES:
                            break
                if taken >= share or len(candidates) >= FUZZY_CANDIDATES:
                    break
            if len(candidates) >= FUZZY_CANDIDATES:
                break
        if not candidates:
            return
        keys = {index: self._fuzzy_keys(index) for index in candidates}
        close = {
            index: similarity
            for _, similarity, index in process.extract(
                query, {index: key[1] for index, key in keys.items()}, scorer=fuzz.partial_ratio, score_cutoff=70, limit=None
            )
        }
        # a typo of the title (or code) outranks the same typo of a tag or the group name
        heads = process.extract(query, {index: keys[index][0] for index in close}, scorer=fuzz.partial_ratio, limit=None)
        ranked = sorted(
            ((max(similarity, close[index] * 0.9), index) for _, similarity, index in heads),
            key=lambda pair: (-pair[0], pair[1]),
        )
        for similarity, index in ranked[: limit * 2]:
            if self._visible(index, today):
                scored[index] = (similarity * 0.55, "fuzzy")

    def _fuzzy_keys(self, index: int) -> tuple[str, str]:
        """(code and title, code title tags group name): what a typo is compared with."""
        g = self._group_of(index)
        k = index - self._firsts[g]
        code, _, rest = self._others.values(g)[k].partition(SEP)
        head = f"{code} {self._titles.values(g)[k]}"
        return head, f"{head} {rest.replace(SEP, ' ')}"


def merged_vocabulary(keys: Iterable[GroupKeys]) -> str:
    """The groups' vocabularies summed, in `GroupKeys.words` form."""
    vocabulary: dict[str, int] = {}
    get = vocabulary.get
    for group in keys:
        for line in group.words.splitlines():
            word, _, count = line.partition("\t")
            vocabulary[word] = get(word, 0) + int(count)
    return "".join(f"{word}\t{count}\n" for word, count in vocabulary.items())


def parse_vocabulary(text: str) -> dict[str, int]:
    vocabulary: dict[str, int] = {}
    for line in text.splitlines():
        word, _, count = line.partition("\t")
        if count.isdigit():
            vocabulary[word] = int(count)
    return vocabulary


def entries_of(libraries: Iterable[Library]) -> list[Entry]:
    return [Entry(library, group, phrase) for library in libraries for group, phrase in library.phrases()]


def match_spans(text: str, query: str, initials: str | None = None) -> list[tuple[int, int]]:
    """Character spans of `text` to highlight for `query` (direct matches, else pinyin initials).

    `initials` is the one-letter-per-character pinyin of `text` (see `qr.pinyin`).
    """
    query = query.strip().lower()
    if query.startswith("/"):
        code, _, query = query[1:].partition(" ")
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    for token in query.split():
        start = lowered.find(token)
        if start != -1 and len(lowered) == len(text):
            spans.append((start, start + len(token)))
            continue
        if initials and token.isascii():
            start = initials.find(token)
            if start != -1:
                spans.append((start, min(start + len(token), len(text))))
    return sorted(spans)


def title_spans(index: PhraseIndex, hit: Hit, query: str) -> list[tuple[int, int]]:
    """Spans of the hit's title to highlight for `query`."""
    pinyin = index.pinyin_of(hit.index) if hit.index >= 0 else ""
    initials = pinyin.split(SEP, 1)[0] if pinyin else None
    return match_spans(hit.phrase.title, query, initials)


def _pinyin_score(pinyin: str, token: str) -> float:
    """Title pinyin outranks tag pinyin; a match at the start of the title outranks one inside."""
    initials, _, rest = pinyin.partition(SEP)
    full, _, _tags = rest.partition(SEP)
    if initials.startswith(token) or full.startswith(token):
        return 86.0
    if token in initials or token in full:
        return 82.0
    return 78.0
