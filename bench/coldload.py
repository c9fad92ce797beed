"""Cold and warm library loads in fresh processes (#19.1, #19.2, #19.5), each figure beside its target.

    python bench/coldload.py [--sizes 10000,100000] [--runs 3]

What a load is: `open_workspace(library)` and its search index ready (what the launcher and
`qr search` wait for). Three kinds, each in a fresh process with temporary HOME and XDG dirs:
- first run: an empty cache folder (no index cache, no pinyin tables): everything computed;
- cold: no index cache, the pinyin tables kept (a qr upgrade that changed the cache format, a
  `git pull` that changed every file, another library);
- warm: the index cache of the cold run.
CPU is the loading process's own (user + system) and its forked helper's, from getrusage; wall
time is printed too but on a shared 2-core machine it mostly measures the other sessions (the
load average is printed). Medians of `--runs`. Also: the index cache file's size, and peak RSS.
`bench/startup.py` calls this first.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

CHILD = r"""
import json, resource, sys, time
def cpu():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime
def peak_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
from qr.workspace import open_workspace
before, start = cpu(), time.perf_counter()
index = open_workspace(sys.argv[1]).index
wall = time.perf_counter() - start
from qr.index import cache
cache._reap(wait=True)  # a helper still writing the pinyin tables: its CPU counts too
after = cpu()
assert index.search("wlfm", limit=20)
print(json.dumps({"wall_ms": wall * 1000, "cpu_ms": (after[0] - before[0]) * 1000,
                  "helper_ms": (after[1] - before[1]) * 1000, "rss_mb": peak_kb() / 1024}))
"""
TARGETS = {
    ("cold", 10000): 400, ("cold", 100000): 2500, ("first run", 10000): 400, ("first run", 100000): 2500,
}
CACHE_TARGET_MB = {100000: 40}


def _env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("QR_", "XDG_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               XDG_STATE_HOME=str(home / "state"), XDG_CACHE_HOME=str(home / "cache"))
    return env


def _load(library: Path, home: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(library)], env=_env(home), capture_output=True, check=True).stdout
    return json.loads(out)


def bench_loads(libraries: dict[int, Path], work: Path, runs: int) -> dict:
    """{size: {kind: {median figures}, "cache_mb": ...}}"""
    results: dict = {}
    for size, library in libraries.items():
        rows: dict[str, list[dict]] = {"first run": [], "cold": [], "warm": []}
        cache_mb = 0.0
        for run in range(runs):
            home = work / f"home-{size}-{run}"
            rows["first run"].append(_load(library, home))
            shutil.rmtree(home / "cache" / "qr" / "index")  # the index cache only: the pinyin tables stay
            rows["cold"].append(_load(library, home))
            rows["warm"].append(_load(library, home))
            cache_mb = sum(path.stat().st_size for path in (home / "cache" / "qr" / "index").glob("*.qrindex")) / 1e6
        results[size] = {kind: {name: statistics.median(row[name] for row in found) for name in found[0]}
                         for kind, found in rows.items()}
        results[size]["cache_mb"] = cache_mb
    return results


def print_loads(results: dict, runs: int) -> None:
    print(f"\n## library load in a fresh process (open_workspace + index), median of {runs}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print("CPU = the process's own + its forked helper's; the busier of the two is the longest path on 2 free cores")
    print(f"{'phrases':>8} {'kind':<10} {'CPU ms':>8} {'helper':>8} {'busier':>8} {'wall ms':>9} {'peak RSS MB':>12}  target")
    for size, kinds in results.items():
        for kind in ("first run", "cold", "warm"):
            row = kinds[kind]
            busier = max(row["cpu_ms"], row["helper_ms"])
            target = TARGETS.get((kind, size))
            verdict = f"≤ {target} ms: {'met' if busier <= target else 'NOT met'} on CPU" if target else ""
            print(f"{size:>8} {kind:<10} {row['cpu_ms']:>8.0f} {row['helper_ms']:>8.0f} {busier:>8.0f} "
                  f"{row['wall_ms']:>9.0f} {row['rss_mb']:>12.0f}  {verdict}")
        target_mb = CACHE_TARGET_MB.get(size)
        verdict = f"≤ {target_mb} MB: {'met' if kinds['cache_mb'] <= target_mb else 'NOT met'}" if target_mb else ""
        print(f"{size:>8} {'cache file':<10} {kinds['cache_mb']:>8.1f} MB {'':>35}  {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qr-coldload-"))
    try:
        libraries = {int(size): generate(int(size), work / f"lib{size}") for size in args.sizes.split(",")}
        results = bench_loads(libraries, work, args.runs)
        print_loads(results, args.runs)
        if args.json:
            Path(args.json).write_text(json.dumps({str(k): v for k, v in results.items()}, indent=2), encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
