"""Keystroke to frame: key -> screen in a pty, the launcher beside a bare Textual app (issue #19.6).

    python bench/keyframe.py [--sizes 10000,100000] [--rounds 3] [--keys 200] [--json out.json]
    python bench/keyframe.py --tree before=/path/to/old/checkout   # before/after in one run

Every app runs in its own pseudo-terminal (100x30, xterm-256color): a bare Textual app (an Input
and an OptionList of 50 options that it clears and refills on every keystroke: the floor any
launcher pays) and the launcher (`python -m qr --library LIB`, warm index cache and relevance
file) per library size, and per source tree with --tree. All apps of a round run at once and every
keystroke goes to each of them in turn, in an order that rotates, so they share the machine's load
keystroke by keystroke. --rounds starts fresh processes and repeats; the figures are the medians
and p90 of all rounds' samples, the ratio is the launcher's median over the bare app's median of
the same kind, and each round's ratio is printed too, with the load average before and after.

A keystroke is timed from the write to the app's last output before --quiet-ms of silence (the
silence itself is not counted), so a second frame (the preview after the list) is included. The
CPU time the app used meanwhile (from /proc, 10 ms ticks, summed over the kind) is printed as
well: on a shared machine it moves much less than wall time.

Kinds: `code` (/sh12), `pinyin` (wlfm), `Chinese` (物流繁忙), `typo` (refnd timelin), each typed a
character at a time; `paste`, a 40-character buyer message pasted as a terminal pastes into an app
that turned bracketed paste on (one Paste event); `burst`, the same message written at once without
the paste brackets (40 key events at once: a terminal without bracketed paste, a scanner). One
cycle of every kind is typed first and not counted (imports, first decode of the groups touched).
After the keystrokes, each process's peak RSS (VmHWM) is read: the launcher at 100k after 200
keystrokes has a target of 150 MB.
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
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from generate import generate
from startup import base_env as startup_env

TYPING_APP = '''
from textual.app import App
from textual.widgets import Input, OptionList

class Typing(App):
    """A bare app that redraws a 50-option list on every keystroke (the launcher's floor)."""

    def compose(self):
        yield Input(placeholder="type")
        yield OptionList(*[f"bare option {n}" for n in range(1, 51)])

    def on_input_changed(self, event):
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([f"{event.value} option {n}" for n in range(1, 51)])

Typing().run()
'''
TYPED = {
    "code": "/sh12",
    "pinyin": "wlfm",
    "Chinese": "物流繁忙",
    "typo": "refnd timelin",
}
MESSAGE = "你好，我前天买的东西物流三天都没有更新了，是不是丢件了？麻烦帮我查一下谢谢亲亲！"  # 40 characters
KINDS = [*TYPED, "paste", "burst"]
TARGET_RATIO = 1.1
TARGET_RSS_MB = 150
CLEAR = b"\x15"  # ctrl+u: the query is emptied
PASTE_START, PASTE_END = b"\x1b[200~", b"\x1b[201~"
START_TIMEOUT = 90.0

PREPARE = r"""
import json, sys
import qr
from qr.index.sentences import prepare_relevance
from qr.workspace import open_workspace
index = open_workspace(sys.argv[1]).index
prepare_relevance(index)  # the relevance file beside the cache: the launcher loads it, never builds it
hits = index.search("", limit=1)
print(json.dumps({"marker": hits[0].phrase.title, "qr": qr.__file__}, ensure_ascii=False))
"""


def base_env(home: Path) -> dict[str, str]:
    """bench/startup.py's environment without PYTHONPATH (each tree sets its own: `--tree`), and
    with the bytecode kept in the home, out of the trees."""
    env = {key: value for key, value in startup_env(home).items() if key != "PYTHONPATH"}
    env["PYTHONPYCACHEPREFIX"] = str(home / "pycache")
    return env


@dataclass
class App:
    """One app under test in its own pty."""

    name: str
    command: list[str]
    env: dict[str, str]
    marker: str
    process: subprocess.Popen | None = None
    master: int = -1
    times: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    cpu: dict[str, float] = field(default_factory=lambda: {kind: 0.0 for kind in KINDS})
    waited: dict[str, float] = field(default_factory=lambda: {kind: 0.0 for kind in KINDS})
    rss_mb: float = 0.0

    def start(self) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.process = subprocess.Popen(  # cwd: not a source tree, which `python -m` would import from
            self.command, stdin=slave, stdout=slave, stderr=slave, env=self.env, start_new_session=True, close_fds=True,
            cwd=self.env["HOME"],
        )
        os.close(slave)
        self.master = master

    def wait_ready(self) -> None:
        """Until the first frame (the marker) is on screen and the process has gone idle (a
        launcher loads its relevance file in a thread after the first frame)."""
        seen, start = b"", time.perf_counter()
        wanted = self.marker.encode()
        while wanted not in seen:
            if time.perf_counter() - start > START_TIMEOUT or self.process.poll() is not None:
                tail = seen[-400:].decode("utf-8", "replace")
                raise RuntimeError(f"{self.name}: {self.marker!r} never appeared; last output {tail!r}")
            if select.select([self.master], [], [], 0.5)[0]:
                seen += os.read(self.master, 65536)
        idle_since, before = time.perf_counter(), self.cpu_seconds()
        while time.perf_counter() - idle_since < 0.6 and time.perf_counter() - start < START_TIMEOUT:
            self.drain(0.1)
            now = self.cpu_seconds()
            if now - before > 0.005:
                idle_since, before = time.perf_counter(), now

    def sched(self) -> tuple[int, int, bool]:
        """(ns run on a CPU, ns waited for one, whether a thread is runnable or in a disk wait now)
        over the app's threads, from /proc/PID/task/*/schedstat and stat."""
        run = wait = 0
        runnable = False
        try:
            tasks = os.listdir(f"/proc/{self.process.pid}/task")
        except OSError:
            return 0, 0, False
        for task in tasks:
            try:
                with open(f"/proc/{self.process.pid}/task/{task}/schedstat", "rb") as handle:
                    ran, waited, _ = handle.read().split()
                with open(f"/proc/{self.process.pid}/task/{task}/stat", "rb") as handle:
                    state = handle.read().rsplit(b")", 1)[1].split(None, 1)[0]
            except (OSError, ValueError):
                continue
            run += int(ran)
            wait += int(waited)
            runnable = runnable or state in (b"R", b"D")  # running, waiting for a CPU, or for the disk
        return run, wait, runnable

    def cpu_seconds(self) -> float:
        return self.sched()[0] / 1e9

    def drain(self, wait: float = 0.0) -> None:
        """Read whatever the app wrote while it was not being timed (a cursor blink)."""
        while select.select([self.master], [], [], wait)[0]:
            try:
                if not os.read(self.master, 65536):
                    return
            except OSError:
                return
            wait = 0.0

    def send(self, data: bytes, quiet: float) -> tuple[float | None, float, float]:
        """Write `data`; (seconds to its last output, CPU seconds the app ran meanwhile, seconds it
        waited for a CPU). The last output is the one followed by `quiet` of silence during which
        the app neither ran nor waited to run: on a loaded machine an app that has not been given a
        core yet is not taken for done. None when nothing came within 5 s."""
        self.drain()
        run0, wait0, _ = self.sched()
        sent = time.perf_counter()
        os.write(self.master, data)
        last_output = None
        busy = sent  # the last moment the app wrote, ran or waited to run
        ran = run0
        while True:
            ready = select.select([self.master], [], [], 0.005)[0]
            now = time.perf_counter()
            if ready:
                try:
                    if not os.read(self.master, 65536):
                        break
                except OSError:
                    break
                last_output = busy = now
                continue
            run, _, runnable = self.sched()
            if runnable or run - ran > 300_000:  # more than 0.3 ms of CPU since the last look
                busy = now
            ran = run
            if last_output is not None and now - busy >= quiet:
                break
            if last_output is None and now - sent > 5.0:
                break
        run, wait, _ = self.sched()
        return (None if last_output is None else last_output - sent), (run - run0) / 1e9, (wait - wait0) / 1e9

    def peak_rss(self) -> float:
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.write(self.master, b"\x11")  # ctrl+q
        except OSError:
            pass
        deadline = time.perf_counter() + 5
        while self.process.poll() is None and time.perf_counter() < deadline:
            self.drain(0.05)
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.master)
        self.process = None


def script(keys: int) -> list[tuple[str | None, bytes]]:
    """The keystrokes of a round: (kind or None when not timed, bytes), cycling through the kinds
    until `keys` timed keystrokes; the first cycle is a warm-up (kind None)."""
    cycle: list[tuple[str, bytes]] = []
    for kind, text in TYPED.items():
        cycle += [(kind, char.encode()) for char in text] + [("", CLEAR)]
    cycle += [("paste", PASTE_START + MESSAGE.encode() + PASTE_END), ("", CLEAR)]
    cycle += [("burst", MESSAGE.encode()), ("", CLEAR)]
    steps: list[tuple[str | None, bytes]] = [(None, data) for _, data in cycle]
    timed = 0
    while timed < keys:
        for kind, data in cycle:
            steps.append((kind or None, data))
            if kind:
                timed += 1 if kind != "burst" else len(MESSAGE)
    return steps


def keystrokes_in(steps: list[tuple[str | None, bytes]]) -> int:
    """Key events in `steps`: a character each, a paste one."""
    return sum(1 if data.startswith(PASTE_START) else len(data.decode()) for _, data in steps)


def run_round(apps: list[App], keys: int, quiet: float) -> dict:
    load_before = os.getloadavg()
    for app in apps:
        app.start()
    try:
        for app in apps:
            app.wait_ready()
        for step, (kind, data) in enumerate(script(keys)):
            turn = step % len(apps)
            for app in apps[turn:] + apps[:turn]:  # the order rotates: nobody is always first
                elapsed, cpu, waited = app.send(data, quiet)
                if kind is not None and elapsed is not None:
                    app.times[kind].append(elapsed)
                    app.cpu[kind] += cpu
                    app.waited[kind] += waited
        for app in apps:
            app.rss_mb = app.peak_rss()
    finally:
        for app in apps:
            app.stop()
    return {"load_before": load_before, "load_after": os.getloadavg()}


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))] if ordered else float("nan")


def summarise(rounds: list[dict], names: list[str]) -> dict:
    """Per app and kind over all rounds: median, p90, CPU per keystroke; the launcher's ratio of
    medians to the bare app's, overall and per round."""
    out: dict = {}
    for name in names:
        row: dict = {"rss_mb": max(r["apps"][name]["rss_mb"] for r in rounds)}
        for kind in KINDS:
            values = [t for r in rounds for t in r["apps"][name]["times"][kind]]
            if not values:
                continue
            cpu = sum(r["apps"][name]["cpu"][kind] for r in rounds)
            waited = sum(r["apps"][name]["waited"][kind] for r in rounds)
            cell = {"median_ms": statistics.median(values) * 1000, "p90_ms": p90(values) * 1000,
                    "cpu_ms": cpu * 1000 / len(values), "waited_ms": waited * 1000 / len(values), "samples": len(values)}
            if name != "bare":
                bare = [t for r in rounds for t in r["apps"]["bare"]["times"][kind]]
                cell["ratio"] = statistics.median(values) / statistics.median(bare)
                cell["round_ratios"] = [
                    statistics.median(r["apps"][name]["times"][kind]) / statistics.median(r["apps"]["bare"]["times"][kind])
                    for r in rounds if r["apps"][name]["times"][kind] and r["apps"]["bare"]["times"][kind]
                ]
            row[kind] = cell
        out[name] = row
    return out


def print_table(summary: dict, rounds: list[dict], quiet: float, sent: int) -> None:
    loads = [r["load_before"][0] for r in rounds] + [r["load_after"][0] for r in rounds]
    print(f"\n## keystroke to frame: key -> screen in a 100x30 pty, {len(rounds)} rounds, all apps at once, "
          f"keys interleaved; quiet {quiet * 1000:.0f} ms not counted; load average {min(loads):.1f}-{max(loads):.1f}")
    print("cell: median / p90 ms, launcher median ÷ bare median [each round's ratio]; below: mean ms per key the app "
          "ran on a CPU / waited for one (the machine's load)")
    print(f"{'app':<16}" + "".join(f"{kind:>26}" for kind in KINDS) + f"{'peak RSS':>10}")
    for name, row in summary.items():
        cells, cpus = [], []
        for kind in KINDS:
            cell = row.get(kind)
            if cell is None:
                cells.append(f"{'-':>26}")
                cpus.append(f"{'-':>26}")
                continue
            text = f"{cell['median_ms']:.0f}/{cell['p90_ms']:.0f}"
            if "ratio" in cell:
                spread = ",".join(f"{ratio:.2f}" for ratio in cell["round_ratios"])
                text += f" {cell['ratio']:.2f}x [{spread}]"
            cells.append(f"{text:>26}")
            cpus.append(f"{cell['cpu_ms']:>17.1f} / {cell['waited_ms']:<6.1f}")
        print(f"{name:<16}" + "".join(cells) + f"{row['rss_mb']:>8.0f}MB")
        print(f"{'  CPU / wait':<16}" + "".join(cpus))
    print(f"target: launcher ÷ bare ≤ {TARGET_RATIO} for every kind (paste, burst: one message each); "
          f"launcher peak RSS at 100k after the {sent} keystrokes of a round ≤ {TARGET_RSS_MB} MB")


def prepare(trees: dict[str, Path], sizes: list[int], work: Path, libraries: dict[int, Path] | None = None) -> list[App]:
    """The apps of a round: bare, then the launcher per tree and size, each tree with its own warm
    cache (index and relevance file built here, outside the timed part)."""
    work.mkdir(parents=True, exist_ok=True)
    typing_script = work / "typing_app.py"  # not typing.py: it would shadow the standard module
    typing_script.write_text(TYPING_APP, encoding="utf-8")
    apps = [App("bare", [sys.executable, str(typing_script)], base_env(work / "home-bare"), "bare option 1")]
    Path(apps[0].env["HOME"]).mkdir(parents=True, exist_ok=True)
    libraries = libraries or {}
    for size in sizes:
        library = libraries.get(size) or work / f"lib{size}"
        if not (library / "_library.toml").exists():
            generate(size, library)
        for tree_name, tree in trees.items():
            env = base_env(work / f"home-{tree_name}")
            env["PYTHONPATH"] = str(tree)
            Path(env["HOME"]).mkdir(parents=True, exist_ok=True)
            out = subprocess.run([sys.executable, "-c", PREPARE, str(library)], env=env, capture_output=True, text=True,
                                 cwd=env["HOME"])
            if out.returncode:
                raise RuntimeError(f"preparing {library} with {tree}: {out.stderr[-600:]}")
            found = json.loads(out.stdout)
            if not Path(found["qr"]).resolve().is_relative_to(tree.resolve()):
                raise RuntimeError(f"{tree_name}: qr imported from {found['qr']}, not from {tree}")
            name = f"qr {size // 1000}k" + (f" {tree_name}" if len(trees) > 1 else "")
            apps.append(App(name, [sys.executable, "-m", "qr", "--library", str(library)], env, found["marker"]))
    return apps


def bench_keyframe(sizes: list[int], rounds: int, keys: int, quiet: float, trees: dict[str, Path],
                   work: Path, libraries: dict[int, Path] | None = None) -> dict:
    apps = prepare(trees, sizes, work, libraries)
    names = [app.name for app in apps]
    results = []
    for _ in range(rounds):
        fresh = [App(app.name, app.command, app.env, app.marker) for app in apps]
        loads = run_round(fresh, keys, quiet)
        results.append({**loads, "apps": {app.name: {"times": app.times, "cpu": app.cpu, "waited": app.waited, "rss_mb": app.rss_mb}
                                           for app in fresh}})
    summary = summarise(results, names)
    print_table(summary, results, quiet, keystrokes_in(script(keys)))
    return {"rounds": rounds, "keys": keys, "keys_sent": keystrokes_in(script(keys)), "quiet_ms": quiet * 1000,
            "load_average": [[round(x, 2) for x in r["load_before"]] + [round(x, 2) for x in r["load_after"]] for r in results],
            "apps": summary}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keys", type=int, default=300, help="timed keystrokes per app per round (a burst counts 40)")
    parser.add_argument("--quiet-ms", type=float, default=60.0)
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=PATH",
                        help="also run the launcher from this source tree (PYTHONPATH), e.g. before=/tmp/old")
    parser.add_argument("--work", metavar="DIR", help="keep generated libraries here (reused when present)")
    parser.add_argument("--json", metavar="FILE", help="also write the JSON document here")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size]
    trees = {"now": ROOT}
    for item in args.tree:
        name, _, path = item.partition("=")
        trees[name] = Path(path)
    temp = Path(tempfile.mkdtemp(prefix="qr-keyframe-"))
    work = Path(args.work) if args.work else temp
    libraries = {size: work / f"lib{size}" for size in sizes}
    try:
        document = bench_keyframe(sizes, args.rounds, args.keys, args.quiet_ms / 1000, trees, temp, libraries)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    print(json.dumps(document, ensure_ascii=False))
    if args.json:
        Path(args.json).write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
