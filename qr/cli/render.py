"""`qr render CODE [--set NAME=VALUE]… [--json]`: print a phrase rendered with its variables."""

from __future__ import annotations

import sys

from qr.cli import Command, CommandError, add_set_option, parse_values, print_json, safe, tr, warn, workspace_for

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse

    from qr.render import Rendered
    from qr.store.entry import Entry
    from qr.workspace import Workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_phrase_arguments(parser)
    parser.add_argument("--json", action="store_true", help="cli.render.json")


def add_phrase_arguments(parser: argparse.ArgumentParser) -> None:
    """CODE, --set and --any-date: what `render` and `copy` share."""
    parser.add_argument("code", metavar="CODE", help="cli.arg.code")
    add_set_option(parser)
    parser.add_argument("--any-date", action="store_true", help="cli.arg.any_date")


def entry_for(workspace: Workspace, code: str) -> Entry:
    """The phrase `/code` reaches; an unknown code is a CommandError with the nearest codes."""
    entry = workspace.index.by_code(code)
    if entry is None:
        suggestions = workspace.index.suggest_codes(code)
        code = "/" + code.lstrip("/")
        if suggestions:
            raise CommandError(tr("cli.unknown_code_close", code=code, close=", ".join("/" + s for s in suggestions)))
        raise CommandError(tr("cli.unknown_code", code=code))
    return entry


def check_window(entry: Entry, any_date: bool) -> None:
    """A phrase outside its valid_from/valid_until window is not sent by its code (an expired
    promotion), unless --any-date says so."""
    from datetime import date

    phrase = entry.phrase
    today = date.today()
    if any_date or phrase.is_valid_on(today):
        return
    window = f"{phrase.valid_from or '…'} – {phrase.valid_until or '…'}"
    key = "cli.expired" if phrase.valid_until is not None and phrase.valid_until < today else "cli.not_yet_valid"
    raise CommandError(tr(key, code=f"/{phrase.code}", window=window, today=today.isoformat()))


def warn_unused(entry: Entry, values: dict[str, str]) -> None:
    """A --set name the phrase does not use is a warning naming it (a typo is not silently dropped)."""
    from qr.render import TemplateError, variable_names

    try:
        used = variable_names(entry.phrase.body)
    except TemplateError:
        return  # a broken template: rendering says so
    for name in (name for name in values if name not in used):
        from difflib import get_close_matches  # only for a name the phrase does not use

        close = get_close_matches(name, used, n=1)
        if close:
            warn(tr("cli.set_unused_close", name=name, code=f"/{entry.phrase.code}", close=close[0]))
        elif used:
            warn(tr("cli.set_unused", name=name, code=f"/{entry.phrase.code}", used=", ".join(used)))
        else:
            warn(tr("cli.set_unused_none", name=name, code=f"/{entry.phrase.code}"))


def rendered_entry(workspace: Workspace, args: argparse.Namespace) -> tuple[Entry, Rendered]:
    """The phrase `args.code` and its text with the `--set` values; invalid values or a broken
    template are a CommandError (missing values are left to the caller)."""
    from qr.render import TemplateError, invalid_values  # render and copy only

    values = parse_values(args.values)
    entry = entry_for(workspace, args.code)
    check_window(entry, args.any_date)
    warn_unused(entry, values)
    invalid = invalid_values(entry.library.vars, values)
    if invalid:
        raise CommandError(tr("messages.separator").join(invalid.values()))
    try:
        return entry, workspace.render(entry, values)
    except TemplateError as error:
        raise CommandError(tr("cli.broken_template", code=f"/{entry.phrase.code}", error=error)) from None


def missing_message(entry: Entry, missing: tuple[str, ...]) -> str:
    """One line naming every missing variable (with its label) and how to pass it."""
    specs = entry.library.vars
    named = ", ".join(f"{name} ({specs[name].display})" if name in specs and specs[name].label else name for name in missing)
    example = " ".join(f"--set {name}=..." for name in missing)
    return tr("cli.missing_values", code=f"/{entry.phrase.code}", names=named, example=example)


def run(args: argparse.Namespace) -> int:
    workspace = workspace_for(args)
    entry, rendered = rendered_entry(workspace, args)
    if args.json:
        print_json({"code": entry.phrase.code, "text": rendered.text, "missing": list(rendered.missing)})
        return 2 if rendered.missing else 0
    if rendered.missing:
        raise CommandError(missing_message(entry, rendered.missing))
    sys.stdout.write(safe(rendered.text if rendered.text.endswith("\n") else rendered.text + "\n"))
    return 0


COMMAND = Command("render", "cli.render", add_arguments, run)
