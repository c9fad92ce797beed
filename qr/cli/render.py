"""`qr render CODE [--set NAME=VALUE]… [--json]`: print a phrase rendered with its variables."""

from __future__ import annotations

import sys

from qr.cli import Command, CommandError, add_set_option, parse_values, print_json, workspace_for

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse

    from qr.render import Rendered
    from qr.store.entry import Entry
    from qr.workspace import Workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code")
    add_set_option(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object: code, text, missing")


def entry_for(workspace: Workspace, code: str) -> Entry:
    """The phrase `/code` reaches; an unknown code is a CommandError with the nearest codes."""
    entry = workspace.index.by_code(code)
    if entry is None:
        suggestions = workspace.index.suggest_codes(code)
        hint = f"; did you mean {', '.join('/' + s for s in suggestions)}?" if suggestions else ""
        raise CommandError(f"unknown code /{code.lstrip('/')}{hint}")
    return entry


def rendered_entry(workspace: Workspace, args: argparse.Namespace) -> tuple[Entry, Rendered]:
    """The phrase `args.code` and its text with the `--set` values; invalid values or a broken
    template are a CommandError (missing values are left to the caller)."""
    from qr.render import TemplateError, invalid_values  # render and copy only

    values = parse_values(args.values)
    entry = entry_for(workspace, args.code)
    invalid = invalid_values(entry.library.vars, values)
    if invalid:
        raise CommandError("; ".join(invalid.values()))
    try:
        return entry, workspace.render(entry, values)
    except TemplateError as error:
        raise CommandError(f"/{entry.phrase.code} has a broken template: {error}") from None


def missing_message(entry: Entry, missing: tuple[str, ...]) -> str:
    """One line naming every missing variable (with its label) and how to pass it."""
    specs = entry.library.vars
    named = ", ".join(f"{name} ({specs[name].display})" if name in specs and specs[name].label else name for name in missing)
    example = " ".join(f"--set {name}=..." for name in missing)
    return f"/{entry.phrase.code} needs values for: {named}; pass {example}"


def run(args: argparse.Namespace) -> int:
    workspace = workspace_for(args)
    entry, rendered = rendered_entry(workspace, args)
    if args.json:
        print_json({"code": entry.phrase.code, "text": rendered.text, "missing": list(rendered.missing)})
        return 2 if rendered.missing else 0
    if rendered.missing:
        raise CommandError(missing_message(entry, rendered.missing))
    sys.stdout.write(rendered.text if rendered.text.endswith("\n") else rendered.text + "\n")
    return 0


COMMAND = Command("render", "print a phrase rendered with its variables", add_arguments, run)
