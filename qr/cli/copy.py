"""`qr copy CODE [--set NAME=VALUE]… [--print]`: render a phrase and put it on the clipboard."""

from __future__ import annotations

import sys

from qr.cli import Command, CommandError, add_set_option, workspace_for
from qr.cli.render import missing_message, rendered_entry

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse

    from qr.store.entry import Entry
    from qr.workspace import Workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code")
    add_set_option(parser)
    parser.add_argument("--print", dest="print_only", action="store_true", help="print the reply instead of copying it")


def run(args: argparse.Namespace) -> int:
    from qr.clipboard import ClipboardUnavailable, SystemClipboard, osc52

    workspace = workspace_for(args)
    entry, rendered = rendered_entry(workspace, args)
    if rendered.missing:
        raise CommandError(missing_message(entry, rendered.missing))
    text = rendered.text.rstrip("\n")
    if args.print_only:
        print(text)
        record_use(workspace, entry)  # printed to paste: a use like any other
        return 0
    try:
        SystemClipboard().copy(text)
        how = "clipboard"
    except ClipboardUnavailable as error:
        if not sys.stdout.isatty():
            raise CommandError(f"{error}; or use `qr copy {entry.phrase.code} --print`", exit_code=3) from None
        sys.stdout.write(osc52(text))
        sys.stdout.flush()
        how = "terminal clipboard (OSC 52)"
    print(f"copied /{entry.phrase.code} {entry.phrase.title} to the {how}", file=sys.stderr)
    record_use(workspace, entry)
    return 0


def record_use(workspace: Workspace, entry: Entry) -> None:
    """Count the copy for ranking (profile, code, time only); a history problem is a warning."""
    from qr.usage import UsageStore

    if not entry.phrase.code:
        return
    store = UsageStore()
    if not store.record(workspace.profile_name, entry.phrase.code):
        print(f"qr: warning: {store.problem}", file=sys.stderr)
    store.close()


COMMAND = Command("copy", "render a phrase and put it on the clipboard", add_arguments, run)
