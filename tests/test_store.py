"""Loading the folder format: problems are positioned and never stop the rest from loading."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from conftest import write_library

from qr.store import load_library
from qr.store.lint import lint
from qr.store.load import InvalidFile, read_toml


def test_loads_groups_codes_and_vars(library_dir):
    result = load_library(library_dir)
    assert result.problems == ()
    library = result.library
    assert library.name == "测试店" and library.shop == "测试旗舰店"
    assert [g.name for g in library.groups] == ["物流", "English"]
    codes = [p.code for _, p in library.phrases()]
    assert codes == ["wl1", "wl2", "wl10", "en1"]  # "/WL2" normalised
    assert library.vars["order_id"].pattern == r"^\d{6,24}$"
    assert library.vars["customer"].default == "亲"
    group, phrase = library.find_code("/WL1")
    assert phrase.title == "物流繁忙安抚" and phrase.tags == ("安抚", "延迟")
    assert phrase.line == 5 and phrase.body_line == 9
    assert library.group_by_path(Path("en/english.toml")).phrases[0].lang == "en"


def test_broken_toml_names_file_line_and_rest_loads(library_dir):
    broken = library_dir / "broken.toml"
    broken.write_text('name = "坏"\n\n[[phrases]]\ncode = "x1\ntitle = "t"\n', encoding="utf-8")
    before = broken.read_bytes()
    result = load_library(library_dir)
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.file == Path("broken.toml") and problem.line == 4 and problem.column > 0
    assert "invalid TOML" in str(problem.message)
    assert len(list(result.library.phrases())) == 4
    assert Path("broken.toml") in result.library.broken
    assert broken.read_bytes() == before


def test_missing_title_and_bad_code_are_problems(tmp_path):
    root = write_library(tmp_path, {
        "a.toml": 'name = "A"\n[[phrases]]\ncode = "a1"\nbody = "x"\n',
        "b.toml": 'name = "B"\n[[phrases]]\ncode = "b 1"\ntitle = "t"\nbody = "x"\n',
        "c.toml": 'title = "no name"\n',
        "ok.toml": 'name = "OK"\n[[phrases]]\ntitle = "t"\nbody = "x"\n',
    })
    result = load_library(root)
    messages = {p.file.name: (p.line, str(p.message)) for p in result.problems}
    assert messages["a.toml"][0] == 2 and "title" in messages["a.toml"][1]
    assert messages["b.toml"][0] == 3 and "ASCII" in messages["b.toml"][1]
    assert "name" in messages["c.toml"][1]
    assert [g.name for g in result.library.groups] == ["OK"]


def test_unknown_keys_are_kept_and_linted(tmp_path):
    root = write_library(tmp_path, {
        "a.toml": 'name = "A"\nowner = "lead"\n[[phrases]]\ncode = "a1"\ntitle = "t"\nbody = "x"\ntilte = "typo"\n',
    })
    library = load_library(root).library
    assert library.groups[0].extra == {"owner": "lead"}
    assert library.groups[0].phrases[0].extra == {"tilte": "typo"}
    rules = [f.rule for f in lint(library)]
    assert rules.count("unknown-key") == 2


def test_ignores_underscore_and_non_toml_files(library_dir):
    (library_dir / "_draft.toml").write_text("not = [valid", encoding="utf-8")
    (library_dir / "notes.txt").write_text("hello", encoding="utf-8")
    result = load_library(library_dir)
    assert result.problems == ()


def test_missing_folder_is_a_problem(tmp_path):
    result = load_library(tmp_path / "nope")
    assert result.problems and "not found" in str(result.problems[0].message)


def test_bom_and_dates(tmp_path):
    root = write_library(tmp_path, {})
    (root / "promo.toml").write_bytes(
        "\ufeffname = \"618\"\n[[phrases]]\ncode = \"p1\"\ntitle = \"大促\"\nbody = \"x\"\nvalid_from = 2026-06-01\nvalid_until = 2026-06-20\n".encode()
    )
    phrase = load_library(root).library.groups[0].phrases[0]
    assert phrase.valid_from == date(2026, 6, 1)
    assert phrase.is_valid_on(date(2026, 6, 10)) and not phrase.is_valid_on(date(2026, 6, 21))


def test_lint_core_rules(tmp_path):
    root = write_library(tmp_path, {
        "_library.toml": '[vars.customer]\nlabel = "客户"\n',
        "a.toml": 'name = "A"\n[[phrases]]\ncode = "a1"\ntitle = "t"\nbody = """\nline one\nbad {1x} here"""\n'
        '[[phrases]]\ntitle = "no code"\nbody = "{customer} {who_knows}"\n',
        "b.toml": 'name = "B"\n[[phrases]]\ncode = "A1"\ntitle = "dup"\nbody = "x"\n'
        '[[phrases]]\ncode = "old"\ntitle = "old"\nbody = "x"\nvalid_until = 2020-01-01\n',
    })
    findings = lint(load_library(root).library, today=date(2026, 1, 1))
    by_rule = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    syntax = by_rule["template-syntax"][0]
    assert (syntax.file.name, syntax.line, syntax.column, syntax.severity) == ("a.toml", 7, 5, "error")
    assert len(by_rule["duplicate-code"]) == 2
    assert by_rule["undefined-variable"][0].message.startswith("{who_knows}")
    assert by_rule["no-code"][0].severity == "info"
    assert by_rule["expired"][0].code == "old"
    assert findings[0].severity == "error"  # errors first


def test_bundled_library_is_clean():
    from qr.config import bundled_library

    result = load_library(bundled_library())
    assert result.problems == ()
    library = result.library
    assert len(library.groups) >= 8
    assert sum(len(g.phrases) for g in library.groups) >= 80
    errors = [f for f in lint(library) if f.severity == "error"]
    assert errors == []
    assert library.find_code("wl1")[1].title == "物流繁忙安抚"


def test_new_files_get_normal_permissions(tmp_path):
    import os
    import stat

    from qr.store.save import atomic_write

    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "new.toml", b"name = 'x'\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.toml").stat().st_mode) == 0o644


TOML_CASES = {
    "plain": 'name = "g"\n[[phrases]]\ntitle = "t"\nbody = """\n多行\\\n  续"""\nvalid_from = 2026-06-01\n',
    "values": "a = 0x10\nb = inf\nc = 1979-05-27T07:32:00\nd = 07:32:00.5\ne = ['x', \"y\"]\n[t]\nk.l = 1\n",
    "offset date-time": "when = 1979-05-27T07:32:00+08:00\nz = 1979-05-27T07:32:00Z\n",  # tomllib reads these
    "overflow": "big = 1e400\n",  # rtoml refuses, tomllib gives inf
    "crlf": 'note = """\r\nline\r\n"""\r\nlit = \'\'\'\r\nx\r\n\'\'\'\r\n',  # CRLF in multi-line strings reads as LF
    "deep": "a = " + "[" * 95 + "]" * 95 + "\n",  # beyond rtoml's nesting limit (~80), within qr's (100)
}


@pytest.mark.parametrize("name", sorted(TOML_CASES))
def test_fast_toml_parser_gives_what_tomllib_gives(tmp_path, name):
    import tomllib

    path = tmp_path / "x.toml"
    path.write_text(TOML_CASES[name], encoding="utf-8")
    document, _, _ = read_toml(path, Path("x.toml"))
    assert document == tomllib.loads(TOML_CASES[name])
    # what the index cache stores must be plain types (its unpickler accepts datetime's classes only)
    for value in document.values():
        if isinstance(value, datetime) and value.tzinfo is not None:
            assert type(value.tzinfo) is timezone


def test_broken_toml_keeps_tomllibs_exact_position(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text('name = "g"\n\n[[phrases]]\ntitle = "t\nbody = "b"\n', encoding="utf-8")
    with pytest.raises(InvalidFile) as raised:
        read_toml(path, Path("x.toml"))
    assert (raised.value.problem.line, raised.value.problem.column) == (4, 11)  # tomllib's own
