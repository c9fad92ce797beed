"""Time the usage history: one copy's record, frecency scores with a long history, two writers.

    python bench/usage.py [ROWS ...]      (default: 10000 100000)

For each history size (uses spread over 120 days, 2,000 distinct codes, one profile): the time of
`record` (median of 200), of `scores` (what the launcher computes at start and after a copy;
median of 20) and of `uses` (what `qr stats` reads). Then two processes recording 1,000 uses each
at once: wall time and rows. Prints a table, then JSON. Runs in a temporary folder.
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qr.usage import UsageStore

DAY = 86400.0


def fill(path: Path, rows: int, now: float) -> None:
    """A history of `rows` uses written in one transaction (seeding, not what qr does per copy)."""
    UsageStore(path).record("warm-up", "x", when=now)
    randomness = random.Random(9)
    connection = sqlite3.connect(path)
    with connection:
        connection.executemany(
            "INSERT INTO uses (profile, code, at) VALUES (?, ?, ?)",
            (
                ("shop", f"c{int(randomness.paretovariate(1.2)) % 2000}", now - randomness.random() * 120 * DAY)
                for _ in range(rows)
            ),
        )
        connection.execute(
            "INSERT OR REPLACE INTO daily (profile, code, day, count) "
            "SELECT profile, code, CAST(at / 86400 AS INTEGER), COUNT(*) FROM uses GROUP BY 1, 2, 3"
        )
    connection.close()


def median_time(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


_WRITER = """
import sys
from pathlib import Path
from qr.usage import UsageStore
store = UsageStore(Path(sys.argv[1]))
for i in range(1000):
    assert store.record(sys.argv[2], f"c{i % 50}")
"""


def two_writers(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), name]) for name in ("a", "b")]
    for process in processes:
        process.wait()
    elapsed = time.perf_counter() - start
    rows = sqlite3.connect(path).execute("SELECT COUNT(*) FROM uses").fetchone()[0]
    return elapsed, rows


def main(sizes: list[int]) -> None:
    results = []
    now = time.time()
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = Path(folder) / f"usage-{size}.sqlite3"
            fill(path, size, now)
            store = UsageStore(path)
            record = median_time(lambda: store.record("shop", "c1"), 200)
            scores = median_time(lambda: store.scores("shop", now=now), 20)
            uses = median_time(lambda: store.uses("shop", since=now - 30 * DAY), 20)
            results.append(
                {"rows": size, "record_ms": record * 1000, "scores_ms": scores * 1000, "stats_ms": uses * 1000,
                 "codes_scored": len(store.scores("shop", now=now))}
            )
            store.close()
        elapsed, rows = two_writers(Path(folder) / "two.sqlite3")
    print(f"{'rows':>8} {'record ms':>10} {'scores ms':>10} {'stats ms':>9} {'codes':>6}")
    for row in results:
        print(f"{row['rows']:>8} {row['record_ms']:>10.2f} {row['scores_ms']:>10.1f} {row['stats_ms']:>9.1f} {row['codes_scored']:>6}")
    print(f"two processes x 1000 records: {elapsed:.2f} s wall, {rows} rows")
    print(json.dumps({"history": results, "two_writers": {"seconds": elapsed, "rows": rows}}, indent=2))


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [10000, 100000])
