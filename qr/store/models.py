"""The phrase library as plain frozen values: what the loader makes and the saver writes.

Editing never mutates: it builds new values with `dataclasses.replace` and saves a whole group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from qr.messages import Message, text_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Mapping
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


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file that stopped (part of) it from loading.

    `message` is a `qr.messages.Message` (id + arguments, turned into words in the UI/CLI
    language when shown); a plain string is still accepted and shown as it is.
    """

    file: Path
    line: int
    column: int
    message: Message | str
    severity: str = "error"

    def text(self, lang: str | None = None) -> str:
        """`file:line:column: message` with the message in `lang` (default: the current language)."""
        return f"{self.file}:{self.line}:{self.column}: {text_of(self.message, lang)}"

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class VarSpec:
    """A declared template variable (`[vars.NAME]` in `_library.toml`)."""

    name: str
    label: str = ""
    default: str | None = None
    pattern: str | None = None
    hint: str = ""
    """What a valid value looks like, in words, shown instead of the raw `pattern` when one is refused."""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def display(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class Phrase:
    """One quick reply: a template with a short code and a title."""

    title: str
    body: str
    code: str | None = None
    tags: tuple[str, ...] = ()
    asks: tuple[str, ...] = ()
    """Example buyer questions the phrase answers (问法), searched with the title."""
    note: str = ""
    lang: str = "zh"
    valid_from: date | None = None
    valid_until: date | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    line: int = field(default=0, compare=False)
    """Line of the phrase's `[[phrases]]` header in its file (0 when not loaded from a file)."""
    body_line: int = field(default=0, compare=False)
    """Line where the body's text starts in its file (0 when unknown)."""

    def is_valid_on(self, day: date) -> bool:
        if self.valid_from is not None and day < self.valid_from:
            return False
        return not (self.valid_until is not None and day > self.valid_until)


@dataclass(frozen=True)
class FileStamp:
    """What a file looked like when it was loaded, to notice a change on disk before saving."""

    size: int
    mtime_ns: int
    digest: str


@dataclass(frozen=True)
class Group:
    """One group file: a named list of phrases."""

    path: Path
    """Path relative to the library root, e.g. `logistics.toml` or `en/after-sale.toml`."""
    name: str
    phrases: tuple[Phrase, ...] = ()
    category: str = DEFAULT_CATEGORY
    order: int | None = None
    description: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    stamp: FileStamp | None = field(default=None, compare=False)

    @property
    def sort_key(self) -> tuple[int, str, str]:
        return (self.order if self.order is not None else 1_000_000, self.name, str(self.path))


@dataclass(frozen=True)
class RuleConfig:
    """`[rules]` of `_library.toml`: words added to or exempted from the built-in lint lists."""

    forbidden: tuple[str, ...] = ()
    risky: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    lists: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The other word lists of `[rules]`: terms added to a family (`off-platform`, `review-incentive`,
    `efficacy`, `ad-law`) and re-graded terms (`errors`, `warnings`), as (key, words) pairs."""

    def words(self, key: str) -> tuple[str, ...]:
        if key in ("forbidden", "risky", "allow", "files"):
            return getattr(self, key)
        return next((words for name, words in self.lists if name == key), ())

    @property
    def cache_key(self) -> tuple:
        return (self.forbidden, self.risky, self.allow, self.files, self.lists)


@dataclass(frozen=True)
class Library:
    """A folder of group files plus its settings."""

    root: Path
    groups: tuple[Group, ...] = ()
    name: str = ""
    shop: str = ""
    vars: Mapping[str, VarSpec] = field(default_factory=dict)
    rules: RuleConfig = RuleConfig()
    extra: Mapping[str, Any] = field(default_factory=dict)
    broken: frozenset[Path] = frozenset()
    """Relative paths of group files that failed to load: never rewritten until fixed."""

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
        from dataclasses import replace

        groups = [group for group in self.groups if group.path != old_path]
        if new is not None:
            groups = [group for group in groups if group.path != new.path]
            groups.append(new)
        groups.sort(key=lambda group: group.sort_key)
        return replace(self, groups=tuple(groups))


@dataclass(frozen=True)
class LoadResult:
    """A loaded library and the problems met loading it (the rest of the library loaded)."""

    library: Library
    problems: tuple[Problem, ...] = ()
