"""A cold load indexes half of the files in a forked child (`qr.index.cache.index_files`): the
library and the search results are exactly those of a load in one process, also when the child
fails, sends garbage, or cannot be forked, and on a first run, where the child also writes the
pinyin tables and is not waited for.

The loads run in a fresh interpreter (a subprocess): pytest's own process may hold threads left by
other tests, and qr rightly refuses to fork then."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from generate import generate

SCENARIOS = r'''
import json, os, shutil, sys
from pathlib import Path
import qr.index.cache as cache
from qr.config import cache_dir
from qr.store import forked
from qr.workspace import open_workspace

cache.PARALLEL_BYTES = 0  # the test library is small
root = Path(sys.argv[1]).resolve()
QUERIES = ["/sh1", "wlfm", "物流繁忙", "refund timeline", "退款多久到账"]
forks = []
real_start = forked.start
broken = {"work": None}

def watched_start(work, then=None):
    if broken["work"] is not None:
        work = broken["work"]
    child = real_start(work, then)
    forks.append(child is not None)
    return child

forked.start = watched_start

def load():
    workspace = open_workspace(str(root))
    index = workspace.index
    return workspace.library, [[(hit.phrase.code, hit.phrase.title, hit.score) for hit in index.search(query, limit=20)] for query in QUERIES]

def cold(first_run=False):
    shutil.rmtree(cache_dir() if first_run else cache_dir() / "index", ignore_errors=True)
    forks.clear()
    return load()

report = {}
library, hits = cold(first_run=True)  # the child writes the pinyin tables: its result is not waited for
not_waited = forked._collecting_at_exit  # the result was taken while the child wrote the tables
forked._collect_ended(True)
first = (library, hits, list(forks), not_waited and any((cache_dir() / "pinyin").glob("*.tables")))
real_can_fork = forked.can_fork
forked.can_fork = lambda: False
reference = cold()
report["no fork here"] = reference == (library, hits) and forks == [False]
forked.can_fork = real_can_fork
report["first run"] = first[0] == reference[0] and first[1] == reference[1] and first[2] == [True]
report["tables written"] = bool(first[3])
report["cold"] = cold() == reference and forks == [True]
broken["work"] = lambda: 1 / 0
report["child fails"] = cold() == reference and forks == [True]
broken["work"] = lambda: "garbage"
report["child sends garbage"] = cold() == reference and forks == [True]
broken["work"] = None
report["hits"] = sum(len(rows) for rows in reference[1])
print(json.dumps(report))
'''


def test_a_forked_cold_load_equals_one_process(tmp_path: Path):
    root = generate(600, tmp_path / "lib", group_size=40)
    assert len(list(root.rglob("*.toml"))) >= 5  # the settings and at least four group files
    done = subprocess.run([sys.executable, "-c", SCENARIOS, str(root)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report.pop("hits") > 20
    assert report == dict.fromkeys(report, True) and len(report) == 6, report
