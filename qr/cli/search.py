"""`qr search QUERY [--limit N] [--json] [--explain]`: ranked hits for a query (/code, words, pinyin,
or a buyer's question); `--explain` says why each hit ranked where it did."""

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
    parser.add_argument("--explain", action="store_true", help="cli.search.explain")


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
    index = workspace.index
    hits = index.search(args.query, limit=max(args.limit, 0), usage=usage_scores(workspace))
    explanations = [explain_hit(index, hit, args.query) for hit in hits] if args.explain else []
    if args.json:
        rows = [
            {"code": hit.phrase.code, "title": hit.phrase.title, "group": hit.group.name, "category": hit.group.category, "score": hit.score}
            for hit in hits
        ]
        for row, why in zip(rows, explanations, strict=False):
            row["explain"] = {
                "tier": why.tier,
                "words": {word: list(fields) for word, fields in why.words},
                "terms": [{"term": term, "weight": weight, "fields": list(fields)} for term, weight, fields in why.terms],
            }
            if why.grade is not None:
                coverage, at, opening = why.grade
                row["explain"]["grade"] = {"coverage": round(coverage, 3), "at": at, "opening": opening}
        print_json(rows)
    else:
        for position, hit in enumerate(hits):
            code = f"/{hit.phrase.code}" if hit.phrase.code else "-"
            out(f"{code:<10} {hit.phrase.title}  [{hit.group.name}]  {hit.score:g}")
            if explanations:
                for line in describe(explanations[position]):
                    out(f"           {line}")
    if not hits:  # a script can tell "no hit" from "found" by the exit status (docs/cli.md)
        note(tr("cli.search.none", query=args.query))
        return 1
    return 0


def explain_hit(index, hit, query: str):
    from qr.index.explain import explain
    from qr.index.sentences import synonym_groups

    pinyin = index.pinyin_of(hit.index) if hit.index >= 0 else ""
    return explain(hit, query, pinyin, synonym_groups(index))


def describe(why) -> list[str]:
    """The lines `--explain` prints under a hit, in the CLI's language."""

    def fields(names) -> str:
        return ", ".join(tr(f"search.field.{name}") for name in names) if names else tr("search.explain.nowhere")

    lines = [tr("search.explain.tier", tier=tr(f"search.tier.{why.tier}"), score=f"{why.score:g}")]
    if why.words and why.tier != "relevance":
        lines.append(tr("search.explain.words", words=" · ".join(f"{word}: {fields(names)}" for word, names in why.words)))
    if why.grade is not None:
        coverage, at, opening = why.grade
        lines.append(tr(
            "search.explain.grade", field=tr(f"search.field.{why.tier}"), coverage=f"{coverage:.0%}",
            at=at + 1, opening=tr(f"search.opening.{opening}"),
        ))
    if why.terms:
        shown = " · ".join(
            f"{term}: {fields(names)}" + ("" if weight >= 1 else f" (×{weight:g})") for term, weight, names in why.terms[:12]
        )
        lines.append(tr("search.explain.terms", terms=shown))
    return lines


COMMAND = Command("search", "cli.search", add_arguments, run)
