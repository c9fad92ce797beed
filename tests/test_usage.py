"""Usage history and ranking (qr.usage, `qr stats`): frecency, concurrency, corrupt files, privacy."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest

from qr import usage as usage_module
from qr.cli import main
from qr.config import cache_dir, data_dir
from qr.index.phrase_index import PhraseIndex
from qr.store.load import load_library
from qr.usage import HALF_LIFE_DAYS, UsageStore

DAY = 86400.0
NOW = 1_790_000_000.0


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def store(tmp_path):
    store = UsageStore(tmp_path / "usage.sqlite3")
    yield store
    store.close()


def test_default_path_is_in_the_data_dir():
    assert UsageStore().path == data_dir() / "usage.sqlite3"


def test_record_stores_only_profile_code_and_time(store):
    assert store.record("shopA", "WL1", when=NOW)
    rows = sqlite3.connect(store.path).execute("SELECT * FROM uses").fetchall()
    assert rows == [(1, "shopA", "wl1", NOW)]
    columns = [row[1] for row in sqlite3.connect(store.path).execute("PRAGMA table_info(uses)")]
    assert columns == ["id", "profile", "code", "at"]
    assert sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_frecency_recent_and_frequent_first(store):
    for _ in range(3):
        store.record("p", "old", when=NOW - 30 * DAY)
    store.record("p", "today", when=NOW - 60)
    for _ in range(3):
        store.record("p", "often", when=NOW - DAY)
    store.record("p", "ancient", when=NOW - 200 * DAY)  # beyond the window: no longer counts
    scores = store.scores("p", now=NOW)
    assert sorted(scores, key=scores.get, reverse=True) == ["often", "today", "old"]
    assert scores["today"] == pytest.approx(1.0)
    assert scores["old"] == pytest.approx(3 * 0.5 ** (30 / HALF_LIFE_DAYS))
    # thirty uses a month ago still outrank two today
    for _ in range(27):
        store.record("p", "old", when=NOW - 30 * DAY)
    store.record("p", "today", when=NOW - 30)
    scores = store.scores("p", now=NOW)
    assert scores["old"] > scores["today"]


def test_scores_are_per_profile(store):
    store.record("shopA", "a1", when=NOW)
    store.record("shopB", "b1", when=NOW)
    assert set(store.scores("shopA", now=NOW)) == {"a1"}
    assert set(store.scores("shopB", now=NOW)) == {"b1"}
    assert store.scores("", now=NOW) == {}


def test_ranking_changes_after_records(store, library_dir):
    index = PhraseIndex.from_libraries([load_library(library_dir).library])
    before = [hit.phrase.code for hit in index.search("", usage=store.scores("p"))]
    assert before[:3] == ["wl1", "wl2", "wl10"]  # library order
    store.record("p", "wl10")
    store.record("p", "en1")
    store.record("p", "en1")
    after = [hit.phrase.code for hit in index.search("", usage=store.scores("p"))]
    assert after[:2] == ["en1", "wl10"]  # most used first, then the rest in library order
    assert after[2:] == ["wl1", "wl2"]
    # ties in a search break the same way: 物流 is wl1's title (a better score) and only the
    # group name of wl2 and wl10, which tie: the used one first
    tied = [hit.phrase.code for hit in index.search("物流", usage=store.scores("p"))]
    assert tied == ["wl1", "wl10", "wl2"]
    for _ in range(3):
        store.record("p", "wl2")
    retied = [hit.phrase.code for hit in index.search("物流", usage=store.scores("p"))]
    assert retied == ["wl1", "wl2", "wl10"]


def test_cli_search_and_empty_query_follow_copies(capsys, library_dir):
    lib = ("--library", str(library_dir))
    first = json.loads(run(capsys, *lib, "search", "", "--json")[1])
    assert first[0]["code"] == "wl1"
    assert not UsageStore().path.exists()  # searching does not create the history
    for _ in range(2):
        assert run(capsys, *lib, "copy", "en1", "--print")[0] == 0
    hits = json.loads(run(capsys, *lib, "search", "", "--json")[1])
    assert hits[0]["code"] == "en1"
    assert UsageStore().row_count() == 2


def test_stats_text_json_days_and_clear(capsys, library_dir):
    lib = ("--library", str(library_dir))
    store = UsageStore()
    now = time.time()
    store.record("", "wl2", when=now - 60)
    store.record("", "wl2", when=now - 120)
    store.record("", "en1", when=now - 40 * DAY)  # outside the default 30 days
    store.record("shopA", "wl1", when=now)  # another profile's use
    store.close()
    code, out, _ = run(capsys, *lib, "stats", "--json")
    rows = json.loads(out)
    assert code == 0
    assert [(r["code"], r["group"], r["count"]) for r in rows] == [
        ("wl2", "物流", 2), ("wl1", "物流", 0), ("wl10", "物流", 0), ("en1", "English", 0)
    ]
    assert set(rows[0]) >= {"code", "title", "group", "count", "last_used"}
    assert rows[0]["title"] == "包裹破损" and rows[0]["last_used"].startswith(time.strftime("%Y-%m-%d", time.localtime(now - 60)))
    assert rows[1]["last_used"] is None
    all_time = json.loads(run(capsys, *lib, "stats", "--json", "--days", "0")[1])
    assert {r["code"]: r["count"] for r in all_time}["en1"] == 1
    code, out, _ = run(capsys, *lib, "stats")
    lines = out.splitlines()
    assert lines[0].startswith("usage in the last 30 days (no profile): 2 copies of 1 phrases; 3 of 4 phrases never used")
    assert lines[1].startswith("# 售中 / 物流")
    assert lines[2].split()[:2] == ["/wl2", "2"] and "包裹破损" in lines[2]
    assert "/wl1" in lines[3] and "never used" in lines[3]
    code, _, err = run(capsys, *lib, "stats", "--clear")
    assert code == 0 and "deleted 4 recorded uses" in err
    assert UsageStore().row_count() == 0
    assert all(r["count"] == 0 for r in json.loads(run(capsys, *lib, "stats", "--json", "--days", "0")[1]))


_RECORDER = """
import sys
from qr.usage import UsageStore
store = UsageStore(__import__("pathlib").Path(sys.argv[1]))
for i in range(1000):
    assert store.record(sys.argv[2], f"c{i % 37}"), store.problem
store.close()
"""


def test_two_processes_recording_at_once_lose_nothing(tmp_path):
    path = tmp_path / "usage.sqlite3"
    processes = [
        subprocess.Popen([sys.executable, "-c", _RECORDER, str(path), name], stderr=subprocess.PIPE, text=True)
        for name in ("shopA", "shopB")
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT COUNT(*) FROM uses").fetchone()[0] == 2000
    assert dict(connection.execute("SELECT profile, COUNT(*) FROM uses GROUP BY profile")) == {"shopA": 1000, "shopB": 1000}
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_corrupt_database_never_raises(tmp_path):
    path = tmp_path / "usage.sqlite3"
    path.write_bytes(b"this is not a database at all" * 200)
    store = UsageStore(path)
    assert store.scores("p") == {}
    assert store.record("p", "wl1") is False
    assert store.uses("p") is None and store.row_count() is None and store.clear() is None
    assert not store.available
    message = store.take_problem()
    assert message is not None and str(path) in message and "without it" in message
    assert store.take_problem() is None  # reported once
    assert path.read_bytes().startswith(b"this is not")  # nothing overwritten
    assert store.discard() is True and not path.exists()
    assert store.record("p", "wl1") and store.row_count() == 1  # a fresh history


def test_corrupt_database_cli_copy_still_works(capsys, library_dir):
    path = UsageStore().path
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 1000)
    lib = ("--library", str(library_dir))
    code, out, err = run(capsys, *lib, "copy", "wl2", "--print", "--set", "customer=x")
    assert code == 0 and out.startswith("很抱歉")
    assert "warning: usage history" in err and err.count("\n") == 1
    code, out, err = run(capsys, *lib, "search", "", "--json")
    assert code == 0 and json.loads(out)[0]["code"] == "wl1"
    code, _, err = run(capsys, *lib, "stats")
    assert code == 2 and "qr stats --clear" in err and err.count("\n") == 1
    code, _, err = run(capsys, *lib, "stats", "--clear")
    assert code == 0 and "removed the unusable usage history" in err
    assert run(capsys, *lib, "stats", "--json")[0] == 0


def test_locked_database_reports_and_recovers(tmp_path, monkeypatch):
    monkeypatch.setattr(usage_module, "BUSY_TIMEOUT_SECONDS", 0.05)
    path = tmp_path / "usage.sqlite3"
    UsageStore(path).record("p", "a")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    store = UsageStore(path)
    try:
        assert store.record("p", "b") is False
        assert "busy" in (store.take_problem() or "")
        assert store.available  # a lock passes: ranking is not switched off for good
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.record("p", "c") is True
    assert set(store.scores("p")) == {"a", "c"}
    store.close()


def test_unwritable_data_dir_never_raises(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = UsageStore(blocker / "sub" / "usage.sqlite3")  # a parent that is a file
    assert store.record("p", "a") is False and store.scores("p") == {}
    assert store.take_problem()


def test_no_rendered_text_or_value_reaches_disk(capsys, library_dir, monkeypatch):
    """A scripted session with --set values: afterwards no file under the data or cache dir
    holds a value or a rendered reply."""
    values = {"customer": "张三丰Zed", "order_id": "918273645501", "tracking_no": "SF7788990011QX"}
    sets = [arg for name, value in values.items() for arg in ("--set", f"{name}={value}")]
    lib = ("--library", str(library_dir))
    rendered = []
    for code in ("wl1", "wl2", "wl10", "en1"):
        status, out, _ = run(capsys, *lib, "render", code, *sets)
        assert status == 0
        rendered.append(out.strip())
        assert run(capsys, *lib, "copy", code, "--print", *sets)[0] == 0
        assert run(capsys, *lib, "render", code, "--json", *sets)[0] == 0
    # a clipboard copy too (a fake system clipboard)
    from qr import clipboard

    monkeypatch.setattr(clipboard.SystemClipboard, "copy", lambda self, text: None)
    assert run(capsys, *lib, "copy", "wl1", *sets)[0] == 0
    run(capsys, *lib, "search", values["customer"])
    run(capsys, *lib, "stats", "--json")
    assert UsageStore().row_count() == 5
    files = [path for root in (data_dir(), cache_dir()) if root.exists() for path in root.rglob("*") if path.is_file()]
    assert any(path.name.startswith("usage.sqlite3") for path in files)
    secrets = [text.encode("utf-8") for text in [*values.values(), *rendered]]
    for path in files:
        content = path.read_bytes()
        for secret in secrets:
            assert secret not in content, f"{secret!r} written to {path}"
        # SQLite may store text as UTF-16 too; check that form as well
        for value in values.values():
            assert value.encode("utf-16-le") not in content


def test_a_version_1_history_is_upgraded_with_its_counts(tmp_path):
    path = tmp_path / "usage.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE uses (id INTEGER PRIMARY KEY, profile TEXT NOT NULL, code TEXT NOT NULL, at REAL NOT NULL);"
        "CREATE INDEX uses_profile_at ON uses (profile, at); PRAGMA user_version = 1;"
    )
    old.executemany("INSERT INTO uses (profile, code, at) VALUES (?, ?, ?)", [("p", "a", NOW), ("p", "a", NOW), ("p", "b", NOW - DAY)])
    old.commit()
    old.close()
    store = UsageStore(path)
    scores = store.scores("p", now=NOW)
    assert scores["a"] == pytest.approx(2.0) and 0 < scores["b"] < 1
    assert store.record("p", "b", when=NOW)
    assert store.scores("p", now=NOW)["b"] > 1
    assert store.clear() == 4 and store.scores("p", now=NOW) == {}
    store.close()


# -- the launcher (Pilot) ------------------------------------------------------------------------


def _launcher_app(library_dir, usage, clipboard=None):
    from conftest import build_app

    return build_app(library_dir, clipboard=clipboard, usage=usage, watch_library=False)


def _codes(app) -> list[str]:
    return [hit.phrase.code for hit in app.screen.hits]


async def test_launcher_ranks_by_copies_and_remembers_them(library_dir, tmp_path):
    path = tmp_path / "usage.sqlite3"
    app = _launcher_app(library_dir, UsageStore(path))
    async with app.run_test(size=(100, 30)) as pilot:
        assert _codes(app) == ["wl1", "wl2", "wl10", "en1"]  # nothing used yet: library order
        await pilot.press(*"/en1", "enter")
        await pilot.pause()
        assert _codes(app) == ["en1", "wl1", "wl2", "wl10"]  # the empty query: most used first
        for _ in range(2):
            await pilot.press(*"/wl2", "enter")
            await pilot.pause()
        assert _codes(app) == ["wl2", "en1", "wl1", "wl10"]
        await pilot.press(*"物流")  # a search: wl2 and wl10 tie on the group name, the used one first
        await pilot.pause()
        assert _codes(app) == ["wl1", "wl2", "wl10"]
    rows = sqlite3.connect(path).execute("SELECT profile, code FROM uses ORDER BY id").fetchall()
    assert rows == [("", "en1"), ("", "wl2"), ("", "wl2")]
    again = _launcher_app(library_dir, UsageStore(path))  # the next day's launcher
    async with again.run_test(size=(100, 30)):
        assert _codes(again)[:2] == ["wl2", "en1"]


async def test_launcher_starts_with_a_corrupt_history_and_says_so_once(library_dir, tmp_path):
    from qr.clipboard import MemoryClipboard

    path = tmp_path / "usage.sqlite3"
    path.write_bytes(b"not sqlite" * 500)
    clipboard = MemoryClipboard()
    app = _launcher_app(library_dir, UsageStore(path), clipboard)
    async with app.run_test(size=(100, 30)) as pilot:
        assert _codes(app) == ["wl1", "wl2", "wl10", "en1"]
        await pilot.press(*"/wl2", "enter")
        await pilot.pause()
        await pilot.press(*"/en1", "enter")
        await pilot.pause()
        assert len(clipboard.copied) == 2  # copying carries on
        warnings = [n.message for n in app._notifications if "ranking is off" in n.message]
        assert len(warnings) == 1 and str(path) in warnings[0]
        assert _codes(app) == ["wl1", "wl2", "wl10", "en1"]  # no ranking
    assert path.read_bytes().startswith(b"not sqlite")  # left alone for `qr stats --clear`


async def test_launcher_with_a_locked_history_still_copies(library_dir, tmp_path, monkeypatch):
    from qr.clipboard import MemoryClipboard

    monkeypatch.setattr(usage_module, "BUSY_TIMEOUT_SECONDS", 0.05)
    path = tmp_path / "usage.sqlite3"
    UsageStore(path).record("", "en1")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    clipboard = MemoryClipboard()
    try:
        app = _launcher_app(library_dir, UsageStore(path), clipboard)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press(*"/wl2", "enter")
            await pilot.pause()
            assert len(clipboard.copied) == 1
            assert [n for n in app._notifications if "busy" in n.message]
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_stats_and_usage_do_not_import_textual(library_dir):
    script = (
        "import sys\nfrom qr.cli import main\n"
        f"main(['--library', {str(library_dir)!r}, 'stats', '--json'])\n"
        "print('TEXTUAL' if any(m == 'textual' or m.startswith('textual.') for m in sys.modules) else 'CLEAN', file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=os.environ.copy())
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("CLEAN")


def test_stats_count_the_selected_profile_only(capsys, tmp_path, isolated_home):
    from conftest import write_library

    library = write_library(tmp_path / "lib")
    config = isolated_home / "xdg_config_home" / "qr" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[profiles.a]\nlibraries = ["{library}"]\n[profiles.b]\nlibraries = ["{library}"]\n', encoding="utf-8")
    assert run(capsys, "--profile", "a", "copy", "wl2", "--print")[0] == 0
    assert run(capsys, "--profile", "a", "copy", "wl2", "--print")[0] == 0
    assert run(capsys, "--profile", "b", "copy", "en1", "--print")[0] == 0
    counts = lambda profile: {r["code"]: r["count"] for r in json.loads(run(capsys, "--profile", profile, "stats", "--json")[1])}
    assert counts("a") == {"wl2": 2, "wl1": 0, "wl10": 0, "en1": 0}
    assert counts("b") == {"en1": 1, "wl1": 0, "wl2": 0, "wl10": 0}
    assert json.loads(run(capsys, "--profile", "b", "search", "", "--json")[1])[0]["code"] == "en1"
    assert json.loads(run(capsys, "--profile", "a", "search", "", "--json")[1])[0]["code"] == "wl2"
    code, out, _ = run(capsys, "--profile", "a", "stats")
    assert "(profile a)" in out.splitlines()[0]


async def test_no_order_value_or_reply_reaches_disk_from_the_launcher(library_dir):
    """A launcher session with order info and copies writes the usage history (and maybe an
    index cache) but never a value or a rendered reply."""
    from qr.clipboard import MemoryClipboard

    values = {"customer": "欧阳娜娜Q", "order_id": "556677889900", "tracking_no": "YT99887766ZZ"}
    clipboard = MemoryClipboard()
    app = _launcher_app(library_dir, UsageStore(), clipboard)
    async with app.run_test(size=(100, 30)) as pilot:
        app.update_context(values)
        for code in ("wl1", "wl2", "wl10", "en1"):
            await pilot.press(*f"/{code}", "enter")
            await pilot.pause()
    assert len(clipboard.copied) == 4 and values["order_id"] in clipboard.copied[0]
    assert UsageStore().row_count() == 4
    files = [path for root in (data_dir(), cache_dir()) if root.exists() for path in root.rglob("*") if path.is_file()]
    secrets = [text.encode("utf-8") for text in [*values.values(), *clipboard.copied]]
    secrets += [value.encode("utf-16-le") for value in values.values()]
    for path in files:
        content = path.read_bytes()
        for secret in secrets:
            assert secret not in content, f"{secret!r} written to {path}"


def test_busy_timeout_is_per_store(tmp_path):
    path = tmp_path / "usage.sqlite3"
    UsageStore(path).record("p", "a")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        store = UsageStore(path, busy_timeout=0.05)
        assert store.record("p", "b") is False and "busy" in (store.take_problem() or "")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
