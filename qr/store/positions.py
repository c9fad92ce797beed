"""Where a character of a phrase's title or body is in its group file, as line and column.

Lint points a lead at the exact spot (`logistics.toml:12:31`). The loader keeps only the line of each
phrase, so the file is read again here, once per file and only when a finding needs a position; TOML
escapes (`\\"`, `\\u4e00`, a line-ending backslash) are followed, so the column is the one an editor shows.
When the file is gone or no longer holds the text (the editor lints unsaved text), the position is
counted inside the value from the line the loader recorded (from line 1 for a phrase never saved).
"""

from __future__ import annotations

import re
from pathlib import Path

from qr.store.models import Phrase

_HEADER = re.compile(r"^\s*\[")
_ESCAPE_LENGTH = {"u": 6, "U": 10, "x": 4}
_CACHE: dict[Path, tuple[tuple[int, int], list[str] | None]] = {}
_CACHE_SIZE = 64


def source_lines(path: Path) -> list[str] | None:
    """The lines of a group file (without line ends), cached until the file changes; None if unreadable."""
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        return None
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        lines = None
    else:
        lines = [line.removesuffix("\r") for line in text.split("\n")]
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[path] = (stamp, lines)
    return lines


def locate(lines: list[str] | None, phrase: Phrase, field: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) in the file of character `offset` of `phrase.title` or `phrase.body`."""
    value = phrase.title if field == "title" else phrase.body
    if lines is not None and phrase.line > 0:
        found = _locate_in_file(lines, phrase.line, field, value, offset)
        if found is not None:
            return found
    first = phrase.line if field == "title" else (phrase.body_line or phrase.line)
    # a phrase not (yet) in a file: the position inside the value, line 1 being its first line
    line = (first or 1) + value.count("\n", 0, offset)
    column = offset - (value.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _locate_in_file(lines: list[str], header: int, field: str, value: str, offset: int) -> tuple[int, int] | None:
    start = _value_start(lines, header, field)
    if start is None:
        return None
    row, col, basic = start
    if field == "title":
        # the loader strips the title; the offset counts from its first non-blank character
        while row < len(lines) and col < len(lines[row]) and lines[row][col] in " \t":
            col += 1
    walked = _walk(lines, row, col, basic, offset)
    if walked is None:
        return None
    row, col = walked
    raw = lines[row][col] if col < len(lines[row]) else "\n"
    escaped = basic and raw == "\\"
    if offset < len(value) and not escaped and raw != value[offset]:
        return None  # the file no longer holds this text
    return row + 1, col + 1


def _value_start(lines: list[str], header: int, field: str) -> tuple[int, int, bool] | None:
    """0-based (row, column) of the value's first character, and whether escapes apply (basic string)."""
    key = re.compile(rf"""^\s*(?:{field}|"{field}"|'{field}')\s*=\s*("{{3}}|'{{3}}|"|')""")
    for row in range(header, len(lines)):
        if row > header and _HEADER.match(lines[row]):
            return None
        match = key.match(lines[row])
        if match is None:
            continue
        delimiter = match[1]
        basic = delimiter.startswith('"')
        if len(delimiter) == 3 and match.end() == len(lines[row]):
            return row + 1, 0, basic  # TOML drops the newline right after an opening """
        return row, match.end(), basic
    return None


def _walk(lines: list[str], row: int, col: int, basic: bool, offset: int) -> tuple[int, int] | None:
    """Advance `offset` characters of the value from (row, col), following TOML escapes."""
    index = 0
    while row < len(lines):
        line = lines[row]
        if basic and line[col:col + 1] == "\\" and not line[col + 1:].strip():
            # a line-ending backslash joins the next non-blank text, adding nothing to the value
            row += 1
            while row < len(lines) and not lines[row].strip():
                row += 1
            col = len(lines[row]) - len(lines[row].lstrip()) if row < len(lines) else 0
            continue
        if index >= offset:
            return row, col
        if col >= len(line):
            row, col, index = row + 1, 0, index + 1  # a newline inside a multi-line string
            continue
        if basic and line[col] == "\\":
            col += _ESCAPE_LENGTH.get(line[col + 1], 2)
            index += 1
            continue
        col += 1
        index += 1
    return None
