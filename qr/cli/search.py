"""`qr search QUERY [--limit N] [--json]`: ranked hits for a query (/code, words or pinyin)."""

from __future__ import annotations

from qr.cli import Command, note, out, print_json, tr, warn, workspace_for

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse

    from qr.workspace import Workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", metavar="QUERY", help="cli.search.query")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="cli.search.limit")
    parser.add_argument("--json", action="store_true", help="cli.search.json")


def usage_scores(workspace: Workspace) -> dict[str, float]:
    """The copy history's ranking boost for this profile ({} when nothing was ever copied)."""
    from qr.config import usage_path

    if not usage_path().exists():
        return {}  # nothing recorded yet: do not create the file just to read it (nor import sqlite3)
    from qr.usage import UsageStore

    store = UsageStore()
    scores = store.scores(workspace.profile_name)
    if store.problem:
        warn(str(store.problem))
    store.close()
    return scores


def run(args: argparse.Namespace) -> int:
    workspace = workspace_for(args)
    hits = workspace.index.search(args.query, limit=max(args.limit, 0), usage=usage_scores(workspace))
    if args.json:
        print_json(
            [
                {"code": hit.phrase.code, "title": hit.phrase.title, "group": hit.group.name, "category": hit.group.category, "score": hit.score}
                for hit in hits
            ]
        )
    else:
        for hit in hits:
            code = f"/{hit.phrase.code}" if hit.phrase.code else "-"
            out(f"{code:<10} {hit.phrase.title}  [{hit.group.name}]  {hit.score:g}")
    if not hits:  # DESIGN §11: a script can tell "no hit" from "found" by the exit status
        note(tr("cli.search.none", query=args.query))
        return 1
    return 0


COMMAND = Command("search", "cli.search", add_arguments, run)
