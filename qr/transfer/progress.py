"""A plain text progress bar on stderr for long imports (no dependency, no Textual)."""

from __future__ import annotations

import sys
from typing import TextIO

WIDTH = 30


class TextBar:
    """`bar(done, total)` redraws one line in place; `close()` ends it."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self._shown = -1
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if percent == self._shown:
            return  # redraw once per percent, not once per phrase
        self._shown = percent
        filled = WIDTH * percent // 100
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {done:,}/{total:,}")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
