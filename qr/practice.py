"""Practice mode for new hires: learn the codes by heart with Leitner boxes (no Textual here).

A round asks every phrase of a category or group once, weakest first:
- **forward**: the phrase's title and note are shown, the answer is its code (case-insensitive,
  the leading `/` optional; after a miss the right code is shown);
- **reverse**: a code is shown with four titles to choose from, the three wrong ones taken from the
  same group, then the same category, then the rest of the library.

Every phrase sits in a Leitner box 1-5: a hit moves it up one box, a miss sends it back to box 1 and
brings it back later in the same round (after `RETRY_GAP` other questions, at most `MAX_RETRIES`
times, so a round always ends). A phrase in box 3 or higher counts as **learned**.

Progress is kept per library and code in SQLite (`practice.sqlite3` in the user data dir). Only the
library's root path, codes, boxes, counts and a timestamp are stored: never a rendered reply, never
an order value. A database that cannot be used (corrupt, newer schema, unwritable) is reported once
and practice carries on in memory.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from qr.store.entry import Entry
from qr.store.models import Group, Library, normalise_code

Mode = Literal["forward", "reverse"]
MODES: tuple[Mode, ...] = ("forward", "reverse")

FIRST_BOX = 1
LAST_BOX = 5
LEARNED_BOX = 3
"""A phrase in this box or higher counts as learned: answered right at least twice in a row."""
RETRY_GAP = 2
"""A missed phrase comes back after this many other questions (sooner if the round is ending)."""
MAX_RETRIES = 2
"""How many times one phrase may come back in one round after misses."""
CHOICES = 4
ROUND_LIMIT = 50
"""The practice screen's rounds ask at most this many different phrases, the weakest first: a whole
group of a shop's library (a few dozen) fits in one round; a category of thousands comes in parts."""
SCHEMA_VERSION = 1
DB_NAME = "practice.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS progress (
    library TEXT NOT NULL,
    code TEXT NOT NULL,
    box INTEGER NOT NULL CHECK (box BETWEEN 1 AND 5),
    right_count INTEGER NOT NULL DEFAULT 0,
    wrong_count INTEGER NOT NULL DEFAULT 0,
    last_practised TEXT NOT NULL,
    PRIMARY KEY (library, code)
)
"""


def library_key(library: Library) -> str:
    """Which library a score belongs to: its root folder (moving the folder starts afresh)."""
    return _resolved(library.root)


@lru_cache(maxsize=64)
def _resolved(root: Path) -> str:
    try:
        return str(root.resolve())
    except OSError:
        return str(root.absolute())


def is_practisable(entry: Entry, today: date | None = None) -> bool:
    """A phrase can be practised when it has a code and its validity window has not passed."""
    phrase = entry.phrase
    if not phrase.code:
        return False
    return phrase.valid_until is None or phrase.valid_until >= (today or date.today())


# -- the progress store ---------------------------------------------------------------------------


class ProgressStore:
    """Leitner boxes per (library, code) in SQLite; an in-memory copy keeps working if SQLite fails.

    Each call opens the database, runs one short transaction and closes it, so two qr windows (or
    two app runs in a test) never hold a lock on each other.
    """

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            from qr.config import data_dir

            path = data_dir() / DB_NAME
        self.path = path
        self.problem: str | None = None
        """Why progress is not being saved (one line), or None while it is."""
        self._memory: dict[str, dict[str, int]] = {}
        self._ready = False

    @property
    def persistent(self) -> bool:
        return self.problem is None

    def _fail(self, error: BaseException) -> None:
        if self.problem is None:
            self.problem = f"{self.path}: practice progress is not saved this time ({error})"

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=2.0)
        try:
            with connection:  # one transaction: commit on success, roll back on error
                yield connection
        finally:
            connection.close()

    def _prepare(self) -> bool:
        """Create or check the database once; False (with `problem` set) when it cannot be used."""
        if self.problem is not None:
            return False
        if self._ready:
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connection() as connection:
                version = connection.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    # written by a newer qr: leave it untouched rather than guess its layout
                    raise sqlite3.DatabaseError(f"schema version {version} is newer than this qr understands ({SCHEMA_VERSION})")
                connection.execute("PRAGMA journal_mode=WAL").fetchone()
                connection.execute(_SCHEMA)
                if version < SCHEMA_VERSION:
                    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except (sqlite3.Error, OSError) as error:
            self._fail(error)
            return False
        self._ready = True
        return True

    def _boxes(self, library: str) -> dict[str, int]:
        """The live in-memory boxes of `library`, loaded from the database on first use."""
        boxes = self._memory.get(library)
        if boxes is not None:
            return boxes
        boxes = self._memory[library] = {}
        if self._prepare():
            try:
                with self._connection() as connection:
                    rows = connection.execute("SELECT code, box FROM progress WHERE library = ?", (library,)).fetchall()
            except sqlite3.Error as error:
                self._fail(error)
            else:
                for code, box in rows:
                    if isinstance(box, int) and FIRST_BOX <= box <= LAST_BOX:
                        boxes[code] = box
        return boxes

    def boxes(self, library: str) -> dict[str, int]:
        """Every code's box in `library` (codes never practised are absent)."""
        return dict(self._boxes(library))

    def box(self, library: str, code: str) -> int:
        return self._boxes(library).get(normalise_code(code), FIRST_BOX)

    def record(self, library: str, code: str, box: int, correct: bool) -> None:
        """Keep a phrase's new box after an answer (in memory always, on disk when possible)."""
        code = normalise_code(code)
        self._boxes(library)[code] = box
        if not self._prepare():
            return
        try:
            with self._connection() as connection:
                connection.execute(
                    """
                    INSERT INTO progress (library, code, box, right_count, wrong_count, last_practised)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (library, code) DO UPDATE SET
                        box = excluded.box,
                        right_count = right_count + excluded.right_count,
                        wrong_count = wrong_count + excluded.wrong_count,
                        last_practised = excluded.last_practised
                    """,
                    (library, code, box, int(correct), int(not correct), datetime.now(UTC).isoformat(timespec="seconds")),
                )
        except sqlite3.Error as error:
            self._fail(error)

    def reset(self, library: str, codes: Iterable[str]) -> None:
        """Forget the progress of these codes (start a group over)."""
        codes = [normalise_code(code) for code in codes]
        boxes = self._boxes(library)
        for code in codes:
            boxes.pop(code, None)
        if not self._prepare():
            return
        try:
            with self._connection() as connection:
                connection.executemany("DELETE FROM progress WHERE library = ? AND code = ?", [(library, code) for code in codes])
        except sqlite3.Error as error:
            self._fail(error)


# -- what to practise -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Learned:
    """How much of a set of phrases is learned, e.g. `物流 8/12`."""

    learned: int
    total: int

    def __str__(self) -> str:
        return f"{self.learned}/{self.total}"


def learned(entries: Iterable[Entry], store: ProgressStore, today: date | None = None) -> Learned:
    """Phrases in box >= LEARNED_BOX out of the practisable ones among `entries`."""
    today = today or date.today()
    total = count = 0
    boxes_of: dict[int, dict[str, int]] = {}  # one lookup of the library's boxes, not one per phrase
    for entry in entries:
        if not is_practisable(entry, today):
            continue
        total += 1
        boxes = boxes_of.get(id(entry.library))
        if boxes is None:
            boxes = boxes_of[id(entry.library)] = store._boxes(library_key(entry.library))
        if boxes.get(normalise_code(entry.phrase.code or ""), FIRST_BOX) >= LEARNED_BOX:
            count += 1
    return Learned(count, total)


def learned_in_group(library: Library, group: Group, store: ProgressStore, today: date | None = None) -> Learned:
    """`learned` for one whole group, without building an Entry per phrase (the browser's labels)."""
    today = today or date.today()
    boxes = store._boxes(library_key(library))
    total = count = 0
    for phrase in group.phrases:
        if not phrase.code or (phrase.valid_until is not None and phrase.valid_until < today):
            continue
        total += 1
        if boxes.get(normalise_code(phrase.code), FIRST_BOX) >= LEARNED_BOX:
            count += 1
    return Learned(count, total)


def group_entries(entries: Iterable[Entry], group: Group) -> list[Entry]:
    return [entry for entry in entries if entry.group.path == group.path and entry.group.name == group.name]


def category_entries(entries: Iterable[Entry], category: str) -> list[Entry]:
    return [entry for entry in entries if entry.group.category == category]


# -- a round --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    number: int
    """1-based position in the round (repeats count)."""
    entry: Entry
    mode: Mode
    box: int
    """The phrase's box when asked."""
    choices: tuple[Entry, ...] = ()
    """Reverse mode: the titles offered, one of them `entry`."""
    repeat: bool = False
    """Asked again after a miss earlier in this round."""

    @property
    def code(self) -> str:
        return self.entry.phrase.code or ""

    @property
    def title(self) -> str:
        return self.entry.phrase.title

    @property
    def note(self) -> str:
        return self.entry.phrase.note

    @property
    def answer_index(self) -> int:
        """Reverse mode: the index of the right title among `choices` (-1 in forward mode)."""
        return next((i for i, choice in enumerate(self.choices) if choice is self.entry), -1)


@dataclass(frozen=True)
class Feedback:
    question: Question
    correct: bool
    given: str
    """What was answered: the typed code, or the chosen title."""
    previous_box: int
    box: int

    @property
    def expected_code(self) -> str:
        return self.question.code

    @property
    def expected_title(self) -> str:
        return self.question.title


@dataclass(frozen=True)
class RoundSummary:
    asked: int
    right: int
    wrong: int
    missed: tuple[str, ...]
    """Codes answered wrong at least once, in the order first missed."""
    learned: Learned
    """Learned phrases of the round's set after the round."""
    saved: bool
    """Whether the progress reached the database."""


@dataclass
class _Item:
    entry: Entry
    key: str
    code: str
    retries: int = 0
    missed: bool = False


class PracticeError(ValueError):
    """A round that cannot start (nothing to practise)."""


@dataclass
class PracticeRound:
    """One pass over a set of phrases: `next_question()`, then `answer(...)`, until None; `summary()`.

    `pool` is where reverse mode draws wrong titles from (default: the round's own phrases).
    `rng` decides the order within a box and the choices: pass `random.Random(seed)` in tests.
    """

    entries: Sequence[Entry]
    store: ProgressStore
    mode: Mode = "forward"
    pool: Sequence[Entry] = ()
    rng: random.Random = field(default_factory=random.Random)
    today: date | None = None
    limit: int | None = None
    """At most this many different phrases per round (the weakest first); None for all."""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise PracticeError(f"unknown practice mode {self.mode!r} (forward or reverse)")
        today = self.today or date.today()
        # (box, random tie-break, position): sorting these orders the round weakest box first
        # without a Python key function per phrase; the items themselves are built afterwards
        ranked: list[tuple[int, float, int]] = []
        keys: list[tuple[str, str]] = []
        chosen: list[Entry] = []
        seen: set[tuple[str, str]] = set()
        boxes_of: dict[int, tuple[str, dict[str, int]]] = {}
        for entry in self.entries:
            if not is_practisable(entry, today):
                continue
            library = boxes_of.get(id(entry.library))
            if library is None:
                key = library_key(entry.library)
                library = boxes_of[id(entry.library)] = (key, self.store._boxes(key))
            pair = (library[0], normalise_code(entry.phrase.code or ""))
            if pair in seen:
                continue
            seen.add(pair)
            ranked.append((library[1].get(pair[1], FIRST_BOX), self.rng.random(), len(keys)))
            keys.append(pair)
            chosen.append(entry)
        if not ranked:
            raise PracticeError("nothing to practise: these phrases have no codes")
        ranked.sort()
        if self.limit is not None:
            ranked = ranked[: max(1, self.limit)]
        items = [_Item(chosen[position], *keys[position]) for _, _, position in ranked]
        self._items = items
        self._queue: list[_Item] = list(items)
        self._position = 0
        self._current: Question | None = None
        self._current_item: _Item | None = None
        self._asked = self._right = self._wrong = 0
        self._missed: list[str] = []
        self._pool = [entry for entry in (self.pool or self.entries) if entry.phrase.title] if self.mode == "reverse" else []
        # the tiers reverse mode draws wrong titles from, grouped once (not scanned per question)
        self._by_group: dict[tuple[int, str], list[Entry]] = {}
        self._by_category: dict[str, list[Entry]] = {}
        if self.mode == "reverse":
            for entry in self._pool:
                self._by_group.setdefault((id(entry.library), str(entry.group.path)), []).append(entry)
                self._by_category.setdefault(entry.group.category, []).append(entry)

    @property
    def size(self) -> int:
        """How many different phrases this round covers."""
        return len(self._items)

    @property
    def remaining(self) -> int:
        """Questions still queued, the current one included."""
        return len(self._queue) - self._position

    @property
    def current(self) -> Question | None:
        return self._current

    @property
    def finished(self) -> bool:
        return self._current is None and self._position >= len(self._queue)

    def next_question(self) -> Question | None:
        """The next question (the same one until it is answered); None when the round is over."""
        if self._current is not None:
            return self._current
        if self._position >= len(self._queue):
            return None
        item = self._queue[self._position]
        choices = self._choices(item.entry) if self.mode == "reverse" else ()
        self._current_item = item
        self._current = Question(
            number=self._asked + 1,
            entry=item.entry,
            mode=self.mode,
            box=self.store.box(item.key, item.code),
            choices=choices,
            repeat=item.missed,
        )
        return self._current

    def _choices(self, entry: Entry) -> tuple[Entry, ...]:
        """The right phrase and up to three others with different titles, nearest first."""
        title = entry.phrase.title
        taken = {title}
        wrong: list[Entry] = []
        tiers = (
            self._by_group.get((id(entry.library), str(entry.group.path)), []),
            self._by_category.get(entry.group.category, []),
            self._pool,
        )
        for tier in tiers:
            wanted = CHOICES - 1 - len(wrong)
            if wanted <= 0:
                break
            # one candidate per title, in library order, before sampling: deterministic for a seed
            by_title: dict[str, Entry] = {}
            for candidate in tier:
                if candidate.phrase.title not in taken:
                    by_title.setdefault(candidate.phrase.title, candidate)
            unique = list(by_title.values())
            picked = self.rng.sample(unique, min(wanted, len(unique)))
            wrong.extend(picked)
            taken.update(e.phrase.title for e in picked)
        choices = list(wrong)
        choices.insert(self.rng.randrange(len(choices) + 1), entry)
        return tuple(choices)

    def answer(self, response: str | int) -> Feedback:
        """Answer the current question: a typed code (forward) or a choice's index (reverse)."""
        question = self.next_question()
        item = self._current_item
        if question is None or item is None:
            raise PracticeError("the round is over: there is no question to answer")
        if question.mode == "reverse":
            if isinstance(response, str):
                typed = response.strip()
                if not typed.isdigit():
                    raise PracticeError(f"choose 1 to {len(question.choices)}")
                response = int(typed) - 1  # "1".."4" as typed
            if not 0 <= response < len(question.choices):
                raise PracticeError(f"choose 1 to {len(question.choices)}")
            chosen = question.choices[response]
            correct = chosen is question.entry
            given = chosen.phrase.title
        else:
            given = str(response)
            correct = normalise_code(given) == item.code
        previous = question.box
        box = min(previous + 1, LAST_BOX) if correct else FIRST_BOX
        self.store.record(item.key, item.code, box, correct)
        self._asked += 1
        if correct:
            self._right += 1
        else:
            self._wrong += 1
            if item.code not in self._missed:
                self._missed.append(item.code)
            if item.retries < MAX_RETRIES:
                item.retries += 1
                item.missed = True
                self._queue.insert(min(self._position + 1 + RETRY_GAP, len(self._queue)), item)
        self._position += 1
        self._current = self._current_item = None
        return Feedback(question, correct, given, previous, box)

    def summary(self) -> RoundSummary:
        return RoundSummary(
            asked=self._asked,
            right=self._right,
            wrong=self._wrong,
            missed=tuple(self._missed),
            learned=learned(self.entries, self.store, self.today),
            saved=self.store.persistent,
        )
