"""`qr list [--group G] [--category C] [--json]`: the phrases in library order."""

from __future__ import annotations

from qr.cli import Command, out, print_json, workspace_for

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--group", metavar="G", help="cli.arg.group")
    parser.add_argument("--category", metavar="C", help="cli.arg.category")
    parser.add_argument("--json", action="store_true", help="cli.list.json")


def run(args: argparse.Namespace) -> int:
    workspace = workspace_for(args)
    several = len(workspace.libraries) > 1
    rows = []
    for library, group, phrase in ((owner, *pair) for owner in workspace.libraries for pair in owner.phrases()):
        if args.group and args.group not in (group.name, str(group.path), group.path.stem):
            continue
        if args.category and args.category != group.category:
            continue
        # a profile's libraries may share relative file names: name the file fully then
        rows.append((library.root / group.path if several else group.path, group, phrase))
    if args.json:
        print_json(
            [
                {
                    "code": phrase.code,
                    "title": phrase.title,
                    "group": group.name,
                    "category": group.category,
                    "body": phrase.body,
                    "tags": list(phrase.tags),
                    "note": phrase.note,
                    "lang": phrase.lang,
                    "file": str(file),
                    "line": phrase.line,
                }
                for file, group, phrase in rows
            ]
        )
        return 0
    current = None
    for file, group, phrase in rows:
        if group is not current:
            current = group
            out(f"# {group.category} / {group.name}  ({file})")
        code = f"/{phrase.code}" if phrase.code else "-"
        out(f"  {code:<10} {phrase.title}")
    return 0


COMMAND = Command("list", "cli.list", add_arguments, run)
