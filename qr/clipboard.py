"""Putting a reply on the clipboard: the system clipboard through pyperclip, else OSC 52."""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable
from typing import Protocol


class ClipboardUnavailable(RuntimeError):
    """No system clipboard can be reached; the message says what to install."""


def install_hint() -> str:
    if sys.platform.startswith("linux"):
        return "install xclip or xsel (X11) or wl-clipboard (Wayland), and run qr inside a desktop session"
    if sys.platform == "darwin":
        return "pbcopy was not found (it ships with macOS)"
    return "no clipboard program was found"


class Clipboard(Protocol):
    def copy(self, text: str) -> None: ...


class SystemClipboard:
    """pyperclip, imported on first use; failures become ClipboardUnavailable."""

    def copy(self, text: str) -> None:
        import pyperclip

        try:
            pyperclip.copy(text)
        except pyperclip.PyperclipException as error:
            raise ClipboardUnavailable(f"no system clipboard: {install_hint()}") from error


class MemoryClipboard:
    """A clipboard for tests: remembers what was copied."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.copied: list[str] = []

    def copy(self, text: str) -> None:
        if self.fail:
            raise ClipboardUnavailable(f"no system clipboard: {install_hint()}")
        self.copied.append(text)

    @property
    def text(self) -> str | None:
        return self.copied[-1] if self.copied else None


def osc52(text: str) -> str:
    """The terminal escape that asks the terminal (also over SSH) to set its clipboard."""
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"\x1b]52;c;{encoded}\a"


def copy_with_fallback(clipboard: Clipboard, text: str, terminal: Callable[[str], None] | None) -> str:
    """Copy through `clipboard`, else through `terminal` (OSC 52); return "system" or "terminal".

    Raises ClipboardUnavailable when neither works.
    """
    try:
        clipboard.copy(text)
        return "system"
    except ClipboardUnavailable:
        if terminal is None:
            raise
        terminal(text)
        return "terminal"
