"""Lint: the quality check of a library. `lint(library) -> list[Finding]`, errors first."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from qr.messages import text_of
from qr.render import BUILTINS, Placeholder, TemplateError, parse
from qr.store.models import Group, Library, Phrase, Problem
from qr.store.positions import locate, source_lines
from qr.store.privacy import find_numbers
from qr.store.word_rules import AD_LAW, FORBIDDEN, WordMatch, word_rules

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
BODY_LIMIT = 500


@dataclass(frozen=True)
class Finding:
    file: Path
    line: int
    column: int
    severity: str
    rule: str
    message: str
    code: str | None = None

    def as_json(self) -> dict:
        return {
            "file": str(self.file),
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "rule": self.rule,
            "code": self.code,
            "message": self.message,
        }


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), str(f.file), f.line, f.column, f.rule))


def problem_findings(problems: Iterable[Problem]) -> list[Finding]:
    # a load problem is a qr.messages.Message: worded here in the current UI/CLI language
    return [Finding(p.file, p.line, p.column, p.severity, "load", text_of(p.message)) for p in problems]


def word_message(match: WordMatch) -> str:
    """What a word finding says: the words found, the list they are on, and what to say instead."""
    entry = match.entry
    shown = f'"{match.text}"' if match.text == entry.term else f'"{match.text}" (listed as "{entry.term}")'
    source = "" if entry.source == "built-in" else f", from {entry.source}"
    if entry.kind == FORBIDDEN:
        head = f"forbidden phrase {shown} (服务禁用语{source})"
    elif entry.kind == AD_LAW:
        head = f"advertising-law absolute term {shown} (广告法极限词{source})"
    else:
        head = f"risky promise {shown}: a promise in chat binds the shop more than platform rules{source}"
    return f"{head}; say instead: {entry.alternative}" if entry.alternative else f"{head}; leave it out"


def lint_phrase(library: Library, group: Group, phrase: Phrase, *, today: date | None = None) -> list[Finding]:
    """Findings about one phrase on its own (the editor calls this while a lead types).

    The library's word rules are compiled once and cached, so this stays well under a millisecond.
    """
    return _PhraseLinter(library, today or date.today()).findings(group, phrase)


class _PhraseLinter:
    """What every phrase of one lint run shares: the compiled rules, declared names, file lines read."""

    def __init__(self, library: Library, today: date) -> None:
        self.library = library
        self.today = today
        self.rules = word_rules(library)
        self.declared = set(library.vars) | set(BUILTINS)
        self.lines: dict[Path, list[str] | None] = {}

    def position(self, group: Group, phrase: Phrase, field: str, offset: int) -> tuple[int, int]:
        # the group file is read only when a finding needs a column, and once per run
        if group.path not in self.lines:
            self.lines[group.path] = source_lines(self.library.root / group.path)
        return locate(self.lines[group.path], phrase, field, offset)

    def findings(self, group: Group, phrase: Phrase) -> list[Finding]:
        findings: list[Finding] = []

        def add(severity: str, rule: str, message: str, position: tuple[int, int] | None = None) -> None:
            line, column = position or (phrase.line, 1)
            findings.append(Finding(group.path, line, column, severity, rule, message, phrase.code))

        body = phrase.body
        try:
            parts = parse(body)
        except TemplateError as error:
            where = self.position(group, phrase, "body", error.offset)
            add("error", "template-syntax", f"template: {error.message} (body line {error.line}, column {error.column})", where)
        else:
            for part in parts:
                if isinstance(part, Placeholder) and part.fallback is None and part.name not in self.declared:
                    add("warning", "undefined-variable", f"{{{part.name}}} is not declared in [vars] of _library.toml and is not built in")
        if phrase.code is None:
            add("info", "no-code", f"phrase {phrase.title!r} has no code: it can be found by search only")
        if phrase.valid_until is not None and phrase.valid_until < self.today:
            add("warning", "expired", f"valid_until {phrase.valid_until} has passed: the phrase is hidden from search")
        for key in phrase.extra:
            add("warning", "unknown-key", f"unknown key {key!r} in a phrase (a typo?); it is kept as written")
        if len(body) > BODY_LIMIT:
            add("info", "too-long", f"body is {len(body)} characters, over the platform limit of {BODY_LIMIT}")

        # title and body in one scan: no term holds a line break, so none spans the two
        title_end = len(phrase.title)
        for match in self.rules.scan(f"{phrase.title}\n{body}"):
            if match.start < title_end:
                where = self.position(group, phrase, "title", match.start)
            else:
                where = self.position(group, phrase, "body", match.start - title_end - 1)
            add(match.entry.severity, match.kind, word_message(match), where)
        for number in find_numbers(body):
            add("warning", "privacy", number.message, self.position(group, phrase, "body", number.start))
        return findings


def duplicate_codes(library: Library) -> list[Finding]:
    seen: dict[str, list[tuple[Group, Phrase]]] = defaultdict(list)
    for group, phrase in library.phrases():
        if phrase.code:
            seen[phrase.code.lower()].append((group, phrase))
    findings = []
    for code, places in seen.items():
        if len(places) < 2:
            continue
        where = ", ".join(f"{group.path}:{phrase.line}" for group, phrase in places)
        for group, phrase in places:
            findings.append(Finding(group.path, phrase.line, 1, "error", "duplicate-code", f"code /{code} is used {len(places)} times: {where}", phrase.code))
    return findings


_ASK_NOISE = re.compile(r"[\s?？!！。.,，~～]+")


def duplicate_asks(library: Library) -> list[Finding]:
    """A note where one buyer question is an ask of several phrases: search cannot tell them apart by it."""
    seen: dict[str, list[tuple[Group, Phrase, str]]] = defaultdict(list)
    for group, phrase in library.phrases():
        for ask in phrase.asks:
            key = _ASK_NOISE.sub("", ask).casefold()
            if key and not any(other is phrase for _, other, _ in seen[key]):
                seen[key].append((group, phrase, ask))
    findings = []
    for places in seen.values():
        if len(places) < 2:
            continue
        where = ", ".join(f"/{phrase.code}" if phrase.code else f"{group.path}:{phrase.line}" for group, phrase, _ in places)
        for group, phrase, ask in places:
            message = f"ask {ask!r} is also an ask of another phrase ({where}): keep it on the one it answers best"
            findings.append(Finding(group.path, phrase.line, 1, "info", "duplicate-ask", message, phrase.code))
    return findings


def rules_settings(library: Library) -> list[Finding]:
    """Findings about `[rules]` itself: a `files` list that cannot be read, a misspelt key."""
    from qr.store.load import LIBRARY_FILE

    settings = Path(LIBRARY_FILE)
    lines = source_lines(library.root / settings) or []
    findings = []
    for problem in word_rules(library).problems:
        line = _rules_key_line(lines, "files")
        findings.append(Finding(settings, line, 1, "error", "rules-file", problem.message))
    for key in library.rules.extra:
        line = _rules_key_line(lines, key)
        findings.append(Finding(settings, line, 1, "warning", "unknown-key", f"unknown key {key!r} in [rules] (a typo? known: forbidden, risky, allow, files); it is ignored"))
    return findings


def _rules_key_line(lines: list[str], key: str) -> int:
    """The line of `key = ...` inside the `[rules]` table of _library.toml (1 when not found)."""
    in_rules = False
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}")\s*=""")
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_rules = stripped.replace(" ", "") == "[rules]"
        elif in_rules and pattern.match(line):
            return number
    return 1


def lint(library: Library, problems: Iterable[Problem] = (), *, today: date | None = None) -> list[Finding]:
    """Every finding for `library` (plus its load problems), errors first."""
    linter = _PhraseLinter(library, today or date.today())
    findings = problem_findings(problems)
    findings += rules_settings(library)
    findings += duplicate_codes(library)
    findings += duplicate_asks(library)
    for group in library.groups:
        for key in group.extra:
            findings.append(Finding(group.path, 1, 1, "warning", "unknown-key", f"unknown key {key!r} in the group (a typo?); it is kept as written"))
        for phrase in group.phrases:
            findings += linter.findings(group, phrase)
    return sort_findings(findings)
