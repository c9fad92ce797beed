"""`--paste`: after a verified copy, put the reply into the chat box as well (opt-in).

qr remembers the window that had focus when it started; after a copy it gives that window the
focus back and sends the paste keystroke. With `--once` (a hotkey terminal) qr exits first: the
terminal closes, the desktop returns the focus, and the keystroke goes to that window.

- X11: xdotool (focus a window, send ctrl+v with the modifiers the user holds cleared);
- Wayland: wtype, else ydotool (no way to focus a window: the keystroke goes wherever the focus is,
  so only after `--once` has closed qr's terminal);
- macOS: osascript (activate the app that was frontmost, then cmd+v);
- Windows: the Win32 API through ctypes (SetForegroundWindow, then keybd_event ctrl+v).

Where none works, `start_paster` returns the reason instead; qr says it once and stays copy-only.
No Textual here: the CLI runs the after-exit paste without the app.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

TIMEOUT = 3.0
FOCUS_BACK_SECONDS = 2.0
"""After `--once`, how long to wait for the desktop to give the focus back (the terminal closing)."""


class PasteUnavailable(RuntimeError):
    """The keystroke could not be sent; the message says why."""


def _run(command: Sequence[str], env: Mapping[str, str]) -> str:
    try:
        done = subprocess.run(list(command), capture_output=True, text=True, timeout=TIMEOUT, env=dict(env), check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PasteUnavailable(f"{command[0]}: {error}") from None
    if done.returncode != 0:
        raise PasteUnavailable(f"{' '.join(command[:2])} failed (exit {done.returncode}): {done.stderr.strip() or 'no message'}")
    return done.stdout.strip()


@dataclass
class Paster:
    """Sends the paste keystroke to the window that had the focus when qr started."""

    backend: str
    """"xdotool", "wtype", "ydotool", "osascript" or "win32"."""
    env: Mapping[str, str] = field(repr=False)
    target: str | None = None
    """The window (X11 id, macOS app name, Win32 handle) to paste into; None: wherever the focus is."""
    own: str | None = None
    """qr's own terminal window, never a paste target (X11: $WINDOWID, else the focus at start)."""

    def can_paste_now(self) -> bool:
        """True when there is another window to give the focus back to while qr keeps running."""
        return self.target is not None and self.target != self.own

    def paste(self) -> None:
        """Focus the target (where the platform allows) and send the paste keystroke."""
        if self.backend == "xdotool":
            command = ["xdotool"]
            if self.target is not None:
                command += ["windowfocus", "--sync", self.target]
            _run([*command, "key", "--clearmodifiers", "ctrl+v"], self.env)
        elif self.backend == "wtype":
            _run(["wtype", "-M", "ctrl", "v", "-m", "ctrl"], self.env)
        elif self.backend == "ydotool":
            _run(["ydotool", "key", "29:1", "47:1", "47:0", "29:0"], self.env)  # left ctrl, v
        elif self.backend == "osascript":
            script = []
            if self.target:
                script += ["-e", f'tell application "{_applescript_string(self.target)}" to activate']
            script += ["-e", 'tell application "System Events" to keystroke "v" using command down']
            _run(["osascript", *script], self.env)
        elif self.backend == "win32":
            _win32_paste(self.target)
        else:
            raise PasteUnavailable(f"unknown paste backend {self.backend}")

    def paste_after_exit(self) -> None:
        """`--once`: wait until the focus has left qr's terminal (it closes), then paste there."""
        if self.backend == "xdotool" and self.own is not None:
            deadline = time.monotonic() + FOCUS_BACK_SECONDS
            while time.monotonic() < deadline and _x11_focus(self.env) == self.own:
                time.sleep(0.05)
            if _x11_focus(self.env) == self.own:
                raise PasteUnavailable("the focus did not leave qr's terminal; nothing was pasted (the reply is on the clipboard)")
            self.target = None  # the window the desktop gave the focus back to
        elif self.backend in ("wtype", "ydotool", "osascript"):
            time.sleep(0.2)  # the terminal window closing
        self.paste()


def _applescript_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _x11_focus(env: Mapping[str, str]) -> str | None:
    """The active window (EWMH), else the window with the input focus (no window manager)."""
    for command in (["xdotool", "getactivewindow"], ["xdotool", "getwindowfocus"]):
        try:
            return _run(command, env) or None
        except PasteUnavailable:
            continue
    return None


def start_paster(env: Mapping[str, str] | None = None, platform: str = sys.platform) -> Paster | str:
    """A Paster for this desktop, remembering the window that has the focus now; or the reason
    why the keystroke cannot be sent here."""
    env = env if env is not None else os.environ
    path = env.get("PATH")
    if platform == "darwin":
        if not shutil.which("osascript", path=path):
            return "osascript was not found"
        try:
            front = _run(["osascript", "-e", 'tell application "System Events" to get name of first application process whose frontmost is true'], env)
        except PasteUnavailable as error:
            return str(error)
        return Paster("osascript", env, target=front or None)
    if platform == "win32":
        return Paster("win32", env, target=_win32_foreground())
    if env.get("WAYLAND_DISPLAY"):
        for name in ("wtype", "ydotool"):
            if shutil.which(name, path=path):
                return Paster(name, env)
        return "on Wayland, --paste needs wtype or ydotool"
    if env.get("DISPLAY"):
        if not shutil.which("xdotool", path=path):
            return "on X11, --paste needs xdotool (apt install xdotool)"
        focus = _x11_focus(env)
        if focus is None:
            return f"cannot ask the X server {env.get('DISPLAY')} which window has the focus"
        own = env.get("WINDOWID") or focus
        return Paster("xdotool", env, target=focus, own=own)
    return "no desktop session (no DISPLAY or WAYLAND_DISPLAY)"


def _win32_foreground() -> str | None:
    import ctypes

    handle = ctypes.windll.user32.GetForegroundWindow()  # type: ignore[attr-defined]
    return str(handle) if handle else None


def _win32_paste(target: str | None) -> None:
    import ctypes

    user32 = ctypes.windll.user32  # type: ignore[attr-defined]
    if target is not None and not user32.SetForegroundWindow(int(target)):
        raise PasteUnavailable("Windows did not give the focus back to the chat window")
    control, v, key_up = 0x11, 0x56, 0x0002
    for key, flags in ((control, 0), (v, 0), (v, key_up), (control, key_up)):
        user32.keybd_event(key, 0, flags, 0)
