"""Word rules of lint and `qr check`: what an agent must not write to a buyer, by rule family.

Families (the lint rule ids, in priority order): off-platform contact, review incentives, efficacy
and medical claims, forbidden (shirking or rude) wording, advertising-law absolute terms, risky
promises. Each family is a data file in `qr/store/data/` (format: `docs/lint.md` and the head of
`adlaw.txt`); a library adds to them, allows words or re-grades them with `[rules]` in
`_library.toml`, and loads further ad-law lists with `[rules] files`.

Text is prepared first (`qr.store.textprep`: width, case, traditional characters, inserted spaces),
the literal terms of every family are compiled into one trie-shaped regular expression, and the
few pattern terms (contact details, review rewards) run as their own expressions. A term may carry
its context: words that must not come right before or after it (最大码, 口感最佳), or a claim that
must be in the same sentence (推荐 only in 专家推荐).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, cached_property
from pathlib import Path

from qr.record import Record, replace
from qr.store.models import Library, RuleConfig
from qr.store.textprep import FILLERS, Prepared, fold, fold_tables, is_cjk, prepare, traditional_table_file
from qr.store.triggers import TriggerSet

OFF_PLATFORM = "off-platform"
REVIEW = "review-incentive"
EFFICACY = "efficacy"
FORBIDDEN = "forbidden"
AD_LAW = "ad-law"
RISKY = "risky-promise"
KINDS = (OFF_PLATFORM, REVIEW, EFFICACY, FORBIDDEN, AD_LAW, RISKY)
"""In priority order: a match inside a longer or equal match of an earlier kind is not reported again."""
SEVERITY = {OFF_PLATFORM: "error", REVIEW: "error", EFFICACY: "error", FORBIDDEN: "error", AD_LAW: "error", RISKY: "warning"}
"""Each family's default; a term's `sev=` column and the library's `[rules] errors/warnings` change it."""
BUILTIN_FILES = {
    OFF_PLATFORM: "contact.txt",
    REVIEW: "reviews.txt",
    EFFICACY: "efficacy.txt",
    FORBIDDEN: "forbidden.txt",
    AD_LAW: "adlaw.txt",
    RISKY: "risky.txt",
}
CONFIG_KEYS = {OFF_PLATFORM: "off-platform", REVIEW: "review-incentive", EFFICACY: "efficacy", FORBIDDEN: "forbidden", AD_LAW: "ad-law", RISKY: "risky"}
"""The `[rules]` key that adds terms to each family."""
BUILTIN = "built-in"
SEVERITIES = ("error", "warning")

# Punctuation a term may hold between its parts: 你问我，我问谁 also finds 你问我我问谁 / 你问我, 我问谁.
SEPARATORS = " \t\u3000,，、。!！?？~～;；:：…·—-\"'“”‘’「」『』《》()（）【】"
_ASCII_WORD = re.compile(r"[a-z0-9]")
# Placeholder names are not sent to the buyer; a variable called {保证金} must not read as a promise.
_PLACEHOLDER_NAME = re.compile(r"(?<!\{)\{([^{}|\s]+)(?=[|}])")
# Where a claim's sentence ends (for `claim=`): 国家推荐 counts, 推荐 in the next sentence does not.
_SENTENCE_END = re.compile(r"[。!?;\n]")
_ALIAS = re.compile(r"<([^<>\s]+)>")


def normalise(text: str) -> str:
    """Half-width, lower case, simplified characters; same length, so offsets stay true."""
    return fold(text)


def term_key(term: str) -> str:
    """What makes two terms the same term: case, width, script and separators do not count."""
    return "".join(char for char in fold(term).strip() if char not in SEPARATORS and char not in FILLERS)


class GuideEntry(Record):
    """One term of a word rule, for lint messages and the new hires' guide screen."""

    term: str
    kind: str
    """The family: the lint rule id."""
    alternative: str
    """What to say instead, in Chinese ("" when there is no good replacement: leave it out)."""
    source: str
    """`built-in`, `_library.toml`, or the name of a `[rules] files` list."""
    grade: str
    """`error` or `warning` when this term differs from its family's default."""
    alternative_en: str
    not_before: str
    """A regular expression: the term is not reported when the text right before it matches (口感|食用)."""
    not_after: str
    """… or when the text right after it matches (码|号|温度)."""
    claim: str
    """A regular expression that must match in the term's sentence for it to count (lone 推荐, 安全)."""
    pattern: str
    """For `re:` terms: the expression itself (aliases expanded); `term` is then its label."""

    def __init__(
        self,
        term: str,
        kind: str,
        alternative: str,
        source: str,
        grade: str = "",
        alternative_en: str = "",
        not_before: str = "",
        not_after: str = "",
        claim: str = "",
        pattern: str = "",
    ) -> None:
        self.__dict__.update(
            term=term,
            kind=kind,
            alternative=alternative,
            source=source,
            grade=grade,
            alternative_en=alternative_en,
            not_before=not_before,
            not_after=not_after,
            claim=claim,
            pattern=pattern,
        )

    @property
    def severity(self) -> str:
        return self.grade or SEVERITY[self.kind]


class WordMatch(Record):
    """A term found in a text: `start`/`end` are offsets in the text as given."""

    start: int
    end: int
    text: str
    entry: GuideEntry

    def __init__(self, start: int, end: int, text: str, entry: GuideEntry) -> None:
        self.__dict__.update(start=start, end=end, text=text, entry=entry)

    @property
    def kind(self) -> str:
        return self.entry.kind


class ListProblem(Record):
    """A `[rules]` word or `files` list that could not be used, whole or in part (lint reports it
    at the `[rules]` key that names it; the other rules still run)."""

    key: str
    """The `[rules]` key: `files`, or the family's list (`forbidden`, `ad-law`…)."""
    message_id: str
    """A `lint.rules_*` catalogue id: the finding's text."""
    args: dict[str, str]

    def __init__(self, key: str, message_id: str, args: dict[str, str]) -> None:
        self.__dict__.update(key=key, message_id=message_id, args=args)


_FIELDS = {"sev": "grade", "en": "alternative_en", "not-before": "not_before", "not-after": "not_after", "claim": "claim", "label": "term"}


def parse_word_list(text: str, kind: str, source: str) -> list[GuideEntry]:
    """Entries of a word list (format in docs/lint.md): a term a line, then TAB-separated columns —
    the alternative, or `key=value` for sev / en / not-before / not-after / claim / label.

    `alias:NAME=a|b` lines define `<NAME>` for `re:` terms. A BOM is dropped, whitespace trimmed,
    empty and `#` lines skipped, and a repeated term keeps its first line.
    """
    entries: list[GuideEntry] = []
    seen: set[str] = set()
    aliases: dict[str, str] = {}
    for line in text.removeprefix("\ufeff").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("alias:"):
            name, _, words = line[len("alias:"):].partition("=")
            aliases[name.strip()] = "(?:" + words.strip() + ")"
            continue
        term, *columns = line.split("\t")
        term = term.strip()
        values: dict[str, str] = {}
        for column in columns:
            column = column.strip()
            key, equals, value = column.partition("=")
            if equals and key in _FIELDS:
                values[_FIELDS[key]] = value.strip()
            elif column and "alternative" not in values:
                values["alternative"] = column
        if values.get("grade") not in (None, *SEVERITIES):
            values.pop("grade")
        if term.startswith("re:"):
            expression = _ALIAS.sub(lambda m: aliases.get(m.group(1), m.group(0)), term[3:])
            values["pattern"] = expression
            term = values.pop("term", expression)
            key = "re:" + expression
        else:
            values.pop("term", None)
            key = term_key(term)
        if not key or key in seen:
            continue
        seen.add(key)
        entries.append(GuideEntry(term=term, kind=kind, source=source, **{"alternative": "", **values}))
    return entries


DATA = Path(__file__).with_name("data")
"""The built-in word lists (read as files: importlib.resources costs a fresh `qr check` ~7 ms)."""


def _data_text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8-sig")


@cache
def builtin_entries(kind: str) -> tuple[GuideEntry, ...]:
    return tuple(parse_word_list(_data_text(BUILTIN_FILES[kind]), kind, BUILTIN))


@cache
def builtin_terms(name: str) -> tuple[str, ...]:
    """A plain list of the data folder (`ordinary.txt`, `superlatives.txt`)."""
    return tuple(entry.term for entry in parse_word_list(_data_text(name), AD_LAW, BUILTIN))


def guide_entries(library: Library | None = None) -> list[GuideEntry]:
    """Every term the word rules check (built-in, then the library's own), each kind in priority order.

    A term the library allows is left out; a library term without an alternative borrows the built-in one.
    """
    return list(word_rules(library).entries) if library is not None else [
        entry for kind in KINDS for entry in builtin_entries(kind)
    ]


# ---------------------------------------------------------------- compiling


def _tokens(term: str, superlatives: str) -> list[str] | None:
    """The regex pieces of one literal term, or None when nothing of it can be matched safely.

    Separators inside a term become optional; ASCII words get word boundaries so `no.1` does not
    match inside `no.10`; a lone Chinese character only matches before an adjective (最 + 佳).
    """
    text = fold(term).strip()
    text = "".join(char for index, char in enumerate(text) if not (char in FILLERS and 0 < index < len(text) - 1 and is_cjk(text[index - 1]) and is_cjk(text[index + 1])))
    text = text.strip(SEPARATORS)
    if not text:
        return None
    tokens: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in SEPARATORS:
            end = index
            while end < len(text) and text[end] in SEPARATORS:
                end += 1
            if is_cjk(text[index - 1]) or is_cjk(text[end]):
                tokens.append("[" + re.escape(fold(SEPARATORS)) + "]*")
            else:
                tokens.extend(re.escape(c) for c in text[index:end])
            index = end
            continue
        tokens.append(re.escape(char))
        if index == 0 and _ASCII_WORD.match(char):
            # the word boundary goes after the first character: every branch of the trie then starts
            # with a literal, which lets `re` skip ahead by first character (about 10x faster)
            tokens.append(r"(?<![a-z0-9].)")
        index += 1
    if len(text) == 1 and is_cjk(text):
        tokens.append(superlatives)
    if _ASCII_WORD.match(text[-1]):
        tokens.append(r"(?![a-z0-9])")
    return tokens


def trie_pattern(sequences: Iterable[list[str]]) -> str:
    """One alternation for many token sequences, shaped as a trie so shared prefixes are tried once.

    Greedy optional groups make the longest term win at a position (最低价 over 最低).
    """
    root: dict = {}
    for tokens in sequences:
        node = root
        for token in tokens:
            node = node.setdefault(token, {})
        node[""] = {}

    def render(node: dict) -> str:
        # the adjective group (最 + 佳…) after the literal branches: 最佳品牌 should win over 最佳 + 品
        children = sorted((token for token in node if token), key=lambda t: (t.startswith("(?:"), t))
        branches = [token + render(node[token]) for token in children]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return render(root)


def _superlatives_pattern() -> str:
    return "(?:" + trie_pattern([[re.escape(c) for c in fold(term)] for term in builtin_terms("superlatives.txt")]) + ")"


class _Context:
    """An entry's context checks, compiled (a plain class: a dataclass costs a fresh `qr check`
    about a millisecond to create)."""

    __slots__ = ("claim", "not_after", "not_before")

    def __init__(self, not_before: re.Pattern[str] | None, not_after: re.Pattern[str] | None, claim: re.Pattern[str] | None) -> None:
        self.not_before = not_before
        self.not_after = not_after
        self.claim = claim

    def allows(self, text: str, start: int, end: int) -> bool:
        if self.not_before is not None and self.not_before.search(text, max(0, start - 12), start):
            return False
        if self.not_after is not None and self.not_after.match(text, end):
            return False
        if self.claim is not None:
            head = text.rfind("\n", 0, start)
            sentence_start = max([head, *(m.end() - 1 for m in _SENTENCE_END.finditer(text, max(0, start - 60), start))]) + 1
            tail = _SENTENCE_END.search(text, end)
            sentence = text[sentence_start: tail.start() if tail else len(text)]
            return self.claim.search(sentence) is not None
        return True


def context_sources(entry: GuideEntry) -> tuple[str | None, str | None, str | None]:
    """The expressions of an entry's context checks (not-before, not-after, claim)."""
    return (
        f"(?:{fold(entry.not_before)})$" if entry.not_before else None,
        fold(entry.not_after) if entry.not_after else None,
        fold(entry.claim) if entry.claim else None,
    )


class RuleTables(Record):
    """What the word lists and a library's `[rules]` make, before any expression is compiled.

    Plain data only (strings, tuples, dicts), so `qr.store.rules_cache` can keep it on disk: a
    fresh `qr check` then reads it instead of parsing the lists and analysing the expressions.
    """

    rows: tuple[tuple[str, ...], ...]
    """Every term checked (the GuideEntry fields in order), each kind in priority order."""
    problems: tuple[tuple[str, str, dict[str, str]], ...]
    """(key, message id, arguments) of each ListProblem."""
    literal: str | None
    """All literal terms of all kinds in one trie-shaped expression: a text is scanned once."""
    literal_triggers: frozenset[str] | None
    """Strings one of which every match of `literal` holds (None: always search it); a text
    without them is not searched (most titles and bodies)."""
    keys: dict[str, int]
    """term_key -> the row of the highest-priority kind that lists it (a term on two lists is
    reported as the stronger one)."""
    expressions: tuple[int, ...]
    """The rows of the `re:` terms."""
    triggers: tuple[frozenset[str] | None, ...]
    """For each `re:` term: strings one of which every match of it holds (None: always run it)."""
    allowed: str | None
    """The ordinary compounds and the library's allowed words, as one expression."""
    grades: dict[str, str]
    """term_key -> the severity the library gave it."""
    programs: dict[str, tuple]
    """Expression source -> its compiled program (`qr.store.regex_programs`): the trie, the allowed
    words, the `re:` terms and every context check, kept with the tables on disk so a fresh
    process does not compile them; what is not here is compiled."""

    def __init__(
        self,
        rows: tuple[tuple[str, ...], ...],
        problems: tuple[tuple[str, str, dict[str, str]], ...],
        literal: str | None,
        literal_triggers: frozenset[str] | None,
        keys: dict[str, int],
        expressions: tuple[int, ...],
        triggers: tuple[frozenset[str] | None, ...],
        allowed: str | None,
        grades: dict[str, str],
        programs: dict[str, tuple] | None = None,
    ) -> None:
        self.__dict__.update(
            rows=rows,
            problems=problems,
            literal=literal,
            literal_triggers=literal_triggers,
            keys=keys,
            expressions=expressions,
            triggers=triggers,
            allowed=allowed,
            grades=grades,
            programs={} if programs is None else programs,
        )

    def well_formed(self) -> bool:
        """Of the shape build_tables makes (a cache file read back is checked before use)."""
        text_or_none, set_or_none = (str, type(None)), (frozenset, type(None))
        types: tuple[type | tuple[type, ...], ...] = (tuple, tuple, text_or_none, set_or_none, dict, tuple, tuple, text_or_none, dict, dict)
        if not all(isinstance(getattr(self, name), kind) for name, kind in zip(_TABLE_FIELDS, types)):
            return False
        rows = len(self.rows)
        return (
            all(isinstance(row, tuple) and len(row) == len(_ENTRY_FIELDS) and all(isinstance(v, str) for v in row) for row in self.rows)
            and all(isinstance(row, int) and 0 <= row < rows for row in (*self.keys.values(), *self.expressions))
            and len(self.triggers) == len(self.expressions)
        )


_TABLE_FIELDS = RuleTables.FIELDS
_ENTRY_FIELDS = GuideEntry.FIELDS


class WordRules:
    """The word rules of one library: `scan(text)` finds every term worth reporting.

    Everything is compiled on first need: a text is searched once for the triggers of all `re:`
    terms (`qr.store.triggers`), and only the terms whose triggers it holds are compiled and run.
    """

    def __init__(self, tables: RuleTables) -> None:
        self.tables = tables
        self.grades = tables.grades
        self._entries: dict[int, GuideEntry] = {}
        self._expressions: dict[int, re.Pattern[str]] = {}
        self._contexts: dict[int, _Context | None] = {}
        """row -> its compiled context checks, compiled the first time the entry matches."""

    def entry(self, row: int) -> GuideEntry:
        entry = self._entries.get(row)
        if entry is None:
            entry = self._entries[row] = GuideEntry(**dict(zip(_ENTRY_FIELDS, self.tables.rows[row])))
        return entry

    @cached_property
    def entries(self) -> tuple[GuideEntry, ...]:
        """Every term checked, each kind in priority order (what the guide screen lists)."""
        return tuple(self.entry(row) for row in range(len(self.tables.rows)))

    @cached_property
    def problems(self) -> tuple[ListProblem, ...]:
        return tuple(ListProblem(key, message_id, args) for key, message_id, args in self.tables.problems)

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        return self._compile(self.tables.literal) if self.tables.literal else None

    @cached_property
    def allowed(self) -> re.Pattern[str] | None:
        return self._compile(self.tables.allowed) if self.tables.allowed else None

    def _compile(self, source: str) -> re.Pattern[str]:
        from qr.store.regex_programs import restore

        return restore(source, self.tables.programs.get(source))

    @cached_property
    def triggers(self) -> TriggerSet:
        """Which `re:` terms (bit i: the i-th) and whether the literal trie (the last bit) may match."""
        return TriggerSet((*self.tables.triggers, self.tables.literal_triggers))

    def expression(self, index: int) -> re.Pattern[str]:
        """The compiled `index`-th `re:` term."""
        pattern = self._expressions.get(index)
        if pattern is None:
            pattern = self._expressions[index] = self._compile(self.entry(self.tables.expressions[index]).pattern)
        return pattern

    def compile(self) -> None:
        """Compile and load now what `scan` does on first need (before a fork, so the processes share it)."""
        self.triggers, self.pattern, self.allowed  # noqa: B018 - cached properties, computed for their effect
        fold_tables()

    def scan(self, text: str) -> list[WordMatch]:
        """Terms in `text`, left to right; ordinary compounds, allowed words and placeholder names are skipped."""
        if not text or (self.tables.literal is None and not self.tables.expressions):
            return []
        prepared = prepare(text)
        candidates = self.triggers.candidates(prepared.text)
        if not candidates:
            return []  # no trigger of any term: nothing can match (most texts)
        literal_bit = 1 << len(self.tables.expressions)
        found = self._literal(prepared.text) if candidates & literal_bit else []
        found += self._expression_matches(prepared.text, candidates & (literal_bit - 1))
        if not found:
            return []
        allowed = self._allowed_spans(prepared.text)
        kept: list[tuple[int, int, GuideEntry]] = []
        for start, end, entry in found:
            if any(a <= start and end <= b for a, b in allowed):
                continue
            if id(entry) not in self._contexts:
                self._contexts[id(entry)] = self._context(entry)
            context = self._contexts[id(entry)]
            if context is not None and not context.allows(prepared.text, start, end):
                continue
            kept.append((start, end, entry))
        return [self._match(prepared, start, end, entry) for start, end, entry in _drop_covered(kept)]

    def _context(self, entry: GuideEntry) -> _Context | None:
        if not (entry.not_before or entry.not_after or entry.claim):
            return None
        before, after, claim = (self._compile(source) if source else None for source in context_sources(entry))
        return _Context(before, after, claim)

    def _match(self, prepared: Prepared, start: int, end: int, entry: GuideEntry) -> WordMatch:
        grade = self.grades.get(term_key(entry.term)) if not entry.pattern else self.grades.get(term_key(prepared.text[start:end]))
        if grade and grade != entry.severity:
            entry = GuideEntry(**{**entry.__dict__, "grade": grade})
        first, last = prepared.span(start, end)
        return WordMatch(first, last, prepared.original[first:last], entry)

    def _literal(self, text: str) -> list[tuple[int, int, GuideEntry]]:
        found: list[tuple[int, int, GuideEntry]] = []
        if self.pattern is None:
            return found
        match = self.pattern.search(text)
        while match is not None:
            start, end = match.span()
            entry = self._entry(text[start:end])
            if entry is not None:
                found.append((start, end, entry))
            # searching again one character on finds a term that starts inside this one (or inside an
            # ordinary compound: 第一时间内全网第一); matches are rare, so this costs nothing in practice
            match = self.pattern.search(text, start + 1)
        return found

    def _expression_matches(self, text: str, candidates: int) -> list[tuple[int, int, GuideEntry]]:
        """Matches of the `re:` terms, term by term in list order: only the `candidates` run (bit i:
        the i-th term; the others have no trigger in `text`, so they cannot match)."""
        found: list[tuple[int, int, GuideEntry]] = []
        while candidates:
            lowest = candidates & -candidates
            candidates ^= lowest
            index = lowest.bit_length() - 1
            entry = self.entry(self.tables.expressions[index])
            found += [(m.start(), m.end(), entry) for m in self.expression(index).finditer(text) if m.end() > m.start()]
        return found

    def _allowed_spans(self, prepared: str) -> list[tuple[int, int]]:
        spans = [match.span(1) for match in _PLACEHOLDER_NAME.finditer(prepared)] if "{" in prepared else []
        if self.allowed is not None:
            position = 0
            while (match := self.allowed.search(prepared, position)) is not None:
                spans.append(match.span())
                position = match.start() + 1
        return spans

    def _entry(self, matched: str) -> GuideEntry | None:
        key = term_key(matched)
        # a lone character that matched with its adjective (最 + 便宜) is reported as the character's entry
        row = self.tables.keys.get(key)
        if row is None:
            row = self.tables.keys.get(key[:1])
        return None if row is None else self.entry(row)


def _drop_covered(found: list[tuple[int, int, GuideEntry]]) -> list[tuple[int, int, GuideEntry]]:
    """Keep one report per stretch of text: a match inside an earlier-kind or longer match goes,
    and of two overlapping matches of one family the longer stays (好评返现 / 返现)."""
    rank = {kind: index for index, kind in enumerate(KINDS)}
    ordered = sorted(found, key=lambda m: (rank[m[2].kind], -(m[1] - m[0]), m[0]))
    kept: list[tuple[int, int, GuideEntry]] = []
    for start, end, entry in ordered:
        if any(a <= start and end <= b for a, b, _ in kept):
            continue
        if any(e.kind == entry.kind and start < b and a < end for a, b, e in kept):
            continue
        kept.append((start, end, entry))
    return sorted(kept, key=lambda m: (m[0], rank[m[2].kind]))


def read_word_file(path: Path, name: str) -> tuple[list[GuideEntry], ListProblem | None]:
    """An extra ad-law list named in `[rules] files`; an unusable file is a problem, never a crash."""
    try:
        data = path.read_bytes()
    except OSError as error:
        if isinstance(error, FileNotFoundError):
            return [], ListProblem("files", "lint.rules_file_missing", {"name": name})
        return [], ListProblem("files", "lint.rules_file_unreadable", {"name": name, "reason": error.strerror or str(error)})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return [], ListProblem("files", "lint.rules_file_not_utf8", {"name": name, "line": str(line)})
    # an outside list grades nothing: its terms are warnings unless a built-in entry says otherwise
    return [GuideEntry(**{**entry.__dict__, "grade": entry.grade or "warning"}) for entry in parse_word_list(text, AD_LAW, name)], None


def compile_rules(config: RuleConfig, root: Path, *, disk_cache: bool = True) -> WordRules:
    """Built-in lists plus the library's `[rules]`, ready to scan."""
    return WordRules(cached_tables(config, root) if disk_cache else build_tables(config, root))


def cached_tables(config: RuleConfig, root: Path) -> RuleTables:
    """The tables from the disk cache when it holds them for these inputs, else built and saved
    (`qr.store.rules_cache`: a fresh `qr check` then reads them instead of building them)."""
    from qr.store import rules_cache

    try:
        key = rules_cache.tables_key(config, root, DATA, traditional_table_file())
    except OSError:
        return build_tables(config, root)  # qr's own files cannot be read: build, keep nothing
    path = rules_cache.cache_file(root)
    values = rules_cache.read(path, key)
    if isinstance(values, tuple) and len(values) == len(_TABLE_FIELDS):
        tables = RuleTables(*values)
        if tables.well_formed():
            return tables
    tables = with_programs(build_tables(config, root))
    rules_cache.write(path, key, tuple(getattr(tables, name) for name in _TABLE_FIELDS))
    return tables


def _union_of_triggers(patterns: Iterable[str]) -> frozenset[str] | None:
    """Strings one of which every match of any of `patterns` holds (None when one needs none)."""
    from qr.store.triggers import triggers

    union: set[str] = set()
    for pattern in patterns:
        found = triggers(pattern)
        if found is None:
            return None
        union |= found
    return frozenset(union)


def with_programs(tables: RuleTables) -> RuleTables:
    """The tables with the compiled program of each expression, to keep on disk."""
    from qr.store.regex_programs import program

    entries = [GuideEntry(**dict(zip(_ENTRY_FIELDS, row))) for row in tables.rows]
    sources = [tables.literal, tables.allowed, *(entries[row].pattern for row in tables.expressions)]
    sources += [source for entry in entries for source in context_sources(entry)]
    programs = {source: found for source in sources if source and (found := program(source)) is not None}
    return replace(tables, programs=programs)


def _expression_error(entry: GuideEntry) -> str | None:
    """Why a `re:` term or a context check of a library's own list does not compile (None: it does);
    such a term is left out and reported, never a crash in the middle of a lint."""
    for source in (entry.pattern, *context_sources(entry)):
        if source:
            try:
                re.compile(source)
            except (re.error, RecursionError, OverflowError) as error:
                return str(error)
    return None


def build_tables(config: RuleConfig, root: Path) -> RuleTables:
    """Parse the built-in lists and the library's `[rules]` into the tables the rules scan with."""
    from qr.store.load import LIBRARY_FILE
    from qr.store.triggers import triggers

    builtin_by_key: dict[str, GuideEntry] = {}
    for kind in KINDS:
        for entry in builtin_entries(kind):
            builtin_by_key.setdefault(term_key(entry.term), entry)
    problems: list[ListProblem] = []
    extra: dict[str, list[GuideEntry]] = {kind: [] for kind in KINDS}
    for kind in KINDS:
        extra[kind] = parse_word_list("\n".join(config.words(CONFIG_KEYS[kind])), kind, LIBRARY_FILE)
    for name in config.files:
        listed, problem = read_word_file(root / Path(name).expanduser(), name)
        extra[AD_LAW] += listed
        if problem is not None:
            problems.append(problem)

    allow_keys = {term_key(word) for word in config.allow}
    # a term the library lists under a family moves there, out of the built-in family that had it
    moved = {term_key(entry.term): kind for kind in KINDS for entry in extra[kind] if entry.source == LIBRARY_FILE}
    entries: list[GuideEntry] = []
    seen: set[str] = set()
    for kind in KINDS:
        for entry in list(builtin_entries(kind)) + extra[kind]:
            key = "re:" + entry.pattern if entry.pattern else term_key(entry.term)
            if key in allow_keys or key in seen or moved.get(key, kind) != kind:
                continue
            builtin = builtin_by_key.get(key)
            if entry.source not in (BUILTIN, LIBRARY_FILE) and builtin is not None:
                continue  # an outside list repeating a built-in term: the built-in entry (and its context) stands
            if entry.source == LIBRARY_FILE and builtin is not None and builtin.kind == kind and not entry.alternative:
                entry = GuideEntry(**{**entry.__dict__, "alternative": builtin.alternative, "alternative_en": builtin.alternative_en})
            seen.add(key)
            error = None if entry.source == BUILTIN else _expression_error(entry)
            if error is None:
                entries.append(entry)
            elif entry.source == LIBRARY_FILE:
                problems.append(ListProblem(CONFIG_KEYS[kind], "lint.rules_bad_expression", {"key": CONFIG_KEYS[kind], "term": entry.term, "error": error}))
            else:
                problems.append(ListProblem("files", "lint.rules_file_bad_expression", {"name": entry.source, "term": entry.term, "error": error}))

    superlatives = _superlatives_pattern()
    literal = [row for row, entry in enumerate(entries) if not entry.pattern]
    sequences = [tokens for row in literal if (tokens := _tokens(entries[row].term, superlatives))]
    keys: dict[str, int] = {}
    for row in literal:  # in priority order: a term on two lists is reported as the stronger one
        keys.setdefault(term_key(entries[row].term), row)
    expressions = tuple(row for row, entry in enumerate(entries) if entry.pattern)
    grades = {term_key(word): "error" for word in config.words("errors")} | {term_key(word): "warning" for word in config.words("warnings")}

    allowed_terms = list(builtin_terms("ordinary.txt")) + list(config.allow)
    allowed_sequences = [[re.escape(c) for c in term_key(term)] for term in allowed_terms if term.strip()]
    return RuleTables(
        rows=tuple(tuple(getattr(entry, name) for name in _ENTRY_FIELDS) for entry in entries),
        problems=tuple((problem.key, problem.message_id, problem.args) for problem in problems),
        literal=trie_pattern(sequences) if sequences else None,
        literal_triggers=_union_of_triggers("".join(tokens) for tokens in sequences) if sequences else None,
        keys=keys,
        expressions=expressions,
        triggers=tuple(triggers(entries[row].pattern) for row in expressions),
        allowed=trie_pattern(allowed_sequences) if allowed_sequences else None,
        grades=grades,
    )


_CACHE: dict[tuple, WordRules] = {}
_CACHE_SIZE = 8


def word_rules(library: Library) -> WordRules:
    """The compiled rules of `library`, cached on its root, its `[rules]` and the list files' stamps.

    The editor lints a phrase on every keystroke: compiling once per library keeps that instant, and
    an edited words file (new size or mtime) is picked up on the next call.
    """
    config = library.rules
    key = (
        str(library.root),
        config.cache_key,
        tuple(_stamp(library.root / Path(name).expanduser()) for name in config.files),
    )
    rules = _CACHE.get(key)
    if rules is None:
        rules = compile_rules(config, library.root)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = rules
    return rules


def warm_caches(roots: Iterable[Path]) -> None:
    """Have the disk cache hold the rule tables of the libraries at `roots` and the fold tables.

    They need only each `_library.toml` (and the word lists it names), so a cold `qr lint` has a
    forked child run this while it parses the group files: ~100 ms of building and writing at
    10,000 phrases that the loading process then reads back in a few."""
    from qr.store.load import LIBRARY_FILE, InvalidFile, parse_settings, read_toml

    fold_tables()
    for root in roots:
        if not root.is_dir():  # the loading process says so; nothing to build for it
            continue
        settings: dict = {}
        try:
            settings, _, _ = read_toml(root / LIBRARY_FILE, Path(LIBRARY_FILE))
        except InvalidFile:  # missing or broken: the loading process reports it and lints without it
            pass
        _, config, _ = parse_settings(settings, [])
        word_rules(Library(root=root, rules=config))


def default_rules() -> WordRules:
    """The built-in rules alone (what `qr check` uses without a library)."""
    return word_rules(Library(root=Path("<built-in>")))


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size
