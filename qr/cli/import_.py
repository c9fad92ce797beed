"""`qr import FILE --into LIB [--format F] [--dry-run]`: phrases from Sogou / Rime / Qianniu-style
sheets / espanso / qr csv files; prints the plan and the totals."""

from __future__ import annotations

import sys
from pathlib import Path

from qr.cli import Command, CommandError, out, tr

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse

    from qr.messages import Message
    from qr.transfer.plan import ImportPlan

LISTED = 20
"""Lines shown per kind of notice; the rest are counted."""
BAR_THRESHOLD = 2000
"""Entries above which a terminal gets a progress bar while the files are written."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from qr.transfer.formats import AUTO, IMPORT_FORMATS

    parser.add_argument("file", metavar="FILE", help="cli.import.file")
    parser.add_argument("--format", choices=(AUTO, *IMPORT_FORMATS), default=AUTO, help="cli.import.format")
    parser.add_argument("--into", required=True, metavar="LIBRARY", help="cli.import.into")
    parser.add_argument("--group", metavar="NAME", help="cli.import.group")
    parser.add_argument("--dry-run", action="store_true", help="cli.import.dry_run")
    parser.add_argument("--replace", action="store_true", help="cli.import.replace")


def run(args: argparse.Namespace) -> int:
    from qr.transfer.entries import TransferError
    from qr.transfer.importer import default_group_name, parse_file
    from qr.transfer.plan import build_plan, write_plan

    path = Path(args.file).expanduser()
    root = Path(args.into).expanduser()
    try:
        source, parsed = parse_file(path, args.format)
        plan = build_plan(
            parsed,
            root,
            default_group=default_group_name(path),
            group=args.group,
            replace=args.replace,
        )
        if args.dry_run or not plan.writes_anything:
            _print_plan(plan, source.encoding, path, dry_run=args.dry_run)
            _print_totals(plan, root, dry_run=args.dry_run)
            return 0
        bar = None
        if sys.stdout.isatty() and len(parsed.candidates) > BAR_THRESHOLD:
            from qr.transfer.progress import TextBar

            bar = TextBar(tr("cli.import.writing"))
        try:
            write_plan(plan, bar)
        finally:
            if bar is not None:
                bar.close()
    except TransferError as error:
        raise CommandError(error) from None
    # Written first, printed after: a closed pipe (`| head`) must not stop an import half-way.
    _print_plan(plan, source.encoding, path, dry_run=False)
    _print_totals(plan, root, dry_run=False)
    return 0


def _print_plan(plan: ImportPlan, encoding: Message, path: Path, *, dry_run: bool) -> None:
    will = "would" if dry_run else "did"
    out(tr("cli.import.read", path=path, format=plan.parsed.format, encoding=encoding, count=len(plan.parsed.candidates)))
    if plan.create_library:
        out(tr(f"cli.import.{will}_create", root=plan.root))
    for group in plan.new_groups:
        out(tr(f"cli.import.{will}_group", path=plan.root / group.path, name=repr(group.name), count=len(group.phrases)))
    for previous, new in plan.replacements:
        count = sum(1 for old, fresh in zip(previous.phrases, new.phrases) if old != fresh)
        out(tr(f"cli.import.{will}_replace", path=plan.root / new.path, count=count))
    for kind in ("renamed", "skipped", "warning"):
        notices = sorted((notice for notice in plan.notices if notice.kind == kind), key=lambda notice: notice.line)
        if not notices:
            continue
        out(tr(f"cli.import.heading_{kind}", count=len(notices)))
        for notice in notices[:LISTED]:
            out(f"  {notice}")
        if len(notices) > LISTED:
            out(tr("cli.import.more", count=len(notices) - LISTED))


def _print_totals(plan: ImportPlan, root: Path, *, dry_run: bool) -> None:
    counts = {"imported": plan.imported, "replaced": plan.replaced, "renamed": plan.count("renamed"), "skipped": plan.count("skipped")}
    if dry_run:
        out(tr("cli.import.totals_dry_run", **counts))
    elif not plan.writes_anything:
        out(tr("cli.import.totals_nothing", **counts))
    else:
        out(tr("cli.import.totals", root=root, **counts))


COMMAND = Command("import", "cli.import", add_arguments, run)
