"""A copy is verified or reported as failed (issue #14.1): exit status checked, clipboard read back."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build_app

from qr.clipboard import ClipboardUnavailable, MemoryClipboard, SystemClipboard, copy_with_fallback
from qr.screens.dialogs import ChoiceDialog
from qr.screens.launcher import LauncherScreen

WL2 = "很抱歉包裹破损了，请拍照给我们，亲。"


def fake_program(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def bin_dir(tmp_path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    return folder


def env_with(bin_dir: Path, **values: str) -> dict[str, str]:
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", **values}


def test_a_working_xclip_is_read_back(bin_dir, tmp_path):
    store = tmp_path / "clip"
    fake_program(bin_dir, "xclip", f'case "$*" in *-out*) cat "{store}";; *) cat > "{store}";; esac\n')
    SystemClipboard(env_with(bin_dir, DISPLAY=":9"), platform="linux").copy("亲，[/x] 你好\n第二行")
    assert store.read_text(encoding="utf-8") == "亲，[/x] 你好\n第二行"


def test_a_failing_xclip_is_a_failure_with_its_message_and_the_hint(bin_dir):
    fake_program(bin_dir, "xclip", 'echo "Error: Can\'t open display: :9" >&2; exit 1\n')
    with pytest.raises(ClipboardUnavailable) as raised:
        SystemClipboard(env_with(bin_dir, DISPLAY=":9"), platform="linux").copy("x")
    message = str(raised.value)
    assert "xclip failed (exit 1): Error: Can't open display: :9" in message
    assert "--print" in message and "OSC 52" in message


def test_a_copy_that_exits_0_but_holds_other_text_is_a_failure(bin_dir):
    fake_program(bin_dir, "xclip", 'case "$*" in *-out*) printf "the previous reply";; *) cat > /dev/null;; esac\n')
    with pytest.raises(ClipboardUnavailable, match="does not hold the reply"):
        SystemClipboard(env_with(bin_dir, DISPLAY=":9"), platform="linux").copy("new reply")


def test_xsel_is_tried_when_xclip_fails(bin_dir, tmp_path):
    store = tmp_path / "clip"
    fake_program(bin_dir, "xclip", "exit 1\n")
    fake_program(bin_dir, "xsel", f'case "$*" in *--output*) cat "{store}";; *) cat > "{store}";; esac\n')
    SystemClipboard(env_with(bin_dir, DISPLAY=":9"), platform="linux").copy("亲")
    assert store.read_text(encoding="utf-8") == "亲"


def test_no_display_and_no_program_say_so(bin_dir):
    with pytest.raises(ClipboardUnavailable, match="not inside a desktop session"):
        SystemClipboard(env_with(bin_dir), platform="linux").copy("x")
    with pytest.raises(ClipboardUnavailable, match="none of wl-copy, xclip, xsel is installed"):
        SystemClipboard({"PATH": str(bin_dir), "DISPLAY": ":9"}, platform="linux").copy("x")


def test_a_hung_program_times_out(bin_dir, monkeypatch):
    monkeypatch.setattr("qr.clipboard.TIMEOUT", 0.5)
    fake_program(bin_dir, "xclip", "exec sleep 30\n")
    with pytest.raises(ClipboardUnavailable, match="no answer"):
        SystemClipboard(env_with(bin_dir, DISPLAY=":9"), platform="linux").copy("x")


def test_the_terminal_fallback_is_unverified_and_says_why():
    sent: list[str] = []
    copied = copy_with_fallback(MemoryClipboard(fail=True), "hi", sent.append)
    assert sent == ["hi"] and not copied.verified and "Can't open display" in copied.problem
    assert copy_with_fallback(MemoryClipboard(), "hi", sent.append).verified
    with pytest.raises(ClipboardUnavailable):
        copy_with_fallback(MemoryClipboard(fail=True), "hi", None)


def test_qr_copy_with_a_dead_display_exits_3(library_dir, tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("WAYLAND_DISPLAY",)}
    env.update(DISPLAY=":199", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    result = subprocess.run(
        [sys.executable, "-m", "qr", "--library", str(library_dir), "copy", "wl2"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert result.returncode == 3, result.stderr
    assert "copied" not in result.stderr.lower()
    assert "--print" in result.stderr
    if shutil.which("xclip"):
        assert "Can't open display" in result.stderr


# -- the launcher --------------------------------------------------------------------------------


def notices(app) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def test_a_failed_copy_is_an_error_that_stays_and_keeps_the_query(library_dir):
    app = build_app(library_dir, clipboard=MemoryClipboard(fail=True), watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl2", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)  # stays until dismissed
        assert "NOT put on the clipboard" in app.screen.message and "Can't open display" in app.screen.message
        assert not any("Copied" in notice for notice in notices(app))
        await pilot.press("enter")
        await pilot.pause()
        launcher = app.screen
        assert isinstance(launcher, LauncherScreen)
        assert launcher.query_text == "/wl2" and launcher.current_entry is not None
        assert launcher.current_entry.phrase.code == "wl2"


async def test_osc52_fallback_is_announced_not_called_copied(library_dir):
    app = build_app(library_dir, clipboard=MemoryClipboard(fail=True), watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        app.terminal_clipboard = lambda: app.copy_to_clipboard  # as inside a real terminal
        await pilot.press(*"/wl2", "enter")
        await pilot.pause()
        assert app.clipboard == WL2  # sent to the terminal
        assert isinstance(app.screen, ChoiceDialog) and "OSC 52" in app.screen.message
        await pilot.press("enter", *"/wl2", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LauncherScreen)  # the dialog only once; then a warning each time
        assert any("OSC 52" in notice and "not verified" in notice for notice in notices(app))
        assert not any("Copied" in notice for notice in notices(app))


async def test_once_exits_0_only_after_a_verified_copy(library_dir):
    app = build_app(library_dir, clipboard=MemoryClipboard(fail=True), once=True, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl2", "enter")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running  # nothing copied: qr stays for another try
        app.clipboard_backend.fail = False
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 0 and app.clipboard_backend.copied == [WL2]


async def test_once_with_only_the_terminal_exits_4(library_dir):
    app = build_app(library_dir, clipboard=MemoryClipboard(fail=True), once=True, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        app.terminal_clipboard = lambda: app.copy_to_clipboard
        await pilot.press(*"/wl2", "enter")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 4


def test_qr_copy_on_a_terminal_without_a_clipboard_sends_osc52_and_still_exits_3(library_dir, capsys, monkeypatch):
    """OSC 52 cannot be read back: the reply is sent through the terminal, but never reported as a copy."""
    import qr.clipboard
    from qr.cli import main

    def unavailable(self, text):
        raise ClipboardUnavailable("no clipboard tool found")

    monkeypatch.setattr(qr.clipboard.SystemClipboard, "copy", unavailable)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code = main(["--library", str(library_dir), "copy", "wl2", "--set", "customer=王"])
    out, err = capsys.readouterr()
    assert code == 3
    assert out.startswith("\x1b]52;c;") and "not verified" in err and "copied" not in err
