"""`qr live import|status|clean`: a live-stream day's phrases from its run sheet (qr.live)."""

from __future__ import annotations

from pathlib import Path

from qr.cli import Command, CommandError, add_global_options, note, out, print_json, tr, warn

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from datetime import date

    from qr.store.models import Library


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="live_action", metavar="ACTION", required=True)

    def action(name: str, help: str, run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help, description=help, formatter_class=parser.formatter_class)
        add_global_options(sub, suppress=True)
        sub.set_defaults(live_run=run)
        return sub

    sub = action("import", "cli.live.import", import_sheet)
    sub.add_argument("sheet", metavar="SHEET", help="cli.live.sheet")
    sub.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="cli.live.date")
    sub.add_argument("--into", metavar="LIB", help="cli.live.into")
    sub = action("status", "cli.live.status", status)
    sub.add_argument("--date", metavar="YYYY-MM-DD", help="cli.live.status_date")
    sub.add_argument("--json", action="store_true")
    sub = action("clean", "cli.live.clean", clean)
    sub.add_argument("--before", required=True, metavar="YYYY-MM-DD", help="cli.live.before")


def run(args: argparse.Namespace) -> int:
    return args.live_run(args)


def _day(text: str | None) -> date:
    from datetime import date

    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(tr("live.bad_date", value=text)) from None


def _library(args: argparse.Namespace, into: str | None = None, *, editing: bool = False) -> Library:
    from qr.store.load import load_library

    if into:
        root = Path(into).expanduser()
        if not root.is_dir():
            raise CommandError(tr("cli.live.no_library", path=root))
        library = load_library(root).library
    else:
        from qr.cli import workspace_for

        library = workspace_for(args, warn_problems=False).library
    if editing:
        from qr.store.edit import why_not_editable

        reason = why_not_editable(library)
        if reason:
            raise CommandError(str(reason))
    return library


def import_sheet(args: argparse.Namespace) -> int:
    from qr.live import SheetError, import_day
    from qr.messages import MessageError
    from qr.store.lint import lint
    from qr.store.load import load_library

    day = _day(args.date)
    library = _library(args, args.into, editing=True)
    try:
        group, live_day, replacing = import_day(library, Path(args.sheet).expanduser(), day)
    except SheetError as error:
        raise CommandError(str(error)) from None
    except MessageError as error:  # a save refused (changed on disk, read-only)
        raise CommandError(str(error)) from None
    note(tr("live.imported", date=day.isoformat(), products=len(live_day.products), phrases=len(group.phrases), path=group.path.as_posix()))
    if replacing:
        note(tr("live.replaced"))
    # the day's phrases are checked like any other before the stream: a sheet promising 全网最低 shows here
    reloaded = load_library(library.root)
    findings = [
        finding for finding in lint(reloaded.library, today=day)
        if finding.file == group.path and finding.severity in ("error", "warning")
    ]
    for finding in findings:
        warn(tr("live.finding", code=f"/{finding.code}" if finding.code else "", severity=finding.severity, rule=finding.rule, message=finding.message))
    errors = sum(finding.severity == "error" for finding in findings)
    note(tr("live.lint_summary", errors=errors, warnings=len(findings) - errors))
    return 0


def status(args: argparse.Namespace) -> int:
    from qr.live import now_selling

    day = _day(args.date)
    library = _library(args)
    current = now_selling(library, day)
    if current is None:
        if args.json:
            print_json({"date": day.isoformat(), "products": [], "now_selling": None})
            return 0
        note(tr("live.no_day", date=day.isoformat()))
        return 0
    live_day, selling = current
    if args.json:
        print_json({
            "date": day.isoformat(),
            "sheet": live_day.sheet,
            "now_selling": selling.position,
            "products": [
                {"position": product.position, **product.values, "codes": list(live_day.codes.get(product.position, ()))}
                for product in live_day.products
            ],
        })
        return 0
    out(tr("live.status_head", date=day.isoformat(), sheet=live_day.sheet or "-", count=len(live_day.products)))
    for product in live_day.products:
        marker = "▶" if product.position == selling.position else " "
        details = "  ".join(value for name, value in product.values.items() if name in ("price", "offer", "gift") and value)
        codes = " ".join(f"/{code}" for code in live_day.codes.get(product.position, ())[:3])
        now = f"  {tr('live.now_selling')}" if marker == "▶" else ""
        out(f"{marker} {product.position}. {product.name}  {details}  {codes}{now}".rstrip())
    return 0


def clean(args: argparse.Namespace) -> int:
    from qr.live import clean_before
    from qr.messages import MessageError

    before = _day(args.before)
    library = _library(args, editing=True)
    try:
        removed = clean_before(library, before)
    except MessageError as error:
        raise CommandError(str(error)) from None
    note(tr("live.cleaned", count=len(removed), date=before.isoformat()))
    return 0


COMMAND = Command("live", "cli.live", add_arguments, run)
