"""How long `qr check` takes on a 2,000-character draft: its own work, not Python's start-up.

    python bench/check.py [--real-list] [--runs N]

The draft is a generated 2,000-character service reply with a few findings in it. Figures, all CPU
time (steadier than wall time on a shared machine):

- first call: in N fresh processes (default 12), the rule modules imported, the CPU time of loading
  the rules (`compile_rules`) and checking the draft, median and range.
- cold: `qr --library LIB check DRAFT` in N fresh processes. The check's own work is timed inside
  each process, from after `import qr.cli` (the CLI frame every command shares) to the end of the
  command: its imports, reading the config and `_library.toml`, loading the rules, the check and
  the printed findings. Once with the rules' tables in the cache folder (every
  run after the first) and once with an empty cache folder (the first run after an install, an
  upgrade or an edit of the word lists).
- whole process: user + system CPU of the same command, beside `python -c pass` (the interpreter
  start-up) and `qr --version` (interpreter plus the CLI frame), interleaved in one run.
- in-process: the first `check_text` with the rules built from the lists (no disk cache), and the
  median and p95 of 200 warm calls (what the draft-check box costs per keystroke).

With --real-list the library also loads the 194-term ad-law list of ../shared/testdata as
`[rules] files`. Prints a table, then JSON. The target (issue #15) is under 50 ms for the cold check.
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
sys.path.insert(0, str(HERE.parent))

REAL_LIST = HERE.parent.parent / "shared" / "testdata" / "forbidden" / "es3344520_advertising-limit-words_违禁词.txt"
SENTENCES = [
    "亲，您好，这边帮您查一下物流信息，请稍等。",
    "最近物流繁忙，发货会稍慢一点，给您带来不便非常抱歉。",
    "这款最大码是XXL，建议您对照详情页的尺码表选择。",
    "冷藏后口感最佳，最佳食用期是开封后三天内。",
    "如果收到有任何问题，请随时在这里联系我们，我们会第一时间处理。",
    "满意的话给个好评哦，谢谢亲的支持！",
    "Thanks for your order, it should arrive in two to three days.",
]
FINDINGS = ["加我微信", "好评返现", "全网最低价", "保证明天到"]
TARGET_MS = 50.0

# Runs in each fresh process: times the command's own work (after the shared CLI frame is imported).
CHILD = """
import sys, time
started = time.process_time()
from qr.cli import main
framed = time.process_time()
try:
    code = main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
done = time.process_time()
sys.stderr.write("QR-BENCH %f %f %s\\n" % ((framed - started) * 1000, (done - framed) * 1000, code))
"""


# The first call alone in a fresh process, its modules imported: load the rules (from the cache
# folder when it holds them) and check the draft.
FIRST_CALL = """
import sys, time
from pathlib import Path
from qr.store.models import RuleConfig
from qr.store.text_check import check_text
from qr.store.word_rules import compile_rules
started = time.process_time()
rules = compile_rules(RuleConfig(files=tuple(sys.argv[3:])), Path(sys.argv[1]))
found = check_text(sys.argv[2], rules)
sys.stderr.write("QR-BENCH 0 %f %d\\n" % ((time.process_time() - started) * 1000, len(found) and 1))
"""


def draft(length: int = 2000) -> str:
    parts: list[str] = []
    index = 0
    while sum(map(len, parts)) < length:
        parts.append(SENTENCES[index % len(SENTENCES)])
        if index % 9 == 4:
            parts.append(FINDINGS[(index // 9) % len(FINDINGS)] + "。")
        index += 1
    return "".join(parts)[:length]


def make_library(folder: Path, real: bool) -> Path:
    root = folder / "library"
    root.mkdir()
    settings = 'name = "bench"\n'
    if real:
        shutil.copyfile(REAL_LIST, root / "words.txt")
        settings += '\n[rules]\nfiles = ["words.txt"]\n'
    (root / "_library.toml").write_text(settings, encoding="utf-8")
    return root


def child_cpu_ms(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """User + system CPU ms of one child process, and its stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000, done.stderr


def own_work(stderr: str) -> tuple[float, float]:
    line = next(line for line in stderr.splitlines() if line.startswith("QR-BENCH "))
    _, frame, work, code = line.split()
    if code not in ("0", "1"):
        raise SystemExit(f"qr check failed (exit {code}): {stderr}")
    return float(frame), float(work)


def spread(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 1), "min": round(min(values), 1), "max": round(max(values), 1)}


def cold(root: Path, text: str, cache: Path, runs: int) -> dict:
    """Fresh `qr check` processes, with the rules' tables cached and without; whole-process CPU beside
    `python -c pass` and `qr --version`, interleaved."""
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), XDG_CONFIG_HOME=str(cache.parent / "config"), QR_LIBRARY=str(root))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: the bytecode is cached
    check = [sys.executable, "-c", CHILD, "--library", str(root), "check", text]
    subprocess.run(check, capture_output=True, env=env, check=False)  # writes .pyc files and the rules cache
    first = [sys.executable, "-c", FIRST_CALL, str(root), text, *(["words.txt"] if (root / "words.txt").is_file() else [])]
    figures: dict[str, list[float]] = {key: [] for key in ("first", "cached", "uncached", "frame", "process", "python", "version")}
    for _ in range(runs):
        figures["first"].append(own_work(child_cpu_ms(first, env)[1])[1])
        cpu, stderr = child_cpu_ms(check, env)
        frame, work = own_work(stderr)
        figures["cached"].append(work)
        figures["frame"].append(frame)
        figures["process"].append(cpu)
        shutil.rmtree(cache / "qr" / "rules", ignore_errors=True)
        figures["uncached"].append(own_work(child_cpu_ms(check, env)[1])[1])
        figures["python"].append(child_cpu_ms([sys.executable, "-c", "pass"], env)[0])
        figures["version"].append(child_cpu_ms([sys.executable, "-m", "qr", "--version"], env)[0])
    return {key: spread(values) for key, values in figures.items()}


def in_process(root: Path, text: str, real: bool) -> dict:
    from qr.store.models import RuleConfig
    from qr.store.text_check import check_text
    from qr.store.word_rules import compile_rules

    started = time.process_time()
    rules = compile_rules(RuleConfig(files=("words.txt",) if real else ()), root, disk_cache=False)
    found = check_text(text, rules)
    first = time.process_time() - started
    times = []
    for _ in range(200):
        started = time.perf_counter()
        check_text(text, rules)
        times.append(time.perf_counter() - started)
    return {
        "findings": len(found),
        "first_call_ms": round(first * 1000, 2),
        "warm_median_ms": round(statistics.median(times) * 1000, 3),
        "warm_p95_ms": round(sorted(times)[int(len(times) * 0.95)] * 1000, 3),
    }


def main(argv: list[str]) -> None:
    real = "--real-list" in argv and REAL_LIST.is_file()
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 12
    text = draft()
    with tempfile.TemporaryDirectory() as folder:
        root = make_library(Path(folder), real)
        processes = cold(root, text, Path(folder) / "cache", runs)
        inside = in_process(root, text, real)
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        load_average = float(loadavg.read().split()[0])
    result = {"characters": len(text), "real_list": real, "runs": runs, "load_average": load_average,
              "cold_ms": processes, **inside, "target_ms": TARGET_MS}

    def row(label: str, figure: dict[str, float], note: str = "") -> None:
        print(f"  {label:<44} {figure['median']:>7.1f} ms  ({figure['min']:.1f}-{figure['max']:.1f}){note}")

    print(f"qr check, {len(text)}-character draft, {inside['findings']} findings, real list: {real}, "
          f"{runs} fresh processes, load average {load_average} (CPU ms, median (range))")
    met = "met" if processes["cached"]["median"] < TARGET_MS else "NOT met"
    row("first call: load the rules, check the draft", processes["first"])
    row("check's own work, rules cache present", processes["cached"], f"   target < {TARGET_MS:.0f} ms: {met}")
    row("check's own work, empty cache folder", processes["uncached"])
    row("CLI frame (import qr.cli)", processes["frame"])
    row("whole `qr check` process", processes["process"])
    row("`qr --version` process", processes["version"])
    row("`python -c pass` process", processes["python"])
    print(f"  in one process: first call (rules built from the lists) {inside['first_call_ms']:.1f} ms; "
          f"warm median {inside['warm_median_ms']:.2f} ms, p95 {inside['warm_p95_ms']:.2f} ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
