"""Templates: `{name}`, `{name|fallback}`, `{{`/`}}`; parsing with positioned errors and pure-text rendering."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Literal, Union

from qr.messages import Message
from qr.record import Record
from qr.store.models import Library, VarSpec

BUILTINS = ("today", "now", "weekday", "agent", "shop")
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
"""C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and isolates
that make a text read differently from what it holds (Trojan Source): never sent to a buyer."""
PATTERN_TIMEOUT = 0.2
"""Seconds a `[vars.X].pattern` may take on one value (see `pattern_matches`)."""
_WEEKDAYS = {
    "zh": ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


class Placeholder(Record):
    """One `{name}` or `{name|fallback}` of a template and where it stands."""

    name: str
    fallback: str | None
    start: int
    end: int

    def __init__(self, name: str, fallback: str | None, start: int, end: int) -> None:
        self.__dict__.update(name=name, fallback=fallback, start=start, end=end)


if TYPE_CHECKING:
    Part = Union[str, Placeholder]  # noqa: UP007


class TemplateError(ValueError):
    """A template that cannot be rendered; `offset`, `line` and `column` point at the fault.

    `message` is a qr.messages.Message, worded in the UI/CLI language when shown."""

    def __init__(self, message: Message, offset: int, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return str(Message("template.at", message=self.message, line=self.line, column=self.column))


class UnsafeValue(TemplateError):
    """A value holding a control character: refused, so a reply never carries terminal escapes
    or reversed text (offset, line and column are those of the character in the value)."""


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _error(text: str, message: Message, offset: int) -> TemplateError:
    return TemplateError(message, offset, *_position(text, offset))


_BRACE = re.compile("[{}]")


@lru_cache(maxsize=4096)
def parse(template: str) -> tuple[Part, ...]:
    """Split a template into literal text and placeholders, or raise TemplateError."""
    parts: list[Part] = []
    literal: list[str] = []
    index = 0
    length = len(template)
    while index < length:
        char = template[index]
        if char == "}":
            if template.startswith("}}", index):
                literal.append("}")
                index += 2
                continue
            raise _error(template, Message("template.lone_close"), index)
        if char != "{":
            brace = _BRACE.search(template, index)  # one search for the next brace (lint parses every body)
            stop = brace.start() if brace is not None else length
            literal.append(template[index:stop])
            index = stop
            continue
        if template.startswith("{{", index):
            literal.append("{")
            index += 2
            continue
        close = template.find("}", index + 1)
        opening = template.find("{", index + 1)
        if close == -1 or (opening != -1 and opening < close):
            raise _error(template, Message("template.unclosed"), index)
        inside = template[index + 1 : close]
        name, bar, fallback = inside.partition("|")
        if not name:
            raise _error(template, Message("template.empty"), index)
        if not name.isidentifier():
            raise _error(template, Message("template.not_a_name", inside=inside), index)
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append(Placeholder(name, fallback if bar else None, index, close + 1))
        index = close + 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


# A template with no `{{`/`}}` whose every placeholder has an ASCII name: the common case, which
# `bare_names` reads with two searches instead of `parse`'s loop and Placeholder objects
_PLAIN_TEMPLATE = re.compile(r"[^{}]*(?:\{[A-Za-z_][A-Za-z0-9_]*(?:\|[^{}]*)?\}[^{}]*)*")
_BARE_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def bare_names(template: str) -> list[str]:
    """The names of the placeholders that have no fallback, in order (repeats kept); raises
    TemplateError as `parse` does. What lint asks of every body: at 10,000 phrases it takes ~17 ms
    where `parse` takes ~55 (and goes through its cache, which a big library thrashes)."""
    if "{" not in template and "}" not in template:
        return []
    if "{{" not in template and "}}" not in template and _PLAIN_TEMPLATE.fullmatch(template) is not None:
        return _BARE_PLACEHOLDER.findall(template)
    return [part.name for part in parse(template) if isinstance(part, Placeholder) and part.fallback is None]


def check(template: str) -> TemplateError | None:
    try:
        parse(template)
    except TemplateError as error:
        return error
    return None


def placeholders(template: str) -> list[Placeholder]:
    return [part for part in parse(template) if isinstance(part, Placeholder)]


def variable_names(template: str) -> list[str]:
    """Placeholder names in order of first use."""
    return list(dict.fromkeys(placeholder.name for placeholder in placeholders(template)))


if TYPE_CHECKING:
    Kind = Literal["text", "given", "fallback", "default", "builtin", "missing"]


class Segment(Record):
    """A piece of a rendered reply and where its text came from."""

    text: str
    kind: Kind
    name: str

    def __init__(self, text: str, kind: Kind, name: str = "") -> None:
        self.__dict__.update(text=text, kind=kind, name=name)


class Rendered(Record):
    """A rendered reply: its segments and the variables that had no value."""

    segments: tuple[Segment, ...]
    missing: tuple[str, ...]

    def __init__(self, segments: tuple[Segment, ...], missing: tuple[str, ...]) -> None:
        self.__dict__.update(segments=segments, missing=missing)

    @property
    def text(self) -> str:
        """The reply; a missing variable stays as `{name}`."""
        return "".join(segment.text for segment in self.segments)

    @property
    def complete(self) -> bool:
        return not self.missing


def builtin_values(*, lang: str = "zh", agent: str = "", shop: str = "", now: datetime | None = None) -> dict[str, str]:
    now = now or datetime.now()
    weekdays = _WEEKDAYS.get(lang.split("-")[0].lower(), _WEEKDAYS["en"])
    values = {"today": now.strftime("%Y-%m-%d"), "now": now.strftime("%H:%M"), "weekday": weekdays[now.weekday()]}
    if agent:
        values["agent"] = agent
    if shop:
        values["shop"] = shop
    return values


def render(
    template: str,
    values: Mapping[str, str] | None = None,
    *,
    defaults: Mapping[str, str] | None = None,
    builtins: Mapping[str, str] | None = None,
) -> Rendered:
    """Fill a template. Precedence: given value, the placeholder's fallback, the default, a built-in.

    Values are inserted literally. Raises TemplateError for a broken template, UnsafeValue for a
    value holding a control character (a reply must never carry terminal escapes).
    """
    values = values or {}
    defaults = defaults or {}
    builtins = builtins or {}
    segments: list[Segment] = []
    missing: list[str] = []
    control = CONTROL_CHARACTERS.search(template)  # lint reports it too; a reply never carries it
    if control is not None:
        raise _error(template, Message("template.control", char=f"U+{ord(control.group()):04X}"), control.start())
    for part in parse(template):
        if isinstance(part, str):
            segments.append(Segment(part, "text"))
            continue
        name = part.name
        for source in (values, defaults):
            refuse_control(name, source.get(name) or "")
        if values.get(name):
            segments.append(Segment(values[name], "given", name))
        elif part.fallback is not None:
            segments.append(Segment(part.fallback, "fallback", name))
        elif defaults.get(name):
            segments.append(Segment(defaults[name], "default", name))
        elif builtins.get(name):
            segments.append(Segment(builtins[name], "builtin", name))
        else:
            segments.append(Segment("{" + name + "}", "missing", name))
            if name not in missing:
                missing.append(name)
    return Rendered(tuple(segments), tuple(missing))


def library_defaults(library: Library) -> dict[str, str]:
    return {name: spec.default for name, spec in library.vars.items() if spec.default}


def refuse_control(name: str, value: str) -> None:
    """Raise UnsafeValue when `value` (of variable `name`) holds a control character."""
    control = CONTROL_CHARACTERS.search(value)
    if control is not None:
        char = f"U+{ord(control.group()):04X}"
        raise UnsafeValue(Message("render.control_in_value", name=name, char=char), control.start(), *_position(value, control.start()))


def pattern_matches(pattern: str, value: str) -> bool | None:
    """Whether `value` matches `pattern`; None when the check ran out of time.

    Matched with the `regex` package and a time limit, not with `re`: a pattern such as
    `^(a|aa)+$` backtracks exponentially on a value that almost matches, and `re` cannot be
    interrupted, so one bad `[vars.X].pattern` would freeze the variables form or `qr render`.
    """
    import regex  # only when a value is checked: search and list never load it

    try:
        return regex.search(pattern, value, timeout=PATTERN_TIMEOUT) is not None
    except TimeoutError:
        return None
    except (regex.error, TypeError):  # refused at load already; a pattern regex reads differently is no match
        return False


def backtracks(pattern: str) -> bool:
    """True for a pattern that can take exponential time: a repeated group holding a variable
    repeat (`(a+)+`, `(\\w*\\s?)*`), or one that runs out of time on a probe value made of its own
    letters (`^(a|aa)+$` on `aaa…a!`). Lint reports such patterns."""
    from re import _parser  # type: ignore[attr-defined]  # the stdlib's own parser of patterns

    try:
        parsed = _parser.parse(pattern)
    except (re.error, TypeError, RecursionError):
        return False
    letters = {chr(value) for op, value in _walk(parsed) if op is _parser.LITERAL} or {"a"}
    if _nested_repeat(parsed, _parser, inside=False):
        return True
    if _linear(parsed, pattern, _parser):
        return False  # cannot run out of time on the probe: spare `qr lint` importing `regex` (~10 ms)
    return any(pattern_matches(pattern, letter * 30 + "\x00") is None for letter in sorted(letters)[:5])


_FUZZY_OR_ODD_BRACE = re.compile(r"\{(?!\d*,?\d*\})")
"""A `{` that is not a plain `{m}`, `{m,n}` repeat: `regex` may read it as a fuzzy-match constraint."""


def _linear(parsed, pattern: str, _parser) -> bool:
    """True for a pattern with no alternation, no backreference, only repeats of a single character
    and at most one of them variable (`^\\d{6,24}$`, `[A-Z]+-\\d{4}`): matching tries at most 31
    extents of that repeat per start position, so the 31-character probe finishes in microseconds."""
    if _FUZZY_OR_ODD_BRACE.search(pattern):
        return False
    single = (_parser.LITERAL, _parser.NOT_LITERAL, _parser.IN, _parser.ANY, _parser.CATEGORY)
    variable = 0
    for op, value in _walk(parsed):
        if op in (_parser.BRANCH, _parser.GROUPREF, _parser.GROUPREF_EXISTS):
            return False
        if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, getattr(_parser, "POSSESSIVE_REPEAT", None)):
            low, high, body = value
            variable += high != low
            if variable > 1 or len(body) != 1 or body[0][0] not in single:
                return False  # a second extent to try, or a repeated group (`(a+){10}`): probe it
    return True


def _walk(items) -> list:
    found = []
    stack = [items]
    while stack:
        for op, value in stack.pop():
            found.append((op, value))
            stack.extend(_children(op, value))
    return found


def _children(op, value) -> list:
    from re import _parser  # type: ignore[attr-defined]

    if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, getattr(_parser, "POSSESSIVE_REPEAT", None)):
        return [value[2]]
    if op is _parser.SUBPATTERN:
        return [value[3]]
    if op is _parser.BRANCH:
        return list(value[1])
    if op in (_parser.ASSERT, _parser.ASSERT_NOT):
        return [value[1]]
    if op is getattr(_parser, "ATOMIC_GROUP", None):
        return [value]
    return []


def _nested_repeat(items, _parser, *, inside: bool) -> bool:
    for op, value in items:
        if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT):
            low, high, _ = value
            variable = high != low
            if inside and variable:
                return True
            if any(_nested_repeat(child, _parser, inside=inside or (variable and high > 1)) for child in _children(op, value)):
                return True
        elif any(_nested_repeat(child, _parser, inside=inside) for child in _children(op, value)):
            return True
    return False


def invalid_values(specs: Mapping[str, VarSpec], values: Mapping[str, str]) -> dict[str, str]:
    """Values that cannot be sent: a control character, or no match with the variable's pattern
    (or a pattern that ran out of time). name -> message in the UI/CLI language."""
    problems = {}
    for name, value in values.items():
        spec = specs.get(name)
        label = spec.display if spec is not None else name
        control = CONTROL_CHARACTERS.search(value)
        if control is not None:
            problems[name] = str(Message("render.control_in_value", name=label, char=f"U+{ord(control.group()):04X}"))
            continue
        if spec is None or not spec.pattern or not value:
            continue
        matched = pattern_matches(spec.pattern, value)
        if matched is None:
            problems[name] = str(Message("render.pattern_timeout", label=label, name=name, pattern=spec.pattern))
        elif not matched:
            # the hint says it in words a new hire understands; else a simple pattern is described
            expected = spec.hint or described_pattern(spec.pattern)
            if expected is not None:
                problems[name] = str(Message("render.invalid_value", label=label, value=value, expected=expected))
            else:  # the last resort: the pattern itself, quoted as written
                problems[name] = str(Message("render.invalid_value_pattern", label=label, value=value, pattern=spec.pattern))
    return problems


_SIMPLE_PATTERN = re.compile(
    r"\^(?P<kind>\\d|\[0-9\]|\[(?:A-Za-z0-9|a-zA-Z0-9|0-9A-Za-z|0-9a-zA-Z|A-Z0-9a-z|a-z0-9A-Z)\])"
    r"\{(?P<low>\d+)(?:,(?P<high>\d+))?\}\$"
)


def described_pattern(pattern: str) -> str | None:
    """A simple pattern in words (`^\\d{6,24}$` -> "6-24 位数字", `^[A-Za-z0-9]{8,30}$` -> "8-30 位字母或数字"),
    in the UI/CLI language; None for any other pattern."""
    match = _SIMPLE_PATTERN.fullmatch(pattern)
    if match is None:
        return None
    digits = match["kind"] in (r"\d", "[0-9]")
    low = int(match["low"])
    high = low if match["high"] is None else int(match["high"])
    if high < low:
        return None
    if high == low:
        return str(Message("render.expect_digits" if digits else "render.expect_alnum", count=low))
    return str(Message("render.expect_digits_range" if digits else "render.expect_alnum_range", low=low, high=high))
