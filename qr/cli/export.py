"""`qr export --format F --out FILE`: a sheet or file for the platform's own quick-phrase tool."""

from __future__ import annotations

import sys
from pathlib import Path

from qr.cli import Command, CommandError, workspace_for

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from qr.transfer.formats import EXPORT_FORMATS

    parser.add_argument("--format", required=True, choices=tuple(EXPORT_FORMATS))
    parser.add_argument("--out", required=True, metavar="FILE")
    parser.add_argument("--group", metavar="G", help="only this group (name or file)")
    parser.add_argument("--category", metavar="C", help="only this category")


def run(args: argparse.Namespace) -> int:
    from qr.transfer.entries import TransferError
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


COMMAND = Command("export", "write a sheet or file for the platform's own quick-phrase tool", add_arguments, run)
