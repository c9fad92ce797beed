"""`qr lint` on several cores: the same findings in the same order as one process, and one process
whenever forking is impossible or a child fails.

The runs that fork do so in a fresh interpreter (a subprocess): pytest's own process may hold threads
left by other tests, and lint rightly refuses to fork then."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import write_library

from qr.store import forked
from qr.store.lint import lint, split_phrases
from qr.store.load import load_library
from qr.store.models import Group, Phrase


def _phrase_toml(code: str, title: str, body: str, extra: str = "") -> str:
    return f"[[phrases]]\ncode = {json.dumps(code)}\ntitle = {json.dumps(title, ensure_ascii=False)}\nbody = {json.dumps(body, ensure_ascii=False)}\n{extra}\n"


BODIES = [
    "亲，这款是全网最低价，加微信领券哦",  # ad-law, off-platform
    "订单{order_id}已发出，请耐心等待",
    "坏模板 {order id}",  # template-syntax
    "未声明的变量{nope}",  # undefined-variable
    "联系电话13812345678",  # privacy
    "好评返现五元",  # review-incentive
    "Best price ever, add me on WeChat",
    "普通的一句话。",
]


@pytest.fixture
def big_library(tmp_path: Path) -> Path:
    """Four groups (two with an unknown key and a control character in the name, one of them long
    enough to be cut between processes; one empty) whose phrases give findings of most rules."""
    files = {"_library.toml": 'name = "t"\n[vars.order_id]\nlabel = "订单号"\n'}
    files["a.toml"] = 'name = "A\u202e组"\ncolour = "red"\n\n' + "".join(
        _phrase_toml(f"a{i}", f"标题{i}", BODIES[i % len(BODIES)]) for i in range(12)
    )
    files["b.toml"] = 'name = "空组"\n'
    files["c.toml"] = 'name = "C\u2066组"\nsize = "big"\n\n' + "".join(
        _phrase_toml("dup" if i % 9 == 0 else f"c{i}", f"最佳{i}" if i % 5 == 0 else f"c{i}", BODIES[(i * 3) % len(BODIES)],
                     'valid_until = 2020-01-01\nnote = "see /gone"\n' if i % 7 == 0 else 'asks = ["在吗"]\n')
        for i in range(40)
    )
    files["en/d.toml"] = 'name = "D"\n\n' + "".join(_phrase_toml("dup" if i == 3 else f"d{i}", f"d {i}", BODIES[6]) for i in range(9))
    return write_library(tmp_path / "lib", files)


# Runs in a fresh interpreter: prints, as JSON, whether each way of linting gave the one-process findings.
SCENARIOS = r'''
import io, json, os, signal, sys
from contextlib import redirect_stdout
from pathlib import Path
import qr.store.lint as lint_module
from qr.store import forked
from qr.store.lint import lint
from qr.store.load import load_library

lint_module.PARALLEL_FROM = 1  # the test library is small
result = load_library(Path(sys.argv[1]))
library, problems = result.library, result.problems
serial = lint(library, problems)
report = {"findings": len(serial), "rules": sorted({finding.rule for finding in serial})}
forks = []
real_start = forked.start
def counting_start(work):
    child = real_start(work)
    forks.append(child is not None)
    return child
forked.start = counting_start

for processes in (2, 3, 4):
    forks.clear()
    report[f"processes={processes}"] = lint(library, problems, processes=processes) == serial and forks == [True] * (processes - 1)

parent = os.getpid()
real_group_findings = lint_module._PhraseLinter.group_findings
def failing_in_child(how):
    def group_findings(self, slices):
        if os.getpid() != parent:
            if how == "raise":
                raise RuntimeError("child failed")
            if how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if how == "garbage":
                return "not findings"
        return real_group_findings(self, slices)
    return group_findings
for how in ("raise", "kill", "garbage"):
    lint_module._PhraseLinter.group_findings = failing_in_child(how)
    forks.clear()
    report[f"child {how}"] = lint(library, problems, processes=2) == serial and forks == [True]
lint_module._PhraseLinter.group_findings = real_group_findings

real_fork = os.fork
def refused():
    raise OSError("no more processes")
os.fork = refused
forks.clear()
report["fork refused"] = lint(library, problems, processes=2) == serial and forks == [False]
forks_made = []
def second_refused():
    forks_made.append(1)
    if len(forks_made) == 2:
        raise OSError("no more processes")
    return real_fork()
os.fork = second_refused
forks.clear()
report["second fork refused"] = lint(library, problems, processes=3) == serial and forks == [True, False]
os.fork = real_fork
real_can_fork = forked.can_fork
forked.can_fork = lambda: False  # Windows, macOS
forks.clear()
report["no fork here"] = lint(library, problems, processes=2) == serial and forks == [False]
forked.can_fork = real_can_fork

from qr.cli import main
import qr.store.forked
outputs = {}
for cpus in (1, 2):
    qr.store.forked.available_cpus = lambda cpus=cpus: cpus
    forks.clear()
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        main(["--library", sys.argv[1], "lint", "--json"])
    outputs[cpus] = (buffer.getvalue(), list(forks))
# with two cores: a child warming the rule tables while the library loads, then one linting
report["cli"] = outputs[1][0] == outputs[2][0] and outputs[1][1] == [] and outputs[2][1] == [True, True]
print(json.dumps(report))
'''


def test_parallel_lint_gives_the_serial_findings_and_falls_back(big_library: Path, tmp_path: Path):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", SCENARIOS, str(big_library)], capture_output=True, text=True,
                          env={**_base_env(), **env}, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report.pop("findings") > 60
    assert set(report.pop("rules")) >= {"ad-law", "off-platform", "template-syntax", "undefined-variable", "privacy",
                                        "review-incentive", "duplicate-code", "expired", "missing-code", "unknown-key",
                                        "control-char", "duplicate-ask"}
    assert report == {
        "processes=2": True, "processes=3": True, "processes=4": True,
        "child raise": True, "child kill": True, "child garbage": True,
        "fork refused": True, "second fork refused": True, "no fork here": True, "cli": True,
    }


def _base_env() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if key not in {"XDG_CACHE_HOME", "XDG_CONFIG_HOME", "HOME", "QR_LIBRARY"}}


def test_below_the_threshold_lint_stays_in_one_process(big_library: Path, monkeypatch):
    started = []
    monkeypatch.setattr(forked, "start", lambda work: started.append(work))
    result = load_library(big_library)
    assert lint(result.library, result.problems, processes=2) == lint(result.library, result.problems)
    assert started == []  # 61 phrases, far below PARALLEL_FROM


def _groups(*sizes: int) -> tuple[Group, ...]:
    return tuple(
        Group(path=Path(f"g{number}.toml"), name=f"g{number}", phrases=tuple(Phrase(code=f"p{number}x{i}", title="t", body="b") for i in range(size)))
        for number, size in enumerate(sizes)
    )


@pytest.mark.parametrize("sizes", [(10_000,), (300, 0, 300, 300), (1, 2, 3, 4, 5, 6, 7, 8, 9, 10), (0, 5_000, 0, 0, 5_000, 0), (2_000, 1)])
@pytest.mark.parametrize("parts", [2, 3, 4])
def test_split_phrases_cuts_every_phrase_once_in_order(sizes, parts):
    groups = _groups(*sizes)
    runs = split_phrases(groups, parts)
    assert len(runs) == parts
    flattened = [(group.path, index) for run in runs for group, start, end in run for index in range(start, end)]
    assert flattened == [(group.path, index) for group in groups for index in range(len(group.phrases))]
    # every group starts (start == 0) exactly once, so its own findings are made once
    assert [group.path for run in runs for group, start, _ in run if start == 0] == [group.path for group in groups]
    total = sum(sizes)
    counts = [sum(end - start for _, start, end in run) for run in runs]
    assert counts[0] <= total / parts + 1  # the first process also does the library-wide checks
    assert all(abs(count - total / parts) <= total / parts * 0.2 + 1 for count in counts[1:])


def test_no_fork_while_another_thread_runs():
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert forked.can_fork() is False
        assert forked.start(lambda: 1) is None
    finally:
        release.set()
        thread.join()


# Runs in a fresh interpreter with an empty cache folder: `qr lint` once with a child building the
# rule tables while the library loads, once without forking; prints the outputs and the builds made
# by the linting process itself.
WARMING = r"""
import io, json, os, shutil, sys
from contextlib import redirect_stdout
from qr.cli import main
from qr.store import forked, word_rules

builds = []
real_build = word_rules.build_tables
word_rules.build_tables = lambda *args: builds.append(1) or real_build(*args)
report = {}
for how in ("forked", "one process"):
    shutil.rmtree(os.environ["XDG_CACHE_HOME"], ignore_errors=True)  # each run a cold one
    word_rules._CACHE.clear()
    if how == "one process":
        forked.can_fork = lambda: False
    builds.clear()
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = main(["--library", sys.argv[1], "lint", "--json"])
    report[how] = {"code": code, "out": buffer.getvalue(), "builds": len(builds)}
print(json.dumps(report))
"""


@pytest.mark.parametrize("settings", ['name = "t"\n[rules]\nforbidden = ["镇店之宝"]\n', "name = [broken\n", None])
def test_a_child_builds_the_rule_tables_while_the_library_loads(tmp_path: Path, settings: str | None):
    files = {"g.toml": 'name = "G"\n\n' + _phrase_toml("a1", "镇店之宝", "全网最低价，加微信") + _phrase_toml("a2", "t", "普通")}
    if settings is not None:
        files["_library.toml"] = settings
    root = write_library(tmp_path / "lib", files)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", WARMING, str(root)], capture_output=True, text=True,
                          env={**_base_env(), **env}, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    # the first run found its tables on disk, built by the child; without a fork this process builds them
    assert report["forked"]["builds"] == 0
    assert report["one process"]["builds"] == 1
    assert report["forked"]["out"] == report["one process"]["out"]
    assert report["forked"]["code"] == report["one process"]["code"] == 1
    found = {(row["rule"], row["args"].get("text")) for row in json.loads(report["forked"]["out"])}
    assert ("ad-law", "全网最低价") in found and ("off-platform", "加微信") in found
    assert (("forbidden", "镇店之宝") in found) == (settings is not None and "镇店之宝" in settings)
    assert ("load" in {rule for rule, _ in found}) == (settings == "name = [broken\n")
