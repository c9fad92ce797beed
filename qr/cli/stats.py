"""`qr stats [--days N] [--clear] [--json]`: which phrases the agent used in a period and which
never, per group (for pruning).

Only counts and times are shown: the history holds nothing else (see `qr.usage`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from qr.cli import Command, CommandError, note, out, print_json, tr, warn, workspace_for

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
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, metavar="N", help="cli.stats.days")
    parser.add_argument("--clear", action="store_true", help="cli.stats.clear")
    parser.add_argument("--json", action="store_true", help="cli.stats.json")
    parser.add_argument("--team", action="store_true", help="cli.stats.team")


def run(args: argparse.Namespace) -> int:
    from qr.usage import UsageStore

    workspace = workspace_for(args)
    if args.team:
        return _team(args, workspace)
    store = UsageStore()
    try:
        if args.clear:
            return _clear(store)
        since = time.time() - args.days * 86400 if args.days > 0 else None
        uses = store.uses(workspace.profile_name, since=since)
        if uses is None:
            raise CommandError(tr("cli.stats.unusable", problem=store.problem))
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
            raise CommandError(store.problem or tr("cli.stats.cannot_clear", path=store.path))
        note(tr("cli.stats.removed", path=store.path))
        return 0
    if deleted is None:
        raise CommandError(store.problem or tr("cli.stats.cannot_clear", path=store.path))
    note(tr("cli.stats.deleted", count=deleted, path=store.path))
    return 0


def _print_text(workspace: Workspace, groups: list[list[PhraseUse]], days: int) -> None:
    period = tr("cli.stats.period_days", days=days) if days > 0 else tr("cli.stats.period_all")
    profile = tr("cli.stats.profile", name=workspace.profile_name) if workspace.profile_name else tr("cli.stats.no_profile")
    rows = [row for group in groups for row in group]
    used = [row for row in rows if row.count]
    out(
        tr(
            "cli.stats.summary",
            period=period,
            profile=profile,
            copies=sum(row.count for row in used),
            used=len(used),
            unused=len(rows) - len(used),
            total=len(rows),
        )
    )
    never = tr("cli.stats.never").ljust(len(tr("cli.stats.last", when="0000-00-00 00:00")))
    for group in groups:
        first = group[0].entry
        out(f"# {first.group.category} / {first.group.name}  ({first.library.root / first.group.path})")
        for row in group:
            code = f"/{row.entry.phrase.code}"
            if row.count:
                when = datetime.fromtimestamp(row.last_used or 0).strftime("%Y-%m-%d %H:%M")
                out(f"  {code:<10} {row.count:>5}  {tr('cli.stats.last', when=when)}  {row.entry.phrase.title}")
            else:
                out(f"  {code:<10} {'-':>5}  {never}  {row.entry.phrase.title}")


def _team(args: argparse.Namespace, workspace: Workspace) -> int:
    """`qr stats --team`: every agent's shared counts (qr.team_usage) added up against this library."""
    from datetime import date, timedelta

    from qr.team import TeamError
    from qr.team_usage import by_shop, read_team_usage, totals
    from qr.usage import CodeUse

    since = date.today() - timedelta(days=args.days) if args.days > 0 else None
    try:
        agents, skipped = read_team_usage(workspace.libraries[0].root)
    except TeamError as error:
        raise CommandError(error) from None
    for name in skipped:
        warn(tr("cli.stats.team_skipped", file=name))
    counts = totals(agents, since)
    groups = phrase_uses(workspace, {code: CodeUse(code, count, 0.0) for code, count in counts.items()})
    rows = [row for group in groups for row in group]
    shops = by_shop(agents, since)
    per_group = [(group[0].entry.group, sum(row.count for row in group)) for group in groups]
    if args.json:
        print_json({
            "agents": sorted(usage.agent for usage in agents),
            "days": args.days,
            "phrases": [
                {"code": row.entry.phrase.code, "title": row.entry.phrase.title, "group": row.entry.group.name,
                 "category": row.entry.group.category, "count": row.count}
                for row in sorted(rows, key=lambda row: -row.count)
            ],
            "never_used": [row.entry.phrase.code for row in rows if not row.count],
            "groups": [{"group": group.name, "category": group.category, "count": count} for group, count in per_group],
            "shops": shops,
            "skipped": skipped,
        })
        return 0
    period = tr("cli.stats.period_days", days=args.days) if args.days > 0 else tr("cli.stats.period_all")
    used = [row for row in rows if row.count]
    out(tr("cli.stats.team_summary", period=period, agents=len(agents), copies=sum(row.count for row in used),
           used=len(used), unused=len(rows) - len(used), total=len(rows)))
    out(tr("cli.stats.team_most"))
    for row in sorted(used, key=lambda row: -row.count)[:10]:
        out(f"  /{row.entry.phrase.code:<10} {row.count:>6}  {row.entry.phrase.title}")
    out(tr("cli.stats.team_never"))
    for row in rows:
        if not row.count:
            out(f"  /{row.entry.phrase.code:<10} {row.entry.group.name} · {row.entry.phrase.title}")
    out(tr("cli.stats.team_groups"))
    for group, count in per_group:
        out(f"  {count:>6}  {group.category} / {group.name}")
    out(tr("cli.stats.team_shops"))
    for shop, count in sorted(shops.items(), key=lambda item: -item[1]):
        out(f"  {count:>6}  {shop or '-'}")
    return 0


COMMAND = Command("stats", "cli.stats", add_arguments, run)
