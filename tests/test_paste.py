"""`--paste` for real on X11 (issue #18.1): under Xvfb, a small Tk window that records what it
receives gets the rendered reply after a copy in the launcher.

Skipped (with the reason) when Xvfb, xdotool, xclip or tkinter is missing; .ci/run installs
them when apt-get is available.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import build_app

from qr.clipboard import SystemClipboard
from qr.paste import Paster, start_paster

MISSING = [name for name in ("Xvfb", "xdotool", "xclip") if shutil.which(name) is None]
try:
    import tkinter  # noqa: F401
except ImportError:
    MISSING.append("tkinter")
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"--paste test needs {', '.join(MISSING)}")

TARGET = """
import sys, tkinter as tk
out = sys.argv[1]
root = tk.Tk()
root.title("qr-paste-target")
text = tk.Text(root)
text.pack()
text.focus_set()
def save():
    with open(out, "w", encoding="utf-8") as file:
        file.write(text.get("1.0", "end-1c"))
    root.after(50, save)
root.after(50, save)
root.mainloop()
"""


def wait_for(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def x_display(tmp_path):
    """A fresh Xvfb; yields the environment for programs that use it."""
    display = f":{random.randint(200, 900)}"
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "800x600x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {"PATH": os.environ["PATH"], "DISPLAY": display, "HOME": str(tmp_path)}
    ready = wait_for(lambda: subprocess.run(["xdotool", "getdisplaygeometry"], env=env, capture_output=True, check=False).returncode == 0)
    if not ready:
        server.kill()
        pytest.skip(f"Xvfb {display} did not start")
    yield env
    server.kill()
    server.wait()


@pytest.fixture
def target(x_display, tmp_path):
    """The chat window: a Tk text box that writes what it holds to a file; it has the focus."""
    received = tmp_path / "received.txt"
    program = subprocess.Popen([sys.executable, "-c", TARGET, str(received)], env=x_display)
    windows: list[str] = []

    def found() -> bool:
        search = subprocess.run(["xdotool", "search", "--name", "qr-paste-target"], env=x_display,
                                capture_output=True, text=True, timeout=10, check=False)
        windows[:] = search.stdout.split()
        return bool(windows)

    assert wait_for(found, 30), "the Tk target window did not appear"
    window = windows[0]
    subprocess.run(["xdotool", "windowfocus", "--sync", window], env=x_display, check=True, timeout=10)
    assert wait_for(received.exists)
    yield received
    program.kill()
    program.wait()


async def test_a_copy_is_pasted_into_the_window_that_had_the_focus(library_dir, x_display, target):
    paster = start_paster({**x_display, "WINDOWID": "1"})  # qr's own terminal is another window
    assert isinstance(paster, Paster) and paster.can_paste_now()
    app = build_app(library_dir, clipboard=SystemClipboard(x_display, platform="linux"), paster=paster, watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl2", "enter")
        await pilot.pause()
        assert wait_for(lambda: target.read_text(encoding="utf-8") == "很抱歉包裹破损了，请拍照给我们，亲。")
        assert not [n for n in app._notifications if n.severity != "information"]


def test_after_once_the_paste_goes_where_the_focus_went_back(x_display, target):
    SystemClipboard(x_display, platform="linux").copy("亲，已为您备注。")
    paster = start_paster({**x_display, "WINDOWID": "1"})
    assert isinstance(paster, Paster)
    paster.paste_after_exit()
    assert wait_for(lambda: target.read_text(encoding="utf-8") == "亲，已为您备注。")


def test_without_a_desktop_paste_says_why(tmp_path):
    assert start_paster({"PATH": os.environ["PATH"]}, platform="linux") == "no desktop session (no DISPLAY or WAYLAND_DISPLAY)"
    assert "xdotool" in str(start_paster({"PATH": str(tmp_path), "DISPLAY": ":1"}, platform="linux"))


async def test_paste_problem_is_said_once_and_copy_still_works(library_dir):
    app = build_app(library_dir, paster="on X11, --paste needs xdotool (apt install xdotool)", watch_library=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/wl2", "enter", *"/wl1", "enter", *"123456", "enter")
        await pilot.pause()
        warnings = [str(n.message) for n in app._notifications if n.severity == "warning"]
        assert len(warnings) == 1 and "xdotool" in warnings[0]
        assert len(app.clipboard_backend.copied) == 2


def test_paste_flag_and_config(tmp_path):
    from qr.cli.parser import build_parser

    args = build_parser().parse_args(["--paste", "--once"])
    assert args.paste and args.once
    assert Path  # (keeps the import used when the X tests are skipped)
