"""`qr import FILE --into LIB [--format F] [--dry-run]`: phrases from Sogou / Rime / Qianniu-style
sheets / espanso / qr csv files; prints the plan and the totals."""

from __future__ import annotations

import sys
from pathlib import Path

from qr.cli import Command, CommandError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse

    from qr.transfer.plan import ImportPlan

LISTED = 20
"""Lines shown per kind of notice; the rest are counted."""
BAR_THRESHOLD = 2000
"""Entries above which a terminal gets a progress bar while the files are written."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from qr.transfer.formats import AUTO, IMPORT_FORMATS

    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--format", choices=(AUTO, *IMPORT_FORMATS), default=AUTO, help="default: told from the content")
    parser.add_argument("--into", required=True, metavar="LIBRARY", help="library folder to write into (created if missing)")
    parser.add_argument("--group", metavar="NAME", help="put every phrase into one new group NAME")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    parser.add_argument("--replace", action="store_true", help="overwrite phrases whose code is already in the library")


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

            bar = TextBar("qr import: writing")
        try:
            write_plan(plan, bar)
        finally:
            if bar is not None:
                bar.close()
    except TransferError as error:
        raise CommandError(str(error)) from None
    # Written first, printed after: a closed pipe (`| head`) must not stop an import half-way.
    _print_plan(plan, source.encoding, path, dry_run=False)
    _print_totals(plan, root, dry_run=False)
    return 0


def _print_plan(plan: ImportPlan, encoding: str, path: Path, *, dry_run: bool) -> None:
    out = sys.stdout
    will = "would write" if dry_run else "wrote"
    out.write(f"{path}: {plan.parsed.format}, {encoding}, {len(plan.parsed.candidates)} entries\n")
    if plan.create_library:
        out.write(f"  {will} a new library {plan.root} (with a minimal _library.toml)\n")
    for group in plan.new_groups:
        out.write(f"  {will} {plan.root / group.path}: group {group.name!r}, {len(group.phrases)} phrases\n")
    for previous, new in plan.replacements:
        count = sum(1 for old, fresh in zip(previous.phrases, new.phrases) if old != fresh)
        out.write(f"  {will} {plan.root / new.path}: {count} phrases replaced (--replace)\n")
    for kind, heading in (("renamed", "renamed"), ("skipped", "skipped"), ("warning", "warnings")):
        notices = sorted((notice for notice in plan.notices if notice.kind == kind), key=lambda notice: notice.line)
        if not notices:
            continue
        out.write(f"{heading} ({len(notices)}):\n")
        for notice in notices[:LISTED]:
            out.write(f"  {notice}\n")
        if len(notices) > LISTED:
            out.write(f"  … and {len(notices) - LISTED} more\n")


def _print_totals(plan: ImportPlan, root: Path, *, dry_run: bool) -> None:
    imported = plan.imported
    line = (
        f"{'would import' if dry_run else 'imported'} {imported}, replaced {plan.replaced}, "
        f"renamed {plan.count('renamed')}, skipped {plan.count('skipped')}"
    )
    if dry_run:
        line += " (dry run: nothing written)"
    elif not plan.writes_anything:
        line += " (nothing to write)"
    else:
        line += f" into {root}"
    sys.stdout.write(line + "\n")


COMMAND = Command("import", "import phrases from Sogou / Rime / Qianniu-style sheets / espanso / qr csv files", add_arguments, run)
