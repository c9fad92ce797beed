"""Text from a library, a sheet or a user, made safe to print to a terminal.

A phrase titled with `ESC ]52;…` would set the terminal's clipboard when `qr list` prints it, and
`ESC [2J` would clear the screen; a bidi override makes what is shown differ from what is there.
So every character that a terminal acts on instead of showing is printed as its escape:
C0 controls except newline and tab, DEL, C1 controls, and the bidi embeddings, overrides,
isolates and marks (docs/cli.md, "Text from the library is printed safely"). The CLI's output,
the screens' `shown()` and lint's control-character rule all use the set declared here.
"""

from __future__ import annotations

import re

CONTROL_CODE_POINTS: tuple[int, ...] = (
    *range(0x00, 0x09),  # C0 before tab
    *range(0x0B, 0x20),  # C0 after newline (ESC among them)
    0x7F,  # DEL
    *range(0x80, 0xA0),  # C1 (CSI 0x9b acts like ESC [ on some terminals)
    0x061C,  # Arabic letter mark
    0x200E,  # left-to-right mark
    0x200F,  # right-to-left mark
    *range(0x202A, 0x202F),  # embeddings and overrides
    *range(0x2066, 0x206A),  # isolates
)
"""Characters a terminal would act on, or reorder text by: never printed raw."""

CONTROL_CHARACTERS = re.compile("[" + "".join(re.escape(chr(code)) for code in CONTROL_CODE_POINTS) + "]")
"""One of CONTROL_CODE_POINTS (for finding them, with positions)."""

_ESCAPES = {code: f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" for code in CONTROL_CODE_POINTS}
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in CONTROL_CODE_POINTS}


def escape_controls(text: str) -> str:
    """`text` with each control character written as `\\x1b` / `\\u202e` (newline and tab kept)."""
    return text.translate(_ESCAPES)


def escape_json_controls(document: str) -> str:
    """A JSON document with the C1 and bidi characters inside its strings written as `\\u0085`
    (json.dumps escapes C0 itself): the same value for a JSON reader, nothing raw for a terminal."""
    return document.translate(_JSON_ESCAPES)
