"""`qr stats [--days N] [--clear] [--json]`: which phrases the agent used in a period and which
never, per group (for pruning).

Only counts and times are shown: the history holds nothing else (see `qr.usage`).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from datetime import datetime

from qr.cli import Command, CommandError, print_json, workspace_for

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping

    from qr.store.entry import Entry
    from qr.usage import CodeUse, UsageStore
    from qr.workspace import Workspace

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class PhraseUse:
    entry: Entry
    count: int
    last_used: float | None


def phrase_uses(workspace: Workspace, uses: Mapping[str, CodeUse]) -> list[list[PhraseUse]]:
    """Every phrase a code reaches, per group in library order; in each group the most used first
    (then the most recent), never-used ones last in library order. Phrases without a code cannot
    be counted and a shadowed code reaches another phrase, so neither is listed."""
    groups: list[list[PhraseUse]] = []
    index = workspace.index
    for library in workspace.libraries:
        for group in library.groups:
            rows = []
            for phrase in group.phrases:
                if not phrase.code:
                    continue
                entry = index.by_code(phrase.code)
                if entry is None or entry.phrase is not phrase:
                    continue
                use = uses.get(phrase.code.lower())
                rows.append(PhraseUse(entry, use.count if use else 0, use.last_used if use else None))
            if rows:
                rows.sort(key=lambda row: (-row.count, -(row.last_used or 0)))
                groups.append(rows)
    return groups


def iso_time(moment: float | None) -> str | None:
    return None if moment is None else datetime.fromtimestamp(moment).astimezone().isoformat(timespec="seconds")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, metavar="N", help="the period: the last N days (0: all history; default 30)")
    parser.add_argument("--clear", action="store_true", help="delete the usage history")
    parser.add_argument("--json", action="store_true", help="code, title, group, count, last_used per phrase")


def run(args: argparse.Namespace) -> int:
    from qr.usage import UsageStore

    workspace = workspace_for(args)
    store = UsageStore()
    try:
        if args.clear:
            return _clear(store)
        since = time.time() - args.days * 86400 if args.days > 0 else None
        uses = store.uses(workspace.profile_name, since=since)
        if uses is None:
            raise CommandError(f"{store.problem}; `qr stats --clear` starts a new history")
        groups = phrase_uses(workspace, uses)
    finally:
        store.close()
    if args.json:
        print_json(
            [
                {
                    "code": row.entry.phrase.code,
                    "title": row.entry.phrase.title,
                    "group": row.entry.group.name,
                    "category": row.entry.group.category,
                    "count": row.count,
                    "last_used": iso_time(row.last_used),
                }
                for rows in groups
                for row in rows
            ]
        )
        return 0
    _print_text(workspace, groups, args.days)
    return 0


def _clear(store: UsageStore) -> int:
    deleted = store.clear()
    if deleted is None and not store.available:
        # a corrupt file cannot be emptied row by row: remove it, the next copy starts a new one
        removed = store.discard()
        if removed is None:
            raise CommandError(store.problem or f"cannot clear {store.path}")
        print(f"removed the unusable usage history {store.path}", file=sys.stderr)
        return 0
    if deleted is None:
        raise CommandError(store.problem or f"cannot clear {store.path}")
    print(f"deleted {deleted} recorded uses from {store.path}", file=sys.stderr)
    return 0


def _print_text(workspace: Workspace, groups: list[list[PhraseUse]], days: int) -> None:
    period = f"the last {days} days" if days > 0 else "all recorded time"
    profile = f"profile {workspace.profile_name}" if workspace.profile_name else "no profile"
    rows = [row for group in groups for row in group]
    used = [row for row in rows if row.count]
    print(
        f"usage in {period} ({profile}): {sum(row.count for row in used)} copies of {len(used)} phrases; "
        f"{len(rows) - len(used)} of {len(rows)} phrases never used"
    )
    for group in groups:
        first = group[0].entry
        print(f"# {first.group.category} / {first.group.name}  ({first.library.root / first.group.path})")
        for row in group:
            code = f"/{row.entry.phrase.code}"
            if row.count:
                when = datetime.fromtimestamp(row.last_used or 0).strftime("%Y-%m-%d %H:%M")
                print(f"  {code:<10} {row.count:>5}  last {when}  {row.entry.phrase.title}")
            else:
                print(f"  {code:<10} {'-':>5}  never used       {row.entry.phrase.title}")


COMMAND = Command("stats", "most used and never used phrases per group (usage counts only)", add_arguments, run)
