"""The phrase index: `/code` queries, text, pinyin and fuzzy search, built for 100,000 phrases.

A keystroke never runs a fuzzy scorer over the whole library. Searching goes in tiers and stops
as soon as the earlier tiers fill the page, because a later tier never outranks an earlier one:
code (bisect over sorted codes) -> substring in code/title/tags/group and pinyin -> substring in
bodies -> fuzzy over a candidate set chosen by the query's rarest character n-grams.
Substrings are found with `str.find` over one joined string per field (C speed), not a Python loop.

No Textual here: the CLI and the TUI share it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Mapping, Sequence

from rapidfuzz import fuzz, process

from qr.store.models import Group, Library, Phrase

SEP = "\x1f"
CANDIDATE_CAP = 4000
FUZZY_CANDIDATES = 2500
_NATURAL = re.compile(r"(\d+)")


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


@dataclass
class IndexColumns:
    """Everything the index precomputes, one list per field (columns pickle fast)."""

    codes: list[str]
    titles: list[str]
    """Lower-cased titles."""
    short: list[str]
    """code, title, tags and group name, lower-cased, joined by SEP."""
    pinyin: list[str]
    """Title initials (aligned with the title), full pinyin, tag pinyin; empty when there is no Han."""
    bodies: list[str]
    """Lower-cased bodies."""


def build_columns(entries: Sequence[Entry]) -> IndexColumns:
    from qr.pinyin import PinyinTables, has_han

    tables = PinyinTables()
    codes, titles, short, pinyin, bodies = [], [], [], [], []
    for entry in entries:
        phrase = entry.phrase
        title = phrase.title.lower()
        tags = SEP.join(phrase.tags).lower()
        codes.append(phrase.code or "")
        titles.append(title)
        short.append(SEP.join((phrase.code or "", title, tags, entry.group.name.lower())))
        bodies.append(phrase.body.lower())
        han_text = phrase.title + "".join(phrase.tags)
        if has_han(han_text):
            initials = tables.initials_of(phrase.title)
            parts = [initials, tables.full_pinyin(phrase.title)]
            for tag in phrase.tags:
                if has_han(tag):
                    parts += [tables.initials_of(tag), tables.full_pinyin(tag)]
            pinyin.append(SEP.join(parts))
        else:
            pinyin.append("")
    return IndexColumns(codes, titles, short, pinyin, bodies)


class _Joined:
    """One field of every phrase joined into one string, for C-speed substring search."""

    def __init__(self, values: list[str]) -> None:
        self.text = "\n".join(values) + "\n"
        self.starts: list[int] = []
        position = 0
        for value in values:
            self.starts.append(position)
            position += len(value) + 1

    def count(self, needle: str) -> int:
        return self.text.count(needle)

    def ids(self, needle: str, cap: int = CANDIDATE_CAP) -> list[int]:
        """Indexes of the values that contain `needle`, ascending, at most `cap`."""
        found: list[int] = []
        text, starts, find = self.text, self.starts, self.text.find
        position = find(needle)
        while position != -1 and len(found) < cap:
            index = bisect_right(starts, position) - 1
            found.append(index)
            # skip to the next value: one hit per phrase is enough
            next_start = starts[index + 1] if index + 1 < len(starts) else len(text)
            position = find(needle, next_start)
        return found


class PhraseIndex:
    """Search over the phrases of one or more libraries (earlier libraries win a shared code)."""

    def __init__(self, entries: Sequence[Entry], columns: IndexColumns | None = None) -> None:
        self.entries = list(entries)
        self.columns = columns or build_columns(self.entries)
        c = self.columns
        self._short = _Joined(c.short)
        self._pinyin = _Joined(c.pinyin)
        self._bodies = _Joined(c.bodies)
        coded = sorted((code, index) for index, code in enumerate(c.codes) if code)
        self._sorted_codes = [code for code, _ in coded]
        self._sorted_ids = [index for _, index in coded]
        by_nature = sorted(range(len(coded)), key=lambda position: natural_key(coded[position][0]))
        self._natural_rank = [0] * len(c.codes)
        for rank, position in enumerate(by_nature):
            self._natural_rank[coded[position][1]] = rank
        self._code_list = [code for code in c.codes]
        self._first_by_code: dict[str, int] = {}
        for index, code in enumerate(c.codes):
            if code:
                self._first_by_code.setdefault(code, index)
        self._windowed = {
            index
            for index, entry in enumerate(self.entries)
            if entry.phrase.valid_from is not None or entry.phrase.valid_until is not None
        }

    @classmethod
    def from_libraries(cls, libraries: Iterable[Library]) -> PhraseIndex:
        return cls(entries_of(libraries))

    def __len__(self) -> int:
        return len(self.entries)

    # -- lookups ---------------------------------------------------------------------------------

    def by_code(self, code: str, *, today: date | None = None) -> Entry | None:
        """The phrase with this code (the first library's, when several share it)."""
        from qr.store.models import normalise_code

        index = self._first_by_code.get(normalise_code(code))
        return None if index is None else self.entries[index]

    def suggest_codes(self, code: str, limit: int = 5) -> list[str]:
        """Known codes close to an unknown one (prefix matches first, then similar spellings)."""
        from qr.store.models import normalise_code

        wanted = normalise_code(code)
        hits = self.search("/" + wanted, limit=limit)
        return [hit.phrase.code for hit in hits if hit.phrase.code]

    def _visible(self, index: int, today: date) -> bool:
        return index not in self._windowed or self.entries[index].phrase.is_valid_on(today)

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
        query = query.strip()
        if query.startswith("/"):
            code, _, text = query[1:].partition(" ")
            scored = self._code_search(code.strip().lower(), text.strip().lower(), limit, today)
        elif not query:
            scored = self._empty(limit, today, usage)
        else:
            scored = self._text_search(query.lower().split(), limit, today)
        return self._rank(scored, limit, usage)

    def _rank(self, scored: dict[int, tuple[float, str]], limit: int, usage: Mapping[str, float]) -> list[Hit]:
        codes = self.columns.codes

        def order(index: int):
            score, _ = scored[index]
            return (-score, -usage.get(codes[index], 0.0), index)

        best = sorted(scored, key=order)[:limit]
        return [Hit(self.entries[index], round(scored[index][0], 1), scored[index][1], index) for index in best]

    def _empty(self, limit: int, today: date, usage: Mapping[str, float]) -> dict[int, tuple[float, str]]:
        scored: dict[int, tuple[float, str]] = {}
        for code in sorted(usage, key=usage.get, reverse=True)[:limit]:
            index = self._first_by_code.get(code)
            if index is not None and self._visible(index, today):
                scored[index] = (0.0, "all")
        for index in range(len(self.entries)):
            if len(scored) >= limit:
                break
            if self._visible(index, today):
                scored.setdefault(index, (0.0, "all"))
        return scored

    def _code_search(self, prefix: str, text: str, limit: int, today: date) -> dict[int, tuple[float, str]]:
        low = bisect_left(self._sorted_codes, prefix)
        high = bisect_right(self._sorted_codes, prefix + "\U0010ffff")
        ids = self._sorted_ids[low:high]
        tokens = text.split()
        scored: dict[int, tuple[float, str]] = {}
        if tokens:
            for index in ids:
                if self._visible(index, today):
                    score = self._token_score(index, tokens)
                    if score is not None:
                        scored[index] = (score[0] - self._natural_rank[index] / 1e7, score[1])
            return scored
        wanted = len(ids) if len(ids) <= limit * 4 else limit * 4
        ranked = sorted(ids, key=self._natural_rank.__getitem__) if len(ids) <= 4096 else self._natural_first(ids, wanted)
        for index in ranked:
            if len(scored) >= limit:
                break
            if not self._visible(index, today):
                continue
            exact = self.columns.codes[index] == prefix
            scored[index] = (100.0 if exact else 90.0 - min(self._natural_rank[index], 10**6) / 10**6, "code")
        if len(scored) < limit and prefix:
            close = process.extract(
                prefix, self._code_list, scorer=fuzz.ratio, score_cutoff=60, limit=limit * 2
            )
            for _, similarity, index in close:
                if len(scored) >= limit:
                    break
                if index not in scored and self.columns.codes[index] and self._visible(index, today):
                    scored[index] = (similarity * 0.6, "code")
        return scored

    def _natural_first(self, ids: list[int], wanted: int) -> list[int]:
        import heapq

        return heapq.nsmallest(wanted, ids, key=self._natural_rank.__getitem__)

    def _token_score(self, index: int, tokens: list[str]) -> tuple[float, str] | None:
        """The worst of each token's best field score; None when a token matches nowhere."""
        c = self.columns
        worst = (101.0, "")
        for token in tokens:
            title = c.titles[index]
            if title.startswith(token):
                best = (98.0, "title")
            elif c.codes[index] == token:
                best = (99.0, "code")
            elif token in title:
                best = (94.0, "title")
            elif token in c.short[index]:
                where = "code" if token in c.codes[index] else "tag"
                best = (88.0, where)
            elif token in c.pinyin[index]:
                best = (_pinyin_score(c.pinyin[index], token), "pinyin")
            elif token in c.bodies[index]:
                best = (60.0, "body")
            else:
                return None
            worst = min(worst, best)
        return worst

    def _text_search(self, tokens: list[str], limit: int, today: date) -> dict[int, tuple[float, str]]:
        rare = min(tokens, key=lambda token: self._short.count(token) + self._pinyin.count(token) + self._bodies.count(token))
        scored: dict[int, tuple[float, str]] = {}

        def consider(candidates: Iterable[int]) -> None:
            for index in candidates:
                if index in scored or not self._visible(index, today):
                    continue
                score = self._token_score(index, tokens)
                if score is not None:
                    scored[index] = score

        consider(self._short.ids(rare))
        if rare.isascii():
            consider(self._pinyin.ids(rare))
        if len(scored) < limit:
            consider(self._bodies.ids(rare))
        if len(scored) < limit:
            self._fuzzy(" ".join(tokens), limit, today, scored)
        return scored

    def _fuzzy(self, query: str, limit: int, today: date, scored: dict[int, tuple[float, str]]) -> None:
        """Typos and near misses, scored only over phrases that share the query's rarest n-grams."""
        grams = _grams(query)
        counted = sorted(((self._short.count(gram), gram) for gram in grams), key=lambda pair: pair[0])
        candidates: set[int] = set()
        for count, gram in counted:
            if count == 0:
                continue
            candidates.update(self._short.ids(gram, cap=FUZZY_CANDIDATES))
            if len(candidates) >= FUZZY_CANDIDATES:
                break
        candidates.difference_update(scored)
        if not candidates:
            return
        keys = {index: self.columns.short[index].replace(SEP, " ") for index in candidates}
        for _, similarity, index in process.extract(
            query, keys, scorer=fuzz.partial_ratio, score_cutoff=70, limit=limit * 2
        ):
            if self._visible(index, today):
                scored[index] = (similarity * 0.55, "fuzzy")


def _grams(query: str) -> list[str]:
    """Han characters one by one; other words as trigrams (or whole when shorter)."""
    grams: list[str] = []
    for word in query.split():
        if not word.isascii():
            grams.extend(char for char in word if not char.isspace())
        elif len(word) <= 3:
            grams.append(word)
        else:
            grams.extend(word[i : i + 3] for i in range(len(word) - 2))
    return list(dict.fromkeys(grams))


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
    pinyin = index.columns.pinyin[hit.index] if hit.index >= 0 else ""
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
