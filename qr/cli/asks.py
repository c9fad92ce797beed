"""`qr asks suggest [--json] [--min N]`, `qr asks accept CODE TEXT`, `qr asks forget [CODE]`:
the buyer questions qr learned from the agents' searches (opt-in `learn_asks = true`, see
`qr.learned_asks`), offered to a lead as asks for the phrases they led to."""

from __future__ import annotations

from qr.cli import Command, CommandError, note, out, print_json, tr, warn, workspace_for

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    suggest = actions.add_parser("suggest", help="cli.asks.suggest", description="cli.asks.suggest")
    suggest.add_argument("--json", action="store_true", help="cli.asks.json")
    suggest.add_argument("--min", type=int, default=None, metavar="N", help="cli.asks.min")
    accept = actions.add_parser("accept", help="cli.asks.accept", description="cli.asks.accept")
    accept.add_argument("code", metavar="CODE", help="cli.arg.code")
    accept.add_argument("text", metavar="TEXT", help="cli.asks.text")
    forget = actions.add_parser("forget", help="cli.asks.forget", description="cli.asks.forget")
    forget.add_argument("code", nargs="?", metavar="CODE", help="cli.asks.forget_code")


def run(args: argparse.Namespace) -> int:
    from qr.learned_asks import MIN_COUNT, LearnedAsks, accept, pending

    workspace = workspace_for(args)
    store = LearnedAsks()
    try:
        if args.action == "suggest":
            found = pending(workspace, store, args.min if args.min is not None else MIN_COUNT)
            if args.json:
                print_json([
                    {"code": entry.phrase.code, "title": entry.phrase.title, "group": entry.group.name,
                     "text": suggestion.text, "count": suggestion.count}
                    for entry, suggestion in found
                ])
            else:
                if workspace.config.extra.get("learn_asks") is not True:
                    note(tr("asks.off"))
                for entry, suggestion in found:
                    out(f"/{entry.phrase.code:<9} {entry.phrase.title}  ← {suggestion.text}  ×{suggestion.count}")
                if not found:
                    note(tr("asks.none"))
        elif args.action == "accept":
            entry = workspace.index.by_code(args.code)
            if entry is None:
                raise CommandError(tr("cli.unknown_code", code=args.code))
            from qr.store.save import SaveError

            text = args.text.strip()
            try:
                edit = accept(entry.library, entry.group.path, entry.group.phrases.index(entry.phrase), text)
            except SaveError as error:
                raise CommandError(str(error)) from None
            store.forget(args.code, text)
            note(tr("asks.accepted", code=entry.phrase.code, text=" · ".join(edit.group.phrases[edit.index].asks)))
        else:
            note(tr("cli.asks.forgot", count=store.forget(args.code)))
        if store.problem:
            warn(store.problem)
    finally:
        store.close()
    return 0


COMMAND = Command("asks", "cli.asks", add_arguments, run)
