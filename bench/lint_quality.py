"""Precision and recall of lint's word rules on the labelled set, per family: the table of docs/lint.md.

    python bench/lint_quality.py            # the table for `qr check` and `qr lint`, then the mistakes

tests/test_lint_quality.py asserts the floors; this prints the figures they were set from.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from lint_eval import evaluate, read_labelled
from test_lint_quality import LABELLED, check_families, lint_families


def main() -> None:
    rows = read_labelled(LABELLED)
    print(f"{len(rows)} sentences, {sum(bool(row.families) for row in rows)} with a violation\n")
    with tempfile.TemporaryDirectory() as folder:
        for name, found in (("qr check", check_families), ("qr lint", lambda texts: lint_families(texts, Path(folder) / "lib"))):
            report = evaluate(rows, found)
            print(f"## {name}\n\n{report.table()}\n")
            for row, got in report.mistakes:
                print(f"  line {row.line}: labelled {sorted(row.families) or '-'}, found {sorted(got) or '-'}: {row.text}")


if __name__ == "__main__":
    main()
