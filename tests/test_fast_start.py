"""A warm `qr search` / `qr list` / `qr render` imports only what the command needs, and the
shortcuts that make it so (one subparser built) change nothing a user sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qr.cli import COMMANDS, main, named_command, quick_parse
from qr.cli.parser import build_parser


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["search", "wl"], "search"),
        (["--library", "/x", "search", "wl"], "search"),
        (["--library=/x", "render", "wl1"], "render"),
        (["--lib", "/x", "--prof", "p", "list"], "list"),  # argparse's abbreviations
        (["--once"], ""),
        (["--library", "search"], ""),  # "search" is the library here, not the command
        ([], ""),
        (["--help", "search"], None),
        (["-h"], None),
        (["--version"], None),
        (["--", "search"], None),
        (["--bogus", "search"], None),
        (["bogus"], "bogus"),  # not a command: build_parser builds them all and argparse says so
    ],
)
def test_named_command(argv, named):
    assert named_command(argv) == named


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "wl", "--limit", "3", "--json"],
        ["--library", "/x", "--profile", "p", "render", "wl1", "--set", "a=b", "--json"],
        ["render", "wl1", "--library", "/y"],
        ["copy", "wl1", "--print"],
        ["list", "--group", "g", "--category", "c"],
        ["lint", "--json"],
        ["team", "status", "--no-fetch"],
        ["init", "/tmp/x"],
        ["import", "f.txt", "--into", "/l", "--dry-run"],
        ["export", "--format", "csv", "--out", "o.csv"],
        ["stats", "--days", "7", "--clear"],
        ["--once", "--library", "/x"],
        [],
    ],
)
def test_parser_for_one_command_parses_like_the_whole_one(argv):
    assert vars(build_parser(argv).parse_args(argv)) == vars(build_parser().parse_args(argv))


QUICK = [
    ["search", "wlfm"],
    ["search", "wl fm", "--limit", "3", "--json"],
    ["search", "--json", "物流", "--explain"],
    ["search", "", "--json"],
    ["search", "/wl1", "--limit=7"],
    ["search", "x", "--limit", "3", "--limit", "4"],
    ["--library", "/x", "--profile", "p", "search", "q", "--library", "/y"],
    ["--library=/x", "search", "q", "--profile=p"],
    ["--once", "--paste", "search", "q"],
    ["render", "wl1", "--set", "a=b", "--set", "c=", "--json", "--any-date"],
    ["render", "--set=a=b", "wl1"],
    ["list", "--group", "g", "--category", "c", "--json"],
    ["list"],
    ["copy", "wl1", "--print", "--set", "x=1"],
    ["lint", "--json"],
    ["init", "/tmp/x"],
    ["import", "f.txt", "--into", "/l", "--dry-run", "--format", "csv"],
    ["export", "--format", "csv", "--out", "o.csv"],
    ["stats", "--days", "7", "--clear"],
    ["paths", "--json"],
    ["completion", "bash"],
    ["--once", "--library", "/x"],
    [],
]
"""Command lines `quick_parse` reads (asserted), with every kind of argument it knows."""

NOT_QUICK = [
    ["search"],  # the query is missing: argparse's error
    ["search", "a", "b"],  # one too many
    ["search", "q", "--lim", "3"],  # an abbreviation
    ["--lib", "/x", "search", "q"],
    ["search", "q", "--limit", "x"],  # not a number
    ["search", "q", "--limit", "-1"],  # a negative number: argparse's rules
    ["search", "q", "--limit"],
    ["search", "q", "--json=1"],
    ["search", "-h"],
    ["search", "--", "-q"],
    ["search", "q", "--once"],  # a launcher switch after the command
    ["completion", "tcsh"],  # not a choice
    ["export", "--format", "csv"],  # --out is required
    ["check", "text"],  # an optional positional
    ["team", "status"],  # actions (subparsers)
    ["bogus"],
    ["--help"],
    ["-V"],
]


@pytest.mark.parametrize("argv", QUICK + NOT_QUICK)
def test_quick_parse_reads_a_command_line_as_argparse_does_or_leaves_it_to_argparse(argv):
    quick = quick_parse(argv)
    assert (quick is not None) == (argv in QUICK)
    if quick is not None:
        assert vars(quick) == vars(build_parser(argv).parse_args(argv))


def test_errors_and_help_still_name_every_command(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["bogus"])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'bogus'" in err and "search" in err and "stats" in err
    with pytest.raises(SystemExit):
        main(["--library", "/x", "--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in ("render", "copy", "search", "list", "lint", "team", "init", "import", "export", "stats"))
    with pytest.raises(SystemExit) as raised:
        main(["search"])  # the query is missing: the subparser's own usage, as before
    assert raised.value.code == 2
    assert "usage: qr search [-h]" in capsys.readouterr().err


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


HEAVY = (
    "sqlite3", "hashlib", "tomllib", "tomli_w", "typing", "qr.render", "qr.store.save", "qr.usage", "rapidfuzz",
    "pypinyin",
    # each was on this path once (issue #13's closing note: 148 modules against 136 before the restructuring)
    "argparse", "gettext", "locale",  # qr.cli.quick_parse reads these command lines
    "platformdirs", "tempfile", "shutil", "bz2", "lzma", "random",  # qr.config names the XDG folders
    "threading", "importlib.resources", "zipfile", "snowballstemmer",
    "dataclasses", "inspect",  # the models are Records: dataclasses cost a warm search ~19 ms
)
"""What a warm `qr search`, `qr list` or `qr render` never imports."""

SEARCH_PATH = {
    "qr", "qr.cli", "qr.cli.search", "qr.config", "qr.workspace", "qr.messages", "qr.record",
    "qr.store", "qr.store.models", "qr.store.entry", "qr.store.load", "qr.store.digest",
    "qr.index", "qr.index.cache", "qr.index.cache_file", "qr.index.cached_group", "qr.index.codes", "qr.index.fields",
    "qr.index.keys", "qr.index.phrase_index", "qr.index.sentences", "qr.index.terms", "qr.index.tiers",
}
"""Every qr module a warm text search that the tiers answer imports (a new one here costs every run)."""


@pytest.mark.parametrize(
    ("argv", "never", "qr_modules"),
    [
        # --limit 1: this small library cannot fill a page of 20, and the typo tier that fills it imports rapidfuzz
        (["search", "wlfm", "--limit", "1", "--json"], (*HEAVY, "unicodedata"), SEARCH_PATH),  # ASCII: no NFKC
        (["search", "物流", "--limit", "1", "--json"], HEAVY, SEARCH_PATH),
        (["search", "/wl1", "--json"], (*HEAVY, "unicodedata", "qr.index.sentences"), SEARCH_PATH - {"qr.index.sentences", "qr.index.terms"}),
        (["list", "--json"], HEAVY, None),
        (["render", "wl1", "--json"], tuple(name for name in HEAVY if name != "qr.render"), None),
    ],
)
def test_warm_search_list_and_render_import_only_what_they_need(library_dir, argv, never, qr_modules):
    # files changed in the last 2 s are "racy": a run more than 2 s after the cold one would
    # rewrite the cache (and import what writing needs); a user's library is older than that
    old = time.time() - 60
    for path in library_dir.rglob("*.toml"):
        os.utime(path, (old, old))
    script = (
        "import sys, io\n"
        "from qr.cli import main\n"
        f"lib = {str(library_dir)!r}\n"
        "main(['--library', lib, 'search', 'wlfm'])\n"  # cold: indexes and writes the cache
        "print('WARM')\n"
    )
    first = _python(script)
    assert first.returncode == 0 and "WARM" in first.stdout, first.stderr
    script = (
        "import sys, json\n"
        "from qr.cli import main\n"
        f"code = main(['--library', {str(library_dir)!r}, *{argv!r}])\n"
        "print('\\nMODULES', json.dumps(sorted(sys.modules)))\n"
    )
    result = _python(script)
    assert result.returncode == 0, result.stderr
    listing = result.stdout.rsplit("MODULES ", 1)[1]
    loaded = set(json.loads(listing))
    assert not loaded & set(never), sorted(loaded & set(never))
    # only the named subcommand's module of the CLI package, as qr.commands alone was before
    assert {name for name in loaded if name.startswith("qr.cli")} == {"qr.cli", COMMANDS[argv[0]]}
    if qr_modules is not None:
        assert {name for name in loaded if name == "qr" or name.startswith("qr.")} == qr_modules


def test_a_warm_qr_check_builds_no_dataclass(library_dir):
    """`qr check` with its rules tables on disk (every run after the first): the findings, the word
    rules' values and the models are Records, so neither `dataclasses` nor `inspect` is imported."""
    script = (
        "import sys, json\n"
        "from qr.cli import main\n"
        f"code = main(['--library', {str(library_dir)!r}, 'check', '亲，加我微信返现，全网最低价', '--json'])\n"
        "print('\\nMODULES', json.dumps(sorted(sys.modules)), code)\n"
    )
    assert _python(script).returncode == 0  # the first run writes the rules tables
    result = _python(script)
    assert result.returncode == 0, result.stderr
    listing, code = result.stdout.rsplit("MODULES ", 1)[1].rsplit(" ", 1)
    assert code.strip() == "1"  # it found the two errors
    assert not set(json.loads(listing)) & {"dataclasses", "inspect"}, sorted(set(json.loads(listing)) & {"dataclasses", "inspect"})


def test_a_search_with_a_copy_history_builds_no_dataclass(library_dir):
    """An agent's machine has a copy history, which `qr search` reads to rank: reading it costs
    sqlite3, not dataclasses and inspect (qr.usage's values are Records). This small library
    cannot fill a page of 20, so the typo and relevance tiers run too (the stemmer is loaded):
    their values are Records as well."""
    lib = str(library_dir)
    assert _python(f"from qr.cli import main; main(['--library', {lib!r}, 'copy', 'wl2', '--print'])").returncode == 0
    script = (
        "import sys, json\n"
        "from qr.cli import main\n"
        f"code = main(['--library', {lib!r}, 'search', 'wlfm', '--json'])\n"
        "print('\\nMODULES', json.dumps(sorted(sys.modules)))\n"
    )
    assert _python(script).returncode == 0  # cold: writes the index cache
    result = _python(script)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.rsplit("MODULES ", 1)[1]))
    assert "qr.usage" in loaded and "Stemmer" in loaded  # the history was read, the relevance pass ran
    assert not loaded & {"dataclasses", "inspect"}, sorted(loaded & {"dataclasses", "inspect"})


def test_search_reads_usage_only_when_a_history_exists(capsys, library_dir, isolated_home):
    from qr.config import usage_path

    lib = ["--library", str(library_dir)]
    assert main([*lib, "search", "", "--json"]) == 0
    capsys.readouterr()
    assert not usage_path().exists()  # searching creates no history
    assert main([*lib, "copy", "wl2", "--print"]) == 0
    assert usage_path().exists()
    capsys.readouterr()
    assert main([*lib, "search", "", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["code"] == "wl2"


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG rule is computed on Linux only")
@pytest.mark.parametrize(
    ("home", "xdg"),
    [
        ("/home/ann", None),
        ("/home/ann/", None),  # a trailing slash
        ("/home/ann", "/data/xdg"),
        ("/home/ann", "relative/xdg"),  # not absolute: the XDG spec says ignore it
        ("/home/ann", ""),
        ("relative-home", "/data/xdg"),
    ],
)
def test_user_dirs_are_the_ones_platformdirs_names(monkeypatch, home, xdg):
    import platformdirs

    from qr.config import XDG_DIRS, cache_dir, config_dir, data_dir

    monkeypatch.setenv("HOME", home)
    for variable, _ in XDG_DIRS.values():
        if xdg is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, xdg)
    assert config_dir() == Path(platformdirs.user_config_dir("qr"))
    assert data_dir() == Path(platformdirs.user_data_dir("qr"))
    assert cache_dir() == Path(platformdirs.user_cache_dir("qr"))


def test_a_relative_home_is_left_to_platformdirs(monkeypatch):
    from qr.config import _user_dir

    monkeypatch.setenv("HOME", "relative-home")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert _user_dir("cache") is None
