"""The phrase library as plain frozen values: what the loader makes and the saver writes.

Editing never mutates: it builds new values with `replace` (`qr.record`) and saves a whole group.
The values are `Record`s, not dataclasses: every qr process defines them, and dataclasses cost a
warm `qr search` ~19 ms (see `qr.record`).
"""

from __future__ import annotations

import re
from pathlib import Path

from qr.messages import Message, text_of
from qr.record import Record, replace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date
    from typing import Any

CODE_PATTERN = re.compile(r"^[A-Za-z0-9._-]+$")
DEFAULT_CATEGORY = "未分类"


def normalise_code(code: str) -> str:
    """The canonical form of a code: without the typed `/`, trimmed, lower case."""
    return code.strip().lstrip("/").strip().lower()


_DIGITS = re.compile(r"(\d+)")


def natural_key(code: str) -> tuple:
    """Sort key for codes that counts: `wl2` before `wl10` (digit runs compare as numbers).

    `split` with a captured group alternates text and digits, text first, so every position of
    two keys holds the same type. The index's code order is built with this key (and cached)."""
    return tuple(int(part) if index % 2 else part for index, part in enumerate(_DIGITS.split(code)))


def is_valid_code(code: str) -> bool:
    return bool(CODE_PATTERN.match(code))


class Problem(Record):
    """Something wrong in a file that stopped (part of) it from loading.

    `message` is a `qr.messages.Message` (id + arguments, turned into words in the UI/CLI
    language when shown); a plain string is still accepted and shown as it is.
    """

    file: Path
    line: int
    column: int
    message: Message | str
    severity: str

    def __init__(self, file: Path, line: int, column: int, message: Message | str, severity: str = "error") -> None:
        self.__dict__.update(file=file, line=line, column=column, message=message, severity=severity)

    def text(self, lang: str | None = None) -> str:
        """`file:line:column: message` with the message in `lang` (default: the current language)."""
        return f"{self.file}:{self.line}:{self.column}: {text_of(self.message, lang)}"

    def __str__(self) -> str:
        return self.text()


class VarSpec(Record):
    """A declared template variable (`[vars.NAME]` in `_library.toml`)."""

    name: str
    label: str
    default: str | None
    pattern: str | None
    hint: str
    """What a valid value looks like, in words, shown instead of the raw `pattern` when one is refused."""
    extra: Mapping[str, Any]

    def __init__(
        self,
        name: str,
        label: str = "",
        default: str | None = None,
        pattern: str | None = None,
        hint: str = "",
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.__dict__.update(
            name=name, label=label, default=default, pattern=pattern, hint=hint, extra={} if extra is None else extra
        )

    @property
    def display(self) -> str:
        return self.label or self.name


class Phrase(Record):
    """One quick reply: a template with a short code and a title."""

    title: str
    body: str
    code: str | None
    tags: tuple[str, ...]
    asks: tuple[str, ...]
    """Example buyer questions the phrase answers (问法), searched with the title."""
    note: str
    lang: str
    valid_from: date | None
    valid_until: date | None
    extra: Mapping[str, Any]
    line: int
    """Line of the phrase's `[[phrases]]` header in its file (0 when not loaded from a file)."""
    body_line: int
    """Line where the body's text starts in its file (0 when unknown)."""
    NOT_COMPARED = ("line", "body_line")

    def __init__(
        self,
        title: str,
        body: str,
        code: str | None = None,
        tags: tuple[str, ...] = (),
        asks: tuple[str, ...] = (),
        note: str = "",
        lang: str = "zh",
        valid_from: date | None = None,
        valid_until: date | None = None,
        extra: Mapping[str, Any] | None = None,
        line: int = 0,
        body_line: int = 0,
    ) -> None:
        self.__dict__.update(
            title=title,
            body=body,
            code=code,
            tags=tags,
            asks=asks,
            note=note,
            lang=lang,
            valid_from=valid_from,
            valid_until=valid_until,
            extra={} if extra is None else extra,
            line=line,
            body_line=body_line,
        )

    def is_valid_on(self, day: date) -> bool:
        if self.valid_from is not None and day < self.valid_from:
            return False
        return not (self.valid_until is not None and day > self.valid_until)


class FileStamp(Record):
    """What a file looked like when it was loaded, to notice a change on disk before saving."""

    size: int
    mtime_ns: int
    digest: str

    def __init__(self, size: int, mtime_ns: int, digest: str) -> None:
        self.__dict__.update(size=size, mtime_ns=mtime_ns, digest=digest)


class Group(Record):
    """One group file: a named list of phrases."""

    path: Path
    """Path relative to the library root, e.g. `logistics.toml` or `en/after-sale.toml`."""
    name: str
    phrases: tuple[Phrase, ...]
    category: str
    order: int | None
    description: str
    extra: Mapping[str, Any]
    stamp: FileStamp | None
    NOT_COMPARED = ("stamp",)

    def __init__(
        self,
        path: Path,
        name: str,
        phrases: tuple[Phrase, ...] = (),
        category: str = DEFAULT_CATEGORY,
        order: int | None = None,
        description: str = "",
        extra: Mapping[str, Any] | None = None,
        stamp: FileStamp | None = None,
    ) -> None:
        self.__dict__.update(
            path=path,
            name=name,
            phrases=phrases,
            category=category,
            order=order,
            description=description,
            extra={} if extra is None else extra,
            stamp=stamp,
        )

    @property
    def sort_key(self) -> tuple[int, str, str]:
        return (self.order if self.order is not None else 1_000_000, self.name, str(self.path))


class RuleConfig(Record):
    """`[rules]` of `_library.toml`: words added to or exempted from the built-in lint lists."""

    forbidden: tuple[str, ...]
    risky: tuple[str, ...]
    allow: tuple[str, ...]
    files: tuple[str, ...]
    extra: Mapping[str, Any]
    lists: tuple[tuple[str, tuple[str, ...]], ...]
    """The other word lists of `[rules]`: terms added to a family (`off-platform`, `review-incentive`,
    `efficacy`, `ad-law`) and re-graded terms (`errors`, `warnings`), as (key, words) pairs."""

    def __init__(
        self,
        forbidden: tuple[str, ...] = (),
        risky: tuple[str, ...] = (),
        allow: tuple[str, ...] = (),
        files: tuple[str, ...] = (),
        extra: Mapping[str, Any] | None = None,
        lists: tuple[tuple[str, tuple[str, ...]], ...] = (),
    ) -> None:
        self.__dict__.update(
            forbidden=forbidden, risky=risky, allow=allow, files=files, extra={} if extra is None else extra, lists=lists
        )

    def words(self, key: str) -> tuple[str, ...]:
        if key in ("forbidden", "risky", "allow", "files"):
            return getattr(self, key)
        return next((words for name, words in self.lists if name == key), ())

    @property
    def cache_key(self) -> tuple:
        return (self.forbidden, self.risky, self.allow, self.files, self.lists)


class Library(Record):
    """A folder of group files plus its settings."""

    root: Path
    groups: tuple[Group, ...]
    name: str
    shop: str
    vars: Mapping[str, VarSpec]
    rules: RuleConfig
    extra: Mapping[str, Any]
    broken: frozenset[Path]
    """Relative paths of group files that failed to load: never rewritten until fixed."""

    def __init__(
        self,
        root: Path,
        groups: tuple[Group, ...] = (),
        name: str = "",
        shop: str = "",
        vars: Mapping[str, VarSpec] | None = None,
        rules: RuleConfig | None = None,
        extra: Mapping[str, Any] | None = None,
        broken: frozenset[Path] = frozenset(),
    ) -> None:
        self.__dict__.update(
            root=root,
            groups=groups,
            name=name,
            shop=shop,
            vars={} if vars is None else vars,
            rules=_NO_RULES if rules is None else rules,
            extra={} if extra is None else extra,
            broken=broken,
        )

    def phrases(self):
        """Every (group, phrase) in library order."""
        for group in self.groups:
            for phrase in group.phrases:
                yield group, phrase

    def group_by_path(self, path: Path | str) -> Group | None:
        path = Path(path)
        return next((group for group in self.groups if group.path == path), None)

    def find_code(self, code: str) -> tuple[Group, Phrase] | None:
        wanted = normalise_code(code)
        for group, phrase in self.phrases():
            if phrase.code is not None and phrase.code.lower() == wanted:
                return group, phrase
        return None

    def replace_group(self, old_path: Path, new: Group | None) -> Library:
        """A library with the group at `old_path` replaced by `new` (or removed, or added)."""
        groups = [group for group in self.groups if group.path != old_path]
        if new is not None:
            groups = [group for group in groups if group.path != new.path]
            groups.append(new)
        groups.sort(key=lambda group: group.sort_key)
        return replace(self, groups=tuple(groups))


_NO_RULES = RuleConfig()


class LoadResult(Record):
    """A loaded library and the problems met loading it (the rest of the library loaded)."""

    library: Library
    problems: tuple[Problem, ...]

    def __init__(self, library: Library, problems: tuple[Problem, ...] = ()) -> None:
        self.__dict__.update(library=library, problems=problems)
