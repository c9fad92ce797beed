"""Sogou input-method custom phrases: PhraseEdit.txt `code,pos=phrase`, 手心 `code=pos,phrase`,
and the Sogou-mobile 常用语 CSV `code,phrase,pos`.

PhraseEdit's multi-line rule: an entry is a line `code,pos=…`; every following line up to the next
entry belongs to it (blank lines inside kept, trailing blank lines dropped); lines starting with `;`
are comments. A phrase starting with `#` is a time expression (`#$year年$month月$day_dd日`); the
parts that have a qr built-in become `{today}`, `{now}`, `{weekday}`.
"""

from __future__ import annotations

import csv
import re

from qr.messages import Message
from qr.transfer.entries import Candidate, Notice, Parsed, Part, TransferError, Var, guess_lang

_ENTRY = re.compile(r"^([^\s,=;]+),(\d+)=(.*)$")
_SHOUXIN = re.compile(r"^([^\s,=;]+)=(\d+),(.*)$")
_MOBILE = re.compile(r"^[^\s,=]+,.+,\d+$")

_FUNCTION = re.compile(r"\$([a-z]+(?:_[a-z]+)*)")
FUNCTIONS = {
    "year", "year_yy", "month", "month_mm", "day", "day_dd", "weekday", "fullhour", "fullhour_hh",
    "halfhour", "halfhour_hh", "ampm", "minute", "second", "year_cn", "year_yy_cn", "month_cn",
    "day_cn", "weekday_cn", "fullhour_cn", "halfhour_cn", "ampm_cn", "minute_cn", "second_cn",
}
# (pattern, built-in, note when the text changes); tried in order over the expression.
_DATE = re.compile(r"\$year(?P<s1>[-/.]?|年)\$month(?:_mm)?(?P<s2>[-/.]?|月)\$day(?:_dd)?(?P<s3>日?)")
_TIME = re.compile(r"\$fullhour(?:_hh)?(?P<s1>:?)\$minute(?P<sec>:?\$second)?")
_WEEKDAY = re.compile(r"(?P<prefix>星期|周)?\$weekday_cn")
EXACT = {"today": "$year-$month_mm-$day_dd", "now": "$fullhour_hh:$minute", "weekday": "星期$weekday_cn"}


def parse_sogou(text: str) -> Parsed:
    lines = text.split("\n")
    counts = {"phraseedit": 0, "shouxin": 0, "mobile": 0}
    for line in lines[:3000]:
        if _ENTRY.match(line):
            counts["phraseedit"] += 1
        elif _SHOUXIN.match(line):
            counts["shouxin"] += 1
        elif _MOBILE.match(line):
            counts["mobile"] += 1
    variant = max(counts, key=lambda name: counts[name])
    if not counts[variant]:
        raise TransferError(Message("import.no_sogou"))
    if variant == "mobile":
        return _parse_mobile(text)
    pattern = _ENTRY if variant == "phraseedit" else _SHOUXIN
    name = Message("import.format_sogou" if variant == "phraseedit" else "import.format_shouxin")
    return _parse_lines(lines, pattern, name)


def _parse_lines(lines: list[str], pattern: re.Pattern, name: Message) -> Parsed:
    candidates: list[Candidate] = []
    notices: list[Notice] = []
    current: tuple[int, str, int, list[str]] | None = None  # line, code, position, body lines

    def finish() -> None:
        if current is None:
            return
        line, code, position, body = current
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        phrase = "\n".join(body)
        if not phrase.strip():
            notices.append(Notice("skipped", line, Message("import.empty_phrase_of", code=code)))
            return
        parts, warnings = expression_parts(phrase) if phrase.startswith("#") else ((phrase,), [])
        notices.extend(Notice("warning", line, Message("import.with_code", code=code, text=warning)) for warning in warnings)
        # `$weekday_cn` is not English text: the language is judged without the function names.
        lang = guess_lang(_FUNCTION.sub("", phrase) if phrase.startswith("#") else phrase)
        candidates.append(Candidate(parts=parts, code=code, rank=position, line=line, lang=lang))

    stray = 0
    for number, line in enumerate(lines, 1):
        if line.startswith(";"):
            continue
        match = pattern.match(line)
        if match:
            finish()
            current = (number, match[1], int(match[2]), [match[3]])
        elif current is not None:
            current[3].append(line)
        elif line.strip():
            stray += 1
            if stray <= 1:
                notices.append(Notice("skipped", number, Message("import.sogou_stray_text")))
    finish()
    return Parsed(name, tuple(candidates), tuple(notices))


def _parse_mobile(text: str) -> Parsed:
    candidates: list[Candidate] = []
    notices: list[Notice] = []
    for number, row in enumerate(csv.reader(text.split("\n")), 1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != 3 or not row[2].strip().lstrip("-").isdigit():
            if number == 1:
                continue  # a header row
            notices.append(Notice("skipped", number, Message("import.sogou_not_row")))
            continue
        code, phrase, position = row
        if not phrase.strip():
            notices.append(Notice("skipped", number, Message("import.empty_phrase_of", code=code)))
            continue
        candidates.append(Candidate(parts=(phrase,), code=code, rank=int(position), line=number, lang=guess_lang(phrase)))
    return Parsed(Message("import.format_sogou_mobile"), tuple(candidates), tuple(notices))


def expression_parts(phrase: str) -> tuple[tuple[Part, ...], list[Message]]:
    """A `#$…` time expression as text and built-ins, with warnings; kept as text when a function has no built-in."""
    expression = phrase[1:]
    if "$" not in expression:
        return (phrase,), []
    parts: list[Part] = []
    changed: list[Message] = []
    position = 0
    spans = []
    for builtin, pattern in (("today", _DATE), ("now", _TIME), ("weekday", _WEEKDAY)):
        for match in pattern.finditer(expression):
            spans.append((match.start(), match.end(), builtin, match))
    spans.sort()
    kept_spans: list[tuple[int, int, str, re.Match[str]]] = []
    for span in spans:
        if kept_spans and span[0] < kept_spans[-1][1]:
            continue
        kept_spans.append(span)
    for start, end, builtin, match in kept_spans:
        parts.append(expression[position:start])
        parts.append(Var(builtin))
        written = match.group(0)
        if written != EXACT[builtin]:
            if builtin == "now" and match.group("sec"):
                changed.append(Message("import.time_seconds_dropped", written=written))
            elif builtin == "today":
                changed.append(Message("import.time_today", written=written))
            elif builtin == "now":
                changed.append(Message("import.time_now", written=written))
            else:
                changed.append(Message("import.time_weekday", written=written))
        position = end
    parts.append(expression[position:])
    leftover = sorted({name for text in parts if isinstance(text, str) for name in _FUNCTION.findall(text)})
    if leftover:
        unknown = [name for name in leftover if name not in FUNCTIONS]
        what = ", ".join("$" + name for name in (unknown or leftover))
        reason = Message("import.time_not_sogou") if unknown else Message("import.time_no_builtin")
        return (phrase,), [Message("import.time_kept", what=what, reason=reason)]
    return tuple(part for part in parts if part != ""), changed
