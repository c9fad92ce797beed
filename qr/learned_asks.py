"""Learning asks from the agents (opt-in: `learn_asks = true` in the config).

When an agent types a question-like query into the launcher and copies a phrase, the query is a
good candidate for that phrase's `asks`: it is how the buyer (or the agent) put the question.
With `learn_asks` on, qr keeps such queries per phrase, locally, in
`qr.config.data_dir()/learned_asks.sqlite3`, and `qr asks suggest` / the editor's suggestions view
show a lead the frequent ones to accept as asks.

What is kept is cleaned first (`clean`): anything holding a digit (order, phone, tracking and ID
numbers, amounts, dates), e-mail and web addresses, @handles, and names (after 我是 / 我叫 / 本人,
before 先生 / 女士 / 小姐, after "my name is" / "this is", and capitalised words inside English
text) are removed; what is left must still read like a question (`qr.index.terms.content_size`),
and is cut to MAX_LENGTH characters. Nothing is kept for `/code` queries, for phrases without a
code, or when `learn_asks` is off. The file holds (profile, code, text, count, last time) only;
`qr asks forget` (or deleting the file) removes it.

Like the usage history, a locked or broken file never stops a copy: no method raises
`sqlite3.Error` or `OSError`; the first problem is kept in `problem`.
"""

from __future__ import annotations

import re
import sqlite3
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qr.store.entry import Entry

MAX_LENGTH = 60
MIN_COUNT = 2
"""A query must have led to the same phrase this often before it is suggested."""
BUSY_TIMEOUT_SECONDS = 2.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS learned (
    profile TEXT NOT NULL,
    code TEXT NOT NULL,
    text TEXT NOT NULL,
    count INTEGER NOT NULL,
    last REAL NOT NULL,
    PRIMARY KEY (profile, code, text)
) WITHOUT ROWID
"""

_HAN = "\u3400-\u9fff\uf900-\ufaff"
_REMOVED = [
    re.compile(r"\S+@\S+"),  # e-mail addresses and @handles
    re.compile(r"(?:https?://|www\.)\S+"),
    re.compile(r"[A-Za-z0-9_./:#+-]*\d[A-Za-z0-9_./:#+-]*"),  # anything holding a digit: numbers, codes, amounts
    re.compile(rf"(?:我是|我叫|本人|收件人|联系人)[{_HAN}]{{1,4}}"),
    re.compile(rf"[{_HAN}]{{1,3}}(?:先生|女士|小姐|老师)"),
    re.compile(r"\b(?i:my name is|this is|i am|i'm)\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"),
    re.compile(r"(?<=[a-z,] )[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*"),  # capitalised words inside a sentence
]


def clean(query: str) -> str | None:
    """The query with personal data removed, or None when it is not worth keeping."""
    from qr.index.terms import content_size

    text = unicodedata.normalize("NFKC", query).replace("\r", " ").replace("\n", " ")
    if text.strip().startswith("/"):
        return None
    for pattern in _REMOVED:
        text = pattern.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip(" ,.;:!?，。；：！？、")
    text = text[:MAX_LENGTH].strip()
    size = content_size(text)
    if size < 4 and not (size >= 2 and len(text.split()) >= 3):  # 退款, wlfm: a keyword, not a question
        return None
    return text


@dataclass(frozen=True)
class Suggestion:
    """A learned query that often led to a phrase."""

    code: str
    text: str
    count: int
    last: float


def default_path() -> Path:
    from qr.config import data_dir

    return data_dir() / "learned_asks.sqlite3"


class LearnedAsks:
    """The learned queries per phrase; never raises on a database problem."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.problem: str | None = None
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
            try:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute(_SCHEMA)
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def _fail(self, error: Exception) -> None:
        if self.problem is None:
            self.problem = f"learned asks {self.path} cannot be used ({error}); carrying on without them"
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except sqlite3.Error:
                pass
            self._connection = None

    def record(self, profile: str, code: str, query: str, when: float | None = None) -> str | None:
        """Remember that `query` led to the phrase `code`; returns the text kept (None: nothing)."""
        text = clean(query) if code else None
        if text is None:
            return None
        try:
            self._connect().execute(
                "INSERT INTO learned (profile, code, text, count, last) VALUES (?, ?, ?, 1, ?) "
                "ON CONFLICT (profile, code, text) DO UPDATE SET count = count + 1, last = excluded.last",
                (profile, code.lower(), text, time.time() if when is None else when),
            )
        except (sqlite3.Error, OSError) as error:
            self._fail(error)
            return None
        return text

    def suggestions(self, profile: str | None = None, min_count: int = MIN_COUNT) -> list[Suggestion]:
        """Learned queries seen at least `min_count` times (all profiles when None), most frequent
        first."""
        if not self.path.exists():
            return []
        try:
            rows = self._connect().execute(
                "SELECT code, text, SUM(count), MAX(last) FROM learned WHERE (? IS NULL OR profile = ?) "
                "GROUP BY code, text HAVING SUM(count) >= ? ORDER BY SUM(count) DESC, MAX(last) DESC, code, text",
                (profile, profile, min_count),
            ).fetchall()
        except (sqlite3.Error, OSError) as error:
            self._fail(error)
            return []
        return [Suggestion(code, text, count, last) for code, text, count, last in rows]

    def forget(self, code: str | None = None, text: str | None = None) -> int:
        """Delete what was learned (for one phrase, one of its texts, or all); the rows deleted."""
        if not self.path.exists():
            return 0
        try:
            connection = self._connect()
            deleted = connection.execute(
                "DELETE FROM learned WHERE (? IS NULL OR code = ?) AND (? IS NULL OR text = ?)",
                (code and code.lower(), code and code.lower(), text, text),
            ).rowcount
            if code is None and text is None:
                connection.execute("VACUUM")
            return deleted
        except (sqlite3.Error, OSError) as error:
            self._fail(error)
            return 0


def pending(workspace, store: LearnedAsks, min_count: int = MIN_COUNT) -> list[tuple[Entry, Suggestion]]:
    """(entry, suggestion) for each learned query of a phrase the workspace reaches by its code
    that is not one of its asks yet, most frequent first."""
    out: list[tuple[Entry, Suggestion]] = []
    for suggestion in store.suggestions(workspace.profile_name, min_count):
        entry = workspace.index.by_code(suggestion.code)
        if entry is None:
            continue
        known = {ask.casefold() for ask in entry.phrase.asks}
        if suggestion.text.casefold() not in known:
            out.append((entry, suggestion))
    return out


def accept(library, group_path, index: int, text: str):
    """Add `text` to the asks of the phrase at `index` of a group and save it (a `qr.store.edit`
    Edit; raises its SaveError as any edit does)."""
    from qr.record import replace
    from qr.store.edit import update_phrase

    group = next(group for group in library.groups if group.path == group_path)
    phrase = group.phrases[index]
    asks = phrase.asks if text.casefold() in {ask.casefold() for ask in phrase.asks} else (*phrase.asks, text)
    return update_phrase(library, group_path, index, replace(phrase, asks=asks))
