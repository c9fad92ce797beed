"""The command line contract: outputs, JSON fields, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from qr.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_render_with_values(capsys, library_dir):
    code, out, err = run(capsys, "--library", str(library_dir), "render", "/wl1", "--set", "order_id=12345678")
    assert code == 0
    assert out == "亲爱的亲，最近物流繁忙，您的订单12345678会稍慢一些。\n"


def test_library_option_after_command_and_env(capsys, library_dir, monkeypatch):
    assert run(capsys, "render", "wl2", "--library", str(library_dir))[0] == 0
    monkeypatch.setenv("QR_LIBRARY", str(library_dir))
    assert run(capsys, "render", "wl2")[1].startswith("很抱歉")


def test_config_file_library(capsys, library_dir, isolated_home):
    config = isolated_home / "xdg_config_home" / "qr" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'library = "{library_dir}"\nagent = "小王"\n', encoding="utf-8")
    assert run(capsys, "render", "wl2")[0] == 0


def test_render_json_and_missing_all_named(capsys, library_dir):
    code, out, err = run(capsys, "--library", str(library_dir), "render", "wl1", "--json")
    assert code == 2
    assert json.loads(out) == {"code": "wl1", "text": "亲爱的亲，最近物流繁忙，您的订单{order_id}会稍慢一些。", "missing": ["order_id"]}
    code, out, err = run(capsys, "--library", str(library_dir), "render", "wl1")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "order_id (订单号)" in err


def test_unknown_code_suggests(capsys, library_dir):
    code, out, err = run(capsys, "--library", str(library_dir), "render", "wl3")
    assert code == 2
    assert "unknown code /wl3" in err and "/wl1" in err


def test_pattern_mismatch(capsys, library_dir):
    code, _, err = run(capsys, "--library", str(library_dir), "render", "wl1", "--set", "order_id=abc")
    assert code == 2 and "订单号" in err and "abc" in err


def test_bad_set_syntax(capsys, library_dir):
    assert run(capsys, "--library", str(library_dir), "render", "wl1", "--set", "novalue")[0] == 2


def test_bad_template_cannot_render(capsys, tmp_path):
    root = tmp_path / "lib"
    root.mkdir()
    (root / "a.toml").write_text('name = "A"\n[[phrases]]\ncode = "a1"\ntitle = "t"\nbody = "oops {"\n', encoding="utf-8")
    code, _, err = run(capsys, "--library", str(root), "render", "a1")
    assert code == 2 and "broken template" in err
    code, out, _ = run(capsys, "--library", str(root), "lint")
    assert code == 1 and "template-syntax" in out


def test_search_json_fields(capsys, library_dir):
    code, out, _ = run(capsys, "--library", str(library_dir), "search", "wlfm", "--json")
    hits = json.loads(out)
    assert code == 0
    assert list(hits[0]) == ["code", "title", "group", "category", "score"]
    assert hits[0]["code"] == "wl1" and hits[0]["category"] == "售中"


def test_list_json_and_filters(capsys, library_dir):
    code, out, _ = run(capsys, "--library", str(library_dir), "list", "--json", "--category", "英文")
    rows = json.loads(out)
    assert [row["code"] for row in rows] == ["en1"]
    assert set(rows[0]) >= {"code", "title", "group", "category", "body", "tags", "note", "lang", "file", "line"}
    assert rows[0]["file"] == os.path.join("en", "english.toml") and rows[0]["line"] == 5
    code, out, _ = run(capsys, "--library", str(library_dir), "list", "--group", "物流")
    assert "/wl10" in out and "/en1" not in out


def test_broken_file_warns_rest_works_file_untouched(capsys, library_dir):
    broken = library_dir / "zz.toml"
    broken.write_text("name = \n", encoding="utf-8")
    before = broken.read_bytes()
    code, out, err = run(capsys, "--library", str(library_dir), "list")
    assert code == 0 and "/wl1" in out
    assert "zz.toml:1:" in err
    code, out, _ = run(capsys, "--library", str(library_dir), "lint", "--json")
    assert code == 1
    finding = json.loads(out)[0]
    assert finding["file"] == "zz.toml" and finding["line"] == 1 and finding["severity"] == "error"
    assert set(finding) >= {"file", "line", "column", "severity", "rule", "code", "message", "message_id", "args"}
    assert broken.read_bytes() == before


def test_duplicate_code_across_files(capsys, library_dir):
    (library_dir / "dup.toml").write_text('name = "D"\n[[phrases]]\ncode = "WL1"\ntitle = "t"\nbody = "x"\n', encoding="utf-8")
    code, out, _ = run(capsys, "--library", str(library_dir), "lint")
    assert code == 1 and out.count("duplicate-code") == 2


def test_lint_clean_library_exits_zero(capsys, library_dir):
    code, out, _ = run(capsys, "--library", str(library_dir), "lint")
    assert code == 0 and "0 errors" in out


def test_init_copies_bundled_and_refuses_non_empty(capsys, tmp_path):
    target = tmp_path / "mine"
    assert run(capsys, "init", str(target))[0] == 0
    assert (target / "_library.toml").exists() and not (target / "__init__.py").exists()
    assert run(capsys, "--library", str(target), "lint")[0] == 0
    code, _, err = run(capsys, "init", str(target))
    assert code == 2 and "not empty" in err


def test_missing_library_folder(capsys, tmp_path):
    code, _, err = run(capsys, "--library", str(tmp_path / "nope"), "list")
    assert code == 2 and "not found" in err


def test_copy_without_clipboard_exits_3_with_hint(capsys, library_dir):
    code, out, err = run(capsys, "--library", str(library_dir), "copy", "wl2")
    assert code == 3
    assert "xclip" in err and "--print" in err and out == ""


def test_copy_print(capsys, library_dir):
    code, out, _ = run(capsys, "--library", str(library_dir), "copy", "wl2", "--print")
    assert code == 0 and out.startswith("很抱歉")


def test_copy_with_clipboard(capsys, library_dir, monkeypatch):
    copied = []
    monkeypatch.setattr("qr.clipboard.SystemClipboard.copy", lambda self, text: copied.append(text))
    code, _, err = run(capsys, "--library", str(library_dir), "copy", "wl2", "--set", "customer=张三")
    assert code == 0 and copied == ["很抱歉包裹破损了，请拍照给我们，张三。"]
    assert "copied /wl2" in err


def test_bundled_library_is_default(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0 and "/wl1" in out


def _python(code: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)


def test_non_tui_commands_do_not_import_textual(library_dir):
    script = (
        "import sys\n"
        "from qr.cli import main\n"
        f"for argv in (['search','wl'], ['list'], ['lint'], ['render','wl2']):\n"
        f"    main(['--library', {str(library_dir)!r}] + argv)\n"
        "import qr.store, qr.index.phrase_index, qr.index.cache, qr.index.tiers, qr.index.fuzzy, qr.index.spans, qr.index.reindex, qr.render\n"
        "print('TEXTUAL' if any(m == 'textual' or m.startswith('textual.') for m in sys.modules) else 'CLEAN')\n"
    )
    result = _python(script)
    assert result.stdout.strip().endswith("CLEAN"), result.stderr


def test_help_and_version_and_module():
    result = subprocess.run([sys.executable, "-m", "qr", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "render" in result.stdout
    result = _python("import sys; sys.argv=['qr','--help']\ntry:\n from qr.cli import main; main()\nexcept SystemExit: pass\nprint('textual' in sys.modules)")
    assert result.stdout.strip().endswith("False")
    result = subprocess.run([sys.executable, "-m", "qr", "--version"], capture_output=True, text=True)
    assert result.stdout.startswith("qr ")


def test_errors_are_one_line_never_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "qr", "--library", str(tmp_path), "render", "nothing"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
