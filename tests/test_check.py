"""`qr check`: a draft from the argument, stdin or the clipboard, checked with lint's word rules."""

from __future__ import annotations

import io
import json
import sys

import pytest
from conftest import write_library

from qr.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_clean_text_exits_0(capsys, library_dir):
    code, out, _ = run(capsys, "--library", str(library_dir), "check", "亲，最佳食用期是开封后三天，冷藏后口感最佳")
    assert code == 0 and "clean" in out


def test_findings_with_positions_and_suggestions(capsys, library_dir):
    code, out, _ = run(capsys, "--library", str(library_dir), "check", "您好\n请加 V x，好评返现")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("2:2  error   off-platform") and "有问题请在平台聊天窗口联系我们" in lines[0]
    assert lines[1].startswith("2:8  error   review-incentive")
    assert lines[-1] == "2 errors, 0 warnings"


def test_a_warning_alone_exits_1(capsys, library_dir):
    code, out, _ = run(capsys, "--library", str(library_dir), "check", "It will definitely arrive")
    assert code == 1 and "risky-promise" in out and "0 errors, 1 warnings" in out


def test_json_has_the_lint_fields_and_offsets(capsys, library_dir):
    text = "订单已发货\u202e，加我微信"
    code, out, _ = run(capsys, "--library", str(library_dir), "check", "--json", text)
    rows = json.loads(out)
    assert code == 1
    assert [(r["rule"], r["start"], r["end"], r["file"], r["code"]) for r in rows] == [
        ("control-char", 5, 6, "", ""),
        ("off-platform", 7, 11, "", ""),
    ]
    assert text[rows[1]["start"]:rows[1]["end"]] == "加我微信"
    assert {"file", "line", "column", "severity", "rule", "code", "message", "start", "end"} <= set(rows[0])


def test_stdin_and_bad_input(capsys, monkeypatch, library_dir):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("假一赔十".encode())))
    assert run(capsys, "--library", str(library_dir), "check")[0] == 1
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe\x00bad")))
    code, _, err = run(capsys, "--library", str(library_dir), "check")
    assert code == 2 and "not UTF-8" in err
    code, _, err = run(capsys, "--library", str(library_dir), "check", "   ")
    assert code == 2 and "empty" in err


def test_clipboard(capsys, monkeypatch, library_dir):
    import pyperclip

    monkeypatch.setattr(pyperclip, "paste", lambda: "扫码加好友")
    code, out, _ = run(capsys, "--library", str(library_dir), "check", "--clipboard")
    assert code == 1 and "off-platform" in out

    def broken() -> str:
        raise pyperclip.PyperclipException("no clipboard mechanism")

    monkeypatch.setattr(pyperclip, "paste", broken)
    code, _, err = run(capsys, "--library", str(library_dir), "check", "--clipboard")
    assert code == 2 and "cannot read the clipboard" in err


def test_the_librarys_rules_apply_and_nothing_is_stored(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = write_library(tmp_path / "lib", {
        "_library.toml": 'name = "t"\n[rules]\nallow = ["顶级"]\n"off-platform" = ["钉钉号"]\n',
        "g.toml": 'name = "G"\n[[phrases]]\ncode = "a"\ntitle = "t"\nbody = "b"\n',
    })
    code, out, _ = run(capsys, "--library", str(root), "check", "顶级面料，钉钉号发您")
    assert code == 1 and "钉钉号" in out and "顶级" not in out
    draft = "钉钉号发您".encode()
    assert not [path for path in tmp_path.rglob("*") if path.is_file() and draft in path.read_bytes()]


@pytest.mark.parametrize("lang, word", [("zh_CN.UTF-8", "站外联系"), ("en_US.UTF-8", "off-platform contact")])
def test_messages_follow_the_locale(capsys, monkeypatch, library_dir, lang, word):
    import qr.i18n

    monkeypatch.setenv("LANG", lang)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setattr(qr.i18n, "_current", None)
    code, out, _ = run(capsys, "--library", str(library_dir), "check", "加我微信")
    assert code == 1 and word in out
