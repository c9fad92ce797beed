"""Minimal-diff saves: change a group file's text only where its phrases or settings changed.

A team library lives in git, so a save that rewrites a whole file (every `tags = ["a", "b"]`
reformatted, comments dropped) makes every lead's first save conflict with everyone else's.
Here the file is cut into its head (the group's own keys) and one block per `[[phrases]]` table
(with the comment lines just above its header); the old and new phrase lists are aligned, and
  - an unchanged phrase keeps its block byte for byte,
  - a changed phrase has only its changed keys rewritten in place (tomlkit keeps the rest),
  - a new phrase is written in the file's own style where it was inserted,
  - a deleted phrase loses exactly its block.
The result is parsed again and must load to exactly the new group; anything else (a layout this
does not understand, a key tomlkit would place oddly) returns None and the caller writes the
canonical form instead, so a save is never wrong, only occasionally larger.
"""

from __future__ import annotations

import re
import tomllib
from difflib import SequenceMatcher
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Array, Item, String, StringType

from qr.store.documents import group_document, phrase_document
from qr.store.load import InvalidFile, parse_group
from qr.store.models import Group, Phrase

_HEADER = re.compile(r"[ \t]*\[\[[ \t]*phrases[ \t]*\]\][ \t]*(#[^\n]*)?\r?\n?\Z")
_COMMENT = re.compile(r"[ \t]*#[^\n]*\r?\n\Z")
_BLANK = re.compile(r"[ \t]*\r?\n\Z")
_MULTILINE_OPEN = re.compile(r"""=[ \t]*("{3}|'{3})[ \t]*\r?\n""")


def patch_group_text(text: str, old: Group, new: Group) -> str | None:
    """`text` (which loads as `old`) edited so that it loads as `new`, touching only what changed.

    None when the file cannot be patched safely; the caller then writes the canonical form.
    """
    lines = _split_lines(text)
    starts = _block_starts(lines)
    if starts is None or len(starts) != len(old.phrases):
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    style = _Style.of(text, lines, starts)
    bounds = [*starts, len(lines)]
    head = "".join(lines[: bounds[0]])
    blocks = ["".join(lines[bounds[index] : bounds[index + 1]]) for index in range(len(starts))]
    try:
        head = _patch_head(head, _settings(group_document(old)), _settings(group_document(new)), newline)
        pieces = _patch_blocks(blocks, old.phrases, new.phrases, style, newline)
    except (TOMLKitError, ValueError, TypeError, KeyError, IndexError):
        return None
    result = _join(head, pieces, style, newline)
    ending = text[len(text.rstrip("\r\n")) :]
    result = result.rstrip("\r\n") + (ending or newline)
    return result if _loads_as(result, new) else None


# -- cutting the text ---------------------------------------------------------------------------


def _split_lines(text: str) -> list[str]:
    """Lines with their endings; only `\\n` ends a line in TOML (not the other characters splitlines knows)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _block_starts(lines: list[str]) -> list[int] | None:
    """Index of the first line of each phrase block: its header, or the comment lines just above it."""
    starts: list[int] = []
    state: str | None = None
    outside: list[bool] = []  # whether each line starts outside a multi-line string
    for number, line in enumerate(lines):
        outside.append(state is None)
        if state is None and _HEADER.match(line):
            start = number
            while start > 0 and outside[start - 1] and _COMMENT.match(lines[start - 1]) and (not starts or start - 1 > starts[-1]):
                start -= 1
            starts.append(start)
            continue
        if state is not None or '"""' in line or "'''" in line:
            state = _string_state(line, state)
            if state == "bad":
                return None
    return None if state is not None else starts


def _string_state(line: str, state: str | None) -> str | None:
    """The multi-line string open at the end of `line` ('\"\"\"', "'''" or None; "bad" when unreadable)."""
    position, size = 0, len(line)
    while position < size:
        if state is not None:
            found = line.find(state, position)
            if found < 0:
                return state
            if state == '"""' and _escaped(line, found):
                position = found + 1
                continue
            position = found + 3
            while position < size and line[position] == state[0] and position - found < 5:
                position += 1  # up to two quotes of content may sit right before the closing three
            state = None
            continue
        char = line[position]
        if char == "#":
            return None
        if char in "\"'":
            if line.startswith(char * 3, position):
                state, position = char * 3, position + 3
                continue
            position = _end_of_string(line, position + 1, char)
            if position < 0:
                return "bad"
            continue
        position += 1
    return state


def _escaped(line: str, position: int) -> bool:
    backslashes = 0
    while position - backslashes - 1 >= 0 and line[position - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _end_of_string(line: str, position: int, quote: str) -> int:
    """Just past the quote closing a one-line string that starts at `position`, or -1."""
    while True:
        found = line.find(quote, position)
        if found < 0:
            return -1
        if quote == '"' and _escaped(line, found):
            position = found + 1
            continue
        return found + 1


class _Style:
    """How this file writes what a new phrase needs: blank lines between tables, `\"\"\"` + newline."""

    def __init__(self, blank_between: bool, newline_after_quotes: bool) -> None:
        self.blank_between = blank_between
        self.newline_after_quotes = newline_after_quotes

    @classmethod
    def of(cls, text: str, lines: list[str], starts: list[int]) -> _Style:
        blank = True
        if len(starts) >= 2:
            blank = bool(_BLANK.match(lines[starts[1] - 1]))
        elif starts:
            blank = starts[0] == 0 or bool(_BLANK.match(lines[starts[0] - 1]))
        after = True
        if '"""' in text or "'''" in text:
            after = bool(_MULTILINE_OPEN.search(text)) or not re.search(r"""=[ \t]*("{3}|'{3})[^\n]""", text)
        return cls(blank, after)


# -- what changed -------------------------------------------------------------------------------


def _settings(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "phrases"}


def _key(document: dict[str, Any]) -> str:
    return repr(sorted(document.items()))


def _patch_head(head: str, old: dict[str, Any], new: dict[str, Any], newline: str) -> str:
    if old == new:
        return head
    document = tomlkit.parse(head)
    _apply(document, old, new)
    return _with_newline(tomlkit.dumps(document), newline)


def _patch_blocks(blocks: list[str], old: tuple[Phrase, ...], new: tuple[Phrase, ...], style: _Style, newline: str) -> list[tuple[str, bool]]:
    """The new list of blocks, each with whether it is newly written (it then needs separating)."""
    old_documents = [phrase_document(phrase) for phrase in old]
    new_documents = [phrase_document(phrase) for phrase in new]
    matcher = SequenceMatcher(None, [_key(item) for item in old_documents], [_key(item) for item in new_documents], autojunk=False)
    pieces: list[tuple[str, bool]] = []
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            pieces.extend((block, False) for block in blocks[old_start:old_end])
            continue
        paired = min(old_end - old_start, new_end - new_start) if operation == "replace" else 0
        for offset in range(paired):
            before, after = old_documents[old_start + offset], new_documents[new_start + offset]
            pieces.append((_patch_block(blocks[old_start + offset], before, after, newline), False))
        for index in range(new_start + paired, new_end):
            pieces.append((_new_block(new_documents[index], style, newline), True))
    return pieces


def _patch_block(block: str, old: dict[str, Any], new: dict[str, Any], newline: str) -> str:
    document = tomlkit.parse(block)
    table = document["phrases"][0]
    _apply(table, old, new)
    return _with_newline(tomlkit.dumps(document), newline)


def _apply(table: Any, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Rewrite in `table` only the keys whose value differs between `old` and `new`."""
    for key in old:
        if key not in new and key in table:
            del table[key]
    for key, value in new.items():
        if key in old and old[key] == value and key in table:
            continue
        current = table.get(key) if key in table else None
        table[key] = _styled(value, current if isinstance(current, Item) else None, None)


def _new_block(document: dict[str, Any], style: _Style, newline: str) -> str:
    table = tomlkit.table()
    for key, value in document.items():
        table[key] = _styled(value, None, style)
    tables = tomlkit.aot()
    tables.append(table)
    wrapper = tomlkit.document()
    wrapper["phrases"] = tables
    return _with_newline(tomlkit.dumps(wrapper), newline)


def _styled(value: Any, old: Item | None, style: _Style | None) -> Any:
    """A tomlkit value for `value`, written the way the old value (or the file) writes such values."""
    if isinstance(value, str):
        return _string(value, old, style)
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        array = tomlkit.array()
        array.extend(value)
        if isinstance(old, Array) and "\n" in old.as_string():
            array.multiline(True)
        return array
    return tomlkit.item(value)


def _string(value: str, old: Item | None, style: _Style | None) -> Any:
    old_type = old.type if isinstance(old, String) else None
    multiline = "\n" in value or old_type in (StringType.MLB, StringType.MLL)
    literal = old_type in (StringType.SLL, StringType.MLL)
    if literal and "\r" not in value:  # a literal string cannot escape a CR, and a raw one loads as a line end
        try:
            return tomlkit.string(value, literal=True, multiline=multiline)
        except TOMLKitError:
            pass  # a quote or control character a literal string cannot hold: a basic string then
    if not multiline:
        return tomlkit.string(value)
    newline_after = old.as_string()[3:4] in ("\n", "\r") if isinstance(old, String) and old_type else (style is None or style.newline_after_quotes)
    raw = tomlkit.string(value, multiline=True).as_string().replace("\r", "\\r")  # a raw CR would load as a line end
    if newline_after and raw[3] != "\n":  # tomlkit already starts a value that begins with a newline so
        raw = raw[:3] + "\n" + raw[3:]  # the newline right after the quotes is not part of the value
    return tomlkit.value(raw)


def _with_newline(text: str, newline: str) -> str:
    return text if newline == "\n" else re.sub(r"(?<!\r)\n", "\r\n", text)


# -- putting it together ------------------------------------------------------------------------


def _join(head: str, pieces: list[tuple[str, bool]], style: _Style, newline: str) -> str:
    parts = [head]
    for number, (block, fresh) in enumerate(pieces):
        follows_fresh = number + 1 < len(pieces) and pieces[number + 1][1]
        if fresh:
            parts[-1] = _separated(parts[-1], style, newline)
        elif parts[-1] and not parts[-1].endswith("\n"):
            parts[-1] += newline
        if follows_fresh or (fresh and number + 1 < len(pieces)):
            block = _separated(block, style, newline)
        parts.append(block)
    return "".join(parts)


def _separated(text: str, style: _Style, newline: str) -> str:
    """`text` ending so that a table can follow: a line end, and a blank line when the file uses them."""
    if not text:
        return text
    if not text.endswith("\n"):
        text += newline
    if style.blank_between and not text.endswith(("\n\n", "\n\r\n")):
        text += newline
    return text


def _loads_as(text: str, group: Group) -> bool:
    try:
        loaded = parse_group(tomllib.loads(text), text, group.path, None)
    except (tomllib.TOMLDecodeError, InvalidFile):
        return False
    settings = (loaded.name, loaded.category, loaded.order, loaded.description, dict(loaded.extra))
    return loaded.phrases == group.phrases and settings == (group.name, group.category, group.order, group.description, dict(group.extra))

