"""How long `qr import` takes on the real 45,850-entry Sogou table, and whether the result is usable.

    python bench/import_bench.py [FILE ...]     # default: the big Sogou table and its 手心/mobile twins

For each file: the whole `qr import FILE --into NEW` command in a fresh process (the figure the
issue's "< 10 s" target is about), then its parts in this process: read and decode, parse, plan
(codes, templates), write; then `load_library` of the result, building the search index and one
code and one text query. Median of RUNS for the in-process parts. Prints a table, then JSON.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from qr.index.phrase_index import PhraseIndex
from qr.store.load import load_library
from qr.transfer.detect import read_source, sniff_format
from qr.transfer.importer import _parse, default_group_name
from qr.transfer.plan import build_plan, write_plan

SOGOU = HERE.parent.parent / "shared" / "testdata" / "sogou"
DEFAULT_FILES = [
    SOGOU / "songshua295_PhraseConverter_PhraseEdit.txt",
    SOGOU / "songshua295_PhraseConverter_shouxin_format.txt",
    SOGOU / "songshua295_PhraseConverter_sogou_mobile_changyongyu.csv",
]
RUNS = 3


def timed(function, runs: int = RUNS):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bench_file(path: Path, scratch: Path) -> dict:
    row: dict = {"file": path.name}
    target = scratch / f"cli-{path.stem}"
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "qr", "import", str(path), "--into", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    row["command_s"] = round(time.perf_counter() - start, 3)
    if completed.returncode != 0:
        raise SystemExit(f"qr import failed: {completed.stderr.strip()}")

    row["read_s"], source = timed(lambda: read_source(path))
    row["parse_s"], parsed = timed(lambda: _parse(source, sniff_format(source)))
    row["entries"] = len(parsed.candidates)
    counter = iter(range(1000))

    def plan():
        return build_plan(parsed, scratch / f"lib-{path.stem}-{next(counter)}", default_group=default_group_name(path))

    row["plan_s"], planned = timed(plan)
    row["imported"] = planned.imported
    row["renamed"] = planned.count("renamed")
    plans = iter([plan() for _ in range(RUNS)])  # each write goes to a new folder
    row["write_s"], _ = timed(lambda: write_plan(next(plans)))
    row["load_s"], result = timed(lambda: load_library(target), runs=1)
    row["index_s"], index = timed(lambda: PhraseIndex.from_libraries([result.library]), runs=1)
    last = planned.new_groups[-1].phrases[-1]  # searchable: the last phrase of the file is found by code and text
    row["code_query_ms"] = round(timed(lambda: index.search("/" + last.code, limit=20))[0] * 1000, 2)
    row["text_query_ms"] = round(timed(lambda: index.search(last.title, limit=20))[0] * 1000, 2)
    assert index.search("/" + last.code, limit=1)[0].phrase.body == last.body
    assert any(hit.phrase.body == last.body for hit in index.search(last.title, limit=20))
    for key in ("read_s", "parse_s", "plan_s", "write_s", "load_s", "index_s"):
        row[key] = round(row[key], 3)
    return row


def main(argv: list[str]) -> int:
    files = [Path(arg) for arg in argv] or DEFAULT_FILES
    missing = [str(path) for path in files if not path.exists()]
    if missing:
        print(f"not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="qr-import-bench-"))
    try:
        rows = [bench_file(path, scratch) for path in files]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    columns = ["file", "entries", "imported", "renamed", "command_s", "read_s", "parse_s", "plan_s", "write_s", "load_s", "index_s", "code_query_ms", "text_query_ms"]
    widths = [max(len(column), *(len(str(row[column])) for row in rows)) for column in columns]
    print("  ".join(column.ljust(width) for column, width in zip(columns, widths)))
    for row in rows:
        print("  ".join(str(row[column]).ljust(width) for column, width in zip(columns, widths)))
    print(json.dumps(rows, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
