"""The `qr` command line. Arguments are parsed before anything heavy is imported; only the
launcher (no command) imports Textual.

Exit codes: 0 ok; 1 lint found errors; 2 bad input (unknown code, missing or invalid values,
unreadable file, `init` into a non-empty folder); 3 no clipboard.
"""

from __future__ import annotations

import argparse
import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

from qr import __version__


class CommandError(Exception):
    """A failure to report in one line on stderr, with an exit code."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--library", metavar="PATH", default=default, help="library folder (else $QR_LIBRARY, the config file, the bundled library)")
    parser.add_argument("--profile", metavar="NAME", default=default, help="profile from the config file")


_VALUE_OPTIONS = ("--library", "--profile")
_FLAG_OPTIONS = ("--once",)


def _named_command(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` names ("" for none), told without parsing; None when unclear.

    Only options before the command matter, spelled as argparse accepts them (`--lib=X`, `--lib X`);
    -h, --version, `--`, short or unknown options mean unclear, and the whole parser is built.
    """
    tokens = iter(argv)
    for token in tokens:
        if not token.startswith("-"):
            return token
        if not token.startswith("--") or token == "--":
            return None
        name, equals, _ = token.partition("=")
        known = [option for option in (*_VALUE_OPTIONS, *_FLAG_OPTIONS, "--version", "--help") if option.startswith(name)]
        if len(known) != 1 or known[0] in ("--version", "--help"):
            return None
        if known[0] in _VALUE_OPTIONS and not equals:
            next(tokens, None)
    return ""


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The `qr` parser. Given `argv`, only the subcommand it names is built (none for the launcher):
    building all of them costs ~5 ms, a tenth of a warm `qr search`. Parsing `argv` gives the same
    result and the same errors either way: usage lines do not list the commands, and an unknown
    command or anything unclear (--help, --version) builds them all."""
    only = _named_command(argv) if argv is not None else None
    parser = argparse.ArgumentParser(
        prog="qr",
        description="Quick replies for customer service: type /code or a few letters, Enter, and the reply is on the clipboard.",
    )
    parser.add_argument("--version", action="version", version=f"qr {__version__}")
    _global_options(parser, suppress=False)
    parser.add_argument("--once", action="store_true", help="the launcher exits after one copy (for a hotkey)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def wanted(name: str) -> bool:
        return only is None or name == only

    def command(name: str, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        _global_options(sub, suppress=True)
        return sub

    def add_set(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--set", dest="values", action="append", default=[], metavar="NAME=VALUE", help="a variable's value (repeatable)")

    if wanted("render"):
        sub = command("render", "print a phrase rendered with its variables")
        sub.add_argument("code")
        add_set(sub)
        sub.add_argument("--json", action="store_true", help="one JSON object: code, text, missing")
        sub.set_defaults(handler="qr.commands:render")

    if wanted("copy"):
        sub = command("copy", "render a phrase and put it on the clipboard")
        sub.add_argument("code")
        add_set(sub)
        sub.add_argument("--print", dest="print_only", action="store_true", help="print the reply instead of copying it")
        sub.set_defaults(handler="qr.commands:copy")

    if wanted("search"):
        sub = command("search", "ranked hits for a query (/code, words or pinyin)")
        sub.add_argument("query")
        sub.add_argument("--limit", type=int, default=20, metavar="N")
        sub.add_argument("--json", action="store_true")
        sub.set_defaults(handler="qr.commands:search")

    if wanted("list"):
        sub = command("list", "phrases in library order")
        sub.add_argument("--group", metavar="G", help="only this group (name or file)")
        sub.add_argument("--category", metavar="C", help="only this category")
        sub.add_argument("--json", action="store_true")
        sub.set_defaults(handler="qr.commands:list_phrases")

    if wanted("lint"):
        sub = command("lint", "check the library: template errors, duplicate codes, forbidden wording…")
        sub.add_argument("--json", action="store_true")
        sub.set_defaults(handler="qr.commands:lint")

    if wanted("team"):
        from qr.team_cli import add_team_command  # light: qr.team itself loads only when a team command runs
        add_team_command(command, _global_options)

    if wanted("init"):
        sub = command("init", "copy the bundled library to PATH to start your own")
        sub.add_argument("path")
        sub.set_defaults(handler="qr.commands:init")

    if wanted("import"):
        sub = command("import", "import phrases from Sogou / Rime / Qianniu-style sheets / espanso / qr csv files")
        sub.add_argument("file", metavar="FILE")
        sub.add_argument("--format", choices=("auto", "sogou", "rime", "qianniu", "espanso", "csv"), default="auto", help="default: told from the content")
        sub.add_argument("--into", required=True, metavar="LIBRARY", help="library folder to write into (created if missing)")
        sub.add_argument("--group", metavar="NAME", help="put every phrase into one new group NAME")
        sub.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
        sub.add_argument("--replace", action="store_true", help="overwrite phrases whose code is already in the library")
        sub.set_defaults(handler="qr.transfer.cli:import_command")

    if wanted("export"):
        sub = command("export", "write a sheet or file for the platform's own quick-phrase tool")
        sub.add_argument("--format", required=True, choices=("qianniu-csv", "qianniu-xlsx", "sogou", "csv"))
        sub.add_argument("--out", required=True, metavar="FILE")
        sub.add_argument("--group", metavar="G", help="only this group (name or file)")
        sub.add_argument("--category", metavar="C", help="only this category")
        sub.set_defaults(handler="qr.transfer.cli:export_command")

    if wanted("stats"):
        sub = command("stats", "most used and never used phrases per group (usage counts only)")
        sub.add_argument("--days", type=int, default=30, metavar="N", help="the period: the last N days (0: all history; default 30)")
        sub.add_argument("--clear", action="store_true", help="delete the usage history")
        sub.add_argument("--json", action="store_true", help="code, title, group, count, last_used per phrase")
        sub.set_defaults(handler="qr.stats:stats")

    if only and only not in commands.choices:
        return build_parser()  # not a command: argparse's error lists them all
    return parser


def parse_values(pairs: Sequence[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise CommandError(f"--set wants NAME=VALUE, got {pair!r}")
        values[name.strip()] = value
    return values


def _handler(dotted: str) -> Callable[[argparse.Namespace], int]:
    from importlib import import_module

    module, _, name = dotted.partition(":")
    return getattr(import_module(module), name)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        if args.command is None:
            from qr.launch import run_launcher  # imports Textual

            return run_launcher(args)
        return _handler(args.handler)(args)
    except CommandError as error:
        print(f"qr: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # one line, never a traceback (QR_DEBUG=1 shows it)
        if os.environ.get("QR_DEBUG"):
            raise
        print(f"qr: unexpected error: {type(error).__name__}: {error}", file=sys.stderr)
        return 70


def print_json(document: object) -> None:
    import json  # here: `qr render` and the launcher print no JSON

    json.dump(document, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
