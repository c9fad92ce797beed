"""One bad file never stops the library: FIFOs, devices, huge or deeply nested files are skipped
with a problem naming them, and an import refuses such input with exit 2, never 70."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qr.cli import main
from qr.store import load
from qr.store.load import load_library

POSIX = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are POSIX")


def _qr(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """qr in a child process with 1 GiB of address space: a regression hangs or fails there, not here."""

    def limit_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "qr", *argv], capture_output=True, text=True, timeout=timeout,
        preexec_fn=limit_memory, env={**os.environ, "QR_DEBUG": ""},
    )


def _nested_toml(levels: int) -> str:
    return 'name = "深"\n[[phrases]]\ntitle = "t"\nbody = "b"\nextra = ' + "[" * levels + "]" * levels + "\n"


def test_a_deeply_nested_file_is_a_problem_and_the_rest_loads(library_dir):
    (library_dir / "deep.toml").write_text(_nested_toml(500), encoding="utf-8")  # RecursionError in tomllib
    (library_dir / "deepish.toml").write_text(_nested_toml(300), encoding="utf-8")  # tomllib parses it; tomli-w could not save it
    result = load_library(library_dir)
    problems = {problem.file.name: str(problem.message) for problem in result.problems}
    assert problems == {"deep.toml": "nested more than 100 levels deep", "deepish.toml": "nested more than 100 levels deep"}
    assert any(phrase.code == "wl1" for _, phrase in result.library.phrases())


@POSIX
def test_a_fifo_and_a_link_to_dev_zero_are_skipped_by_every_command(library_dir):
    os.mkfifo(library_dir / "x.toml")
    (library_dir / "zz.toml").symlink_to("/dev/zero")
    (library_dir / "deep.toml").write_text(_nested_toml(500), encoding="utf-8")
    for _ in range(2):  # a cold start, then one from the index cache
        listed = _qr("--library", str(library_dir), "list")
        assert listed.returncode == 0, listed.stderr
        assert "/wl1" in listed.stdout
        assert "x.toml:0:0: not a regular file (a FIFO)" in listed.stderr
        assert "zz.toml:0:0: not a regular file (a device)" in listed.stderr
        assert "deep.toml:0:0: nested more than 100 levels deep" in listed.stderr
    linted = _qr("--library", str(library_dir), "lint")
    assert linted.returncode != 70 and "x.toml" in linted.stdout + linted.stderr


def test_a_file_over_the_size_cap_is_a_problem(library_dir, monkeypatch):
    (library_dir / "big.toml").write_text('name = "大"\n' + "# padding\n" * 2000, encoding="utf-8")
    monkeypatch.setattr(load, "MAX_FILE_BYTES", 10_000)
    result = load_library(library_dir)
    assert [(p.file.name, str(p.message)) for p in result.problems] == [
        ("big.toml", "0.0 MB is over the limit of 0.0 MB per file (max_file_mb in the config)")
    ]
    assert result.library.group_by_path(Path("logistics.toml")) is not None


def test_the_size_cap_is_set_in_the_config(library_dir, tmp_path, monkeypatch):
    from qr.config import load_config
    from qr.workspace import open_workspace

    monkeypatch.setattr(load, "MAX_FILE_BYTES", load.MAX_FILE_BYTES)  # restored after the test
    (library_dir / "big.toml").write_bytes(b'name = "big"\n' + b"#" * 1_200_000 + b"\n")
    config_file = tmp_path / "config.toml"
    config_file.write_text("max_file_mb = 1\n", encoding="utf-8")
    workspace = open_workspace(library_dir, config=load_config(config_file))
    assert [p.file.name for p in workspace.problems] == ["big.toml"]
    assert "1.1 MB is over the limit of 1.0 MB" in str(workspace.problems[0])


def test_a_600_level_yaml_import_is_refused_not_a_crash(tmp_path, capsys):
    source = tmp_path / "deep.yml"
    source.write_text('matches:\n  - trigger: ":a"\n    replace: ' + "[" * 600 + "]" * 600 + "\n", encoding="utf-8")
    code = main(["import", str(source), "--into", str(tmp_path / "lib")])
    err = capsys.readouterr().err
    assert code == 2 and err == f"qr: {source}: nested too deeply to read\n"
    assert not (tmp_path / "lib").exists()


@POSIX
def test_importing_a_fifo_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "phrases.csv")
    done = _qr("import", str(tmp_path / "phrases.csv"), "--into", str(tmp_path / "lib"), timeout=30)
    assert done.returncode == 2 and "not a regular file (a FIFO)" in done.stderr


def test_a_workbook_is_read_up_to_the_row_cap(tmp_path, capsys, monkeypatch):
    from openpyxl import Workbook

    from qr.transfer import qianniu

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(("快捷编码", "快捷短语", "快捷短语分组"))
    for number in range(30):
        sheet.append((f"c{number}", f"短语{number}", "组"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = tmp_path / "big.xlsx"
    source.write_bytes(buffer.getvalue())
    monkeypatch.setattr(qianniu, "MAX_ROWS", 10)
    code = main(["import", str(source), "--into", str(tmp_path / "lib")])
    assert code == 2 and "more than 10 rows" in capsys.readouterr().err
    monkeypatch.setattr(qianniu, "MAX_ROWS", 100)
    assert main(["import", str(source), "--into", str(tmp_path / "lib")]) == 0



def test_a_settings_problem_names_its_line(library_dir):
    """A wrong value in `_library.toml` points at its own line (it used to say line 0), both on a
    fresh load and through the index cache; the rest of the settings still apply."""
    from qr.index.cache import load_cached

    settings = library_dir / "_library.toml"
    lines = settings.read_text(encoding="utf-8").splitlines()
    lines += [
        "",
        "[vars.zz_bad]",
        'label = "坏"',
        'pattern = "([unclosed"',
        "hint = 5",
        "",
        "[rules]",
        'allow = ["x"]',
        "files = 3",
    ]
    settings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    number = {text: index for index, text in enumerate(lines, 1)}
    expected = {
        "load.var_pattern": (number['pattern = "([unclosed"'], 1),
        "load.var_hint": (number["hint = 5"], 1),
        "load.rules_list": (number["files = 3"], 1),
    }
    for problems in (load_library(library_dir).problems, load_cached(library_dir).result.problems):
        found = {p.message.id: (p.line, p.column) for p in problems if p.file.name == "_library.toml"}
        assert found == expected
