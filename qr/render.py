"""Templates: `{name}`, `{name|fallback}`, `{{`/`}}`; parsing with positioned errors and pure-text rendering."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Literal, Union

from qr.store.models import Library, VarSpec

BUILTINS = ("today", "now", "weekday", "agent", "shop")
_WEEKDAYS = {
    "zh": ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


@dataclass(frozen=True)
class Placeholder:
    """One `{name}` or `{name|fallback}` of a template and where it stands."""

    name: str
    fallback: str | None
    start: int
    end: int


if TYPE_CHECKING:
    Part = Union[str, Placeholder]  # noqa: UP007


class TemplateError(ValueError):
    """A template that cannot be rendered; `offset`, `line` and `column` point at the fault."""

    def __init__(self, message: str, offset: int, line: int, column: int) -> None:
        super().__init__(f"{message} (line {line}, column {column})")
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _error(text: str, message: str, offset: int) -> TemplateError:
    return TemplateError(message, offset, *_position(text, offset))


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
            raise _error(template, "a lone '}' (write '}}' for a literal brace)", index)
        if char != "{":
            stop = min(
                (position for position in (template.find("{", index), template.find("}", index)) if position != -1),
                default=length,
            )
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
            raise _error(template, "unclosed '{' (write '{{' for a literal brace)", index)
        inside = template[index + 1 : close]
        name, bar, fallback = inside.partition("|")
        if not name:
            raise _error(template, "empty placeholder '{}'", index)
        if not name.isidentifier():
            raise _error(template, f"'{{{inside}}}' is not a placeholder: a name is letters, digits and '_', not starting with a digit", index)
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append(Placeholder(name, fallback if bar else None, index, close + 1))
        index = close + 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


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


@dataclass(frozen=True)
class Segment:
    """A piece of a rendered reply and where its text came from."""

    text: str
    kind: Kind
    name: str = ""


@dataclass(frozen=True)
class Rendered:
    """A rendered reply: its segments and the variables that had no value."""

    segments: tuple[Segment, ...]
    missing: tuple[str, ...]

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

    Values are inserted literally. Raises TemplateError for a broken template.
    """
    values = values or {}
    defaults = defaults or {}
    builtins = builtins or {}
    segments: list[Segment] = []
    missing: list[str] = []
    for part in parse(template):
        if isinstance(part, str):
            segments.append(Segment(part, "text"))
            continue
        name = part.name
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


def invalid_values(specs: Mapping[str, VarSpec], values: Mapping[str, str]) -> dict[str, str]:
    """Values that do not match their variable's pattern: name -> message."""
    problems = {}
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None or not spec.pattern or not value:
            continue
        if re.search(spec.pattern, value) is None:
            expected = spec.hint or spec.pattern  # the hint says it in words a new hire understands
            problems[name] = f"{spec.display} {value!r} does not match the expected form: {expected}"
    return problems
