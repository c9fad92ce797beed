"""`qr completion` (#18.8): real completion scripts for bash, zsh and fish, generated from the
parser; `qr paths`: the config, data and cache locations."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qr.cli import COMMANDS, main


def script(capsys, shell: str) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def bash_complete(script_path: Path, *words: str) -> list[str]:
    """What bash offers for `words` (the last one being completed), from the installed script."""
    line = " ".join(words)
    program = (
        f"source {script_path}\n"
        f"COMP_WORDS=({' '.join(repr(word) for word in words)}); COMP_CWORD={len(words) - 1}\n"
        f"COMP_LINE={line!r}; COMP_POINT=${{#COMP_LINE}}\n"
        "_shtab_qr; printf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    result = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return [line for line in result.stdout.splitlines() if line]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_options_and_choices(capsys, tmp_path):
    path = tmp_path / "qr"
    path.write_text(script(capsys, "bash"), encoding="utf-8")
    assert bash_complete(path, "qr", "se") == ["search"]
    assert set(bash_complete(path, "qr", "")) >= set(COMMANDS)
    assert bash_complete(path, "qr", "search", "--li") == ["--library", "--limit"]
    assert bash_complete(path, "qr", "render", "wl1", "--an") == ["--any-date"]
    assert bash_complete(path, "qr", "export", "--format", "qianniu") == ["qianniu-csv", "qianniu-xlsx"]
    assert sorted(bash_complete(path, "qr", "team", "pu")) == ["publish", "pull"]
    (tmp_path / "shop-lib").mkdir()
    (tmp_path / "shop-notes.txt").write_text("x", encoding="utf-8")
    assert bash_complete(path, "qr", "--library", str(tmp_path / "shop")) == [str(tmp_path / "shop-lib")]  # folders only


@pytest.mark.parametrize(("shell", "check"), [("zsh", ["zsh", "-n"]), ("fish", ["fish", "--no-execute"])])
def test_zsh_and_fish_scripts_are_valid_and_name_every_command(capsys, tmp_path, shell, check):
    text = script(capsys, shell)
    assert all(name in text for name in COMMANDS)
    assert "cli.search" not in text and "ranked hits" in text  # help ids worded for the descriptions
    if shutil.which(check[0]) is None:
        pytest.skip(f"{shell} is not installed: the syntax check needs it")
    path = tmp_path / f"qr.{shell}"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run([*check, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_completion_descriptions_follow_the_language(capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "按相关度列出命中的话术" in script(capsys, "fish")


def test_completion_does_not_slow_down_a_normal_start():
    code = "import sys\nfrom qr.cli.parser import build_parser\nbuild_parser(['search', 'x'])\nbuild_parser()\nprint('shtab' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_unknown_shell_is_refused(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["completion", "powershell"])
    assert raised.value.code == 2 and "invalid choice" in capsys.readouterr().err


# qr paths


def test_paths_text_and_json(capsys, isolated_home, library_dir):
    assert main(["--library", str(library_dir), "paths", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["config"] == str(isolated_home / "xdg_config_home" / "qr" / "config.toml")
    assert document["data"] == str(isolated_home / "xdg_data_home" / "qr")
    assert document["cache"] == str(isolated_home / "xdg_cache_home" / "qr")
    assert document["usage"].startswith(document["data"])
    assert document["libraries"] == [str(library_dir)]
    assert main(["paths"]) == 0
    out = capsys.readouterr().out
    assert "config file" in out and "(not created yet)" in out and str(isolated_home / "xdg_cache_home" / "qr") in out


def test_paths_still_answers_with_a_broken_config(capsys, isolated_home):
    config = isolated_home / "xdg_config_home" / "qr" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("library = [\n", encoding="utf-8")
    assert main(["paths", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["config"] == str(config) and "invalid TOML" in err


def test_paths_in_chinese(capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(["paths"]) == 0
    assert "配置文件" in capsys.readouterr().out
