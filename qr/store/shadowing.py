"""Lint across a profile's libraries: a code one library shadows in another.

A profile resolves codes in its libraries' order (the shop's own first), so a shared library's
`/wl1` is unreachable by code when the shop's own library also has `/wl1`. That may be on purpose
(the shop overrides a team-wide reply) or a surprise; lint says so, naming both files.
"""

from __future__ import annotations

from collections.abc import Sequence

from qr.record import replace
from qr.store.lint import Finding, lint, problem_findings, sort_findings
from qr.store.models import Library, Problem

RULE = "shadowed-code"


def shadowed_codes(libraries: Sequence[Library]) -> list[Finding]:
    """One warning per phrase whose code an earlier library in `libraries` already uses.

    The finding sits on the shadowed (unreachable) phrase, with its file as an absolute path, and
    names the file and line of the phrase that wins.
    """
    winners: dict[str, tuple[Library, str, int]] = {}
    findings: list[Finding] = []
    for _position, library in enumerate(libraries):
        here: dict[str, tuple[Library, str, int]] = {}
        for group, phrase in library.phrases():
            if not phrase.code:
                continue
            code = phrase.code.lower()
            winner = winners.get(code)
            if winner is not None:
                winner_library, winner_file, winner_line = winner
                findings.append(
                    Finding(
                        library.root / group.path,
                        phrase.line,
                        1,
                        "warning",
                        RULE,
                        "lint.shadowed",
                        phrase.code,
                        {"code": code, "winner": f"{winner_file}:{winner_line}"},
                    )
                )
            else:
                # duplicates inside one library are `duplicate-code`, not shadowing: first one wins
                here.setdefault(code, (library, str(library.root / group.path), phrase.line))
        for code, place in here.items():
            winners.setdefault(code, place)
    return findings


def lint_libraries(libraries: Sequence[Library], problems: Sequence[Problem] = (), *, processes: int = 1) -> list[Finding]:
    """Lint every library of a profile (files as absolute paths, so each is unambiguous) plus
    the codes shadowed across them; `problems` are the workspace's load problems, `processes` as for `lint`."""
    findings = problem_findings(problems)
    for library in libraries:
        findings += [replace(finding, file=library.root / finding.file) for finding in lint(library, processes=processes)]
    findings += shadowed_codes(libraries)
    return sort_findings(findings)
