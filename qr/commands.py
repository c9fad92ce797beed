"""The non-TUI commands: render, copy, search, list, lint, init. None of them imports Textual."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qr.cli import CommandError, parse_values, print_json
from qr.config import ConfigError, bundled_library, usage_path
from qr.search import Entry
from qr.workspace import Workspace, open_workspace


def workspace_for(args: argparse.Namespace, *, warn: bool = True) -> Workspace:
    try:
        workspace = open_workspace(getattr(args, "library", None), profile=getattr(args, "profile", None))
    except ConfigError as error:
        raise CommandError(str(error)) from None
    for library in workspace.libraries:
        if not library.root.is_dir():
            raise CommandError(f"library folder not found: {library.root}")
    if warn:
        for problem in workspace.problems:
            print(f"qr: warning: {problem} (skipped; the rest of the library loaded)", file=sys.stderr)
    return workspace


def _entry(workspace: Workspace, code: str) -> Entry:
    entry = workspace.index.by_code(code)
    if entry is None:
        suggestions = workspace.index.suggest_codes(code)
        hint = f"; did you mean {', '.join('/' + s for s in suggestions)}?" if suggestions else ""
        raise CommandError(f"unknown code /{code.lstrip('/')}{hint}")
    return entry


def _rendered(workspace: Workspace, args: argparse.Namespace):
    from qr.render import TemplateError, invalid_values  # render and copy only

    values = parse_values(args.values)
    entry = _entry(workspace, args.code)
    specs = entry.library.vars
    invalid = invalid_values(specs, values)
    if invalid:
        raise CommandError("; ".join(invalid.values()))
    try:
        return entry, workspace.render(entry, values)
    except TemplateError as error:
        raise CommandError(f"/{entry.phrase.code} has a broken template: {error}") from None


def _missing_message(entry: Entry, missing: tuple[str, ...]) -> str:
    specs = entry.library.vars
    named = ", ".join(f"{name} ({specs[name].display})" if name in specs and specs[name].label else name for name in missing)
    example = " ".join(f"--set {name}=..." for name in missing)
    return f"/{entry.phrase.code} needs values for: {named}; pass {example}"


def render(args: argparse.Namespace) -> int:
    workspace = workspace_for(args)
    entry, rendered = _rendered(workspace, args)
    if args.json:
        print_json({"code": entry.phrase.code, "text": rendered.text, "missing": list(rendered.missing)})
        return 2 if rendered.missing else 0
    if rendered.missing:
        raise CommandError(_missing_message(entry, rendered.missing))
    sys.stdout.write(rendered.text if rendered.text.endswith("\n") else rendered.text + "\n")
    return 0


def copy(args: argparse.Namespace) -> int:
    from qr.clipboard import ClipboardUnavailable, SystemClipboard, osc52

    workspace = workspace_for(args)
    entry, rendered = _rendered(workspace, args)
    if rendered.missing:
        raise CommandError(_missing_message(entry, rendered.missing))
    text = rendered.text.rstrip("\n")
    if args.print_only:
        print(text)
        _record_use(workspace, entry)  # printed to paste: a use like any other
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
    _record_use(workspace, entry)
    return 0


def _record_use(workspace: Workspace, entry: Entry) -> None:
    """Count the copy for ranking (profile, code, time only); a history problem is a warning."""
    from qr.usage import UsageStore

    if not entry.phrase.code:
        return
    store = UsageStore()
    if not store.record(workspace.profile_name, entry.phrase.code):
        print(f"qr: warning: {store.problem}", file=sys.stderr)
    store.close()


def _usage_scores(workspace: Workspace) -> dict[str, float]:
    if not usage_path().exists():
        return {}  # nothing recorded yet: do not create the file just to read it (nor import sqlite3)
    from qr.usage import UsageStore

    store = UsageStore()
    scores = store.scores(workspace.profile_name)
    if store.problem:
        print(f"qr: warning: {store.problem}", file=sys.stderr)
    store.close()
    return scores


def search(args: argparse.Namespace) -> int:
    workspace = workspace_for(args)
    hits = workspace.index.search(args.query, limit=max(args.limit, 0), usage=_usage_scores(workspace))
    if args.json:
        print_json(
            [
                {"code": hit.phrase.code, "title": hit.phrase.title, "group": hit.group.name, "category": hit.group.category, "score": hit.score}
                for hit in hits
            ]
        )
        return 0
    for hit in hits:
        code = f"/{hit.phrase.code}" if hit.phrase.code else "-"
        print(f"{code:<10} {hit.phrase.title}  [{hit.group.name}]  {hit.score:g}")
    return 0


def list_phrases(args: argparse.Namespace) -> int:
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
            print(f"# {group.category} / {group.name}  ({file})")
        code = f"/{phrase.code}" if phrase.code else "-"
        print(f"  {code:<10} {phrase.title}")
    return 0


def lint(args: argparse.Namespace) -> int:
    from qr.store.lint import lint as lint_library

    workspace = workspace_for(args, warn=False)
    if len(workspace.libraries) > 1:
        from qr.store.shadowing import lint_libraries  # a profile: also codes shadowed across libraries

        findings = lint_libraries(workspace.libraries, workspace.problems)
    else:
        findings = lint_library(workspace.library, workspace.problems)
    errors = sum(1 for finding in findings if finding.severity == "error")
    if args.json:
        print_json([finding.as_json() for finding in findings])
        return 1 if errors else 0
    by_file: dict[str, list] = {}
    for finding in findings:
        by_file.setdefault(str(finding.file), []).append(finding)
    for file, items in sorted(by_file.items()):
        print(file)
        for finding in sorted(items, key=lambda f: (f.line, f.column)):
            code = f" /{finding.code}" if finding.code else ""
            print(f"  {finding.line}:{finding.column}  {finding.severity:<7} {finding.rule}{code}  {finding.message}")
    warnings = sum(1 for finding in findings if finding.severity == "warning")
    phrases = sum(len(group.phrases) for library in workspace.libraries for group in library.groups)
    groups = sum(len(library.groups) for library in workspace.libraries)
    print(f"{phrases} phrases in {groups} groups: {errors} errors, {warnings} warnings, {len(findings) - errors - warnings} notes")
    return 1 if errors else 0


def init(args: argparse.Namespace) -> int:
    target = Path(args.path).expanduser()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CommandError(f"{target} exists and is not empty; choose a new or empty folder")
    source = bundled_library()
    import shutil  # here: shutil pulls in bz2 and lzma, which no other command needs

    try:
        shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__init__.py", "__pycache__", "*.pyc"))
    except OSError as error:
        raise CommandError(f"cannot create {target}: {error.strerror or error}") from None
    count = sum(1 for _ in target.rglob("*.toml"))
    print(f"created {target} with {count} files; use it with: qr --library {target}  (or set library in the config file)", file=sys.stderr)
    return 0
