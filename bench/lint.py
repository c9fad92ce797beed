"""How long lint takes on generated libraries: `qr lint` end to end, and its parts.

    python bench/lint.py [--distinct] [SIZE ...]          # default: 1000 10000

For each size: the whole `qr lint --json` command in a fresh process (start-up, load and lint), once
cold (the cache folder emptied before each run: no index cache, no rules tables) and once with the
caches the previous run left, as in daily use; `load_library` alone,
`lint()` alone (word rules compiled, as on a first run), `lint()` again (compiled rules cached), and
`lint_phrase` on one phrase, as the editor calls it on every keystroke. The
generated library gets the real 194-term ad-law list as `[rules] files` when it is available, and a
few phrases with terms to find, so the matching path is exercised too. Prints a table, then JSON.

`--distinct`: every title and body of the library differs from every other (the generated library
repeats them a lot, which lint's per-run cache of a text's matches rewards far more than a shop's
library would): each gets a serial written in Chinese numerals (letters in English), so it adds no numbers to flag.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import generate

from qr.store import word_rules as word_rules_module
from qr.store.lint import lint, lint_phrase
from qr.store.load import load_library

WORDS = HERE.parent.parent / "shared" / "testdata" / "forbidden" / "es3344520_advertising-limit-words_违禁词.txt"
FLAGGED = '''name = "待整改"
category = "售前"
order = 999

[[phrases]]
code = "bad1"
title = "极限词示例"
body = "本店最佳选择，全网最低价，第一品牌，国家级品质。"

[[phrases]]
code = "bad2"
title = "承诺示例"
body = "我保证明天必到，联系电话13812345678。"
'''


def serial(number: int, digits: str) -> str:
    """`number` written with `digits` (Chinese numerals or letters: no numbers the privacy rule would flag)."""
    return "".join(digits[int(digit)] for digit in str(number))


def make_distinct(root: Path) -> None:
    """Make every title and body of the generated library different, deterministically."""
    import tomllib

    import tomli_w

    number = 0
    for path in sorted(root.rglob("*.toml")):
        if path.name.startswith("_"):
            continue
        group = tomllib.loads(path.read_text(encoding="utf-8"))
        for phrase in group.get("phrases", []):
            number += 1
            if phrase.get("lang") == "en":
                mark = serial(number, "abcdefghij")
                phrase["title"] += f" {mark}"
                phrase["body"] += f" Ref {mark}."
            else:
                mark = serial(number, "零一二三四五六七八九")
                phrase["title"] += f"（{mark}号）"
                phrase["body"] += f"备注编号{mark}。"
        path.write_text(tomli_w.dumps(group, multiline_strings=True), encoding="utf-8")


def make_library(size: int, root: Path, *, distinct: bool = False) -> Path:
    generate(size, root)
    if distinct:
        make_distinct(root)
    (root / "zz_flagged.toml").write_text(FLAGGED, encoding="utf-8")
    if WORDS.is_file():
        shutil.copyfile(WORDS, root / "words.txt")
        with (root / "_library.toml").open("a", encoding="utf-8") as settings:
            settings.write('\n[rules]\nfiles = ["words.txt"]\n')
    return root


def timed(function, repeat: int, *, children: bool = False) -> tuple[float, float, object]:
    """Median wall-clock and CPU seconds of `function` (CPU time is steadier on a shared machine);
    `children`: the CPU of the child processes it waited for is counted too."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        start, cpu, child = time.perf_counter(), time.process_time(), _children_cpu()
        result = function()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu + (_children_cpu() - child if children else 0))
    return statistics.median(walls), statistics.median(cpus), result


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_seconds(root: Path, repeat: int, cache: Path, cold: bool) -> tuple[float, float, int]:
    """Median wall-clock and CPU (user + system) seconds of `qr lint --json` in a fresh process.

    `cold`: the cache folder is emptied before each run (no index cache, no rules tables: a first run,
    or the first after an upgrade); else it is left as the previous run made it.
    """
    env = dict(os.environ, QR_LIBRARY=str(root), XDG_CACHE_HOME=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: the bytecode is cached
    command = [sys.executable, "-m", "qr", "--library", str(root), "lint", "--json"]
    subprocess.run(command, capture_output=True, env=env, check=False)  # writes .pyc files (and caches)
    walls, cpus, findings = [], [], 0
    for _ in range(repeat):
        if cold:
            shutil.rmtree(cache, ignore_errors=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, env=env, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        findings = len(json.loads(done.stdout))
    return statistics.median(walls), statistics.median(cpus), findings


def measure(size: int, repeat: int = 5, *, distinct: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        root = make_library(size, Path(folder) / f"lib{size}", distinct=distinct)
        cold, cold_cpu, _ = cli_seconds(root, repeat, Path(folder) / "cache", cold=True)
        cli, cli_cpu, cli_findings = cli_seconds(root, repeat, Path(folder) / "cache", cold=False)
        load, load_cpu, result = timed(lambda: load_library(root), repeat)
        library = result.library

        def first() -> list:
            word_rules_module._CACHE.clear()
            return lint(library, result.problems)

        lint_cold, lint_cold_cpu, findings = timed(first, repeat)
        lint_warm, lint_warm_cpu, _ = timed(lambda: lint(library, result.problems), repeat)
        # as `qr lint` runs it: on both cores (CPU: this process and the children it waited for)
        lint_two, lint_two_cpu, two_findings = timed(lambda: lint(library, result.problems, processes=2), repeat, children=True)
        assert two_findings == findings
        group, phrase = next(library.phrases())
        one, _, _ = timed(lambda: lint_phrase(library, group, phrase), 200)
        by_rule: dict[str, int] = {}
        for finding in findings:
            by_rule[finding.rule] = by_rule.get(finding.rule, 0) + 1
        texts = [text for _, phrase in library.phrases() for text in (phrase.title, phrase.body)]
        return {
            "phrases": sum(len(g.phrases) for g in library.groups),
            "texts": len(texts),
            "different_texts": len(set(texts)),
            "cold_cli_lint_s": round(cold, 3),
            "cold_cli_lint_cpu_s": round(cold_cpu, 3),
            "cli_lint_s": round(cli, 3),
            "cli_lint_cpu_s": round(cli_cpu, 3),
            "load_s": round(load, 3),
            "load_cpu_s": round(load_cpu, 3),
            "lint_first_s": round(lint_cold, 3),
            "lint_first_cpu_s": round(lint_cold_cpu, 3),
            "lint_cached_s": round(lint_warm, 3),
            "lint_cached_cpu_s": round(lint_warm_cpu, 3),
            "lint_two_processes_s": round(lint_two, 3),
            "lint_two_processes_cpu_s": round(lint_two_cpu, 3),
            "lint_phrase_ms": round(one * 1000, 3),
            "findings": len(findings),
            "cli_findings": cli_findings,
            "by_rule": by_rule,
            "words_file": WORDS.is_file(),
        }


def main(argv: list[str]) -> None:
    distinct = "--distinct" in argv
    sizes = [int(arg) for arg in argv if arg != "--distinct"] or [1000, 10000]
    rows = [measure(size, distinct=distinct) for size in sizes]
    header = (
        f"{'phrases':>8} {'texts':>6} {'differ':>6} {'cold wall':>10} {'cold cpu':>9} {'qr lint wall':>13} {'qr lint cpu':>12} "
        f"{'load_library':>13} {'lint() 1st':>11} {'lint() again':>13} {'2 processes':>12} {'lint_phrase':>12} {'findings':>9}"
    )
    print(header)
    for row in rows:
        print(
            f"{row['phrases']:>8} {row['texts']:>6} {row['different_texts']:>6} {row['cold_cli_lint_s']:>8.3f} s {row['cold_cli_lint_cpu_s']:>7.3f} s "
            f"{row['cli_lint_s']:>11.3f} s {row['cli_lint_cpu_s']:>10.3f} s {row['load_s']:>11.3f} s "
            f"{row['lint_first_s']:>9.3f} s {row['lint_cached_s']:>11.3f} s {row['lint_two_processes_s']:>10.3f} s "
            f"{row['lint_phrase_ms']:>9.3f} ms {row['findings']:>9}"
        )
    print("(medians of 5; `cold`: `qr lint --json` in a fresh process with an empty cache folder, wall and")
    print(" user + system CPU (its children included), target <= 0.6 s at 10,000 phrases (#19.4); `qr lint`:")
    print(" with the caches the previous run left; the other columns are wall clock in this process, `lint()`")
    print(" in one process, `2 processes` as `qr lint` runs it on two cores)")
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        load_average = float(loadavg.read().split()[0])
    report = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "load_average": load_average,
              "distinct": distinct, "results": rows}
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
