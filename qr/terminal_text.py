"""Text from a library, a sheet or a user, made safe to print to a terminal.

A phrase titled with `ESC ]52;…` would set the terminal's clipboard when `qr list` prints it, and
`ESC [2J` would clear the screen; a bidi override makes what is shown differ from what is there.
So every character that a terminal acts on instead of showing is printed as its escape:
C0 controls except newline and tab (and DEL), C1 controls, and the bidi embeddings, overrides,
isolates and marks. The same set is what lint reports (DESIGN §11).
"""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters a terminal would act on or reorder text by: never printed raw."""


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` with each control character written as `\\x1b` / `\\u202e` (newline and tab kept)."""
    return CONTROL_CHARACTERS.sub(_escape, text)


def escape_json_controls(document: str) -> str:
    """A JSON document with the C1 and bidi characters inside its strings written as `\\u0085`
    (json.dumps escapes C0 itself): the same value for a JSON reader, nothing raw for a terminal."""
    return CONTROL_CHARACTERS.sub(lambda match: f"\\u{ord(match.group()):04x}", document)
