"""Rime custom_phrase.txt: `phrase<TAB>code[<TAB>weight]`, `#` comments, an optional YAML header.

Real files have stray spaces around fields and, now and then, a space where the tab should be;
identical rows are dropped; several phrases under one code are ordered by weight (highest first),
then file order.
"""

from __future__ import annotations

import re

from qr.messages import Message
from qr.transfer.entries import Candidate, Notice, Parsed, TransferError, guess_lang

_WEIGHT = re.compile(r"^-?\d+(\.\d+)?$")
_SPACED = re.compile(r"^(?P<phrase>.*\S)\s+(?P<code>[A-Za-z0-9._-]+)(?:\s+(?P<weight>-?\d+))?$")


def parse_rime(text: str) -> Parsed:
    candidates: list[Candidate] = []
    notices: list[Notice] = []
    seen: set[tuple[str, str]] = set()
    duplicates = 0
    lines = text.split("\n")
    in_header = bool(lines) and lines[0].strip() == "---"
    for number, raw in enumerate(lines, 1):
        if in_header:
            if raw.strip() == "..." and number > 1:
                in_header = False
            continue
        if not raw.strip() or raw.startswith("#"):
            continue
        fields = raw.split("\t")
        weight = None
        if len(fields) >= 2:
            phrase, code = fields[0].strip(), fields[1].strip()
            if len(fields) >= 3 and fields[2].strip():
                if not _WEIGHT.match(fields[2].strip()):
                    notices.append(Notice("warning", number, Message("import.rime_bad_weight", code=code, weight=fields[2].strip())))
                else:
                    weight = float(fields[2].strip())
        else:
            match = _SPACED.match(raw.strip())
            if not match:
                notices.append(Notice("skipped", number, Message("import.rime_not_row")))
                continue
            phrase, code = match["phrase"].strip(), match["code"]
            weight = float(match["weight"]) if match["weight"] else None
            notices.append(Notice("warning", number, Message("import.rime_space", code=code, phrase=phrase)))
        if not phrase or not code:
            notices.append(Notice("skipped", number, Message("import.rime_empty")))
            continue
        key = (phrase, code.lower())
        if key in seen:
            duplicates += 1
            notices.append(Notice("skipped", number, Message("import.duplicate_row", code=code)))
            continue
        seen.add(key)
        # Rime puts the heaviest first; rows without a weight follow in file order.
        rank = -weight if weight is not None else 0.0
        candidates.append(Candidate(parts=(phrase,), code=code, rank=rank, line=number, lang=guess_lang(phrase)))
    if not candidates and not duplicates:
        raise TransferError(Message("import.no_rime"))
    return Parsed(Message("import.format_rime"), tuple(candidates), tuple(notices), duplicates=duplicates)
