"""The `qr` command line: one module per subcommand, listed in COMMANDS below.

Adding a subcommand `qr frob` takes one file and one line:

1. `qr/cli/frob.py` ends with `COMMAND = Command("frob", help, add_arguments, run)` (declared
   below): `add_arguments(parser)` declares its options, `run(args) -> int` does the
   work and returns the exit status. Failures raise `CommandError(message, exit_code)`: one line
   on stderr, never a traceback. Import heavy modules (the store, the index, Textual) inside `run`:
   `qr --help` imports every subcommand module to build its parser.
2. `"frob": "qr.cli.frob",` in COMMANDS (the order is the order `qr --help` lists them in).
   A subcommand named like a builtin or keyword gets a trailing underscore (`list_.py`): the
   package namespace holds its submodules, and `list` there would hide the builtin.

`qr` with no subcommand runs the launcher (qr/cli/launch.py), the only path that imports Textual.
Arguments are parsed before anything heavy is imported, and only the subcommand the command line
names is imported and built (see `build_parser`): a warm `qr search` costs a few ms less for it.

Exit codes: 0 ok; 1 lint found errors; 2 bad input (unknown code, missing or invalid values,
unreadable file, `init` into a non-empty folder); 3 no clipboard; 70 an unexpected error.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from qr.workspace import Workspace

from qr import __version__

COMMANDS: dict[str, str] = {
    "render": "qr.cli.render",
    "copy": "qr.cli.copy",
    "search": "qr.cli.search",
    "list": "qr.cli.list_",
    "lint": "qr.cli.lint",
    "team": "qr.cli.team",
    "init": "qr.cli.init",
    "import": "qr.cli.import_",
    "export": "qr.cli.export",
    "stats": "qr.cli.stats",
}
"""Subcommand name -> the module that declares it (its `COMMAND`)."""

LAUNCHER_FLAGS: dict[str, str] = {
    "--once": "the launcher exits after one copy (for a hotkey)",
}
"""Switches of the launcher (`qr` with no subcommand), accepted before a subcommand only."""


@dataclass(frozen=True)
class Command:
    """A subcommand: `qr NAME …` (registered in qr.cli.COMMANDS)."""

    name: str
    help: str
    """One line for `qr --help` and the subcommand's description."""
    add_arguments: Callable[[argparse.ArgumentParser], None]
    """Declares the subcommand's arguments (--library/--profile are added for it)."""
    run: Callable[[argparse.Namespace], int]
    """Does the work; returns the exit status, or raises CommandError."""


GLOBAL_OPTIONS: dict[str, tuple[str, str]] = {
    "--library": ("PATH", "library folder (else $QR_LIBRARY, the config file, the bundled library)"),
    "--profile": ("NAME", "profile from the config file"),
}
"""Options taking a value, accepted before and after the subcommand: option -> (metavar, help)."""

def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """GLOBAL_OPTIONS on `parser`; `suppress` on subparsers, so an option given before the
    subcommand is not reset to None by the subparser's default."""
    default = argparse.SUPPRESS if suppress else None
    for option, (metavar, help) in GLOBAL_OPTIONS.items():
        parser.add_argument(option, metavar=metavar, default=default, help=help)


class CommandError(Exception):
    """A failure to report in one line on stderr, with an exit code."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def workspace_for(args: argparse.Namespace, *, warn: bool = True) -> Workspace:
    """The library (or profile) the options name, loaded; a bad config or a missing folder is a
    CommandError. With `warn`, each file that could not be loaded is a warning on stderr."""
    from qr.config import ConfigError
    from qr.workspace import open_workspace

    try:
        workspace = open_workspace(getattr(args, "library", None), profile=getattr(args, "profile", None))
    except ConfigError as error:
        raise CommandError(str(error)) from None
    if workspace.config.ui_lang:  # else the locale decides the language of core messages (qr.i18n)
        from qr.i18n import choose_language, set_language

        set_language(choose_language(workspace.config.ui_lang))
    for library in workspace.libraries:
        if not library.root.is_dir():
            raise CommandError(f"library folder not found: {library.root}")
    if warn:
        for problem in workspace.problems:
            print(f"qr: warning: {problem} (skipped; the rest of the library loaded)", file=sys.stderr)
    return workspace


def add_set_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--set", dest="values", action="append", default=[], metavar="NAME=VALUE", help="a variable's value (repeatable)")


def parse_values(pairs: Sequence[str]) -> dict[str, str]:
    """`--set NAME=VALUE` pairs as a dict; a pair without `=` or a name is a CommandError."""
    values = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise CommandError(f"--set wants NAME=VALUE, got {pair!r}")
        values[name.strip()] = value
    return values


def print_json(document: object) -> None:
    import json  # here: `qr render` and the launcher print no JSON

    json.dump(document, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


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
        known = [option for option in (*GLOBAL_OPTIONS, *LAUNCHER_FLAGS, "--version", "--help") if option.startswith(name)]
        if len(known) != 1 or known[0] in ("--version", "--help"):
            return None
        if known[0] in GLOBAL_OPTIONS and not equals:
            next(tokens, None)
    return ""


def command(name: str) -> Command:
    """The declaration of subcommand `name` (imports its module)."""
    from importlib import import_module

    return import_module(COMMANDS[name]).COMMAND


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The `qr` parser. Given `argv`, only the subcommand it names is built (none for the launcher):
    importing and building all of them costs a tenth of a warm `qr search`. Parsing `argv` gives
    the same result and the same errors either way: usage lines do not list the commands, and an
    unknown command or anything unclear (--help, --version) builds them all."""
    only = _named_command(argv) if argv is not None else None
    if only and only not in COMMANDS:
        only = None  # not a command: argparse's error lists them all
    parser = argparse.ArgumentParser(
        prog="qr",
        description="Quick replies for customer service: type /code or a few letters, Enter, and the reply is on the clipboard.",
    )
    parser.add_argument("--version", action="version", version=f"qr {__version__}")
    add_global_options(parser, suppress=False)
    for flag, help in LAUNCHER_FLAGS.items():
        parser.add_argument(flag, action="store_true", help=help)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is None or name == only:
            declared = command(name)
            sub = subparsers.add_parser(name, help=declared.help, description=declared.help)
            add_global_options(sub, suppress=True)
            declared.add_arguments(sub)
            sub.set_defaults(run=declared.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The console script `qr` (and `python -m qr`): the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        if args.command is None:
            from qr.cli.launch import run_launcher

            return run_launcher(args)
        return args.run(args)
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
