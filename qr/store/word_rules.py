"""Word rules of lint: forbidden service phrases, advertising-law terms and risky promises.

The built-in lists are data files in `qr/store/data/`; a library adds to them with `[rules]` in
`_library.toml` (forbidden, risky, allow, and `files` of extra ad-law terms). Each list is compiled
into one trie-shaped regular expression, so a text is scanned once however many terms there are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from qr.store.models import Library, RuleConfig

FORBIDDEN, AD_LAW, RISKY = "forbidden", "ad-law", "risky-promise"
KINDS = (FORBIDDEN, AD_LAW, RISKY)
"""In priority order: a match inside a longer or equal match of an earlier kind is not reported again."""
SEVERITY = {FORBIDDEN: "error", AD_LAW: "warning", RISKY: "warning"}
BUILTIN_FILES = {FORBIDDEN: "forbidden.txt", AD_LAW: "adlaw.txt", RISKY: "risky.txt"}
BUILTIN = "built-in"

# Full-width letters, digits and the symbols terms use (ＮＯ．１, １００％) match like ASCII, and ASCII
# letters in lower case. Full-width punctuation (，！～) is left alone: it is in SEPARATORS as it is, and
# most Chinese text then needs no copy at all. One character maps to one, so offsets stay true.
_WIDE_SYMBOLS = "％．＋－＿／＠＃＆"
_FOLD = (
    {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}
    | {code: code - 0xFEE0 + 32 for code in range(0xFF21, 0xFF3B)}
    | {code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)}
    | {ord(char): ord(char) - 0xFEE0 for char in _WIDE_SYMBOLS}
    | {code: code + 32 for code in range(0x41, 0x5B)}
)
_NEEDS_FOLD = re.compile("[A-Z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a" + _WIDE_SYMBOLS + "]")
# Punctuation and spaces that may separate the parts of a Chinese term: 你问我，我问谁 / 你问我 我问谁.
SEPARATORS = " \t\u3000,，、。!！?？~～;；:：…·—-\"'“”‘’「」『』《》()（）【】"
_SEPARATOR_CLASS = "[" + re.escape(SEPARATORS) + "]*"
_ASCII_WORD = re.compile(r"[a-z0-9]")
# Placeholder names are not sent to the buyer; a variable called {保证金} must not read as a promise.
_PLACEHOLDER_NAME = re.compile(r"(?<!\{)\{([^{}|\s]+)(?=[|}])")


def normalise(text: str) -> str:
    """Half-width, ASCII lower case, same length: offsets in the result are offsets in `text`."""
    if text.isascii():
        return text.lower()
    if _NEEDS_FOLD.search(text) is None:  # most Chinese text: nothing to fold, no copy
        return text
    return text.translate(_FOLD)


def term_key(term: str) -> str:
    """What makes two terms the same term: case, width and separators do not count."""
    return "".join(char for char in normalise(term).strip() if char not in SEPARATORS)


def _is_cjk(char: str) -> bool:
    return ord(char) > 0x2E7F


@dataclass(frozen=True)
class GuideEntry:
    """One term of a word rule, for lint messages and the new hires' guide screen."""

    term: str
    kind: str
    """`forbidden`, `ad-law` or `risky-promise` (the lint rule id)."""
    alternative: str
    """What to say instead ("" when there is no good replacement: leave it out)."""
    source: str
    """`built-in`, `_library.toml`, or the name of a `[rules] files` list."""

    @property
    def severity(self) -> str:
        return SEVERITY[self.kind]


@dataclass(frozen=True)
class WordMatch:
    """A term found in a text: `start`/`end` are offsets in the text as given."""

    start: int
    end: int
    text: str
    entry: GuideEntry

    @property
    def kind(self) -> str:
        return self.entry.kind


@dataclass(frozen=True)
class ListProblem:
    """A `[rules] files` list that could not be used (lint reports it; the other rules still run)."""

    name: str
    message: str


def parse_word_list(text: str, kind: str, source: str) -> list[GuideEntry]:
    """Entries of a word list: one term a line, optional TAB + alternative, `#` comment lines.

    A BOM is dropped, whitespace trimmed, empty lines skipped, and a repeated term keeps its first line.
    """
    entries: list[GuideEntry] = []
    seen: set[str] = set()
    for line in text.removeprefix("\ufeff").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        term, _, alternative = line.partition("\t")
        term = term.strip()
        key = term_key(term)
        if not key or key in seen:
            continue
        seen.add(key)
        entries.append(GuideEntry(term, kind, alternative.strip(), source))
    return entries


def _data_text(name: str) -> str:
    return resources.files("qr.store").joinpath("data", name).read_text(encoding="utf-8-sig")


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
    """The regex pieces of one term, or None when nothing of it can be matched safely.

    Separators between Chinese characters become optional; ASCII words get word boundaries so
    `no.1` does not match inside `no.10`; a lone Chinese character only matches before an adjective.
    """
    text = normalise(term).strip().strip(SEPARATORS)
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
            if _is_cjk(text[index - 1]) or _is_cjk(text[end]):
                tokens.append(_SEPARATOR_CLASS)
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
    if len(text) == 1 and _is_cjk(text):
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
    return "(?:" + trie_pattern([[re.escape(c) for c in normalise(term)] for term in builtin_terms("superlatives.txt")]) + ")"


@dataclass(frozen=True)
class WordRules:
    """The compiled word rules of one library: `scan(text)` finds every term worth reporting."""

    entries: tuple[GuideEntry, ...]
    """Every term checked, each kind in priority order (what the guide screen lists)."""
    problems: tuple[ListProblem, ...]
    pattern: re.Pattern[str] | None
    """All terms of all kinds in one trie: a text is scanned once."""
    allowed: re.Pattern[str] | None
    by_key: dict[str, GuideEntry]
    """term_key -> the entry of the highest-priority kind that lists it."""

    def scan(self, text: str) -> list[WordMatch]:
        """Terms in `text`, left to right; ordinary compounds, allowed words and placeholder names are skipped."""
        if self.pattern is None or not text:
            return []
        prepared = normalise(text)
        match = self.pattern.search(prepared)
        if match is None:
            return []
        allowed = self._allowed_spans(prepared)
        found: list[WordMatch] = []
        while match is not None:
            start, end = match.span()
            if not any(a <= start and end <= b for a, b in allowed):
                entry = self._entry(prepared[start:end])
                if entry is not None:
                    found.append(WordMatch(start, end, text[start:end], entry))
            # searching again one character on finds a term that starts inside this one (or inside an
            # ordinary compound: 第一时间内全网第一); matches are rare, so this costs nothing in practice
            match = self.pattern.search(prepared, start + 1)
        return _drop_covered(found)

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
        return self.by_key.get(key) or self.by_key.get(key[:1])


def _drop_covered(found: list[WordMatch]) -> list[WordMatch]:
    """Keep one report per stretch of text: a match inside an earlier-kind or longer match goes."""
    rank = {kind: index for index, kind in enumerate(KINDS)}
    ordered = sorted(found, key=lambda m: (rank[m.kind], -(m.end - m.start), m.start))
    kept: list[WordMatch] = []
    for match in ordered:
        if not any(k.start <= match.start and match.end <= k.end for k in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: (m.start, rank[m.kind]))


def read_word_file(path: Path, name: str) -> tuple[list[GuideEntry], ListProblem | None]:
    """An extra ad-law list named in `[rules] files`; an unusable file is a problem, never a crash."""
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = "not found" if isinstance(error, FileNotFoundError) else (error.strerror or str(error))
        return [], ListProblem(name, f"cannot read rules file {name!r}: {reason}; its terms are not checked")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return [], ListProblem(name, f"rules file {name!r} is not UTF-8 text (line {line}); its terms are not checked")
    return parse_word_list(text, AD_LAW, name), None


def compile_rules(config: RuleConfig, root: Path) -> WordRules:
    """Built-in lists plus the library's `[rules]`, compiled into one pattern."""
    from qr.store.load import LIBRARY_FILE

    builtin_by_key = {(entry.kind, term_key(entry.term)): entry for kind in KINDS for entry in builtin_entries(kind)}
    problems: list[ListProblem] = []
    extra: dict[str, list[GuideEntry]] = {FORBIDDEN: [], AD_LAW: [], RISKY: []}
    extra[FORBIDDEN] = parse_word_list("\n".join(config.forbidden), FORBIDDEN, LIBRARY_FILE)
    extra[RISKY] = parse_word_list("\n".join(config.risky), RISKY, LIBRARY_FILE)
    for name in config.files:
        listed, problem = read_word_file(root / Path(name).expanduser(), name)
        extra[AD_LAW] += listed
        if problem is not None:
            problems.append(problem)

    allow_keys = {term_key(word) for word in config.allow}
    entries: list[GuideEntry] = []
    seen: set[tuple[str, str]] = set()
    for kind in KINDS:
        for entry in list(builtin_entries(kind)) + extra[kind]:
            key = (kind, term_key(entry.term))
            if key[1] in allow_keys or key in seen:
                continue
            if not entry.alternative and key in builtin_by_key:
                entry = GuideEntry(entry.term, kind, builtin_by_key[key].alternative, entry.source)
            seen.add(key)
            entries.append(entry)

    superlatives = _superlatives_pattern()
    sequences = [tokens for entry in entries if (tokens := _tokens(entry.term, superlatives))]
    pattern = re.compile(trie_pattern(sequences)) if sequences else None
    scan_keys: dict[str, GuideEntry] = {}
    for entry in entries:  # in priority order: a term on two lists is reported as the stronger one
        scan_keys.setdefault(term_key(entry.term), entry)

    allowed_terms = list(builtin_terms("ordinary.txt")) + list(config.allow)
    allowed_sequences = [[re.escape(c) for c in normalise(term).strip()] for term in allowed_terms if term.strip()]
    allowed = re.compile(trie_pattern(allowed_sequences)) if allowed_sequences else None
    return WordRules(tuple(entries), tuple(problems), pattern, allowed, scan_keys)


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
        config.forbidden,
        config.risky,
        config.allow,
        config.files,
        tuple(_stamp(library.root / Path(name).expanduser()) for name in config.files),
    )
    rules = _CACHE.get(key)
    if rules is None:
        rules = compile_rules(config, library.root)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = rules
    return rules


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size
