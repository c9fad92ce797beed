"""The relevance index (sentence queries) at 10k / 100k phrases: its build, its file, and what the
launcher's keystroke pays for it.

    python bench/relevance_build.py                       # 10000,100000
    python bench/relevance_build.py --sizes 10000 --work /tmp/qr-libs

Each figure comes from a fresh child process with a warm index cache (HOME and the XDG dirs in a
temp dir), one after the other, beside its target:
- build: `RelevanceIndex.build(key_documents(index))`, wall time, and the process's peak RSS
  (VmHWM) before and after: what the launcher's worker thread spends after the first frame;
- keystroke: the first sentence query with the build deferred (`defer_relevance`, as the launcher
  does): the tier hits, no build on that keystroke (target: within a frame, 16 ms);
- file: a later process reading the stored relevance index instead of building it.
The load average is printed with each row: timings on a shared machine move with it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from generate import generate
from run import PEAK, isolated_env

QUESTION = "你好，我前天买的东西物流三天都没有更新了，是不是丢件了？麻烦帮我查一下，谢谢"
TARGETS = {"keystroke_ms": 16.0, "file_ms": 100.0, "launcher_peak_mb_100k": 150.0}

CHILD = PEAK + r"""
import json, resource, sys, time
from qr.workspace import open_workspace
from qr.index import sentences
from qr.index.relevance import RelevanceIndex
index = open_workspace(sys.argv[1]).index
index.search("wlfm", limit=50)
out = {"phrases": len(index), "base_mb": peak_kb() / 1024}
if sys.argv[2] == "build":
    start = time.perf_counter()
    built = RelevanceIndex.build(sentences.key_documents(index))
    out["build_s"] = time.perf_counter() - start
    out["peak_mb"] = peak_kb() / 1024
    out["postings"] = len(built.postings)
elif sys.argv[2] == "keystroke":
    sentences.defer_relevance(index)
    start = time.perf_counter()
    hits = index.search(sys.argv[3], limit=50)
    out["keystroke_ms"] = (time.perf_counter() - start) * 1000
    out["hits"] = len(hits)
    start = time.perf_counter()
    sentences.prepare_relevance(index)  # loads the file when present, else builds and writes it
    out["prepare_s"] = time.perf_counter() - start
    out["peak_mb"] = peak_kb() / 1024
print(json.dumps(out))
"""


def child(library: Path, env: dict[str, str], *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(library), *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-600:])
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--work", metavar="DIR", help="keep generated libraries here (reused when present)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="qr-relevance-") as temp:
        work = Path(args.work) if args.work else Path(temp) / "libraries"
        env = isolated_env(Path(temp) / "home")
        print(f"{'phrases':>8} {'build s':>8} {'build peak MB':>14} {'keystroke ms':>13} {'first prepare s':>16}"
              f" {'file ms':>8} {'launcher peak MB':>17}  load")
        for size in (int(size) for size in args.sizes.split(",") if size):
            library = work / f"lib{size}"
            if not (library / "_library.toml").exists():
                generate(size, library)
            child(library, env, "warm")  # the index cache, so each figure below is a warm start
            build = child(library, env, "build")
            first = child(library, env, "keystroke", QUESTION)  # no file yet: builds and writes it
            again = child(library, env, "keystroke", QUESTION)  # reads the file
            row = {
                "phrases": size, "build_s": build["build_s"], "build_peak_mb": build["peak_mb"], "base_mb": build["base_mb"],
                "keystroke_ms": first["keystroke_ms"], "first_prepare_s": first["prepare_s"],
                "file_ms": again["prepare_s"] * 1000, "launcher_peak_mb": first["peak_mb"], "load": os.getloadavg(),
            }
            rows.append(row)
            print(f"{size:>8} {row['build_s']:>8.2f} {row['build_peak_mb']:>6.0f} (+{row['build_peak_mb'] - row['base_mb']:.0f})"
                  f"{'':>3} {row['keystroke_ms']:>13.1f} {row['first_prepare_s']:>16.2f} {row['file_ms']:>8.1f}"
                  f" {row['launcher_peak_mb']:>17.0f}  {' '.join(f'{value:.2f}' for value in row['load'])}")
    print(f"\ntargets: keystroke ≤ {TARGETS['keystroke_ms']:.0f} ms (the build runs in the launcher's worker"
          f" thread after the first frame), file read ≤ {TARGETS['file_ms']:.0f} ms,"
          f" launcher peak ≤ {TARGETS['launcher_peak_mb_100k']:.0f} MB at 100k (#19.5)")
    for row in rows:
        met = [row["keystroke_ms"] <= TARGETS["keystroke_ms"], row["file_ms"] <= TARGETS["file_ms"]]
        if row["phrases"] >= 100000:
            met.append(row["launcher_peak_mb"] <= TARGETS["launcher_peak_mb_100k"])
        print(f"  {row['phrases']:>7}: {'met' if all(met) else 'NOT met'} {met}")
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
