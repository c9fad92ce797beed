"""The CLI says what it does not do (#14.9), prints data without raw control characters (#14.4)
and speaks Chinese when the locale or `ui_lang` is Chinese (#18.8)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta

import pytest
from conftest import write_library

from qr.cli import main
from qr.terminal_text import escape_controls


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_config(home, text: str):
    path = home / "xdg_config_home" / "qr" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# config: wrong types are errors, unknown keys warnings


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ("library = 5\n", "library", 1),
        ('agent = "小王"\nui_lang = ["zh"]\n', "ui_lang", 2),
        ("paste = \"yes\"\n", "paste", 1),
        ("keymap = 3\n", "keymap", 1),
    ],
)
def test_config_key_of_the_wrong_type_is_one_line_naming_key_and_file(capsys, library_dir, isolated_home, text, key, line):
    path = write_config(isolated_home, text)
    code, out, err = run(capsys, "--library", str(library_dir), "list")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f"{path}:{line}" in err and key in err


def test_wrong_type_in_a_profile_names_the_profile(capsys, isolated_home, library_dir):
    write_config(isolated_home, f'[profiles.a]\nlibraries = ["{library_dir}"]\nshop = 5\n')
    code, _, err = run(capsys, "--profile", "a", "list")
    assert code == 2 and "[profiles.a] shop" in err and err.count("\n") == 1


def test_unknown_config_keys_warn_with_a_suggestion_and_the_run_goes_on(capsys, library_dir, isolated_home):
    path = write_config(isolated_home, f'libary = "x"\nlibrary = "{library_dir}"\ncolour = "red"\n[profiles.a]\nshopp = "A"\n')
    code, out, err = run(capsys, "list")
    assert code == 0 and "/wl1" in out  # `library` was used
    lines = err.splitlines()
    assert any(f"{path}:1" in line and "'libary'" in line and "'library'" in line for line in lines)
    assert any("'colour'" in line and "known:" in line for line in lines)
    assert any(f"{path}:5" in line and "'shopp'" in line and "'shop'" in line for line in lines)
    assert all(line.startswith("qr: warning:") for line in lines)


def test_unsupported_ui_lang_is_a_warning(capsys, library_dir, isolated_home):
    path = write_config(isolated_home, 'ui_lang = "fr"\n')
    code, _, err = run(capsys, "--library", str(library_dir), "list")
    assert code == 0 and f"{path}:1" in err and "'fr'" in err and "zh, en" in err
    write_config(isolated_home, 'ui_lang = "zh-TW"\n')
    assert run(capsys, "--library", str(library_dir), "list")[2] == ""


def test_config_errors_are_in_chinese_with_ui_lang(capsys, library_dir, isolated_home):
    write_config(isolated_home, 'ui_lang = "zh"\nagent = 7\n')
    code, _, err = run(capsys, "--library", str(library_dir), "list")
    assert code == 2 and "agent 应为字符串" in err


# --set names the phrase does not use


def test_set_of_an_unused_name_warns_with_a_suggestion(capsys, library_dir):
    code, out, err = run(capsys, "--library", str(library_dir), "render", "wl2", "--set", "custmer=王")
    assert code == 0 and out.startswith("很抱歉")  # rendered with the default: nothing else changes
    assert "custmer" in err and "customer" in err and "/wl2" in err and err.startswith("qr: warning:")
    code, _, err = run(capsys, "--library", str(library_dir), "render", "wl2", "--set", "zzz=1", "--set", "customer=王")
    assert code == 0 and "zzz" in err and "customer" in err  # no close match: names what it uses
    code, _, err = run(capsys, "--library", str(library_dir), "render", "wl2", "--set", "customer=王")
    assert err == ""
    code, _, err = run(capsys, "--library", str(library_dir), "render", "en1", "--set", "customer=Ann", "--set", "x=1")
    assert code == 0 and "x" in err and err.count("\n") == 1


# the validity window


def _windowed_library(tmp_path, start: date | None, end: date | None):
    window = (f"valid_from = {start.isoformat()}\n" if start else "") + (f"valid_until = {end.isoformat()}\n" if end else "")
    files = {"_library.toml": 'name = "L"\n', "promo.toml": f'name = "活动"\n[[phrases]]\ncode = "old"\ntitle = "双十一"\nbody = "满300减50"\n{window}'}
    return write_library(tmp_path / "lib", files)


@pytest.mark.parametrize("command", ["render", "copy"])
def test_expired_phrase_is_refused_by_code_unless_any_date(capsys, tmp_path, command):
    today = date.today()
    root = _windowed_library(tmp_path, today - timedelta(days=20), today - timedelta(days=10))
    extra = ["--print"] if command == "copy" else []
    code, out, err = run(capsys, "--library", str(root), command, "old", *extra)
    assert code == 2 and out == ""
    assert (today - timedelta(days=10)).isoformat() in err and "--any-date" in err and "expired" in err
    code, out, _ = run(capsys, "--library", str(root), command, "old", *extra, "--any-date")
    assert code == 0 and out.strip() == "满300减50"


def test_phrase_not_yet_valid_is_refused(capsys, tmp_path):
    start = date.today() + timedelta(days=3)
    root = _windowed_library(tmp_path, start, None)
    code, _, err = run(capsys, "--library", str(root), "render", "old")
    assert code == 2 and start.isoformat() in err and "not started" in err


def test_phrase_inside_its_window_renders(capsys, tmp_path):
    today = date.today()
    root = _windowed_library(tmp_path, today, today)
    assert run(capsys, "--library", str(root), "render", "old")[0] == 0


# control characters never reach the terminal raw

HOSTILE = {
    "_library.toml": 'name = "L"\n',
    "bad.toml": (
        'name = "坏\\u009b分组"\n[[phrases]]\ncode = "x1"\n'
        'title = "清屏\\u001b[2J标题\\u001b]52;c;aGk=\\u0007"\n'
        'body = "正文\\u202e反向\\u001b[31m红"\n'
    ),
}
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


@pytest.mark.parametrize(
    "argv",
    [["list"], ["search", "清屏"], ["render", "x1"], ["copy", "x1", "--print"], ["list", "--json"], ["search", "x1", "--json"], ["render", "x1", "--json"]],
)
def test_control_characters_are_printed_escaped(capsys, tmp_path, argv):
    root = write_library(tmp_path / "lib", HOSTILE)
    code, out, err = run(capsys, "--library", str(root), *argv)
    if argv[0] in ("render", "copy"):  # rendering refuses them (#14.4): a reply never carries them
        assert code == 2 and "control character U+202E" in err and out == ""
        assert not any(char in err for char in RAW)
        return
    assert code == 0, err
    assert not any(char in out + err for char in RAW)
    assert "\\x1b" in out or "\\u001b" in out
    if "--json" in argv:  # the same value for a JSON reader
        document = json.loads(out)
        first = document[0] if isinstance(document, list) else document
        assert "\x1b" in (first.get("title") or first.get("text"))


def test_errors_quoting_data_are_escaped(capsys, library_dir):
    code, _, err = run(capsys, "--library", str(library_dir), "render", "a\x1b[2Jb")
    assert code == 2 and "\x1b" not in err and "\\x1b" in err


def test_argparse_errors_echo_arguments_escaped(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["list", "\x1b]52;c;aGk=\x07"])
    err = capsys.readouterr().err
    assert raised.value.code == 2 and "\x1b" not in err and "\\x1b]52" in err


def test_escape_controls_keeps_text_newlines_and_tabs():
    assert escape_controls("a\tb\nc\x1b\x7f\x85\u202e\u2067中") == "a\tb\nc\\x1b\\x7f\\x85\\u202e\\u2067中"


# the CLI in Chinese, -V, and no hit


def test_help_and_messages_follow_the_locale(capsys, library_dir, monkeypatch):
    with pytest.raises(SystemExit):
        main(["search", "--help"])
    assert "ranked hits" in capsys.readouterr().out
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    with pytest.raises(SystemExit):
        main(["search", "--help"])
    help_text = capsys.readouterr().out
    assert help_text.startswith("用法：qr search") and "按相关度" in help_text and "显示帮助并退出" in help_text
    with pytest.raises(SystemExit) as raised:
        main(["bogus"])
    assert raised.value.code == 2 and "无效的选项" in capsys.readouterr().err
    code, _, err = run(capsys, "--library", str(library_dir), "render", "wl3")
    assert code == 2 and "未知编码 /wl3" in err
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")  # LC_ALL wins over LANG
    code, _, err = run(capsys, "--library", str(library_dir), "render", "wl3")
    assert "unknown code /wl3" in err


@pytest.mark.parametrize("columns", [80, 120])
def test_chinese_help_fits_the_terminal(capsys, monkeypatch, columns):
    """argparse wrapped by characters, and a Chinese character takes two columns: `qr --help`
    ran past 80 columns and the terminal broke its lines again, mid-word."""
    import unicodedata

    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("COLUMNS", str(columns))
    for argv in (["--help"], ["check", "--help"], ["import", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        lines = capsys.readouterr().out.splitlines()
        widths = [sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line) for line in lines]
        assert max(widths) <= columns, (argv, lines[widths.index(max(widths))])
        assert not any(line.lstrip().startswith(("）", "，", "。", "；")) for line in lines)
        assert "选项：" in lines and "选项:" not in lines  # a Chinese heading ends with a full-width colon


def test_ui_lang_in_the_config_wins_over_the_locale(capsys, library_dir, isolated_home):
    write_config(isolated_home, f'ui_lang = "zh"\nlibrary = "{library_dir}"\n')
    code, _, err = run(capsys, "search", "完全没有这个词")
    assert code == 1 and "没有话术匹配" in err
    write_config(isolated_home, f'ui_lang = "en"\nlibrary = "{library_dir}"\n')
    assert "no phrase matches" in run(capsys, "search", "完全没有这个词")[2]


def test_search_without_hits_says_so_on_stderr_and_exits_1(capsys, library_dir):
    code, out, err = run(capsys, "--library", str(library_dir), "search", "zzzzqqqq")
    assert code == 1 and out == "" and "no phrase matches 'zzzzqqqq'" in err
    code, out, _ = run(capsys, "--library", str(library_dir), "search", "zzzzqqqq", "--json")
    assert code == 1 and json.loads(out) == []
    assert run(capsys, "--library", str(library_dir), "search", "wlfm")[0] == 0


def test_short_version_option():
    short = subprocess.run([sys.executable, "-m", "qr", "-V"], capture_output=True, text=True)
    long = subprocess.run([sys.executable, "-m", "qr", "--version"], capture_output=True, text=True)
    assert short.returncode == 0 and short.stdout == long.stdout and short.stdout.startswith("qr ")


async def test_launcher_shows_config_warnings(library_dir, isolated_home):
    from conftest import build_app

    from qr.workspace import open_workspace

    write_config(isolated_home, 'libary = "x"\n')
    app = build_app(open_workspace(library_dir), watch_library=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        shown = [str(notification.message) for notification in app._notifications]
    assert any("'libary'" in message and "'library'" in message for message in shown)


def test_a_skipped_file_is_reported_in_chinese_under_a_chinese_locale(capsys, library_dir, monkeypatch):
    (library_dir / "broken.toml").write_text("name = \n", encoding="utf-8")
    code, out, err = run(capsys, "--library", str(library_dir), "list")
    assert code == 0 and "/wl1" in out and "(skipped; the rest of the library loaded)" in err
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    code, out, err = run(capsys, "--library", str(library_dir), "list")
    assert code == 0 and "/wl1" in out
    assert err.startswith("qr: 警告：") and "broken.toml" in err and "（已跳过；话术库其余部分已载入）" in err
    assert "skipped" not in err
