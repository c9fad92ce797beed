"""`PhraseIndex`: the phrases of one or more libraries, their key fields and code table, and the
search entry point (`/code` queries here; text tiers in `qr.index.tiers`, typos in `qr.index.fuzzy`)."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from functools import cached_property, wraps
from itertools import accumulate

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from qr.index.fields import FieldLayout

from qr.index.codes import CodeTable, SortedCodes, close_codes, updated_table
from qr.index.fields import SEP, CacheDamaged, KeyField
from qr.index.keys import BLOOM_OF_FIELD, BLOOMED, KEY_FIELDS, GroupKeys, group_keys
from qr.index.tiers import BODY_SCORES, NOTE_SCORES, graded_score
from qr.store.entry import Entry, Hit
from qr.store.models import Group, Library, Phrase, normalise_code

Scored = dict  # phrase index -> (score, where): the hits found so far, before ranking
GROUP_SCORE = 56.0
"""A word found only in the group's name: below every field of the phrase itself (a group called
plus-size must not list its 30 phrases before the reply that talks about sizes)."""


class IndexPart:
    """One group of one library with its keys: what the index is built from. (Plain classes here
    and below: a dataclass costs ~0.6 ms to define on every warm `qr search`.)"""

    __slots__ = ("group", "keys", "library")

    def __init__(self, library: Library, group: Group, keys: GroupKeys) -> None:
        self.library = library
        self.group = group
        self.keys = keys


class KnownKeys:
    """Keys already computed for a group (read from the cache, or kept from the previous index):
    valid while `group` is that very object."""

    __slots__ = ("group", "keys")

    def __init__(self, group: Group, keys: GroupKeys) -> None:
        self.group = group
        self.keys = keys


def _recovering(method):
    """Run `method`; if it meets key bytes from the cache that fail their checksum, rebuild the
    damaged keys (`PhraseIndex.recover`) and run it again, so a damaged cache file never changes
    a result. Only the outermost call of a nest recovers."""

    @wraps(method)
    def wrapper(self: PhraseIndex, *args, **kwargs):
        if self._running:
            return method(self, *args, **kwargs)
        self._running = True
        try:
            try:
                return method(self, *args, **kwargs)
            except CacheDamaged:
                self.recover()
                return method(self, *args, **kwargs)
        finally:
            self._running = False

    return wrapper


def phrase_at(group: Group, position: int) -> Phrase:
    """The phrase at `position` without building the whole group when the group is lazy (cache)."""
    getter = getattr(group, "phrase_at", None)
    return getter(position) if getter is not None else group.phrases[position]


class PhraseIndex:
    """Search over the phrases of one or more libraries (earlier libraries win a shared code)."""

    def __init__(
        self,
        parts: Sequence[IndexPart],
        code_table: CodeTable | None = None,
        layouts: Sequence[FieldLayout] | None = None,
        vocabulary_text: str = "",
        on_damage: Callable[[], None] | None = None,
    ) -> None:
        """`layouts`, when given, holds each KEY_FIELDS field already laid out for these parts in
        this order (slices of the cache file's mmap); `vocabulary_text` the merged vocabulary in
        `GroupKeys.words` form (the cache has it); `on_damage` is called when key bytes from the
        cache fail their checksum (the cache deletes its file), before the index rebuilds them."""
        self.parts = list(parts)
        keys = [part.keys for part in self.parts]
        counts = [k.count for k in keys]
        self.firsts = list(accumulate(counts, initial=0))
        """Index of each part's first phrase, then the number of phrases."""
        self.size = self.firsts[-1]
        firsts = self.firsts[:-1]
        fields = []
        for position in range(len(KEY_FIELDS)):
            source = BLOOM_OF_FIELD[position]
            found = [k.blooms[source] if source is not None and len(k.blooms) == BLOOMED else None for k in keys]
            blooms = None if None in found else [bloom for bloom in found if bloom is not None]
            checksums = [k.checksums[position] if k.checksums is not None else None for k in keys]
            if layouts is None:
                texts = [k.texts[position] for k in keys]
                fields.append(KeyField.joined(texts, firsts, counts, blooms, checksums))
            else:
                layout = layouts[position]
                fields.append(KeyField(layout.buffer, layout.offsets, firsts, counts, blooms, checksums))
        self.codes, self.titles, self.others, self.pinyin, self.bodies = fields[:5]
        self.ascii = dict(zip(("titles", "others", "bodies"), fields[5:8]))
        """The ASCII projections of titles, others and bodies (ASCII needles scan these)."""
        self.asks, self.notes = fields[8:]
        self.damaged = False
        """Whether key bytes from the cache failed their checksum (and were rebuilt)."""
        self.on_damage = on_damage
        self._running = False
        self.windows: dict[int, tuple[int, int]] = {
            self.firsts[g] + window.position: (window.start, window.end)
            for g, k in enumerate(keys)
            for window in k.windows
        }
        """Phrase index -> (first day, last day) as ordinals (0: open) of the windowed phrases."""
        self._code_table = code_table if code_table is not None and len(code_table.natural) == self.size else None
        self._entries: dict[int, Entry] = {}
        self._vocabulary: dict[str, int] | None = None
        self.vocabulary_text = vocabulary_text
        self.vocabulary_choices: list[str] | None = None
        """The ASCII words of the vocabulary (built on the first typo)."""
        self._used: dict[str, int | None] = {}

    def recover(self) -> None:
        """Key bytes from the cache failed their checksum: tell `on_damage` (the cache file is
        deleted), then rebuild in place every group's keys that are not intact from its phrases
        (which carry their own checksum) and keep the others, copied out of the file."""
        if self.on_damage is not None:
            self.on_damage()
        tables = None
        parts = []
        for part in self.parts:
            keys = part.keys
            if keys.intact():
                keys = GroupKeys(keys.count, tuple(bytes(text) for text in keys.texts), keys.windows, keys.blooms, keys.words)
            else:
                if tables is None:
                    from qr.index.pinyin import PinyinTables

                    tables = PinyinTables()
                keys = group_keys(part.group, tables)
            parts.append(IndexPart(part.library, part.group, keys))
        fresh = PhraseIndex(parts)
        fresh.damaged = True
        fresh._running = self._running
        self.__dict__.clear()
        self.__dict__.update(fresh.__dict__)

    @cached_property
    def pinyin_ascii(self) -> bool:
        """Whether pinyin keys hold only ASCII (then a word with Han characters cannot match them)."""
        column = self.pinyin
        column.check_all()
        return column.buffer[column.offsets[0] : column.end].isascii()

    @classmethod
    def from_libraries(
        cls,
        libraries: Iterable[Library],
        known: Mapping[int, KnownKeys] | None = None,
        code_table: CodeTable | None = None,
        layouts: Sequence[FieldLayout] | None = None,
        vocabulary_text: str = "",
        on_damage: Callable[[], None] | None = None,
    ) -> PhraseIndex:
        """The index of `libraries`. `known` maps `id(group)` to keys already computed (the
        index cache): only the other groups are indexed, and pypinyin is imported only then."""
        known = known or {}
        tables = None
        parts = []
        for library in libraries:
            for group in library.groups:
                found = known.get(id(group))
                if found is not None and found.group is group:
                    keys = found.keys
                else:
                    if tables is None:
                        from qr.index.pinyin import PinyinTables

                        tables = PinyinTables()
                    keys = group_keys(group, tables)
                parts.append(IndexPart(library, group, keys))
        return cls(parts, code_table, layouts, vocabulary_text, on_damage)

    def __len__(self) -> int:
        return self.size

    # -- entries ---------------------------------------------------------------------------------

    def group_of(self, index: int) -> int:
        """The position (in `parts`) of the group that holds phrase `index`."""
        return bisect_right(self.firsts, index) - 1

    def entry(self, index: int) -> Entry:
        """The Entry at `index` (built on first use: a warm start builds no Phrase it does not show)."""
        entry = self._entries.get(index)
        if entry is None:
            g = self.group_of(index)
            part = self.parts[g]
            entry = self._entries[index] = Entry(part.library, part.group, phrase_at(part.group, index - self.firsts[g]))
        return entry

    @property
    def entries(self) -> list[Entry]:
        """Every entry in library order (builds them all: for browsing, not for searching)."""
        return [self.entry(index) for index in range(self.size)]

    def _value(self, column: KeyField, index: int) -> str:
        g = self.group_of(index)
        return column.values(g)[index - self.firsts[g]]

    @_recovering
    def value(self, column: KeyField, index: int) -> str:
        """The key value of phrase `index` in `column`."""
        return self._value(column, index)

    def _code_of(self, index: int) -> str:
        return self._value(self.codes, index)

    @_recovering
    def code_of(self, index: int) -> str:
        return self._value(self.codes, index)

    @_recovering
    def pinyin_of(self, index: int) -> str:
        """Title initials SEP full pinyin SEP tag pinyin of the phrase at `index` ("" without Han)."""
        return self._value(self.pinyin, index)

    def field_for(self, name: str, needle: str) -> KeyField:
        """The field `name` (`titles`, `others`, ...), its ASCII projection when `needle` is ASCII."""
        if needle.isascii() and name in self.ascii:
            return self.ascii[name]
        return getattr(self, name)

    # -- lookups ---------------------------------------------------------------------------------

    @property
    @_recovering
    def code_table(self) -> CodeTable:
        if self._code_table is None:
            codes = [code for g in range(len(self.parts)) for code in self.codes.values(g)]
            self._code_table = CodeTable.build(codes)
        return self._code_table

    def carry_code_table(self, old: PhraseIndex) -> None:
        """Take over `old`'s code table, updated for the groups that changed (this index was made
        after an edit), instead of sorting every code again on the first `/code` query."""
        table = old._code_table
        if table is None or self._code_table is not None:
            return
        where = {id(part.group): g for g, part in enumerate(old.parts)}
        kept: dict[int, int] = {}
        changed = []
        for g, part in enumerate(self.parts):
            og = where.get(id(part.group))
            if og is not None and old.parts[og].group is part.group and old.parts[og].keys is part.keys:
                kept[og] = self.firsts[g]
            else:
                changed.append(g)
        if len(changed) * 4 > len(self.parts):
            return  # most groups changed: sorting them all is as quick
        try:
            added = [
                (code, self.firsts[g] + k) for g in changed for k, code in enumerate(self.codes.values(g)) if code
            ]
            self._code_table = updated_table(table, old.firsts, kept, self.size, self._code_of, added)
        except CacheDamaged:
            pass  # the first `/code` query builds the table (and recovers)

    def sorted_codes(self) -> SortedCodes:
        return SortedCodes(self.code_table.order, self._code_of)

    @_recovering
    def first_with_code(self, code: str) -> int | None:
        """The index of the first phrase with this (normalised) code."""
        if code in self._used:
            return self._used[code]
        found = self._used[code] = self.sorted_codes().first_index(code)
        return found

    @_recovering
    def by_code(self, code: str, *, today: date | None = None) -> Entry | None:
        """The phrase with this code (the first library's, when several share it); with `today`,
        None when that phrase is outside its validity window on that day."""
        wanted = normalise_code(code)
        index = self.first_with_code(wanted) if wanted else None
        if index is None or (today is not None and not self.visible(index, today)):
            return None
        return self.entry(index)

    @_recovering
    def suggest_codes(self, code: str, limit: int = 5) -> list[str]:
        """Known codes close to an unknown one (prefix matches first, then similar spellings)."""
        wanted = normalise_code(code)
        hits = self.search("/" + wanted, limit=limit)
        return [hit.phrase.code for hit in hits if hit.phrase.code]

    def visible(self, index: int, today: date) -> bool:
        """Whether phrase `index` is inside its validity window on `today`."""
        window = self.windows.get(index)
        if window is None:
            return True
        day = today.toordinal()
        return not ((window[0] and day < window[0]) or (window[1] and day > window[1]))

    # -- search ----------------------------------------------------------------------------------

    @_recovering
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
            from qr.index.sentences import sentence_search

            scored = sentence_search(self, query, limit, today, usage)
        return self._rank(scored, limit, usage)

    def _rank(self, scored: Scored, limit: int, usage: Mapping[str, float]) -> list[Hit]:
        def order(index: int):
            score, _ = scored[index]
            return (-score, -usage.get(self._code_of(index), 0.0) if usage else 0.0, index)

        best = sorted(scored, key=order)[:limit]
        return [Hit(self.entry(index), round(scored[index][0], 1), scored[index][1], index) for index in best]

    def _empty(self, limit: int, today: date, usage: Mapping[str, float]) -> Scored:
        scored: Scored = {}
        for code in sorted(usage, key=lambda code: usage[code], reverse=True)[:limit]:
            index = self.first_with_code(normalise_code(code))
            if index is not None and self.visible(index, today):
                scored[index] = (0.0, "all")
        for index in range(self.size):
            if len(scored) >= limit:
                break
            if self.visible(index, today):
                scored.setdefault(index, (0.0, "all"))
        return scored

    def _code_search(self, prefix: str, text: str, limit: int, today: date) -> Scored:
        codes = self.sorted_codes()
        low, high = codes.prefixed(prefix)
        order, natural = codes.order, self.code_table.natural
        tokens = text.split()
        scored: Scored = {}
        if tokens:
            for index in order[low:high]:
                if self.visible(index, today):
                    score = self.token_score(index, tokens)
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
            if not self.visible(index, today):
                continue
            exact = self._code_of(index) == prefix
            scored[index] = (100.0 if exact else 90.0 - min(natural[index], 10**6) / 10**6, "code")
        if len(scored) < limit and prefix:
            for index, similarity in close_codes(codes, prefix, limit * 2):
                if len(scored) >= limit:
                    break
                if index not in scored and self.visible(index, today):
                    scored[index] = (similarity * 0.6, "code")
        return scored

    def token_score(self, index: int, tokens: list[str]) -> tuple[float, str] | None:
        """The worst of each token's best field score; None when a token matches nowhere.

        Per token, best first: code 99, title start 98, title 94, an ask 90, code or tag 88, pinyin
        86-78, note 65-69, body 60-64, the group's name 56 (a group called "plus-size" never outranks
        the reply about sizes). A score decided by the note or the body is graded by how much of the
        query that field holds and where (`qr.index.tiers.graded_score`)."""
        g = self.group_of(index)
        k = index - self.firsts[g]
        code = self.codes.values(g)[k]
        title = self.titles.values(g)[k]
        asks = others = None
        worst = (101.0, "")
        for token in tokens:
            if title.startswith(token):
                best = (98.0, "title")
            elif code == token:
                best = (99.0, "code")
            elif token in title:
                best = (94.0, "title")
            else:
                if asks is None or others is None:  # read once, for the first token that needs them
                    asks = self.asks.values(g)[k]
                    others = self.others.values(g)[k]
                if token in asks:
                    best = (90.0, "ask")
                elif token in others and token in others.rpartition(SEP)[0]:  # others: code SEP tags SEP group
                    best = (88.0, "code" if token in code else "tag")
                else:
                    pinyin = self.pinyin.values(g)[k]
                    if token in pinyin:
                        best = (pinyin_score(pinyin, token), "pinyin")
                    elif token in self.notes.values(g)[k]:
                        best = (NOTE_SCORES[0], "note")
                    elif token in self.bodies.values(g)[k]:
                        best = (BODY_SCORES[0], "body")
                    elif token in others:
                        best = (GROUP_SCORE, "group")
                    else:
                        return None
            if best < worst:
                worst = best
        if worst[1] == "note":
            return graded_score("note", self.notes.values(g)[k], tokens), "note"
        if worst[1] == "body":
            return graded_score("body", self.bodies.values(g)[k], tokens), "body"
        return worst

    # -- typos -----------------------------------------------------------------------------------

    @property
    def vocabulary(self) -> dict[str, int]:
        """Every ASCII word and Han character of titles, tags and group names, with how many
        phrases have it (merged from the groups' keys on first use, or given by the cache)."""
        if self._vocabulary is None:
            from qr.index.fuzzy import merged_vocabulary, parse_vocabulary

            self._vocabulary = parse_vocabulary(self.vocabulary_text or merged_vocabulary(part.keys for part in self.parts))
        return self._vocabulary


def pinyin_score(pinyin: str, token: str) -> float:
    """Title pinyin outranks tag pinyin; a match at the start of the title outranks one inside."""
    initials, _, rest = pinyin.partition(SEP)
    full, _, _tags = rest.partition(SEP)
    if initials.startswith(token) or full.startswith(token):
        return 86.0
    if token in initials or token in full:
        return 82.0
    return 78.0
