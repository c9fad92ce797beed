"""How long an editor save and the re-index after it take on generated libraries.

    python bench/edit_bench.py [SIZE ...]          # default: 1000 10000 (phrases)

For each size (groups of about 300 phrases, as bench/generate.py makes them):
- `update_phrase`: check the code across the library, write the whole group file (tomli-w,
  temp file, fsync, os.replace) and re-read its line numbers, as ctrl+s in the editor does;
- `move_phrase`: two files (target first, then source);
- `update_library`: the workspace swaps in the new library and re-indexes the changed group only
  (what happens between the save and the launcher finding the phrase);
- `full re-index`: building the whole index again, for comparison;
- `watcher poll (idle)`: one live-reload poll when nothing changed (stat of every group file);
- `watcher poll + reload`: a teammate changed one group file: poll, re-read it, new Library.
Medians of several runs. Prints a table, then JSON.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from qr.record import replace

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import generate

from qr.config import Config
from qr.index.phrase_index import PhraseIndex
from qr.store import edit
from qr.store.load import load_library
from qr.store.watch import LibraryWatcher
from qr.workspace import Workspace

RUNS = 7


def timed(action, runs: int = RUNS) -> float:
    """Median milliseconds of `action()` (which prepares its own state each run)."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(size: int, folder: Path) -> dict[str, float]:
    root = generate(size, folder / f"lib{size}")
    library = load_library(root).library
    workspace = Workspace(config=Config(), library=library)
    workspace.index  # built once, as at start-up
    state = {"library": library, "round": 0}
    group = max(library.groups, key=lambda item: len(item.phrases))
    other = next(item for item in library.groups if item.path != group.path)

    def save() -> None:
        state["round"] += 1
        current = state["library"]
        target = current.group_by_path(group.path)
        phrase = replace(target.phrases[0], title=f"改过的标题{state['round']}")
        state["result"] = edit.update_phrase(current, group.path, 0, phrase)
        state["library"] = state["result"].library

    def reindex() -> None:
        save_result = state["result"]
        workspace.update_library(save_result.library)
        workspace.index.search("改过的标题")

    results: dict[str, float] = {"phrases": float(sum(len(g.phrases) for g in library.groups))}
    results["group size"] = float(len(group.phrases))
    saves, reindexes = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        save()
        middle = time.perf_counter()
        reindex()
        end = time.perf_counter()
        saves.append((middle - start) * 1000)
        reindexes.append((end - middle) * 1000)
    results["update_phrase (save) ms"] = statistics.median(saves)
    results["update_library (re-index) ms"] = statistics.median(reindexes)
    results["save + re-index ms"] = statistics.median(s + r for s, r in zip(saves, reindexes))

    def move() -> None:
        current = state["library"]
        source = current.group_by_path(group.path)
        moved = edit.move_phrase(current, group.path, len(source.phrases) - 1, other.path)
        back = edit.move_phrase(moved.library, other.path, len(moved.library.group_by_path(other.path).phrases) - 1, group.path)
        state["library"] = back.library

    results["move_phrase there and back ms"] = timed(move, 5)
    results["full re-index ms"] = timed(lambda: PhraseIndex.from_libraries([state["library"]]).search("改过的标题"), 3)

    watcher = LibraryWatcher(state["library"])
    results["watcher poll, idle ms"] = timed(lambda: watcher.poll(state["library"]))

    path = root / other.path
    text = path.read_text(encoding="utf-8")

    def teammate_saves() -> None:
        state["round"] += 1
        path.write_text(text.replace("亲", f"亲{state['round']}", 1), encoding="utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + state["round"] * 1_000_000))
        reloaded = watcher.poll(state["library"])
        assert reloaded is not None and reloaded.changes.changed == (other.path,)
        state["library"] = reloaded.library

    results["watcher poll + reload of one file ms"] = timed(teammate_saves)
    return results


def main(argv: list[str]) -> int:
    sizes = [int(arg) for arg in argv] or [1000, 10000]
    table: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            table[size] = measure(size, Path(folder))
    names = list(next(iter(table.values())))
    width = max(len(name) for name in names)
    print(f"{'':{width}}  " + "  ".join(f"{size:>10}" for size in sizes))
    for name in names:
        print(f"{name:{width}}  " + "  ".join(f"{table[size][name]:>10.1f}" for size in sizes))
    print(json.dumps({str(size): {name: round(value, 2) for name, value in row.items()} for size, row in table.items()}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
