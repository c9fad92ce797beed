"""Lint: the quality check of a library (DESIGN §5). `lint(library) -> list[Finding]`, errors first.

A finding is a message id plus its arguments (`lint.word`, {family, text, …}); its text is made in the
UI language when shown (`message`, `message_in(lang)`), from the `lint.` keys of the catalogue.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import partial
from pathlib import Path

from qr.i18n import current_language
from qr.record import Record
from qr.render import BUILTINS, TemplateError, bare_names
from qr.store.models import Group, Library, Phrase, Problem
from qr.store.positions import locate, source_lines
from qr.store.privacy import find_numbers
from qr.store.text_check import CONTROL, finding_text, word_args
from qr.store.word_rules import WordMatch, word_rules
from qr.terminal_text import CONTROL_CHARACTERS  # the set the CLI and screens escape (Trojan Source too)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from qr.store.forked import Forked

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
PARALLEL_FROM = 2_000
"""Phrases from which `lint(..., processes=2)` uses a second process. Measured on two cores (texts
all different): at 2,000 phrases 55 -> 36 ms wall for 67 ms CPU; at 1,000, 28 -> 20 ms for 37 ms
CPU; at 500, 15 -> 13 ms for 22 ms: below, a fork costs more CPU than it saves wall time."""
FIRST_SHARE = 0.85
"""The part of a process's share of the phrases that the first process lints (it also does the
library-wide checks and forks the others)."""
BODY_LIMIT = 500
WORD_RULES = ("off-platform", "review-incentive", "efficacy", "forbidden", "ad-law", "risky-promise", "privacy")
"""The rules that judge what a text says to a buyer (what `qr check` reports and the labelled set measures)."""


class Finding(Record):
    file: Path
    line: int
    column: int
    severity: str
    rule: str
    message_id: str
    code: str | None
    args: Mapping[str, object]
    field: str
    """The text field the finding is in (`title`, `body`, `note` …), "" when not about one."""
    start: int | None
    """Character offsets of the finding inside that field's text."""
    end: int | None

    def __init__(
        self,
        file: Path,
        line: int,
        column: int,
        severity: str,
        rule: str,
        message_id: str,
        code: str | None = None,
        args: Mapping[str, object] | None = None,
        field: str = "",
        start: int | None = None,
        end: int | None = None,
    ) -> None:
        self.__dict__.update(
            file=file,
            line=line,
            column=column,
            severity=severity,
            rule=rule,
            message_id=message_id,
            code=code,
            args={} if args is None else args,
            field=field,
            start=start,
            end=end,
        )

    @property
    def message(self) -> str:
        """The text in the current UI language."""
        return self.message_in(current_language())

    def message_in(self, lang: str) -> str:
        return finding_text(self.message_id, self.args, lang)

    def as_json(self) -> dict:
        row: dict = {
            "file": str(self.file),
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "rule": self.rule,
            "code": self.code,
            "message": self.message,
            "message_id": self.message_id,
            "args": dict(self.args),
        }
        if self.field:
            row["field"] = self.field
        return row


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), str(f.file), f.line, f.column, f.rule))


def problem_findings(problems: Iterable[Problem]) -> list[Finding]:
    return [Finding(p.file, p.line, p.column, p.severity, "load", "lint.load", args={"text": p.message}) for p in problems]


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
        self.scans: dict[str, list[WordMatch]] = {}
        """text -> its word matches: a library repeats texts (a body copied into several groups, a
        short title such as 好的), and a text's matches depend on nothing else."""

    def scan(self, text: str) -> list[WordMatch]:
        found = self.scans.get(text)
        if found is None:
            found = self.scans[text] = self.rules.scan(text)
        return found

    def position(self, group: Group, phrase: Phrase, field: str, offset: int) -> tuple[int, int]:
        # the group file is read only when a finding needs a column, and once per run
        if group.path not in self.lines:
            self.lines[group.path] = source_lines(self.library.root / group.path)
        return locate(self.lines[group.path], phrase, field, offset)

    def group_findings(self, slices: Iterable[tuple[Group, int, int]]) -> list[Finding]:
        """The findings of the phrases `group.phrases[start:end]` of each slice, in library order,
        with those of the group itself in the slice that starts it."""
        findings: list[Finding] = []
        for group, start, end in slices:
            if start == 0:
                for key in group.extra:
                    findings.append(Finding(group.path, 1, 1, "warning", "unknown-key", "lint.unknown_key.group", args={"key": key}))
                for name, value in (("name", group.name), ("description", group.description)):
                    for match in CONTROL_CHARACTERS.finditer(value or ""):
                        args = {"char": f"U+{ord(match.group()):04X}", "field": name}
                        findings.append(Finding(group.path, 1, 1, "error", CONTROL, "lint.control", None, args, name, match.start(), match.end()))
            for phrase in group.phrases[start:end]:
                findings += self.findings(group, phrase)
        return findings

    def findings(self, group: Group, phrase: Phrase) -> list[Finding]:
        findings: list[Finding] = []

        def add(severity: str, rule: str, message_id: str, args: Mapping[str, object] | None = None,
                position: tuple[int, int] | None = None, where: tuple[str, int, int] | None = None) -> None:
            line, column = position or (phrase.line, 1)
            name, start, end = where or ("", None, None)
            findings.append(Finding(group.path, line, column, severity, rule, message_id, phrase.code, args or {}, name, start, end))

        body = phrase.body
        try:
            names = bare_names(body)
        except TemplateError as error:
            where = self.position(group, phrase, "body", error.offset)
            add("error", "template-syntax", "lint.template", {"error": error.message, "line": error.line, "column": error.column}, where)
        else:
            for name in names:
                if name not in self.declared:
                    add("warning", "undefined-variable", "lint.undefined_variable", {"name": name})
        if phrase.code is None:
            add("info", "no-code", "lint.no_code", {"title": phrase.title})
        if phrase.valid_until is not None and phrase.valid_until < self.today:
            add("warning", "expired", "lint.expired", {"day": str(phrase.valid_until)})
        for key in phrase.extra:
            add("warning", "unknown-key", "lint.unknown_key.phrase", {"key": key})
        if len(body) > BODY_LIMIT:
            add("info", "too-long", "lint.too_long", {"length": len(body), "limit": BODY_LIMIT})

        fields = {"title": phrase.title, "body": body, "note": phrase.note}
        # one search over every field first: control characters are rare, and a search per field
        # and tag costs more than the concatenation (a class of single characters, so joining the
        # texts cannot make a match that none of them holds)
        if CONTROL_CHARACTERS.search("".join((phrase.title, body, phrase.note, *phrase.tags))) is not None:
            for name, value in fields.items():
                for match in CONTROL_CHARACTERS.finditer(value):
                    at = self.position(group, phrase, name, match.start()) if name != "note" else None
                    add("error", CONTROL, "lint.control", {"char": f"U+{ord(match.group()):04X}", "field": name}, at, (name, match.start(), match.end()))
            for tag in phrase.tags:
                for match in CONTROL_CHARACTERS.finditer(tag):
                    add("error", CONTROL, "lint.control", {"char": f"U+{ord(match.group()):04X}", "field": "tags"}, None, ("tags", match.start(), match.end()))
        # one finding per term and phrase: a title repeated in the body is reported once, in the title
        reported: set[tuple[str, str]] = set()
        for name in ("title", "body"):
            for found in self.scan(fields[name]):
                term = (found.kind, found.entry.term if not found.entry.pattern else found.text.lower())
                if term in reported:
                    continue
                reported.add(term)
                where = self.position(group, phrase, name, found.start)
                add(found.entry.severity, found.kind, "lint.word", word_args(found, fields[name]), where, (name, found.start, found.end))
        for number in find_numbers(body):
            if ("privacy", number.text) in reported:
                continue
            reported.add(("privacy", number.text))
            add("warning", "privacy", "lint.privacy", {"family": "privacy", "what": number.kind, "masked": number.masked},
                self.position(group, phrase, "body", number.start), ("body", number.start, number.end))
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
            args = {"code": code, "count": len(places), "where": where}
            findings.append(Finding(group.path, phrase.line, 1, "error", "duplicate-code", "lint.duplicate_code", phrase.code, args))
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
            args = {"ask": ask, "where": where}
            findings.append(Finding(group.path, phrase.line, 1, "info", "duplicate-ask", "lint.duplicate_ask", phrase.code, args))
    return findings


_NOTE_CODE = re.compile(r"(?<![A-Za-z0-9_/:.])/([A-Za-z][A-Za-z0-9_.-]*)")


def missing_code_references(library: Library) -> list[Finding]:
    """A note that sends the agent to `/code` when no phrase has that code (renamed or deleted since)."""
    codes = {phrase.code.lower() for _, phrase in library.phrases() if phrase.code}
    findings = []
    for group, phrase in library.phrases():
        for match in _NOTE_CODE.finditer(phrase.note):
            code = match.group(1).rstrip(".-_").lower()
            if code and code not in codes:
                args = {"code": code}
                findings.append(Finding(group.path, phrase.line, 1, "warning", "missing-code", "lint.missing_code", phrase.code, args))
    return findings


def rules_settings(library: Library) -> list[Finding]:
    """Findings about `[rules]` itself: a `files` list that cannot be read, a misspelt key."""
    from qr.store.load import LIBRARY_FILE

    settings = Path(LIBRARY_FILE)
    lines = source_lines(library.root / settings) or []
    findings = []
    for problem in word_rules(library).problems:
        line = _rules_key_line(lines, problem.key)
        findings.append(Finding(settings, line, 1, "error", "rules-file", problem.message_id, args=problem.args))
    for key in library.rules.extra:
        line = _rules_key_line(lines, key)
        findings.append(Finding(settings, line, 1, "warning", "unknown-key", "lint.unknown_key.rules", args={"key": key}))
    return findings


def var_patterns(library: Library) -> list[Finding]:
    """A `[vars.X].pattern` that can backtrack without end: values are checked with a time limit,
    so it cannot freeze qr, but a value may then be refused only because the check ran out of time."""
    from qr.render import backtracks
    from qr.store.load import LIBRARY_FILE

    settings = Path(LIBRARY_FILE)
    lines = source_lines(library.root / settings) or []
    findings = []
    for name, spec in library.vars.items():
        if spec.pattern and backtracks(spec.pattern):
            header = next((number for number, line in enumerate(lines, 1) if line.strip().replace(" ", "") == f"[vars.{name}]"), 1)
            line = next((number for number, text in enumerate(lines[header:], header + 1) if text.strip().startswith("pattern")), header)
            args = {"name": name, "pattern": spec.pattern}
            findings.append(Finding(settings, line, 1, "warning", "pattern-backtracking", "lint.pattern_backtracking", args=args))
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


def lint(library: Library, problems: Iterable[Problem] = (), *, today: date | None = None, processes: int = 1) -> list[Finding]:
    """Every finding for `library` (plus its load problems), errors first.

    `processes` > 1 lets a big library's phrases be linted by that many processes (forked children
    lint the later phrases while this one lints the first ones and does the library-wide checks):
    the same findings in the same order; one process where forking is not possible or fails."""
    linter = _PhraseLinter(library, today or date.today())
    mine = [(group, 0, len(group.phrases)) for group in library.groups]
    later: list[tuple[list[tuple[Group, int, int]], Forked | None]] = []  # runs after mine, in order
    if processes > 1 and sum(len(group.phrases) for group in library.groups) >= PARALLEL_FROM:
        from qr.store import forked

        linter.rules.compile()  # once, before forking: the children share it
        mine, *others = split_phrases(library.groups, processes)
        later = [(part, forked.start(partial(linter.group_findings, part))) for part in others]
    try:
        findings = problem_findings(problems)
        findings += rules_settings(library)
        findings += var_patterns(library)
        findings += duplicate_codes(library)
        findings += duplicate_asks(library)
        findings += missing_code_references(library)
        findings += linter.group_findings(mine)
    except BaseException:
        for _, child in later:
            if child is not None:
                child.abandon()
        raise
    for part, child in later:
        found = child.result() if child is not None else None
        # the child's findings; if it could not start or failed, the same work done here
        findings += found if isinstance(found, list) else linter.group_findings(part)
    return sort_findings(findings)


def split_phrases(groups: Sequence[Group], parts: int) -> list[list[tuple[Group, int, int]]]:
    """The phrases of `groups`, in order, cut into `parts` runs of slices `(group, start, end)`;
    the first run a little shorter, as its process also does the library-wide checks."""
    total = sum(len(group.phrases) for group in groups)
    share = total / (parts - 1 + FIRST_SHARE)
    ends = [round(share * (FIRST_SHARE + index)) for index in range(parts - 1)] + [total]
    runs: list[list[tuple[Group, int, int]]] = [[] for _ in range(parts)]
    run, done = 0, 0  # the run being filled; phrases placed so far
    for group in groups:
        start, size = 0, len(group.phrases)
        while True:
            take = min(size - start, ends[run] - done)
            if take > 0 or (size == 0 and start == 0):
                runs[run].append((group, start, start + take))
                start += take
                done += take
            if start >= size:
                break
            run += 1
    return runs
