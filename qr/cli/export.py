"""`qr export --format F --out FILE`: a sheet or file for the platform's own quick-phrase tool."""

from __future__ import annotations

from pathlib import Path

from qr.cli import Command, CommandError, note, tr, warn, workspace_for

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from qr.transfer.formats import EXPORT_FORMATS

    parser.add_argument("--format", required=True, choices=tuple(EXPORT_FORMATS), help="cli.export.format")
    parser.add_argument("--out", required=True, metavar="FILE", help="cli.export.out")
    parser.add_argument("--group", metavar="G", help="cli.arg.group")
    parser.add_argument("--category", metavar="C", help="cli.arg.category")


def run(args: argparse.Namespace) -> int:
    from qr.transfer.entries import TransferError
    from qr.transfer.export import export_phrases, select

    workspace = workspace_for(args)
    out = Path(args.out).expanduser()
    try:
        rows = select(workspace.library, args.group, args.category)
        result = export_phrases(workspace.library, rows, args.format, out, shop=workspace.shop)
    except TransferError as error:
        raise CommandError(error) from None
    for warning in result.warnings:
        warn(str(warning))
    note(tr("cli.export.done", count=result.count, path=out, format=args.format))
    return 0


COMMAND = Command("export", "cli.export", add_arguments, run)
