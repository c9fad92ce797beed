"""Putting a reply on the clipboard, verified: a copy either happened or is reported as failed.

An agent trusts "Copied" and pastes; a copy that silently failed sends the previous customer's
reply. So each system clipboard program's exit status is checked and, where the clipboard can be
read back, the text is read back and compared. Programs, in order:

- Wayland (`WAYLAND_DISPLAY`): wl-copy / wl-paste;
- X11 (`DISPLAY`): xclip, else xsel;
- macOS: pbcopy / pbpaste;
- Windows (and anything else): pyperclip, read back with its paste().

OSC 52 (`osc52`) asks the terminal to set its clipboard; nothing can confirm it worked, so it is
only a fallback the caller announces as such.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

TIMEOUT = 3.0
"""Seconds a clipboard program may take (a hung X server must not hang qr)."""


class ClipboardUnavailable(RuntimeError):
    """The copy did not happen (or could not be confirmed); the message says why and what to do."""


def install_hint() -> str:
    if sys.platform.startswith("linux"):
        return (
            "install xclip or xsel (X11) or wl-clipboard (Wayland) and run qr inside the desktop session, "
            "use --print, or run qr in a terminal that supports OSC 52"
        )
    if sys.platform == "darwin":
        return "pbcopy was not found (it ships with macOS); use --print"
    return "no clipboard could be reached; use --print"


class Clipboard(Protocol):
    def copy(self, text: str) -> None:
        """Put `text` on the clipboard and confirm it; ClipboardUnavailable when that failed."""
        ...

    def paste(self) -> str | None:
        """What the clipboard holds now (None: empty, or it cannot be read)."""
        ...


@dataclass(frozen=True)
class Program:
    """A clipboard program pair: how to write, and how to read back (None: cannot be read back)."""

    name: str
    write: tuple[str, ...]
    read: tuple[str, ...] | None


WAYLAND = (Program("wl-copy", ("wl-copy",), ("wl-paste", "--no-newline")),)
X11 = (
    Program("xclip", ("xclip", "-selection", "clipboard", "-in"), ("xclip", "-selection", "clipboard", "-out")),
    Program("xsel", ("xsel", "--clipboard", "--input"), ("xsel", "--clipboard", "--output")),
)
MACOS = (Program("pbcopy", ("pbcopy",), ("pbpaste",)),)


def programs_for(env: Mapping[str, str], platform: str = sys.platform) -> tuple[Program, ...]:
    """The programs worth trying here, best first (only those installed)."""
    if platform == "darwin":
        candidates: Sequence[Program] = MACOS
    else:
        candidates = (*(WAYLAND if env.get("WAYLAND_DISPLAY") else ()), *(X11 if env.get("DISPLAY") else ()))
    return tuple(program for program in candidates if shutil.which(program.write[0], path=env.get("PATH")))


def _run(command: Sequence[str], text: str | None, env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    """(exit status, stdout, stderr). xclip, xsel and wl-copy stay in the background to serve the
    clipboard, holding whatever pipes they inherited: stderr goes to a file, never a pipe."""
    with tempfile.TemporaryFile() as errors:
        try:
            done = subprocess.run(
                list(command),
                input=text.encode("utf-8") if text is not None else None,
                stdout=subprocess.DEVNULL if text is not None else subprocess.PIPE,
                stderr=errors,
                timeout=TIMEOUT,
                check=False,
                env=dict(env) if env is not None else None,
            )
        except subprocess.TimeoutExpired:
            return 124, "", f"no answer within {TIMEOUT:g} s"
        except OSError as error:
            return 127, "", str(error)
        errors.seek(0)
        message = errors.read().decode("utf-8", "replace").strip()
    stdout = done.stdout.decode("utf-8", "replace") if done.stdout is not None else ""
    return done.returncode, stdout, message


def copy_with(program: Program, text: str, env: Mapping[str, str] | None = None) -> None:
    """Write with `program`, then read back and compare; ClipboardUnavailable with the reason."""
    status, _, errors = _run(program.write, text, env)
    if status != 0:
        raise ClipboardUnavailable(f"{program.name} failed (exit {status}): {errors or 'no message'}")
    if program.read is None:
        return
    status, held, errors = _run(program.read, None, env)
    if status != 0:
        raise ClipboardUnavailable(f"{program.read[0]} could not read the clipboard back (exit {status}): {errors or 'no message'}")
    if held != text:
        raise ClipboardUnavailable(f"the clipboard does not hold the reply after {program.name} (it holds {len(held)} characters)")


class SystemClipboard:
    """The desktop's clipboard, every copy verified (see the module docstring)."""

    def __init__(self, env: Mapping[str, str] | None = None, platform: str = sys.platform) -> None:
        """`env`: where DISPLAY, WAYLAND_DISPLAY and PATH come from (default: this process's)."""
        self.env: Mapping[str, str] = env if env is not None else os.environ
        self.platform = platform

    def copy(self, text: str) -> None:
        if self.platform.startswith("linux") or self.platform == "darwin":
            programs = programs_for(self.env, self.platform)
            if not programs:
                raise ClipboardUnavailable(f"no system clipboard ({self._why_none()}): {install_hint()}")
            reasons = []
            for program in programs:
                try:
                    copy_with(program, text, self.env)
                    return
                except ClipboardUnavailable as error:
                    reasons.append(str(error))
            raise ClipboardUnavailable(f"{'; '.join(reasons)}. {install_hint()}")
        _copy_with_pyperclip(text)

    def paste(self) -> str | None:
        if not (self.platform.startswith("linux") or self.platform == "darwin"):
            import pyperclip

            try:
                return pyperclip.paste() or None
            except pyperclip.PyperclipException:
                return None
        for program in programs_for(self.env, self.platform):
            if program.read is None:
                continue
            status, held, _ = _run(program.read, None, self.env)
            if status == 0:
                return held or None
        return None

    def _why_none(self) -> str:
        if self.platform == "darwin":
            return "pbcopy not found"
        if not self.env.get("DISPLAY") and not self.env.get("WAYLAND_DISPLAY"):
            return "no DISPLAY or WAYLAND_DISPLAY: not inside a desktop session"
        return "none of wl-copy, xclip, xsel is installed"


def _copy_with_pyperclip(text: str) -> None:
    import pyperclip

    try:
        pyperclip.copy(text)
        held = pyperclip.paste()
    except pyperclip.PyperclipException as error:
        raise ClipboardUnavailable(f"no system clipboard ({error}): {install_hint()}") from error
    if held != text:
        raise ClipboardUnavailable(f"the clipboard does not hold the reply after copying: {install_hint()}")


class MemoryClipboard:
    """A clipboard for tests: remembers what was copied (`fail`: every copy fails)."""

    def __init__(self, fail: bool = False, holds: str | None = None) -> None:
        self.fail = fail
        self.copied: list[str] = []
        self.holds = holds
        """What `paste` returns before anything is copied (text the agent copied elsewhere)."""

    def paste(self) -> str | None:
        return self.copied[-1] if self.copied else self.holds

    def copy(self, text: str) -> None:
        if self.fail:
            raise ClipboardUnavailable(f"xclip failed (exit 1): Error: Can't open display: :99. {install_hint()}")
        self.copied.append(text)

    @property
    def text(self) -> str | None:
        return self.copied[-1] if self.copied else None


def osc52(text: str) -> str:
    """The terminal escape that asks the terminal (also over SSH) to set its clipboard."""
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"\x1b]52;c;{encoded}\a"


@dataclass(frozen=True)
class Copied:
    """How a copy went: `verified` False means it was only sent to the terminal (OSC 52), with
    `problem` saying why the system clipboard was not used."""

    via: str
    """"system" or "terminal"."""
    problem: str = ""

    @property
    def verified(self) -> bool:
        return self.via == "system"


def copy_with_fallback(clipboard: Clipboard, text: str, terminal: Callable[[str], None] | None) -> Copied:
    """Copy through `clipboard`, else send it through `terminal` (OSC 52, unverified).

    Raises ClipboardUnavailable when the clipboard failed and there is no terminal to fall back on.
    """
    try:
        clipboard.copy(text)
        return Copied("system")
    except ClipboardUnavailable as error:
        if terminal is None:
            raise
        terminal(text)
        return Copied("terminal", str(error))
