"""The agent's own use of the phrases: which code was copied, under which profile, when.

One SQLite file at `qr.config.data_dir()/usage.sqlite3`. Only (profile, code, time) is stored:
never the rendered reply and never a variable's value.

Several qr processes may share the file (a launcher per shop, `qr copy` from a hotkey), so it runs
in WAL mode with a busy timeout and one short transaction per write. Usage only orders results:
a locked, unreadable or corrupt file must never stop a copy or the launcher, so no method raises
`sqlite3.Error` or `OSError`; the first problem is kept in `problem` (and handed out once by
`take_problem()`), and the store carries on without ranking.

Frecency (recent and frequent first): every use adds a weight that halves every
`HALF_LIFE_DAYS` days of age,

    score(code) = sum over its uses within WINDOW_DAYS of 0.5 ** (age_in_days / HALF_LIFE_DAYS)

so a reply used 10 times this week outranks one used 10 times a month ago (about 8.4 against
2.3), and the daily workhorse used 30 times a month ago still outranks one used twice today (6.8
against 2). Uses older than `WINDOW_DAYS` no longer count. Age is counted in whole (UTC) days: each copy
also adds one to a per-day count, so scoring reads a few thousand rows however long the history.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from qr.record import Record

HALF_LIFE_DAYS = 14.0
WINDOW_DAYS = 90
BUSY_TIMEOUT_SECONDS = 5.0
SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS uses (
    id INTEGER PRIMARY KEY,
    profile TEXT NOT NULL,
    code TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS uses_profile_at ON uses (profile, at, code);
-- per profile, code and (UTC) day: what frecency needs, a few thousand rows however long the
-- history, so scoring stays fast for an agent who copies a thousand replies a day
CREATE TABLE IF NOT EXISTS daily (
    profile TEXT NOT NULL,
    code TEXT NOT NULL,
    day INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (profile, code, day)
) WITHOUT ROWID;
"""


def default_path() -> Path:
    from qr.config import usage_path

    return usage_path()


class CodeUse(Record):
    """How often a code was used in a period and when last. (A Record: `qr search` reads the
    history on every run once one exists, and `dataclasses` would cost it ~9 ms.)"""

    code: str
    count: int
    last_used: float
    """Unix time of the latest use."""

    def __init__(self, code: str, count: int, last_used: float) -> None:
        self.__dict__.update(code=code, count=count, last_used=last_used)


class UsageStore:
    """Records copies and scores codes by frecency; never raises on a database problem."""

    def __init__(self, path: Path | None = None, *, busy_timeout: float | None = None) -> None:
        """`busy_timeout`: seconds to wait for another process's write (BUSY_TIMEOUT_SECONDS by
        default; the launcher waits less, since it waits on the UI thread)."""
        self.path = Path(path) if path is not None else default_path()
        self.busy_timeout = busy_timeout
        self.problem: str | None = None
        """The first database problem met (None while all is well)."""
        self._reported = False
        self._broken = False
        self._connection: sqlite3.Connection | None = None

    # -- problems --------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """False once the file proved unusable (corrupt, not a database): ranking is off."""
        return not self._broken

    def take_problem(self) -> str | None:
        """The problem message the first time it is asked for after one occurred, else None:
        callers show it once and carry on."""
        if self.problem is None or self._reported:
            return None
        self._reported = True
        return self.problem

    def _fail(self, error: Exception, doing: str) -> None:
        locked = isinstance(error, sqlite3.OperationalError) and "locked" in str(error).lower()
        if not locked:
            # a corrupt or unreadable file stays so for this run: stop trying (and stop paying for it)
            self._broken = True
            self.close()
        if self.problem is None:
            what = "is busy (locked by another qr)" if locked else f"cannot be used ({error})"
            self.problem = f"usage history {self.path} {what}; {doing} without it"

    # -- connection ------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            timeout = self.busy_timeout if self.busy_timeout is not None else BUSY_TIMEOUT_SECONDS
            deadline = time.monotonic() + timeout
            while True:
                try:
                    self._connection = self._open(timeout)
                    break
                except sqlite3.OperationalError as error:
                    # two processes opening a new file at once: switching it to WAL or creating the
                    # tables can be refused at once ("locked") rather than waited for; try again
                    if "locked" not in str(error).lower() or time.monotonic() >= deadline:
                        raise
                    time.sleep(0.02)
        return self._connection

    def _open(self, timeout: float) -> sqlite3.Connection:
        """A connection in WAL mode with the current schema (migrating a version-1 file)."""
        connection = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("DROP INDEX IF EXISTS uses_profile_at")  # version 1's, without code
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        connection.execute(statement)
                # a version-1 file has uses but no daily counts yet
                connection.execute(
                    "INSERT OR IGNORE INTO daily (profile, code, day, count) "
                    "SELECT profile, code, CAST(at / 86400 AS INTEGER), COUNT(*) FROM uses GROUP BY 1, 2, 3"
                )
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                connection.execute("COMMIT")
        except BaseException:
            connection.close()
            raise
        return connection

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except sqlite3.Error:
                pass
            self._connection = None

    # -- writing ---------------------------------------------------------------------------------

    def record(self, profile: str, code: str, when: float | None = None) -> bool:
        """Record one use of `code` under `profile` at `when` (Unix time; now by default).

        Returns False (and keeps the problem) when the history could not be written.
        """
        if self._broken or not code:
            return False
        try:
            connection = self._connect()
            at = time.time() if when is None else float(when)
            code = code.lower()
            # one short transaction: the write lock is held for two small writes only, so
            # another qr process waits milliseconds at most (and up to the busy timeout)
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.execute("INSERT INTO uses (profile, code, at) VALUES (?, ?, ?)", (profile, code, at))
                connection.execute(
                    "INSERT INTO daily (profile, code, day, count) VALUES (?, ?, ?, 1) "
                    "ON CONFLICT (profile, code, day) DO UPDATE SET count = count + 1",
                    (profile, code, int(at // 86400)),
                )
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            return True
        except (sqlite3.Error, OSError) as error:
            self._fail(error, "copying works")
            return False

    def clear(self, profile: str | None = None) -> int | None:
        """Delete the history (of one profile, or all); returns the rows deleted, None on a problem.

        The file is vacuumed and the WAL truncated so the deleted rows do not linger on disk.
        """
        if self._broken:
            return None
        try:
            connection = self._connect()
            connection.execute("BEGIN IMMEDIATE")
            try:
                if profile is None:
                    deleted = connection.execute("DELETE FROM uses").rowcount
                    connection.execute("DELETE FROM daily")
                else:
                    deleted = connection.execute("DELETE FROM uses WHERE profile = ?", (profile,)).rowcount
                    connection.execute("DELETE FROM daily WHERE profile = ?", (profile,))
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            connection.execute("VACUUM")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return deleted
        except (sqlite3.Error, OSError) as error:
            self._fail(error, "carrying on")
            return None

    def discard(self) -> bool | None:
        """Remove the history file (with its WAL and shared-memory files): the way out of a
        corrupt file. True when something was removed, False when there was nothing, None on
        a problem."""
        self.close()
        removed = False
        try:
            for suffix in ("", "-wal", "-shm", "-journal"):
                path = self.path.with_name(self.path.name + suffix)
                if path.exists():
                    path.unlink()
                    removed = True
        except OSError as error:
            self.problem = f"cannot remove {self.path}: {error.strerror or error}"
            return None
        self._broken = False
        self.problem = None
        self._reported = False
        return removed

    # -- reading ---------------------------------------------------------------------------------

    def scores(self, profile: str, *, now: float | None = None) -> dict[str, float]:
        """Frecency per code for `profile` (see the module docstring); empty on a problem."""
        if self._broken:
            return {}
        now = time.time() if now is None else now
        try:
            today = int(now // 86400)
            rows = self._connect().execute(
                # the daily counts, weighted by age in Python (SQLite may lack pow())
                "SELECT code, ? - day, count FROM daily WHERE profile = ? AND day > ?",
                (today, profile, today - WINDOW_DAYS),
            ).fetchall()
        except (sqlite3.Error, OSError) as error:
            self._fail(error, "searching works")
            return {}
        scores: dict[str, float] = {}
        for code, age, count in rows:
            scores[code] = scores.get(code, 0.0) + count * 0.5 ** (max(age, 0) / HALF_LIFE_DAYS)
        return scores

    def uses(self, profile: str, *, since: float | None = None) -> dict[str, CodeUse] | None:
        """Count and last use per code for `profile` since `since` (all time when None);
        None on a problem (so a report can tell "no uses" from "no history")."""
        if self._broken:
            return None
        try:
            rows = self._connect().execute(
                "SELECT code, COUNT(*), MAX(at) FROM uses WHERE profile = ? AND at >= ? GROUP BY code",
                (profile, since if since is not None else -1e18),
            ).fetchall()
        except (sqlite3.Error, OSError) as error:
            self._fail(error, "carrying on")
            return None
        return {code: CodeUse(code, count, last) for code, count, last in rows}

    def daily_counts(self, profile: str) -> list[tuple[str, int, int]] | None:
        """(code, UTC day number, copies) for `profile`: what a team usage file is made of; None on a problem."""
        if self._broken:
            return None
        try:
            return self._connect().execute("SELECT code, day, count FROM daily WHERE profile = ?", (profile,)).fetchall()
        except (sqlite3.Error, OSError) as error:
            self._fail(error, "carrying on")
            return None

    def row_count(self) -> int | None:
        """How many uses are stored (all profiles); None on a problem."""
        if self._broken:
            return None
        try:
            return self._connect().execute("SELECT COUNT(*) FROM uses").fetchone()[0]
        except (sqlite3.Error, OSError) as error:
            self._fail(error, "carrying on")
            return None
