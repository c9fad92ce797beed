"""`qr copy CODE [--set NAME=VALUE]… [--print]`: render a phrase and put it on the clipboard."""

from __future__ import annotations

import sys

from qr.cli import Command, CommandError, note, out, tr, warn, workspace_for
from qr.cli.render import add_phrase_arguments, missing_message, rendered_entry

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse

    from qr.store.entry import Entry
    from qr.workspace import Workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_phrase_arguments(parser)
    parser.add_argument("--print", dest="print_only", action="store_true", help="cli.copy.print")


def run(args: argparse.Namespace) -> int:
    from qr.clipboard import ClipboardUnavailable, SystemClipboard, osc52

    workspace = workspace_for(args)
    entry, rendered = rendered_entry(workspace, args)
    if rendered.missing:
        raise CommandError(missing_message(entry, rendered.missing))
    text = rendered.text.rstrip("\n")
    if args.print_only:
        out(text)
        record_use(workspace, entry)  # printed to paste: a use like any other
        return 0
    try:
        SystemClipboard().copy(text)
        how = tr("cli.copy.via_clipboard")
    except ClipboardUnavailable as error:
        if not sys.stdout.isatty():
            raise CommandError(tr("cli.copy.failed", error=error, code=entry.phrase.code), exit_code=3) from None
        sys.stdout.write(osc52(text))  # the one deliberate escape sequence: the terminal's clipboard
        sys.stdout.flush()
        # nothing can confirm the terminal took it: say so, never "copied"
        note(tr("cli.copy.sent_osc52", code=f"/{entry.phrase.code}", title=entry.phrase.title, error=error))
        record_use(workspace, entry)
        return 3  # sent, but not verified: a script or a hotkey must not take it for a copy
    note(tr("cli.copy.done", code=f"/{entry.phrase.code}", title=entry.phrase.title, how=how))
    record_use(workspace, entry)
    return 0


def record_use(workspace: Workspace, entry: Entry) -> None:
    """Count the copy for ranking (profile, code, time only); a history problem is a warning."""
    from qr.usage import UsageStore

    if not entry.phrase.code:
        return
    store = UsageStore()
    if not store.record(workspace.profile_name, entry.phrase.code):
        warn(str(store.problem))
    store.close()


COMMAND = Command("copy", "cli.copy", add_arguments, run)
