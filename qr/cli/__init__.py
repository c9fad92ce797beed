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
Arguments are parsed before anything heavy is imported. A plain command line (`qr search wlfm
--json`, `qr render wl1 --set a=b`) is read by `quick_parse` from the subcommand's own declaration,
without argparse; anything else (help, an abbreviation, a short option, an error to report, a
subcommand with actions) goes to argparse (qr/cli/parser.py), which builds only the subcommand the
command line names. Both give the same namespace (tests/test_fast_start.py holds it).

Exit codes: 0 ok; 1 lint found errors; 2 bad input (unknown code, missing or invalid values,
unreadable file, `init` into a non-empty folder); 3 no clipboard; 70 an unexpected error.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: a warm `qr search` never needs it
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from qr.config import Config
    from qr.workspace import Workspace

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


class Command:
    """A subcommand: `qr NAME …` (registered in qr.cli.COMMANDS). A plain class, not a dataclass:
    every run defines it, and a dataclass costs the `dataclasses` module (~8 ms with `inspect`)."""

    __slots__ = ("add_arguments", "help", "name", "run")

    def __init__(
        self,
        name: str,
        help: str,
        add_arguments: Callable[[argparse.ArgumentParser], None],
        run: Callable[[argparse.Namespace], int],
    ) -> None:
        self.name = name
        self.help = help
        """One line for `qr --help` and the subcommand's description."""
        self.add_arguments = add_arguments
        """Declares the subcommand's arguments (--library/--profile are added for it)."""
        self.run = run
        """Does the work; returns the exit status, or raises CommandError."""


GLOBAL_OPTIONS: dict[str, tuple[str, str]] = {
    "--library": ("PATH", "cli.opt.library"),
    "--profile": ("NAME", "cli.opt.profile"),
}
"""Options taking a value, accepted before and after the subcommand: option -> (metavar, help id)."""

def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """GLOBAL_OPTIONS on `parser`; `suppress` on subparsers, so an option given before the
    subcommand is not reset to None by the subparser's default."""
    import argparse  # building a parser: argparse is loaded already

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


def named_command(argv: Sequence[str]) -> str | None:
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


class _Unclear(Exception):
    """The command line is not one `quick_parse` reads: argparse does."""


_UNSET = object()
_Option = tuple  # (dest, action, type, choices) of a `--name` option, as `quick_parse` reads it


class _Declaration:
    """Stands in for a subcommand's argparse parser while its `add_arguments` runs, and records the
    arguments `quick_parse` reads as argparse would: positionals given once, `--long` options that
    store a value (converted by `type`, checked against `choices`), switches (`store_true`) and
    `append`. Anything else (short options, optional positionals, subparsers, other actions or
    keywords) raises, and argparse reads that command."""

    def __init__(self) -> None:
        self.positionals: list[tuple[str, tuple[object, ...] | None]] = []
        """(dest, choices) in order; each one required."""
        self.options: dict[str, _Option] = {}
        """`--name` -> (dest, action, type, choices)."""
        self.defaults: dict[str, object] = {}
        self.required: set[str] = set()

    def add_argument(
        self, *names: str, action: str = "store", dest: str | None = None, type: Callable[[str], object] | None = None,
        default: object = _UNSET, choices: Sequence[object] | None = None, required: bool = False,
        metavar: str | None = None, help: str | None = None,
    ) -> None:
        allowed = tuple(choices) if choices is not None else None
        if len(names) == 1 and not names[0].startswith("-"):
            if action != "store" or dest is not None or default is not _UNSET or required:
                raise _Unclear
            self.positionals.append((names[0], allowed))
            return
        if not names or not all(name.startswith("--") and len(name) > 2 for name in names):
            raise _Unclear
        target = dest or names[0][2:].replace("-", "_")
        if action == "store_true":
            if type is not None or choices is not None or required:
                raise _Unclear
            self.defaults[target] = False if default is _UNSET else default
        elif action in ("store", "append"):
            self.defaults[target] = None if default is _UNSET else default
        else:
            raise _Unclear
        if required:
            self.required.add(target)
        for name in names:
            self.options[name] = (target, action, type, allowed)


def _value(token: str, kind: Callable[[str], object] | None, choices: tuple[object, ...] | None) -> object:
    try:
        value = kind(token) if kind is not None else token
    except (TypeError, ValueError):
        raise _Unclear from None  # argparse says what is wrong with it
    if choices is not None and value not in choices:
        raise _Unclear
    return value


def quick_parse(argv: Sequence[str]) -> argparse.Namespace | None:
    """The namespace argparse would give for `argv` (attribute for attribute), read without
    argparse; None when the command line is not one read here (see `_Declaration`): then argparse
    reads it, errors and help included. Only long options spelled out in full are read, so
    argparse's abbreviations and its error messages stay its own."""
    from types import SimpleNamespace

    values: dict[str, object] = {"library": None, "profile": None, **dict.fromkeys(LAUNCHER_FLAGS_DESTS, False)}
    tokens = iter(argv)
    try:
        for token in tokens:
            if token in GLOBAL_OPTIONS or token.partition("=")[0] in GLOBAL_OPTIONS:
                _take(token, tokens, GLOBAL_OPTIONS_DESTS, values)
            elif token in LAUNCHER_FLAGS:
                values[token[2:]] = True
            elif token.startswith("-") or token not in COMMANDS:
                return None
            else:
                values["command"] = token
                values.update(_subcommand(command(token), tokens))
                break
        else:
            values["command"] = None
    except _Unclear:
        return None
    # a SimpleNamespace has what the commands read of an argparse.Namespace: its attributes
    return SimpleNamespace(**values)  # type: ignore[return-value]


GLOBAL_OPTIONS_DESTS: dict[str, _Option] = {option: (option[2:], "store", None, None) for option in GLOBAL_OPTIONS}
LAUNCHER_FLAGS_DESTS = tuple(flag[2:] for flag in LAUNCHER_FLAGS)


def _take(token: str, tokens: Iterator[str], options: Mapping[str, _Option], values: dict[str, object]) -> str:
    """Option `token` (`--name`, `--name=value`) of `options` into `values`, its value taken from
    `tokens` when not joined to it; returns the option's dest."""
    name, equals, value = token.partition("=")
    found = options.get(name)
    if found is None:
        raise _Unclear  # an abbreviation, --help, an unknown option
    dest, action, kind, choices = found
    if action == "store_true":
        if equals:
            raise _Unclear
        values[dest] = True
        return dest
    if not equals:
        following = next(tokens, None)
        if following is None or following.startswith("-"):
            raise _Unclear  # missing, or a negative number argparse may take as a value
        value = following
    converted = _value(value, kind, choices)
    if action == "append":
        listed = values[dest]
        values[dest] = [*(listed if isinstance(listed, list) else ()), converted]
    else:
        values[dest] = converted
    return dest


def _subcommand(declared: Command, tokens: Iterator[str]) -> dict[str, object]:
    """What the rest of the command line sets for subcommand `declared` (its defaults included)."""
    declaration = _Declaration()
    try:
        declared.add_arguments(declaration)  # type: ignore[arg-type]  # records what argparse would be told
    except (_Unclear, TypeError, AttributeError):
        raise _Unclear from None
    options = {**declaration.options, **GLOBAL_OPTIONS_DESTS}
    values: dict[str, object] = dict(declaration.defaults)
    positionals = iter(declaration.positionals)
    given = set()
    for token in tokens:
        if token.startswith("-"):
            if not token.startswith("--") or token == "--":
                raise _Unclear
            given.add(_take(token, tokens, options, values))
            continue
        dest, choices = next(positionals, (None, None))
        if dest is None:
            raise _Unclear  # one too many: argparse names it
        values[dest] = _value(token, None, choices)
    if next(positionals, None) is not None or not declaration.required <= given:
        raise _Unclear  # something required is missing: argparse says what
    values["run"] = declared.run
    return values


def command(name: str) -> Command:
    """The declaration of subcommand `name` (imports its module)."""
    from importlib import import_module

    return import_module(COMMANDS[name]).COMMAND


def main(argv: Sequence[str] | None = None) -> int:
    """The console script `qr` (and `python -m qr`): the exit status."""
    global _language_chosen
    _language_chosen = False
    if "qr.i18n" in sys.modules:  # a run before this one in the same process (tests) chose one
        _set_language(None)
    argv = sys.argv[1:] if argv is None else list(argv)
    args = quick_parse(argv)
    if args is None:
        from qr.cli.parser import build_parser, parse

        args = parse(build_parser(argv), argv)
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
