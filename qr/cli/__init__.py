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

    from _typeshed import SupportsWrite

    from qr.config import Config
    from qr.workspace import Workspace

from qr import __version__

COMMANDS: dict[str, str] = {
    "render": "qr.cli.render",
    "copy": "qr.cli.copy",
    "search": "qr.cli.search",
    "list": "qr.cli.list_",
    "lint": "qr.cli.lint",
    "check": "qr.cli.check",
    "team": "qr.cli.team",
    "init": "qr.cli.init",
    "import": "qr.cli.import_",
    "export": "qr.cli.export",
    "stats": "qr.cli.stats",
    "paths": "qr.cli.paths",
    "completion": "qr.cli.completion",
    "live": "qr.cli.live",
    "asks": "qr.cli.asks",
}
"""Subcommand name -> the module that declares it (its `COMMAND`)."""

LAUNCHER_FLAGS: dict[str, str] = {
    "--once": "cli.opt.once",
    "--paste": "cli.opt.paste",
}
"""Switches of the launcher (`qr` with no subcommand), accepted before a subcommand only: -> help id."""


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
    "--library": ("PATH", "cli.opt.library"),
    "--profile": ("NAME", "cli.opt.profile"),
}
"""Options taking a value, accepted before and after the subcommand: option -> (metavar, help id)."""

def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """GLOBAL_OPTIONS on `parser`; `suppress` on subparsers, so an option given before the
    subcommand is not reset to None by the subparser's default."""
    default = argparse.SUPPRESS if suppress else None
    for option, (metavar, help) in GLOBAL_OPTIONS.items():
        parser.add_argument(option, metavar=metavar, default=default, help=help)


class CommandError(Exception):
    """A failure to report in one line on stderr, with an exit code. The message may be an
    object whose `str()` is the text (a ConfigError): it is rendered when printed, in the CLI's
    language."""

    def __init__(self, message: object, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def safe(text: str) -> str:
    """`text` as it may reach a terminal: control characters (ESC, C1, bidi overrides…) written
    as `\\x1b`, never raw; newlines and tabs kept. qr.terminal_text is imported only when
    there is something to escape, which keeps it off a warm `qr search`."""
    if text.isprintable() or text.replace("\n", "").replace("\t", "").isprintable():
        return text
    from qr.terminal_text import escape_controls

    return escape_controls(text)


def out(text: str = "") -> None:
    """One line of output on stdout, control characters escaped."""
    sys.stdout.write(safe(text) + "\n")


def warn(text: str) -> None:
    """`qr: warning: …` on stderr, control characters escaped."""
    sys.stderr.write(safe(f"qr: {tr('cli.warning', message=text)}") + "\n")


def note(text: str) -> None:
    """A line about what was done (copied, created, exported…) on stderr, so stdout stays data."""
    sys.stderr.write(safe(text) + "\n")


_language_chosen = False


def tr(key: str, **values: object) -> str:
    """The catalogue's text for `key` (qr/i18n.py, `cli.*`) in the CLI's language: `ui_lang` from
    the config, else the locale (LC_ALL, LC_MESSAGES, LANG: zh* is Chinese), else English."""
    from qr.i18n import t

    use_cli_language()
    return t(key, **values)


def use_cli_language(config: Config | None = None) -> None:
    """Choose the language of the catalogue and of core messages for this run (once; main()
    starts each run afresh): `ui_lang` of `config`, else of the config file read now, else the
    locale, which qr.i18n follows by default: with no `ui_lang`, a warm `qr search` that says
    nothing never imports the catalogue."""
    global _language_chosen
    if _language_chosen:
        return
    _language_chosen = True
    from qr.config import ConfigError, load_config

    if config is None:
        try:
            config = load_config()
        except ConfigError as error:
            if error.ui_lang:  # the error itself is shown in the file's language if it says one
                _set_language(error.ui_lang)
            return
    if config.ui_lang:
        _set_language(config.ui_lang)


def _set_language(configured: str | None) -> None:
    from qr.i18n import choose_language, set_language

    set_language(choose_language(configured) if configured else None)


def workspace_for(args: argparse.Namespace, *, warn_problems: bool = True, index: bool = True) -> Workspace:
    """The library (or profile) the options name, loaded; a bad config or a missing folder is a
    CommandError. Unknown config keys are warnings on stderr, and with `warn_problems` so is each
    file that could not be loaded."""
    from qr.config import ConfigError
    from qr.workspace import open_workspace

    try:
        workspace = open_workspace(getattr(args, "library", None), profile=getattr(args, "profile", None), index=index)
    except ConfigError as error:
        raise CommandError(error) from None
    use_cli_language(workspace.config)  # core messages (load problems, lint) follow ui_lang too
    for warning in workspace.config.warnings:
        warn(str(warning))
    for library in workspace.libraries:
        if not library.root.is_dir():
            raise CommandError(tr("cli.library_not_found", path=library.root))
    if warn_problems:
        for problem in workspace.problems:
            warn(tr("cli.problem_skipped", problem=problem))
    return workspace


def add_set_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--set", dest="values", action="append", default=[], metavar="NAME=VALUE", help="cli.arg.set")


def parse_values(pairs: Sequence[str]) -> dict[str, str]:
    """`--set NAME=VALUE` pairs as a dict; a pair without `=` or a name is a CommandError."""
    values = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            raise CommandError(tr("cli.set_syntax", pair=repr(pair)))
        values[name.strip()] = value
    return values


def print_json(document: object) -> None:
    import json  # here: `qr render` and the launcher print no JSON

    text = json.dumps(document, ensure_ascii=False, indent=2, default=str)
    if not text.replace("\n", "").isprintable():  # C1 or bidi characters in a string
        from qr.terminal_text import escape_json_controls

        text = escape_json_controls(text)
    sys.stdout.write(text + "\n")


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage, help and errors reach the terminal through `safe`: an
    argument typed with an escape sequence in it is echoed escaped in "unrecognized arguments"."""

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        super()._print_message(safe(message) if message else message, file)


class _HelpFormatter(argparse.HelpFormatter):
    """Help texts are catalogue ids (`cli.*`), looked up when help is shown rather than when the
    parser is built: building `qr search`'s parser must not load the catalogue."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return translated_help(action.help) if action.help else action.help

    def add_text(self, text: str | None) -> None:
        super().add_text(translated_help(text) if text else text)

    def start_section(self, heading: str | None) -> None:
        super().start_section(translated_help(heading) if heading else heading)


def translated_help(text: str) -> str:
    """A help text (a `cli.*` id) or one of argparse's own English texts, in the CLI's language;
    other text unchanged."""
    from qr.i18n import EN

    if text in EN:
        return tr(text)
    key = _argparse_ids().get(text)
    return tr(key) if key else text


def _argparse_ids() -> dict[str, str]:
    """argparse's English texts -> their ids in the catalogue (`argparse.*`)."""
    from qr.i18n import EN

    return {text: key for key, text in EN.items() if key.startswith("argparse.")}


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """`parser.parse_args(argv)` with argparse's own messages (usage:, error:, invalid choice…)
    in the CLI's language: argparse looks them up through its module's `_` when it shows them."""
    english = argparse._  # type: ignore[attr-defined]  # argparse's gettext, a module global
    argparse._ = translated_help  # type: ignore[attr-defined]
    try:
        return parser.parse_args(argv)
    finally:
        argparse._ = english  # type: ignore[attr-defined]


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
    parser = _Parser(prog="qr", description="cli.description", formatter_class=_HelpFormatter)
    parser.add_argument("-V", "--version", action="version", version=f"qr {__version__}", help="cli.opt.version")
    add_global_options(parser, suppress=False)
    for flag, help in LAUNCHER_FLAGS.items():
        parser.add_argument(flag, action="store_true", help=help)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is None or name == only:
            declared = command(name)
            sub = subparsers.add_parser(name, help=declared.help, description=declared.help, formatter_class=_HelpFormatter)
            add_global_options(sub, suppress=True)
            declared.add_arguments(sub)
            sub.set_defaults(run=declared.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The console script `qr` (and `python -m qr`): the exit status."""
    global _language_chosen
    _language_chosen = False
    if "qr.i18n" in sys.modules:  # a run before this one in the same process (tests) chose one
        _set_language(None)
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parse(build_parser(argv), argv)
    try:
        if args.command is None:
            from qr.cli.launch import run_launcher

            return run_launcher(args)
        return args.run(args)
    except CommandError as error:
        use_cli_language()  # a ConfigError's text is rendered now
        sys.stderr.write(safe(f"qr: {error}") + "\n")
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # one line, never a traceback (QR_DEBUG=1 shows it)
        if os.environ.get("QR_DEBUG"):
            raise
        sys.stderr.write(safe(f"qr: {tr('cli.unexpected', error=f'{type(error).__name__}: {error}')}") + "\n")
        return 70
