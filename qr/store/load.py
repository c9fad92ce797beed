"""Loading a library folder: every problem is named with file, line and column, and the rest still loads."""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from datetime import date, datetime
from pathlib import Path
from stat import S_ISREG

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from typing import Any

from qr.messages import Message
from qr.store.models import (
    DEFAULT_CATEGORY,
    FileStamp,
    Group,
    Library,
    LoadResult,
    Phrase,
    Problem,
    RuleConfig,
    VarSpec,
    is_valid_code,
    normalise_code,
)

LIBRARY_FILE = "_library.toml"
DEFAULT_MAX_FILE_BYTES = 4 * 1_048_576
MAX_FILE_BYTES = DEFAULT_MAX_FILE_BYTES
"""Files larger than this are skipped with a problem (config `max_file_mb`; the workspace sets it)."""
MAX_DEPTH = 100
"""Deepest nesting of tables/arrays a library file may have (real files nest 3 or 4 levels): above
rtoml's own limit (~80, tomllib reads those), well below where tomllib, tomli-w or pickle recurse out."""
GROUP_KEYS = {"name", "category", "order", "description", "phrases"}
PHRASE_KEYS = {"code", "title", "body", "tags", "asks", "note", "lang", "valid_from", "valid_until"}
VAR_KEYS = {"label", "default", "pattern", "hint"}
RULE_KEYS = {"forbidden", "risky", "allow", "files"}
RULE_LIST_KEYS = ("off-platform", "review-incentive", "efficacy", "ad-law", "errors", "warnings")
"""Further `[rules]` lists: terms added to a lint family, and terms re-graded (see docs/lint.md)."""

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_HEADER_OR_BODY = re.compile(r"^\s*(?:(\[\[)\s*phrases\s*\]\]|body\s*=)")
"""A `[[phrases]]` header (group 1 set) or a `body = ` line: one match per line finds both."""
_HEADERS_AND_BODIES = re.compile(r"^[^\S\n]*(?:(\[\[)[^\S\n]*phrases[^\S\n]*\]\]|body[^\S\n]*=)", re.MULTILINE)
"""`_HEADER_OR_BODY` over a whole text whose only line break is LF (whitespace never crosses a line)."""
# An offset date-time (`…T10:00:00+08:00`, `…Z`): rtoml gives it a tzinfo class of its own, which
# the index cache cannot store; such files are read with tomllib.
_OFFSET_TIME = re.compile(r"\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[Zz]|[+-]\d\d:\d\d)")
_OFFSET_AFTER_DIGIT = re.compile(r":\d\d(?::\d\d(?:\.\d+)?)?(?:[Zz]|[+-]\d\d:\d\d)")
"""`_OFFSET_TIME` from its colon on (see `_has_offset_time`)."""
_BODY_KEY = re.compile(r"""^\s*body\s*=\s*("{3}|'{3})\s*$""")


class InvalidFile(Exception):
    """A file that cannot be used; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def group_files(root: Path) -> list[Path]:
    """Group files of a library, in path order (relative to root); hidden folders are skipped."""
    return [Path(name) for name in group_file_names(root)]


def group_file_names(root: Path) -> list[str]:
    """`group_files` as POSIX strings: os.walk instead of pathlib (a warm start lists 300+ files)."""
    found: list[str] = []
    for folder, folders, files in os.walk(root):  # like rglob: symlinked folders are not entered
        folders[:] = [name for name in folders if not name.startswith(".")]
        relative = os.path.relpath(folder, root)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        found.extend(prefix + name for name in files if name.endswith(".toml") and not name.startswith(("_", ".")))
        if any(name.endswith(".tmp") and name.startswith(".") for name in files):
            from qr.store.tempfiles import remove_stale_temp  # rare: only where a save was killed

            remove_stale_temp(folder, files)
    return sorted(found)


def stamp_of(data: bytes, stat: os.stat_result) -> FileStamp:
    from qr.store.digest import sha1  # not at the top: a warm start reads no file it must digest

    return FileStamp(size=stat.st_size, mtime_ns=stat.st_mtime_ns, digest=sha1(data).hexdigest())


class UnsafeFile(Exception):
    """A path that must not be read as a library file (not a regular file, or over the size cap)."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


def read_regular(path: Path | str, limit: int | None = None) -> tuple[bytes, os.stat_result]:
    """The bytes and stat of a regular file of at most `limit` bytes (default MAX_FILE_BYTES).

    One bad file must never stop the library: a FIFO would block a read forever and /dev/zero
    (say, a symlink that arrived with a `git pull`) never ends, so only regular files are read
    (symlinks followed), opened without blocking, and never more than the cap. Raises UnsafeFile
    for those, OSError when the file cannot be opened or read.
    """
    limit = MAX_FILE_BYTES if limit is None else limit
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        stat = os.fstat(fd)
        if not S_ISREG(stat.st_mode):
            raise UnsafeFile(Message("load.not_regular", kind=_kind(stat.st_mode)))
        if stat.st_size > limit:
            raise UnsafeFile(Message("load.too_big", size=_megabytes(stat.st_size), limit=_megabytes(limit)))
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:  # grew since the stat
        raise UnsafeFile(Message("load.too_big", size=_megabytes(len(data)), limit=_megabytes(limit)))
    return data, stat


def _kind(mode: int) -> Message:
    from stat import S_ISBLK, S_ISCHR, S_ISDIR, S_ISFIFO, S_ISSOCK

    for test, kind in ((S_ISFIFO, "fifo"), (S_ISCHR, "device"), (S_ISBLK, "device"), (S_ISSOCK, "socket"), (S_ISDIR, "folder")):
        if test(mode):
            return Message(f"load.kind.{kind}")
    return Message("load.kind.special")


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"


def too_deep(document: object, limit: int = MAX_DEPTH) -> bool:
    """True when tables/arrays nest deeper than `limit` (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        items = value.values() if isinstance(value, dict) else value
        stack.extend((item, depth + 1) for item in items if isinstance(item, (dict, list)))  # only containers nest
    return False


def read_toml(path: Path, shown: Path) -> tuple[dict[str, Any], str, FileStamp]:
    """Parse one TOML file; a failure becomes an InvalidFile naming `shown`, line and column."""
    try:
        data, stat = read_regular(path)
    except UnsafeFile as error:
        raise InvalidFile(Problem(shown, 0, 0, error.message)) from None
    except OSError as error:
        raise InvalidFile(Problem(shown, 0, 0, Message("load.cannot_read", reason=error.strerror or str(error)))) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidFile(Problem(shown, line, 1, Message("load.not_utf8"))) from None
    document = _fast_loads(text)
    if document is not None:  # rtoml refuses nesting beyond ~80 levels, so it is never over MAX_DEPTH
        return document, text, stamp_of(data, stat)
    import tomllib  # here, not at the top: a start from the index cache parses no TOML

    try:
        document = tomllib.loads(text)
        if too_deep(document):
            raise RecursionError
    except (RecursionError, MemoryError) as error:
        # tomllib recurses per nesting level: a few hundred levels exhaust the stack; deep values
        # that do parse would break pickling and saving later, so they are refused here too
        key = "load.too_deep" if isinstance(error, RecursionError) else "load.no_memory"
        raise InvalidFile(Problem(shown, 0, 0, Message(key, limit=MAX_DEPTH))) from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_POSITION.search(message)
        line, column = (int(match[1]), int(match[2])) if match else (0, 0)
        message = _TOML_POSITION.sub("", message).strip()
        raise InvalidFile(Problem(shown, line, column, Message("load.invalid_toml", detail=message))) from None
    return document, text, stamp_of(data, stat)


def _fast_loads(text: str) -> dict[str, Any] | None:
    """The document parsed by rtoml (Rust, ~6x faster than tomllib: parsing was half of a cold
    start), or None to let tomllib parse it: rtoml not installed, an offset date-time in the text,
    or anything rtoml refuses (tomllib then reports the exact line and column, or reads what rtoml
    cannot, such as nesting deeper than its limit). For valid files both give equal values."""
    try:
        import rtoml
    except ImportError:
        return None
    if _has_offset_time(text):
        return None
    if "\r" in text:  # tomllib reads CRLF inside multi-line strings as LF (a lone CR is invalid)
        text = text.replace("\r\n", "\n")
    try:
        document = rtoml.loads(text)
    except Exception:  # rtoml's error types vary by version; tomllib decides  # noqa: BLE001
        return None
    return document if isinstance(document, dict) else None


def _has_offset_time(text: str) -> bool:
    """`_OFFSET_TIME.search(text)`, from each colon (`str.find`) instead of a regex scan of every
    character: a fifth of reading a file, and most files have no colon at all."""
    match_at = _OFFSET_AFTER_DIGIT.match
    position = text.find(":")
    while position != -1:
        if position and text[position - 1].isdecimal() and match_at(text, position):  # isdecimal: what \d matches
            return True
        position = text.find(":", position + 1)
    return False


def load_library(root: Path | str) -> LoadResult:
    """Load every group of the library at `root`; broken files are reported and skipped."""
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        problem = Problem(root, 0, 0, Message("load.no_folder"))
        return LoadResult(Library(root=root), (problem,))

    settings: dict[str, Any] = {}
    settings_file = root / LIBRARY_FILE
    if settings_file.exists():
        try:
            settings, _, _ = read_toml(settings_file, Path(LIBRARY_FILE))
        except InvalidFile as error:
            problems.append(error.problem)

    vars_, rules, extra = parse_settings(settings, problems, settings_file)
    groups: list[Group] = []
    broken: set[Path] = set()
    for relative in group_files(root):
        try:
            groups.append(load_group(root, relative))
        except InvalidFile as error:
            problems.append(error.problem)
            broken.add(relative)
    groups.sort(key=lambda group: group.sort_key)
    library = Library(
        root=root,
        groups=tuple(groups),
        name=string_value(settings.get("name")),
        shop=string_value(settings.get("shop")),
        vars=vars_,
        rules=rules,
        extra=extra,
        broken=frozenset(broken),
    )
    return LoadResult(library, tuple(problems))


def load_group(root: Path, relative: Path) -> Group:
    """Load one group file; raises InvalidFile with the first problem that makes it unusable."""
    document, text, stamp = read_toml(root / relative, relative)
    return parse_group(document, text, relative, stamp)


def parse_group(document: dict[str, Any], text: str, relative: Path, stamp: FileStamp | None) -> Group:
    lines = text.splitlines()
    headers: list[int] = []
    bodies: list[int] = []  # lines of `body = ` keys: each phrase finds its own by bisection
    if len(lines) == text.count("\n") + (not text.endswith("\n") if text else 0):
        # (every line `splitlines` made ends at an LF: no other line break, which would add a line)
        # one search over the text, counting newlines between matches (both in C), instead of a
        # match per line: the same lines, as `splitlines` numbers them when LF is the only break
        number, last = 1, 0
        count = text.count
        for found in _HEADERS_AND_BODIES.finditer(text):
            start = found.start()
            number += count("\n", last, start)
            last = start
            (headers if found[1] else bodies).append(number)
    else:
        for number, line in enumerate(lines, 1):
            match = _HEADER_OR_BODY.match(line)
            if match:
                (headers if match[1] else bodies).append(number)

    def fail(line: int, message: Message) -> InvalidFile:
        return InvalidFile(Problem(relative, line, 1, message))

    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail(_key_line(lines, "name", 0, len(lines)), Message("load.group_name"))
    order = document.get("order")
    if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
        raise fail(_key_line(lines, "order", 0, len(lines)), Message("load.order_int"))
    raw_phrases = document.get("phrases", [])
    if not isinstance(raw_phrases, list) or not all(isinstance(item, dict) for item in raw_phrases):
        raise fail(_key_line(lines, "phrases", 0, len(lines)), Message("load.phrases_tables"))

    phrases = []
    for index, raw in enumerate(raw_phrases):
        start = headers[index] if index < len(headers) else 0
        end = headers[index + 1] - 1 if index + 1 < len(headers) else len(lines)
        phrases.append(_parse_phrase(raw, lines, start, end, fail, _first_between(bodies, start, end)))

    for key in ("category", "description"):
        if key in document and not isinstance(document[key], str):
            raise fail(_key_line(lines, key, 0, len(lines)), Message("load.key_string", key=key))
    return Group(
        path=relative,
        name=name.strip(),
        phrases=tuple(phrases),
        category=(document.get("category") or "").strip() or DEFAULT_CATEGORY,
        order=order,
        description=document.get("description", ""),
        extra={key: value for key, value in document.items() if key not in GROUP_KEYS},
        stamp=stamp,
    )


def _first_between(numbers: list[int], start: int, end: int) -> int:
    """The first of the sorted line `numbers` in [start, end] (as `_key_line` counts), or 0."""
    position = bisect_left(numbers, max(start, 1))
    return numbers[position] if position < len(numbers) and numbers[position] <= end else 0


def _parse_phrase(raw: dict[str, Any], lines: list[str], start: int, end: int, fail, key_line: int) -> Phrase:
    def line_of(key: str) -> int:
        return _key_line(lines, key, start, end) or start

    # (this runs for every phrase of a cold load: one lookup per key, checks in C where they can be)
    get = raw.get
    title, body = get("title"), get("body")
    if not isinstance(title, str) or not title.strip():
        raise fail(start, Message("load.phrase_needs", key="title"))
    if not isinstance(body, str):
        raise fail(start, Message("load.phrase_needs", key="body"))
    code = get("code")
    if code is not None:
        if not isinstance(code, str):
            raise fail(line_of("code"), Message("load.key_string", key="code"))
        code = normalise_code(code) or None
        if code is not None and not is_valid_code(code):
            raise fail(line_of("code"), Message("load.code_chars", code=raw["code"]))
    tags = get("tags", [])
    if tags:
        if isinstance(tags, str):
            tags = [tags]
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise fail(line_of("tags"), Message("load.tags_list"))
        tags = tuple([tag for tag in map(str.strip, tags) if tag])
    elif not isinstance(tags, (list, str)):
        raise fail(line_of("tags"), Message("load.tags_list"))
    asks = get("asks", [])
    if asks:
        if not isinstance(asks, list) or not all(isinstance(ask, str) for ask in asks):
            raise fail(line_of("asks"), Message("load.asks_list"))
        asks = clean_asks(asks)
    elif not isinstance(asks, list):
        raise fail(line_of("asks"), Message("load.asks_list"))
    note, lang = get("note", ""), get("lang")
    for key, value in (("note", note), ("lang", lang)):
        if value is not None and not isinstance(value, str):
            raise fail(line_of(key), Message("load.key_string", key=key))
    window: dict[str, date | None] = {"valid_from": None, "valid_until": None}
    for key in ("valid_from", "valid_until") if "valid_from" in raw or "valid_until" in raw else ():
        value = get(key)
        if isinstance(value, datetime):
            value = value.date()
        if value is not None and not isinstance(value, date):
            raise fail(line_of(key), Message("load.key_date", key=key))
        window[key] = value

    body_line = 0
    if key_line:
        match = _BODY_KEY.match(lines[key_line - 1])
        body_line = key_line + 1 if match else key_line
    # what Phrase.__init__ does, without its call and keyword arguments (100,000 times on a cold load)
    phrase = _new_phrase(Phrase)
    phrase.__dict__.update(
        title=title.strip(),
        body=body,
        code=code,
        tags=tags or (),
        asks=asks or (),
        note=note,
        lang=(lang or "zh").strip() or "zh",
        valid_from=window["valid_from"],
        valid_until=window["valid_until"],
        # (the set comparison runs in C: most phrases have no other keys)
        extra={} if raw.keys() <= PHRASE_KEYS else {key: value for key, value in raw.items() if key not in PHRASE_KEYS},
        line=start,
        body_line=body_line,
    )
    return phrase


_new_phrase = object.__new__


def clean_asks(asks: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Asks as kept: one line each (a pasted question may hold line breaks), trimmed, blanks and repeats dropped."""
    cleaned: dict[str, None] = {}
    for ask in asks:
        one_line = " ".join(ask.split())
        if one_line:
            cleaned.setdefault(one_line, None)
    return tuple(cleaned)


def parse_settings(settings: dict[str, Any], problems: list[Problem], source: Path | None = None):
    """The `vars`, `rules` and other keys of a parsed `_library.toml`; problems are appended,
    at the line of the offending table or key when `source` (the file read) is given."""
    shown = Path(LIBRARY_FILE)

    def problem(message: Message, *where: str) -> Problem:
        line = settings_line(source, where) if source is not None else 0
        return Problem(shown, line, 1 if line else 0, message)

    vars_: dict[str, VarSpec] = {}
    raw_vars = settings.get("vars", {})
    if not isinstance(raw_vars, dict):
        problems.append(problem(Message("load.vars_table"), "vars"))
        raw_vars = {}
    for name, spec in raw_vars.items():
        if not isinstance(spec, dict):
            problems.append(problem(Message("load.var_table", name=name), "vars", name))
            continue
        pattern = spec.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as error:
                problems.append(problem(Message("load.var_pattern", name=name, error=str(error)), "vars", name, "pattern"))
                pattern = None
        default = spec.get("default")
        hint = spec.get("hint", "")
        if not isinstance(hint, str):
            problems.append(problem(Message("load.var_hint", name=name), "vars", name, "hint"))
            hint = ""
        vars_[name] = VarSpec(
            name=name,
            label=string_value(spec.get("label")),
            default=None if default is None else str(default),
            pattern=pattern,
            hint=hint.strip(),
            extra={key: value for key, value in spec.items() if key not in VAR_KEYS},
        )

    raw_rules = settings.get("rules", {})
    if not isinstance(raw_rules, dict):
        problems.append(problem(Message("load.rules_table"), "rules"))
        raw_rules = {}

    def words(key: str) -> tuple[str, ...]:
        value = raw_rules.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            problems.append(problem(Message("load.rules_list", key=key), "rules", key))
            return ()
        return tuple(str(word).strip() for word in value if str(word).strip())

    rules = RuleConfig(
        forbidden=words("forbidden"),
        risky=words("risky"),
        allow=words("allow"),
        files=words("files"),
        extra={key: value for key, value in raw_rules.items() if key not in RULE_KEYS and key not in RULE_LIST_KEYS},
        lists=tuple((key, words(key)) for key in RULE_LIST_KEYS if key in raw_rules),
    )
    extra = {key: value for key, value in settings.items() if key not in {"name", "shop", "vars", "rules"}}
    synonyms = extra.get("synonyms")
    if synonyms is not None:  # search skips what it cannot use; say so here (DESIGN.md §11)
        if not isinstance(synonyms, dict):
            problems.append(problem(Message("load.synonyms_table"), "synonyms"))
        else:
            for term, words in synonyms.items():
                if not isinstance(words, str) and not (isinstance(words, list) and all(isinstance(word, str) for word in words)):
                    problems.append(problem(Message("load.synonyms_list", key=term), "synonyms", term))
    return vars_, rules, extra


_SETTINGS_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_SETTINGS_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*[=.]""")


def settings_line(path: Path, where: tuple[str, ...]) -> int:
    """The 1-based line in `_library.toml` of the table or key at `where` (e.g. ("vars", "order_id",
    "pattern")): the key's own line, else the closest table header or dotted key above it; 0 when
    the file cannot be read. Read only when a settings problem is reported, which is rare."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 0
    best_depth, best_line = 0, 0
    table: tuple[str, ...] = ()
    for number, line in enumerate(lines, 1):
        header = _SETTINGS_HEADER.match(line)
        if header:
            table = tuple(part.strip().strip("\"'") for part in header[1].split("."))
            path_here = table
        else:
            key = _SETTINGS_KEY.match(line)
            if not key:
                continue
            path_here = (*table, key[1].strip("\"'"))
        depth = len(path_here)
        if path_here == where[:depth] and depth > best_depth:
            best_depth, best_line = depth, number
            if depth == len(where):
                break
    return best_line


def _key_line(lines: list[str], key: str, start: int, end: int) -> int:
    """The 1-based line of `key = ...` between lines start and end (inclusive), or 0."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    first = max(start, 1)
    for number in range(first, min(end, len(lines)) + 1):
        if pattern.match(lines[number - 1]):
            return number
    return 0


def string_value(value: Any) -> str:
    """A settings string, stripped ("" when it is not a string)."""
    return value.strip() if isinstance(value, str) else ""
