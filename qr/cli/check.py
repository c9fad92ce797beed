"""`qr check [TEXT] [--clipboard] [--json]`: check an agent's own draft with lint's word rules.

The text comes from the argument, stdin, or the clipboard (the draft copied from the chat box).
Findings are printed with their position and what to write instead; `--json` gives lint's fields
(`file` and `code` empty) plus `start`/`end` character offsets. Exit 0 when clean, 1 when an error
or a warning was found, 2 on bad input. Nothing of the text is stored or logged.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qr.cli import Command, CommandError, out, print_json, tr, use_cli_language

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse

    from qr.store.text_check import TextFinding
    from qr.store.word_rules import WordRules


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="?", help="cli.check.text")
    parser.add_argument("--clipboard", action="store_true", help="cli.check.clipboard")
    parser.add_argument("--json", action="store_true", help="cli.check.json")


def read_text(args: argparse.Namespace) -> str:
    """The draft to check; a missing, unreadable or empty one is a CommandError (exit 2)."""
    if args.text is not None and args.clipboard:
        raise CommandError(tr("cli.check.both"))
    if args.text is not None:
        text = args.text
    elif args.clipboard:
        text = clipboard_text()
    elif sys.stdin is None or sys.stdin.isatty():
        raise CommandError(tr("cli.check.nothing"))
    else:
        try:
            text = sys.stdin.buffer.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CommandError(tr("cli.check.not_utf8", byte=error.start)) from None
    if not text.strip():
        raise CommandError(tr("cli.check.empty"))
    return text


def clipboard_text() -> str:
    import pyperclip

    try:
        text = pyperclip.paste()
    except pyperclip.PyperclipException as error:
        from qr.clipboard import install_hint

        raise CommandError(tr("cli.check.no_clipboard", error=error, hint=install_hint())) from None
    return text if isinstance(text, str) else ""


def line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def as_json(text: str, finding: TextFinding) -> dict:
    line, column = line_column(text, finding.start)
    return {
        "file": "",
        "line": line,
        "column": column,
        "severity": finding.severity,
        "rule": finding.rule,
        "code": "",
        "message": finding.message,
        "message_id": finding.message_id,
        "args": dict(finding.args),
        "start": finding.start,
        "end": finding.end,
    }


def library_rules(args: argparse.Namespace) -> WordRules:
    """The word rules of the library the options name (its `[rules]`: own words, allowed words,
    files), without loading its phrases or the search index: only `_library.toml` is read."""
    from qr.config import ConfigError, load_config, resolve_libraries, select_profile
    from qr.store.load import LIBRARY_FILE, InvalidFile, parse_settings, read_toml
    from qr.store.models import Library
    from qr.store.word_rules import word_rules

    library_option = str(args.library) if getattr(args, "library", None) else None
    try:
        config = load_config()
        selected = select_profile(getattr(args, "profile", None), config, library_option=library_option)
        roots = resolve_libraries(library_option, config, selected)
    except ConfigError as error:
        raise CommandError(error) from None
    use_cli_language(config)
    root = roots[0]
    if not root.is_dir():
        raise CommandError(tr("cli.library_not_found", path=root))
    settings: dict = {}
    if (root / LIBRARY_FILE).is_file():
        try:
            settings = read_toml(root / LIBRARY_FILE, Path(LIBRARY_FILE))[0]
        except InvalidFile:
            settings = {}  # `qr lint` reports it; the draft is still checked with the built-in rules
    _vars, rules, _extra = parse_settings(settings, [])
    return word_rules(Library(root=root, rules=rules))


def run(args: argparse.Namespace) -> int:
    from qr.store.text_check import check_text

    text = read_text(args)
    findings = check_text(text, library_rules(args))
    if args.json:
        print_json([as_json(text, finding) for finding in findings])
    else:
        for finding in findings:
            line, column = line_column(text, finding.start)
            out(f"{line}:{column}  {finding.severity:<7} {finding.rule}  {finding.message}")
        errors = sum(finding.severity == "error" for finding in findings)
        out(tr("cli.check.summary", errors=errors, warnings=len(findings) - errors) if findings else tr("cli.check.clean"))
    return 1 if findings else 0


COMMAND = Command("check", "cli.check", add_arguments, run)
