"""Browser and practice timings on generated libraries (headless Textual, HOME in a temp dir).

    python bench/browser.py [--sizes 1000,10000,100000] [--runs 3] [--json out.json]

browser: opening the screen (read the library and the practice scores, build the tree; then until
Textual's refresh has settled, which is most of it), one filter
rebuild per query (search + tree), clearing the filter. practice: one answer written to SQLite
(record), the learned count over the whole library, a reverse round over the first group (143 to
300 phrases) and a forward round over everything (the 50 weakest).
Medians of `--runs`; a table on stdout, JSON with --json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

QUERIES = ("wl", "物流繁忙", "tuikuan", "/sh1")


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


async def browser_times(root: Path, runs: int) -> dict[str, float]:
    from qr.app import make_app
    from qr.clipboard import MemoryClipboard
    from qr.screens.browser import BrowserScreen
    from qr.workspace import open_workspace

    workspace = open_workspace(root)
    len(workspace.index)  # the index is the launcher's cost, measured elsewhere
    app = make_app(workspace, clipboard=MemoryClipboard(), cursor_blink=False, ui_lang="en")
    samples: dict[str, list[float]] = {}
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(runs):
            screen = BrowserScreen(workspace, app.practice_progress)
            start = time.perf_counter()
            await app.push_screen(screen)  # mounted: library read, scores counted, tree built
            pushed = time.perf_counter()
            await pilot.pause()  # and Textual's refresh has settled
            samples.setdefault("browser open (mounted)", []).append(pushed - start)
            samples.setdefault("browser open (settled)", []).append(time.perf_counter() - start)
            for query in QUERIES:
                screen._query = query
                start = time.perf_counter()
                screen.rebuild()
                samples.setdefault(f"filter {query!r}", []).append(time.perf_counter() - start)
            screen._query = ""
            start = time.perf_counter()
            screen.rebuild()
            samples.setdefault("filter cleared", []).append(time.perf_counter() - start)
            app.pop_screen()
            await pilot.pause()
    return {name: median_ms(values) for name, values in samples.items()}


def practice_times(root: Path, runs: int) -> dict[str, float]:
    from qr.practice import PracticeRound, ProgressStore, learned, library_key
    from qr.store.entry import entries_of
    from qr.store.load import load_library

    entries = entries_of([load_library(root).library])
    store = ProgressStore()
    key = library_key(entries[0].library)
    group = [entry for entry in entries if entry.group.path == entries[0].group.path]
    samples: dict[str, list[float]] = {}
    for run in range(runs):
        start = time.perf_counter()
        store.record(key, entries[run].phrase.code or "x", 2, True)
        samples.setdefault("record one answer", []).append(time.perf_counter() - start)
        start = time.perf_counter()
        learned(entries, store)
        samples.setdefault("learned, whole library", []).append(time.perf_counter() - start)
        start = time.perf_counter()
        PracticeRound(group, store, pool=entries, rng=random.Random(run), mode="reverse").next_question()
        samples.setdefault("round over the first group", []).append(time.perf_counter() - start)
        start = time.perf_counter()
        PracticeRound(entries, store, pool=entries, rng=random.Random(run), limit=50).next_question()
        samples.setdefault("round over everything", []).append(time.perf_counter() - start)
    return {name: median_ms(values) for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as temp:
        home = Path(temp) / "home"
        os.environ["HOME"] = str(home)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            os.environ[name] = str(home / name.lower())
        for size in (int(value) for value in args.sizes.split(",")):
            root = generate(size, Path(temp) / f"lib{size}")
            times = asyncio.run(browser_times(root, args.runs))
            times.update(practice_times(root, args.runs))
            results[str(size)] = times
    names = list(next(iter(results.values())))
    sizes = list(results)
    print(f"{'ms (median of ' + str(args.runs) + ')':<34}" + "".join(f"{size:>10}" for size in sizes))
    for name in names:
        print(f"{name:<34}" + "".join(f"{results[size].get(name, float('nan')):>10}" for size in sizes))
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
