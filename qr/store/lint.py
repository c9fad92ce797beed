"""Lint: the quality check of a library (DESIGN §5). `lint(library) -> list[Finding]`, errors first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable

from qr.render import BUILTINS, TemplateError, parse, placeholders
from qr.store.models import Group, Library, Phrase, Problem

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
    return [Finding(p.file, p.line, p.column, p.severity, "load", p.message) for p in problems]


def template_error_position(phrase: Phrase, error: TemplateError) -> tuple[int, int]:
    """Where a template error is in the file (body lines follow the `body = \"\"\"` line)."""
    if phrase.body_line:
        return phrase.body_line + error.line - 1, error.column
    return phrase.line, error.column


def lint_phrase(library: Library, group: Group, phrase: Phrase, *, today: date | None = None) -> list[Finding]:
    """Findings about one phrase on its own (the editor calls this while a lead types)."""
    today = today or date.today()
    findings: list[Finding] = []

    def add(severity: str, rule: str, message: str, line: int | None = None, column: int = 1) -> None:
        findings.append(Finding(group.path, line or phrase.line, column, severity, rule, message, phrase.code))

    try:
        parse(phrase.body)
    except TemplateError as error:
        line, column = template_error_position(phrase, error)
        add("error", "template-syntax", f"template: {error.message} (body line {error.line}, column {error.column})", line, column)
    else:
        declared = set(library.vars) | set(BUILTINS)
        for placeholder in placeholders(phrase.body):
            if placeholder.name not in declared and placeholder.fallback is None:
                add("warning", "undefined-variable", f"{{{placeholder.name}}} is not declared in [vars] of _library.toml and is not built in")
    if phrase.code is None:
        add("info", "no-code", f"phrase {phrase.title!r} has no code: it can be found by search only")
    if phrase.valid_until is not None and phrase.valid_until < today:
        add("warning", "expired", f"valid_until {phrase.valid_until} has passed: the phrase is hidden from search")
    for key in phrase.extra:
        add("warning", "unknown-key", f"unknown key {key!r} in a phrase (a typo?); it is kept as written")
    if len(phrase.body) > BODY_LIMIT:
        add("info", "too-long", f"body is {len(phrase.body)} characters, over the platform limit of {BODY_LIMIT}")
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


def lint(library: Library, problems: Iterable[Problem] = (), *, today: date | None = None) -> list[Finding]:
    """Every finding for `library` (plus its load problems), errors first."""
    findings = problem_findings(problems)
    findings += duplicate_codes(library)
    for group in library.groups:
        for key in group.extra:
            findings.append(Finding(group.path, 1, 1, "warning", "unknown-key", f"unknown key {key!r} in the group (a typo?); it is kept as written"))
        for phrase in group.phrases:
            findings += lint_phrase(library, group, phrase, today=today)
    return sort_findings(findings)
