"""qr performance at 1k / 10k / 100k phrases: load, search per query, whole process vs fzf, RSS.

    pip install -e '.[bench]'            # iterfzf ships the fzf binary used for comparison
    python bench/run.py                  # all benchmarks at 1k,10k,100k
    python bench/run.py --sizes 1000,10000 --only load,search --json out.json
    python bench/run.py --startup        # also run bench/startup.py (launcher first frame)
    python bench/run.py --sizes 10000,100000 --runs 3   # every figure of issue #19 beside its target

Benchmarks (each prints a table; the whole run ends with one JSON document on stdout):
- load:   cold load (empty cache dir: TOML + pinyin + keys, writes the cache) and warm load
          (cache present), each in a fresh child process: `open_workspace` + the index ready.
- search: in-process latency of `PhraseIndex.search` per query kind, p50/p95 over --repeat runs
          after one warm-up call (the first call is reported too).
- cli:    whole-process `qr search QUERY --json` (warm cache, a copy history present as on an
          agent's machine: qr reads it to rank) beside `fzf --filter QUERY` over
          the same phrases (one line per phrase: /code, title, body) and beside the floor (a
          Python process that only maps the cache file and prints the lines holding the query),
          interleaved in the same run; medians of --runs of each child's CPU time (user + system,
          from wait4: what the machine's load does not inflate) and wall time, with peak RSS.
          fzf runs several threads, so its CPU time exceeds its wall time on an idle machine.
- lint:   whole-process `qr lint --json` with an empty cache folder (sizes up to 10k), wall and CPU,
          on the generated library and on a copy whose titles and bodies all differ.
- edit:   after one phrase is added to one group: `update_library` and the first `/code` query,
          beside sorting every code again (what the first query cost before the code order was
          updated incrementally).
- keys:   keystroke to frame in a pty, the launcher beside a bare Textual app, and the launcher's
          peak RSS after the keystrokes (bench/keyframe.py; --key-rounds rounds).
The load benchmark also checks that an upgrade keeps the cache: a child that reports another qr
version loads the library warm, without rewriting the cache file.
At the end, every figure that has a target (issue #19) is printed beside it, with the load average
at the start and at the end of the run.
Libraries come from bench/generate.py (deterministic). HOME and the XDG dirs point at a temp dir.
Timings are medians on a shared machine; compare the columns of one run, not runs with each other.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from generate import generate

QUERIES = {
    "exact code": ["/sh12", "/en12"],
    "code prefix": ["/wl", "/sh1"],
    "Chinese words": ["物流繁忙", "退款 进度", "收到"],  # 收到: in no title, a pass over the bodies
    "pinyin initials": ["wlfm", "tkjd"],
    "full pinyin": ["wuliufanmang", "tuikuan"],
    "English words": ["refund timeline", "shipping delay"],
    "English typo": ["refnd timelin", "damaged parcle", "shiping delay"],  # delay: in 10,000 bodies
    "buyer question": ["退款多久到账", "我的快递到哪了", "where is my refund"],
    "pasted message": ["你好，我前天买的东西物流三天都没有更新了，是不是丢件了？麻烦帮我查一下，谢谢", "亲 我收到货了但是盒子是破的 里面东西也摔坏了 怎么处理"],
    "mixed pinyin": ["tui货", "wl繁忙", "换huo"],
    "pinyin typo": ["wlfn", "tkjf"],
}
CLI_QUERIES = ["/sh12", "物流繁忙", "wlfm", "refund timeline", "refnd timelin"]


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def isolated_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["HOME"] = str(home)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = str(home / name.lower())
    env.pop("QR_LIBRARY", None)
    # Measure what an installed qr does: byte-code cached (this sandbox sets PYTHONDONTWRITEBYTECODE,
    # which would add the compile time of every module to every child), kept out of the tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home / "pycache")
    return env


SPAWNER = r"""
import json, os, sys, time
stdin = os.environ.get("QR_BENCH_STDIN")
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(os.open(stdin or os.devnull, os.O_RDONLY), 0)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss,
                  "code": os.waitstatus_to_exitcode(status)}))
"""


def _spawned(argv: list[str], env: dict[str, str], stdin: Path | None = None) -> tuple[float, int, float]:
    """(wall seconds, peak RSS KB, CPU seconds) of one process, timed by a small spawner from fork
    to exit (CPU: the child's user + system time, from wait4).

    Linux keeps a process's peak RSS across fork and exec, so a child of this (large) bench
    process would report the bench's own size: the spawner is ~10 MB, a floor for small children.
    """
    env = dict(env)
    if stdin is not None:
        env["QR_BENCH_STDIN"] = str(stdin)
    out = subprocess.run([sys.executable, "-c", SPAWNER, *argv], env=env, capture_output=True, check=True).stdout
    row = json.loads(out)
    if row["code"] not in (0, 1):  # fzf --filter exits 1 when nothing matches
        raise RuntimeError(f"{argv[:3]} exited {row['code']}")
    return row["wall"], row["rss_kb"], row["cpu"]


def _wait_child(argv: list[str], env: dict[str, str], stdin: bytes | None = None) -> tuple[float, int, bytes]:
    """Run a child and return (wall seconds, rusage peak RSS KB, stdout)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, env=env, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    out, err = process.communicate(stdin)
    wall = time.perf_counter() - start
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{argv[:3]} exited {process.returncode}: {err.decode(errors='replace')[-400:]}")
    return wall, 0, out


PEAK = r'''
def peak_kb():
    # VmHWM belongs to this process image; ru_maxrss would include the parent's size at fork
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
'''

LOAD_CHILD = PEAK + r"""
import json, resource, sys, time
def cpu():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime
start = time.perf_counter()
from qr.workspace import open_workspace
imported = time.perf_counter()
cpu_before = cpu()
workspace = open_workspace(sys.argv[1])
loaded = time.perf_counter()
index = workspace.index
ready = time.perf_counter()
cpu_after = cpu()
hits = index.search("wlfm", limit=20)
print(json.dumps({
    "import_ms": (imported - start) * 1000, "library_ms": (loaded - imported) * 1000,
    "index_ms": (ready - loaded) * 1000, "load_ms": (ready - imported) * 1000,
    "phrases": len(index), "pypinyin": "pypinyin" in sys.modules, "tomllib_used": "tomllib" in sys.modules,
    "rss_kb": peak_kb(), "hits": len(hits),
    "cpu_ms": (cpu_after[0] - cpu_before[0]) * 1000, "helper_cpu_ms": (cpu_after[1] - cpu_before[1]) * 1000,
}))
"""


UPGRADE_CHILD = r"""
import json, os, sys, time
import qr
qr.__version__ = "99.0.0"  # an upgrade: another version string, the same cache format
from qr.index.cache import cache_path
from qr.workspace import open_workspace
from pathlib import Path
path = cache_path(Path(sys.argv[1]).resolve())
before = os.stat(path)
start = time.perf_counter()
index = open_workspace(sys.argv[1]).index
index.search("wlfm", limit=20)
elapsed = time.perf_counter() - start
after = os.stat(path)
print(json.dumps({"load_ms": elapsed * 1000, "pypinyin": "pypinyin" in sys.modules,
                  "kept": (before.st_ino, before.st_mtime_ns, before.st_size) == (after.st_ino, after.st_mtime_ns, after.st_size)}))
"""


def bench_load(libraries: dict[int, Path], home: Path, runs: int) -> dict:
    env = isolated_env(home)
    cache = Path(env["XDG_CACHE_HOME"])
    results = {}
    for size, library in libraries.items():
        cold, warm = [], []
        for _ in range(runs):
            shutil.rmtree(cache, ignore_errors=True)
            _, _, out = _wait_child([sys.executable, "-c", LOAD_CHILD, str(library)], env)
            cold.append(json.loads(out))
            _, _, out = _wait_child([sys.executable, "-c", LOAD_CHILD, str(library)], env)
            warm.append(json.loads(out))
        cache_bytes = sum(path.stat().st_size for path in cache.rglob("*.qrindex"))
        upgrade = json.loads(_wait_child([sys.executable, "-c", UPGRADE_CHILD, str(library)], env)[2])
        results[size] = {
            "upgrade_kept": upgrade["kept"] and not upgrade["pypinyin"],
            "upgrade_ms": upgrade["load_ms"],
            "cold_ms": statistics.median(row["load_ms"] for row in cold),
            "cold_cpu_ms": statistics.median(row["cpu_ms"] for row in cold),
            "cold_helper_cpu_ms": statistics.median(row["helper_cpu_ms"] for row in cold),
            "cold_library_ms": statistics.median(row["library_ms"] for row in cold),
            "cold_index_ms": statistics.median(row["index_ms"] for row in cold),
            "warm_ms": statistics.median(row["load_ms"] for row in warm),
            "warm_library_ms": statistics.median(row["library_ms"] for row in warm),
            "warm_index_ms": statistics.median(row["index_ms"] for row in warm),
            "warm_imports_pypinyin": any(row["pypinyin"] for row in warm),
            "cold_rss_mb": max(row["rss_kb"] for row in cold) / 1024,
            "warm_rss_mb": max(row["rss_kb"] for row in warm) / 1024,
            "cache_mb": cache_bytes / 1e6,
            "runs": runs,
        }
    print("\n## load (ms; cold = no cache, warm = cache present; open_workspace + index ready)")
    print("cold CPU = the process's own CPU time + its forked helper's (on a busy machine wall time waits for a core)")
    print("after an upgrade = a warm load by a qr reporting another version: the cache file must be kept as it is")
    print(f"{'phrases':>8} {'cold':>8} {'(lib+idx)':>14} {'cold CPU':>14} {'warm':>8} {'(lib+idx)':>12} {'cache MB':>9} {'RSS cold/warm MB':>17} pypinyin@warm  after an upgrade")
    for size, row in results.items():
        print(
            f"{size:>8} {row['cold_ms']:>8.0f} {row['cold_library_ms']:>7.0f}+{row['cold_index_ms']:<6.0f}"
            f" {row['cold_cpu_ms']:>7.0f}+{row['cold_helper_cpu_ms']:<6.0f}"
            f" {row['warm_ms']:>8.1f} {row['warm_library_ms']:>6.1f}+{row['warm_index_ms']:<5.1f}"
            f" {row['cache_mb']:>9.1f} {row['cold_rss_mb']:>8.0f}/{row['warm_rss_mb']:<8.0f} {row['warm_imports_pypinyin']!s:<14}"
            f"{row['upgrade_ms']:.0f} ms, cache {'kept' if row['upgrade_kept'] else 'REBUILT'}"
        )
    return results


SEARCH_CHILD = PEAK + r"""
import json, resource, sys, time
from qr.workspace import open_workspace
queries = json.loads(sys.argv[2]); repeat = int(sys.argv[3])
index = open_workspace(sys.argv[1]).index
out = {}
for kind, items in queries.items():
    for query in items:
        start = time.perf_counter(); hits = index.search(query, limit=50); first = time.perf_counter() - start
        times, cpu = [], []
        for _ in range(repeat):
            # CPU time beside wall time: on a shared machine a wall p95 mostly measures the wait for a core
            cpu_start = time.process_time(); start = time.perf_counter(); index.search(query, limit=50)
            times.append(time.perf_counter() - start); cpu.append(time.process_time() - cpu_start)
        out[query] = {"kind": kind, "first_ms": first * 1000, "times_ms": [t * 1000 for t in times],
                      "cpu_ms": [t * 1000 for t in cpu],
                      "hits": len(hits), "top": hits[0].phrase.title if hits else None,
                      "where": hits[0].where if hits else None}
out["_rss_kb"] = peak_kb()
print(json.dumps(out, ensure_ascii=False))
"""


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[position]


def bench_search(libraries: dict[int, Path], home: Path, repeat: int) -> dict:
    env = isolated_env(home)
    results: dict = {}
    for size, library in libraries.items():
        _wait_child([sys.executable, "-c", LOAD_CHILD, str(library)], env)  # make sure the cache is warm
        _, _, out = _wait_child(
            [sys.executable, "-c", SEARCH_CHILD, str(library), json.dumps(QUERIES, ensure_ascii=False), str(repeat)], env
        )
        raw = json.loads(out)
        rss = raw.pop("_rss_kb")
        per_query = {
            query: {
                "kind": row["kind"],
                "p50_ms": _percentile(row["times_ms"], 0.5),
                "p95_ms": _percentile(row["times_ms"], 0.95),
                "first_ms": row["first_ms"],
                "hits": row["hits"],
                "top": row["top"],
                "where": row["where"],
            }
            for query, row in raw.items()
        }
        kinds = {}
        for kind in QUERIES:
            rows = [raw[query] for query in QUERIES[kind]]
            times = [t for row in rows for t in row["times_ms"]]
            cpu = [t for row in rows for t in row["cpu_ms"]]
            kinds[kind] = {
                "p50_ms": _percentile(times, 0.5),
                "p95_ms": _percentile(times, 0.95),
                "cpu_p50_ms": _percentile(cpu, 0.5),
                "cpu_p95_ms": _percentile(cpu, 0.95),
                "first_ms": max(row["first_ms"] for row in rows),
            }
        results[size] = {"queries": per_query, "kinds": kinds, "rss_mb": rss / 1024, "repeat": repeat}
    sizes = list(results)
    print(f"\n## search, in process (ms; wall p50 / p95 over {repeat} runs per query, 2-3 queries per kind;"
          " first call in brackets; CPU p95 after the bar)")
    print(f"{'query kind':<16}" + "".join(f"{size:>32}" for size in sizes))
    for kind in QUERIES:
        cells = []
        for size in sizes:
            row = results[size]["kinds"][kind]
            cells.append(f"{row['p50_ms']:.2f} / {row['p95_ms']:.2f} [{row['first_ms']:.1f}] | {row['cpu_p95_ms']:.2f}")
        print(f"{kind:<16}" + "".join(f"{cell:>32}" for cell in cells))
    print("top hits: " + "; ".join(f"{q} -> {r['top']} ({r['where']})" for q, r in results[sizes[-1]]["queries"].items()))
    return results


def fzf_binary() -> Path | None:
    from importlib.util import find_spec

    spec = find_spec("iterfzf")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for name in ("fzf", "fzf.exe"):
            candidate = Path(folder) / name
            if candidate.exists():
                return candidate
    return None


def phrase_lines(library: Path) -> bytes:
    from qr.store.load import load_library

    lines = []
    for _, phrase in load_library(library).library.phrases():
        body = " ".join(phrase.body.split())
        lines.append(f"/{phrase.code or ''}\t{phrase.title}\t{body}")
    return ("\n".join(lines) + "\n").encode("utf-8")


FLOOR = r"""
import mmap, sys
# the floor of a Python `qr search`: start the interpreter, map the cache file, find the query's
# bytes and print up to 20 lines around them; no qr module, no ranking
with open(sys.argv[1], "rb") as handle:
    data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
needle = sys.argv[2].encode()
out, position = [], data.find(needle)
while position != -1 and len(out) < 20:
    start, end = data.rfind(b"\n", 0, position) + 1, data.find(b"\n", position)
    out.append(data[start:end])
    position = data.find(needle, end)
sys.stdout.buffer.write(b"\n".join(out) + b"\n")
"""


def cache_file_of(library: Path, home: Path) -> Path | None:
    from qr.store.digest import sha1

    key = sha1(str(library.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return next(home.rglob(f"{key}.qrindex"), None)


def bench_cli(libraries: dict[int, Path], home: Path, runs: int) -> dict:
    env = isolated_env(home)
    fzf = fzf_binary()
    qr = Path(sys.executable).parent / "qr"
    qr_argv = [str(qr)] if qr.exists() else [sys.executable, "-m", "qr"]  # the console script, as users run it
    results: dict = {}
    for size, library in libraries.items():
        _wait_child([sys.executable, "-c", LOAD_CHILD, str(library)], env)  # warm cache
        # an agent's machine has a copy history, which every `qr search` then reads to rank
        _wait_child([*qr_argv, "--library", str(library), "copy", "sh12", "--print"], env)
        for query in CLI_QUERIES:  # and the relevance index a query may need, built once
            _wait_child([*qr_argv, "--library", str(library), "search", query, "--json"], env)
        lines = home / f"phrases{size}.txt"
        lines.parent.mkdir(parents=True, exist_ok=True)
        lines.write_bytes(phrase_lines(library))
        rows = {}
        cache = cache_file_of(library, home)
        for query in CLI_QUERIES:
            times: dict[str, list[tuple[float, float]]] = {"qr": [], "floor": [], "fzf": []}
            qr_rss, fzf_rss = [], []
            for _ in range(runs):  # interleaved, so all three see the same machine load
                wall, rss, cpu = _spawned([*qr_argv, "--library", str(library), "search", query, "--json"], env)
                times["qr"].append((cpu, wall))
                qr_rss.append(rss)
                if cache is not None:
                    wall, _, cpu = _spawned([sys.executable, "-c", FLOOR, str(cache), query.lstrip("/")], env)
                    times["floor"].append((cpu, wall))
                if fzf is not None:
                    wall, rss, cpu = _spawned([str(fzf), "--filter", query], env, stdin=lines)
                    times["fzf"].append((cpu, wall))
                    fzf_rss.append(rss)
            row: dict = {}
            for name, pairs in times.items():
                row[f"{name}_ms"] = statistics.median(cpu for cpu, _ in pairs) * 1000 if pairs else None
                row[f"{name}_wall_ms"] = statistics.median(wall for _, wall in pairs) * 1000 if pairs else None
            row["ratio"] = row["qr_ms"] / row["fzf_ms"] if row["fzf_ms"] else None
            row["wall_ratio"] = row["qr_wall_ms"] / row["fzf_wall_ms"] if row["fzf_wall_ms"] else None
            row["qr_rss_mb"] = max(qr_rss) / 1024
            row["fzf_rss_mb"] = max(fzf_rss) / 1024 if fzf_rss else None
            rows[query] = row
        ratios = [row["ratio"] for row in rows.values() if row["ratio"] is not None]
        above = [row["qr_ms"] - row["floor_ms"] for row in rows.values() if row["floor_ms"] is not None]
        results[size] = {
            "queries": rows,
            "qr_ms": statistics.median(row["qr_ms"] for row in rows.values()),
            "fzf_ms": statistics.median(row["fzf_ms"] for row in rows.values()) if fzf else None,
            "floor_ms": statistics.median(row["floor_ms"] for row in rows.values()) if cache else None,
            "ratio_median": statistics.median(ratios) if ratios else None,
            "ratio_max": max(ratios) if ratios else None,
            "above_floor_median_ms": statistics.median(above) if above else None,
            "above_floor_max_ms": max(above) if above else None,
            "runs": runs,
            "fzf": str(fzf) if fzf else None,
        }
    print(f"\n## whole process, warm cache: `qr search Q --json` vs `fzf --filter Q` (CPU ms, and wall ms; median of {runs}; peak RSS MB)")
    if fzf is None:
        print("(fzf not found: pip install -e '.[bench]' installs iterfzf, which ships it)")
    print("floor = a Python process that only maps the cache file, finds the query's bytes and prints 20 lines")
    print(
        f"{'phrases':>8} {'query':<16} {'qr':>6} {'floor':>6} {'fzf':>6} {'qr/fzf':>7} {'qr-floor':>8}"
        f" {'wall qr':>8} {'wall fzf':>8} {'wall q/f':>8} {'RSS qr':>7} {'RSS fzf':>8}"
    )

    def cell(value: float | None, width: int, digits: int = 0) -> str:
        return f"{value:>{width}.{digits}f}" if value is not None else f"{'-':>{width}}"

    for size, result in results.items():
        for query, row in result["queries"].items():
            above = row["qr_ms"] - row["floor_ms"] if row["floor_ms"] is not None else None
            print(
                f"{size:>8} {query:<16} {cell(row['qr_ms'], 6)} {cell(row['floor_ms'], 6)} {cell(row['fzf_ms'], 6)}"
                f" {cell(row['ratio'], 7, 2)} {cell(above, 8)} {cell(row['qr_wall_ms'], 8)} {cell(row['fzf_wall_ms'], 8)}"
                f" {cell(row['wall_ratio'], 8, 2)} {cell(row['qr_rss_mb'], 7)} {cell(row['fzf_rss_mb'], 8)}"
            )
    return results


def bench_lint(libraries: dict[int, Path], home: Path, runs: int) -> dict:
    """Whole-process `qr lint --json` with an empty cache folder (a first run), median of `runs`:
    on the generated library, whose texts repeat, and on a copy whose titles and bodies all differ
    (`bench/lint.py --distinct`: the honest case, as a shop's library has few repeats)."""
    from lint import make_distinct

    env = isolated_env(home)
    cache = Path(env["XDG_CACHE_HOME"])
    qr = Path(sys.executable).parent / "qr"
    qr_argv = [str(qr)] if qr.exists() else [sys.executable, "-m", "qr"]
    results = {}
    for size, library in libraries.items():
        distinct = library.with_name(library.name + "-distinct")
        if not (distinct / "_library.toml").exists():
            shutil.copytree(library, distinct, dirs_exist_ok=True)
            make_distinct(distinct)
        row: dict = {"runs": runs}
        for kind, folder in (("", library), ("distinct_", distinct)):
            walls, cpus = [], []
            for _ in range(runs):
                shutil.rmtree(cache, ignore_errors=True)
                wall, _, cpu = _spawned([*qr_argv, "--library", str(folder), "lint", "--json"], env)
                walls.append(wall)
                cpus.append(cpu)
            row[f"{kind}cold_ms"] = statistics.median(walls) * 1000
            row[f"{kind}cold_cpu_ms"] = statistics.median(cpus) * 1000
        results[size] = row
    print("\n## `qr lint --json` whole process, empty cache folder (ms, median; CPU includes its forked children)")
    print(f"{'phrases':>8} {'wall':>8} {'CPU':>8} {'all-different wall':>19} {'CPU':>8}")
    for size, row in results.items():
        print(f"{size:>8} {row['cold_ms']:>8.0f} {row['cold_cpu_ms']:>8.0f} {row['distinct_cold_ms']:>19.0f} {row['distinct_cold_cpu_ms']:>8.0f}")
    return results


EDIT_CHILD = r"""
import json, sys, time
from qr.record import replace
from qr.store.models import Phrase
from qr.workspace import open_workspace
workspace = open_workspace(sys.argv[1])
workspace.index.search("/sh1")
library = workspace.library
group = library.groups[len(library.groups) // 2]
new = replace(group, phrases=(*group.phrases, Phrase(title="新话术", body="x", code="sh1x")))
start = time.perf_counter()
workspace.update_library(library.replace_group(group.path, new))
updated = time.perf_counter()
workspace.index.search("/sh1")
done = time.perf_counter()
from qr.index.codes import CodeTable
index = workspace.index
codes = [code for g in range(len(index.parts)) for code in index.codes.values(g)]
sort_start = time.perf_counter()
CodeTable.build(codes)  # what the first /code query paid before: sorting every code again
full = time.perf_counter() - sort_start
print(json.dumps({"update_ms": (updated - start) * 1000, "first_code_query_ms": (done - updated) * 1000,
                  "full_sort_ms": full * 1000}))
"""


def bench_edit(libraries: dict[int, Path], home: Path, runs: int) -> dict:
    """After an edit (one phrase added to one group): the workspace's update and the first `/code`
    query (the code order is updated, not rebuilt), in a child with a warm cache."""
    env = isolated_env(home)
    results = {}
    for size, library in libraries.items():
        _wait_child([sys.executable, "-c", LOAD_CHILD, str(library)], env)  # warm cache
        rows = [json.loads(_wait_child([sys.executable, "-c", EDIT_CHILD, str(library)], env)[2]) for _ in range(runs)]
        results[size] = {key: statistics.median(row[key] for row in rows)
                         for key in ("update_ms", "first_code_query_ms", "full_sort_ms")}
    print("\n## after an edit: update_library, the first `/code` query, and sorting every code again (ms, median)")
    print(f"{'phrases':>8} {'update':>8} {'/code':>8} {'full sort':>10}")
    for size, row in results.items():
        print(f"{size:>8} {row['update_ms']:>8.1f} {row['first_code_query_ms']:>8.1f} {row['full_sort_ms']:>10.1f}")
    return results


def _upper(limit: float) -> Callable[[float], bool]:
    return lambda value: value <= limit


def _key_ratio(size: int, kind: str) -> Callable[[dict], float]:
    return lambda d: d["keys"]["apps"][f"qr {size // 1000}k"][kind]["ratio"]


def _key_cell(size: int, kind: str) -> Callable[[dict], str]:
    def cell(d: dict) -> str:
        row = d["keys"]["apps"][f"qr {size // 1000}k"][kind]
        bare = d["keys"]["apps"]["bare"][kind]
        return f"{row['median_ms']:.0f}/{row['p90_ms']:.0f} ms, bare {bare['median_ms']:.0f}/{bare['p90_ms']:.0f}"
    return cell


TARGETS: list[tuple[str, str, int, Callable[[dict], float], str, Callable[[float], bool], Callable[[dict], str] | None]] = [
    # (issue item, figure, size, read it from the document, target, met?, a note beside it)
    ("19.1", "cold load, wall", 10000, lambda d: d["load"][10000]["cold_ms"], "≤ 400 ms", _upper(400), None),
    ("19.1", "cold load, wall", 100000, lambda d: d["load"][100000]["cold_ms"], "≤ 2500 ms", _upper(2500), None),
    ("19.1", "cold load, CPU of the busier process", 10000,
     lambda d: max(d["load"][10000]["cold_cpu_ms"], d["load"][10000]["cold_helper_cpu_ms"]), "≤ 400 ms", _upper(400), None),
    ("19.1", "cold load, CPU of the busier process", 100000,
     lambda d: max(d["load"][100000]["cold_cpu_ms"], d["load"][100000]["cold_helper_cpu_ms"]), "≤ 2500 ms", _upper(2500), None),
]
for _size in (10000, 100000):
    TARGETS.append(("19.2", "after an upgrade: cache kept (1 = yes), warm", _size,
                    lambda d, size=_size: float(d["load"][size]["upgrade_kept"]), "kept", lambda value: value == 1,
                    lambda d, size=_size: f"{d['load'][size]['upgrade_ms']:.0f} ms"))
TARGETS += [
    ("19.3", "qr search / fzf --filter, CPU (median of queries)", 10000, lambda d: d["cli"][10000]["ratio_median"], "≤ 1.0",
     _upper(1.0), lambda d: f"qr {d['cli'][10000]['qr_ms']:.0f} ms, fzf {d['cli'][10000]['fzf_ms']:.0f} ms"),
    ("19.3", "qr search / fzf --filter, CPU (worst query)", 10000, lambda d: d["cli"][10000]["ratio_max"], "≤ 1.0",
     _upper(1.0), None),
    ("19.3", "qr search - floor, CPU ms (median of queries)", 10000, lambda d: d["cli"][10000]["above_floor_median_ms"],
     "≤ 10 ms", _upper(10), lambda d: f"floor {d['cli'][10000]['floor_ms']:.0f} ms"),
    ("19.3", "qr search - floor, CPU ms (worst query)", 10000, lambda d: d["cli"][10000]["above_floor_max_ms"],
     "≤ 10 ms", _upper(10), None),
    ("19.3", "qr search / fzf --filter, CPU (worst query)", 100000, lambda d: d["cli"][100000]["ratio_max"], "≤ 0.3",
     _upper(0.3), lambda d: f"qr {d['cli'][100000]['qr_ms']:.0f} ms, fzf {d['cli'][100000]['fzf_ms']:.0f} ms"),
    ("19.4", "first /code query after an edit, ms", 100000, lambda d: d["edit"][100000]["first_code_query_ms"],
     "no full sort", lambda value: True, lambda d: f"sorting every code: {d['edit'][100000]['full_sort_ms']:.0f} ms"),
    ("19.4", "qr lint, no cache, wall ms (texts all differ)", 10000, lambda d: d["lint"][10000]["distinct_cold_ms"], "≤ 600 ms",
     _upper(600), lambda d: f"CPU {d['lint'][10000]['distinct_cold_cpu_ms']:.0f} ms"),
    ("19.4", "qr lint, no cache, wall ms (generated library)", 10000, lambda d: d["lint"][10000]["cold_ms"], "≤ 600 ms",
     _upper(600), lambda d: f"CPU {d['lint'][10000]['cold_cpu_ms']:.0f} ms"),
    ("19.5", "launcher peak RSS after the keystrokes, MB", 100000, lambda d: d["keys"]["apps"]["qr 100k"]["rss_mb"],
     "≤ 150 MB", _upper(150), lambda d: f"{d['keys']['keys_sent']} keys"),
    ("19.5", "cache file MB", 100000, lambda d: d["load"][100000]["cache_mb"], "≤ 40 MB", _upper(40), None),
]
for _size in (10000, 100000):
    for _kind in ("code", "pinyin", "Chinese", "typo", "paste", "burst"):
        TARGETS.append(("19.6", f"key to frame, launcher / bare: {_kind}", _size, _key_ratio(_size, _kind), "≤ 1.1",
                        _upper(1.1), _key_cell(_size, _kind)))
TARGETS.append(("16", "search p95, ms (worst kind)", 100000,
                lambda d: max(row["p95_ms"] for row in d["search"][100000]["kinds"].values()), "≤ 16 ms", _upper(16), None))
TARGETS.append(("16", "search p95, CPU ms (worst kind)", 100000,
                lambda d: max(row["cpu_p95_ms"] for row in d["search"][100000]["kinds"].values()), "≤ 16 ms", _upper(16), None))


def print_targets(document: dict) -> None:
    print("\n## figures beside their targets (issue #19; search p95 from #16)")
    print(f"{'item':<5} {'figure':<46} {'size':>7} {'measured':>10} {'target':>12}  met  ")
    for item, name, size, read, target, met, note in TARGETS:
        try:
            value = read(document)
            beside = note(document) if note else ""
        except (KeyError, TypeError):
            continue  # not measured in this run (--only, --sizes)
        print(f"{item:<5} {name:<46} {size:>7} {value:>10.2f} {target:>12}  {'yes' if met(value) else 'NO ':<4} {beside}")
    start, end = document["machine"]["load_average"], os.getloadavg()
    print(f"load average at the start {start[0]:.1f} / {start[1]:.1f} / {start[2]:.1f}, "
          f"at the end {end[0]:.1f} / {end[1]:.1f} / {end[2]:.1f} (1 / 5 / 15 min); {document['machine']['nproc']} CPUs, "
          f"{document['machine']['cpu']}, Python {document['machine']['python']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--only", default="load,search,cli,lint,edit,keys",
                        help="comma-separated: load, search, cli, lint, edit, keys")
    parser.add_argument("--runs", type=int, default=5, help="child processes per figure (load, cli)")
    parser.add_argument("--repeat", type=int, default=40, help="search calls per query (search)")
    parser.add_argument("--work", metavar="DIR", help="keep generated libraries here (reused when present)")
    parser.add_argument("--key-rounds", type=int, default=3, help="rounds of keystrokes (keys): fresh processes each")
    parser.add_argument("--startup", action="store_true", help="also run bench/startup.py if present")
    parser.add_argument("--json", metavar="FILE", help="also write the JSON document here")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size]
    only = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="qr-bench-") as temp:
        work = Path(args.work) if args.work else Path(temp) / "libraries"
        libraries = {}
        for size in sizes:
            library = work / f"lib{size}"
            if not (library / "_library.toml").exists():
                generate(size, library)
            libraries[size] = library
        home = Path(temp) / "home"
        document: dict = {"machine": machine(), "sizes": sizes}
        print(f"# qr bench: {document['machine']}")
        if "load" in only:
            document["load"] = bench_load(libraries, home, args.runs)
        if "search" in only:
            document["search"] = bench_search(libraries, home, args.repeat)
        if "cli" in only:
            document["cli"] = bench_cli(libraries, home, args.runs)
        if "lint" in only:
            document["lint"] = bench_lint({size: lib for size, lib in libraries.items() if size <= 10000}, home, args.runs)
        if "edit" in only:
            document["edit"] = bench_edit(libraries, home, args.runs)
        if "keys" in only:
            from keyframe import bench_keyframe

            document["keys"] = bench_keyframe(
                [size for size in sizes if size >= 10000] or sizes, args.key_rounds, 300, 0.06, {"now": ROOT},
                Path(temp) / "keys", libraries,
            )
        startup = BENCH / "startup.py"
        if args.startup and startup.exists():
            out = subprocess.run(
                [sys.executable, str(startup), "--sizes", ",".join(str(s) for s in sizes if s <= 10000)],
                capture_output=True, text=True,
            )
            print(out.stdout)
            try:
                document["startup"] = json.loads(out.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                document["startup"] = {"error": out.stderr[-400:]}
    print_targets(document)
    print(json.dumps(document, ensure_ascii=False, default=str))
    if args.json:
        Path(args.json).write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
