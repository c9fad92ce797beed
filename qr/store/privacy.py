"""The privacy rule of lint: personal numbers written into a template instead of a placeholder.

A phone, ID-card or bank-card number in a phrase is one buyer's data sent to every buyer; the
template should hold `{phone}` and the agent fill it in. Placeholders ({order_id}) are never flagged.
"""

from __future__ import annotations

import re

from qr.record import Record
from qr.store.word_rules import normalise

_PATTERN = re.compile(
    r"""
    (?P<id_card>(?<![0-9a-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9x](?![0-9a-z]))
    | (?P<bank_card>(?<![0-9])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![0-9]))
    | (?P<mobile>(?<![0-9])(?:\+?86[ -]?)?1[3-9]\d(?:\d{8}|[ -]\d{4}[ -]\d{4})(?![0-9]))
    | (?P<landline>(?<![0-9])(?:\(0\d{2,3}\)[ -]?|0\d{2,3}[ -])\d{7,8}(?![0-9]))
    """,
    re.VERBOSE,
)
# Every pattern above holds a run of at least four digits: most texts are ruled out by this one scan.
_DIGIT_RUN = re.compile("[0-9\uff10-\uff19]{4}")
WHAT = {
    "id_card": "an ID-card number",
    "bank_card": "a bank-card-like number",
    "mobile": "a mobile phone number",
    "landline": "a landline phone number",
}


class NumberMatch(Record):
    start: int
    end: int
    kind: str
    """`id_card`, `bank_card`, `mobile` or `landline`."""
    text: str

    def __init__(self, start: int, end: int, kind: str, text: str) -> None:
        self.__dict__.update(start=start, end=end, kind=kind, text=text)

    @property
    def masked(self) -> str:
        """The number with its middle hidden, so the lint report does not spread it further."""
        digits = self.text
        keep = 3 if len(digits) > 8 else 1
        return digits[:keep] + "*" * max(len(digits) - keep - 2, 1) + digits[-2:]

    @property
    def message(self) -> str:
        return (
            f"{WHAT[self.kind]} ({self.masked}) is written into the template: one buyer's data would go to "
            "every buyer; use a placeholder such as {phone} and fill it in per order"
        )


def find_numbers(text: str) -> list[NumberMatch]:
    """Personal numbers in `text` (full-width digits count), left to right."""
    if _DIGIT_RUN.search(text) is None:
        return []
    prepared = normalise(text)
    return [NumberMatch(m.start(), m.end(), m.lastgroup or "", text[m.start():m.end()]) for m in _PATTERN.finditer(prepared)]
