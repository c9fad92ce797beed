"""Turning imported text into valid qr templates, and titles out of bodies.

Imported text is literal: its braces are escaped (`{` -> `{{`), except `{name}` and `{name|text}`
written the way qr writes placeholders, so a sheet that qr exported (with `{order_id}` kept)
comes back with its placeholders. `${x}` (shell, JavaScript) stays literal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qr.transfer.entries import Part, Var

TITLE_LIMIT = 20
_PLACEHOLDER = re.compile(r"(?<![{$])\{([^\W\d]\w*)(?:\|([^{}\n]*))?\}(?!\})")


def escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def literal_template(text: str) -> tuple[str, list[str]]:
    """Text as a template: braces escaped except qr-style placeholders, whose names are returned."""
    if "{" not in text and "}" not in text:
        return text, []
    out: list[str] = []
    names: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(match.group(0))
        names.append(match.group(1))
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out), names


def build_template(parts: Iterable[Part]) -> tuple[str, list[str]]:
    """The template of a candidate's parts and the names of placeholders kept from its text."""
    out: list[str] = []
    kept: list[str] = []
    for part in parts:
        if isinstance(part, Var):
            out.append("{" + part.name + "}")
        else:
            template, names = literal_template(part)
            out.append(template)
            kept.extend(names)
    return "".join(out), kept


def title_from(template: str) -> str:
    """The first non-blank line of a body, trimmed to at most TITLE_LIMIT characters."""
    text = template.replace("{{", "{").replace("}}", "}")
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    if len(first) > TITLE_LIMIT:
        first = first[: TITLE_LIMIT - 1].rstrip() + "…"
    return first
