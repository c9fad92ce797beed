"""Precision and recall of the word rules on a labelled set (tests/data/lint_labelled.tsv).

Used by tests/test_lint_quality.py and bench/lint_quality.py (which prints the table of docs/lint.md).
A sentence counts once per family: found and labelled (true positive), found only (false
positive), labelled only (missed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

CLEAN = "-"


@dataclass(frozen=True)
class Labelled:
    families: frozenset[str]
    text: str
    line: int


def read_labelled(path: Path) -> list[Labelled]:
    rows: list[Labelled] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        label, _, text = line.partition("\t")
        families = frozenset() if label == CLEAN else frozenset(label.split(","))
        rows.append(Labelled(families, text, number))
    return rows


@dataclass
class Score:
    true_positive: int = 0
    false_positive: int = 0
    missed: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positive + self.missed
        return self.true_positive / labelled if labelled else 1.0


@dataclass
class Report:
    families: dict[str, Score]
    overall: Score
    mistakes: list[tuple[Labelled, frozenset[str]]]

    def table(self) -> str:
        lines = ["| family | labelled | found right | false alarms | missed | precision | recall |", "|---|---|---|---|---|---|---|"]
        for family, score in sorted(self.families.items()):
            lines.append(_row(family, score))
        lines.append(_row("**overall**", self.overall))
        return "\n".join(lines)


def _row(name: str, score: Score) -> str:
    return (f"| {name} | {score.true_positive + score.missed} | {score.true_positive} | {score.false_positive} | "
            f"{score.missed} | {score.precision:.3f} | {score.recall:.3f} |")


def evaluate(rows: Iterable[Labelled], found: Callable[[list[str]], list[frozenset[str]]]) -> Report:
    """Score `found` (texts -> the families it finds in each) against the labels."""
    rows = list(rows)
    results = found([row.text for row in rows])
    families: dict[str, Score] = {}
    overall = Score()
    mistakes: list[tuple[Labelled, frozenset[str]]] = []
    for row, got in zip(rows, results, strict=True):
        for family in row.families | got:
            score = families.setdefault(family, Score())
            if family in row.families and family in got:
                score.true_positive += 1
                overall.true_positive += 1
            elif family in got:
                score.false_positive += 1
                overall.false_positive += 1
            else:
                score.missed += 1
                overall.missed += 1
        if got != row.families:
            mistakes.append((row, got))
    return Report(families, overall, mistakes)
