"""Launcher cold start to the first frame with hits, beside a bare Textual app, in a real pty.

    python bench/startup.py [--runs 5] [--sizes 1000,10000] [--keys] [--json out.json] [--no-load]

First (unless `--no-load`) the library loads of bench/coldload.py: first run, cold and warm load
CPU and wall in fresh processes and the cache file's size, each beside its #19 target.

Each run spawns a fresh process in a pseudo-terminal (100x30, TERM=xterm-256color) and reads its
output until the text of the first hit appears on screen: the launcher's first phrase title (as the
empty query lists it), or the bare app's first option. That is the moment a user could press Enter.
The bare app (Input + OptionList of 50) is measured in the same run, interleaved with the launcher
runs, because start-up times swing between batches on a shared machine.

"cold" runs use a fresh, empty cache dir (no index cache); "warm" runs keep one cache dir across
runs (the index cache of the first). HOME and the XDG dirs are temporary. Besides the wall time,
the child's CPU time (from wait4) is printed: on a busy machine it moves far less than wall time.

`--keys`: keystroke to frame for the launcher (warm) beside a bare app that redraws a 50-option
list on every key, and the launcher's peak RSS after the keystrokes: bench/keyframe.py, whose
figures are printed beside their targets (`--key-rounds`, default 3).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

ROOT = Path(__file__).resolve().parent.parent
BARE_APP = '''
from textual.app import App
from textual.widgets import Input, OptionList

class Bare(App):
    def compose(self):
        yield Input(placeholder="type")
        yield OptionList(*[f"bare option {n}" for n in range(1, 51)])

Bare().run()
'''
TIMEOUT = 60.0

def first_frame(command: list[str], marker: str, env: dict[str, str], size=(100, 30)) -> tuple[float, float]:
    """Seconds from spawn until `marker` has been written to the terminal, and the CPU seconds the
    process used in all (user + system, shutdown included: a figure the machine's load barely moves)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    wanted = marker.encode("utf-8")
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True
    )
    os.close(slave)
    seen = b""
    elapsed = None
    try:
        while time.perf_counter() - start < TIMEOUT:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            seen += chunk
            if wanted in seen:
                elapsed = time.perf_counter() - start
                break
    finally:
        try:
            os.write(master, b"\x11")  # ctrl+q
        except OSError:
            pass
        cpu = _reap(process)
        # drain so the child is never blocked writing its exit sequences
        try:
            while select.select([master], [], [], 0.05)[0] and os.read(master, 65536):
                pass
        except OSError:
            pass
        os.close(master)
    if elapsed is None:
        tail = seen[-600:].decode("utf-8", "replace")
        raise RuntimeError(f"{' '.join(command)}: {marker!r} never appeared; last output: {tail!r}")
    return elapsed, cpu


def _reap(process: subprocess.Popen, timeout: float = 5.0) -> float:
    """Wait for the child (killing it after `timeout`) and return its CPU seconds."""
    deadline = time.perf_counter() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage.ru_utime + usage.ru_stime
        if time.perf_counter() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            deadline = float("inf")
        time.sleep(0.02)


def base_env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("QR_", "XDG_", "TEXTUAL"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        TERM="xterm-256color",
        LANG="en_US.UTF-8",
        COLUMNS="100",
        LINES="30",
    )
    env.pop("DISPLAY", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: the bytecode is cached (a sandbox may set it)
    return env


def first_title(root: Path) -> str:
    """What the launcher shows first for the empty query."""
    from qr.workspace import open_workspace

    hits = open_workspace(root).index.search("", limit=1)
    return hits[0].phrase.title


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--json", metavar="FILE", help="also write the JSON document here")
    parser.add_argument("--keys", action="store_true", help="also keystroke to frame and peak RSS (bench/keyframe.py)")
    parser.add_argument("--key-rounds", type=int, default=3, help="rounds of keystrokes with --keys")
    parser.add_argument("--no-load", action="store_true", help="skip the library loads (bench/coldload.py)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if not args.no_load:
        import coldload

        work = Path(tempfile.mkdtemp(prefix="qr-coldload-"))
        coldload.print_loads(coldload.bench_loads({size: generate(size, work / f"lib{size}") for size in sizes}, work, 3), 3)
        shutil.rmtree(work, ignore_errors=True)

    work = Path(tempfile.mkdtemp(prefix="qr-startup-"))
    bare_script = work / "bare.py"
    bare_script.write_text(BARE_APP, encoding="utf-8")
    libraries = {size: generate(size, work / f"lib{size}") for size in sizes}
    os.environ.update(base_env(work / "bench-home"))  # finding the markers must not touch the user's dirs
    markers = {size: first_title(root) for size, root in libraries.items()}
    warm_home = work / "warm-home"

    names = ["bare textual app"] + [f"qr launcher {size} {kind}" for size in sizes for kind in ("cold", "warm")]
    samples: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}

    def measure(name: str, command: list[str], marker: str, env: dict[str, str]) -> None:
        elapsed, used = first_frame(command, marker, env)
        samples[name].append(elapsed)
        cpu[name].append(used)

    for run in range(args.runs):
        measure("bare textual app", [sys.executable, str(bare_script)], "bare option 1", base_env(work / f"home{run}"))
        for size in sizes:
            command = [sys.executable, "-m", "qr", "--library", str(libraries[size])]
            measure(f"qr launcher {size} cold", command, markers[size], base_env(work / f"cold{size}-{run}"))
            measure(f"qr launcher {size} warm", command, markers[size], base_env(warm_home))

    bare = statistics.median(samples["bare textual app"])
    bare_cpu = statistics.median(cpu["bare textual app"])
    rows = []
    for name in names:
        values = samples[name]
        median = statistics.median(values)
        median_cpu = statistics.median(cpu[name])
        rows.append(
            {
                "what": name,
                "runs": len(values),
                "median_ms": round(median * 1000, 1),
                "min_ms": round(min(values) * 1000, 1),
                "max_ms": round(max(values) * 1000, 1),
                "x_bare": round(median / bare, 2),
                "cpu_ms": round(median_cpu * 1000, 1),
                "cpu_x_bare": round(median_cpu / bare_cpu, 2),
            }
        )
    load = os.getloadavg()[0]
    print(
        f"first frame with hits, {args.runs} runs each, 100x30 pty, python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, load average {load:.1f}"
    )
    print(f"{'what':<28}{'median ms':>10}{'min':>8}{'max':>8}{'x bare':>8}{'cpu ms':>9}{'cpu x':>7}")
    for row in rows:
        print(
            f"{row['what']:<28}{row['median_ms']:>10}{row['min_ms']:>8}{row['max_ms']:>8}{row['x_bare']:>8}"
            f"{row['cpu_ms']:>9}{row['cpu_x_bare']:>7}"
        )
    print("target: the launcher's first frame at 10k, warm, ≤ 1.5× the bare app's")
    document = {"benchmark": "launcher_first_frame", "terminal": "100x30", "load_average": round(load, 2), "rows": rows}
    if args.keys:
        from keyframe import bench_keyframe

        document["keys"] = bench_keyframe(sizes, args.key_rounds, 300, 0.06, {"now": ROOT}, work / "keys", libraries)
    print(json.dumps(document, ensure_ascii=False))
    if args.json:
        Path(args.json).write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
