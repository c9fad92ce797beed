"""What a format reader hands to the planner: candidate phrases, notices, and the one error type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from qr.messages import Message, MessageError, text_of

# The same ranges as qr.index.pinyin's Han test, as one regex: a per-character Python loop was the
# slowest step of importing a 45,000-entry table.
_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_LATIN = re.compile("[A-Za-z]")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A sheet cell beginning with one of these can run as a formula in Excel/WPS/LibreOffice (OWASP CSV injection)."""


def neutralise_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs: `'` before a cell that could be a formula.

    A value that already starts with quotes before such a character gets one more, so that
    `restore_cell` gives back exactly the value (a round trip through qr's sheets is exact).
    """
    return "'" + value if value.lstrip("'").startswith(FORMULA_STARTS) else value


def restore_cell(value: str) -> str:
    """The inverse of `neutralise_cell` (also a spreadsheet's own meaning of a leading `'`: text)."""
    return value[1:] if value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS) else value


class TransferError(MessageError):
    """An import or export that cannot go ahead; the message (a Message) is one line and nothing was written."""


@dataclass(frozen=True)
class Var:
    """A placeholder the reader recognised (a date expression, an espanso variable, a form field)."""

    name: str


Part = Union[str, Var]  # noqa: UP007
"""Plain text (escaped when the template is built) or a placeholder."""


@dataclass(frozen=True)
class Candidate:
    """One phrase as found in the file, before codes are checked and templates are built."""

    parts: tuple[Part, ...]
    code: str | None = None
    """The code as written in the file (None or "" when the row has none)."""
    title: str = ""
    group: str = ""
    category: str = ""
    tags: tuple[str, ...] = ()
    note: str = ""
    lang: str = ""
    rank: float = 0.0
    """Order among phrases under the same code: lower comes first (Sogou position, minus Rime weight)."""
    line: int = 0
    template: str | None = None
    """A ready template (qr's own csv), used as written instead of `parts`."""


@dataclass(frozen=True)
class Notice:
    """Something the user should know about one entry: kind is `skipped`, `renamed` or `warning`."""

    kind: str
    line: int
    message: Message | str
    """A qr.messages.Message (worded in the CLI language when printed); a plain string as it is."""

    def __str__(self) -> str:
        text = text_of(self.message)
        return str(Message("import.at_line", line=self.line, text=text)) if self.line else text


@dataclass(frozen=True)
class Parsed:
    """Everything a reader found in one file."""

    format: Message
    """Human name of the format, e.g. Message("import.format_rime") (worded when shown)."""
    candidates: tuple[Candidate, ...]
    notices: tuple[Notice, ...] = ()
    duplicates: int = 0
    """Rows dropped because an identical row came before."""


def guess_lang(text: str) -> str:
    """`en` for text with Latin letters and no Han characters, else `zh` (decides {weekday}'s language)."""
    if _HAN.search(text):
        return "zh"
    return "en" if _LATIN.search(text) else "zh"
