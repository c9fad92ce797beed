"""`qr import` and `qr export`: argument handling and the printed plan and summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qr.cli import CommandError
from qr.transfer.entries import TransferError

LISTED = 20
"""Lines shown per kind of notice; the rest are counted."""
BAR_THRESHOLD = 2000


def import_command(args: argparse.Namespace) -> int:
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


def _print_plan(plan, encoding: str, path: Path, *, dry_run: bool) -> None:
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


def _print_totals(plan, root: Path, *, dry_run: bool) -> None:
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


def export_command(args: argparse.Namespace) -> int:
    from qr.commands import workspace_for
    from qr.transfer.export import export_phrases, select

    workspace = workspace_for(args)
    out = Path(args.out).expanduser()
    try:
        rows = select(workspace.library, args.group, args.category)
        result = export_phrases(workspace.library, rows, args.format, out, shop=workspace.shop)
    except TransferError as error:
        raise CommandError(str(error)) from None
    for warning in result.warnings:
        print(f"qr: warning: {warning}", file=sys.stderr)
    print(f"exported {result.count} phrases to {out} ({args.format})", file=sys.stderr)
    return 0


