"""`qr completion bash|zsh|fish`: print the shell's completion script for qr.

The script is generated from qr's own parser by shtab, so it knows every subcommand and option
(a new subcommand is completed once the script is written again). It is static: pressing Tab runs
no Python, and a normal `qr` start imports nothing for it (argcomplete would import itself on
every start and run qr on every Tab). Install it once:

    bash:  qr completion bash > ~/.local/share/bash-completion/completions/qr
    zsh:   qr completion zsh > ~/.zfunc/_qr     (with `fpath+=~/.zfunc; autoload -U compinit; compinit` in ~/.zshrc)
    fish:  qr completion fish > ~/.config/fish/completions/qr.fish
"""

from __future__ import annotations

import argparse
import sys

from qr.cli import Command, CommandError, tr
from qr.cli.parser import build_parser, translated_help

SHELLS = ("bash", "zsh", "fish")

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterator

# shtab's completers, by the metavar qr gives an argument (the same dicts as shtab.DIRECTORY/FILE)
_DIRECTORY = {"bash": "_shtab_compgen_dirs", "zsh": "_files -/", "tcsh": "d"}
_FILE = {"bash": "_shtab_compgen_files", "zsh": "_files", "tcsh": "f"}
_COMPLETERS = {"PATH": _DIRECTORY, "LIBRARY": _DIRECTORY, "FILE": _FILE}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="cli.completion.shell")


def run(args: argparse.Namespace) -> int:
    try:
        import shtab  # ~0.1 s, and only here
    except ImportError:
        raise CommandError(tr("cli.completion.no_shtab")) from None
    parser = build_parser()
    for each in _parsers(parser):
        for action in each._actions:
            if action.help and action.help != argparse.SUPPRESS:
                action.help = translated_help(action.help)  # zsh and fish show them beside the choices
            completer = _COMPLETERS.get(str(action.metavar))
            if completer:
                action.complete = completer  # type: ignore[attr-defined]  # read by shtab
    sys.stdout.write(shtab.complete(parser, shell=args.shell))
    return 0


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """`parser` and every subparser below it, their descriptions worded (zsh and fish show them)."""
    parser.description = translated_help(parser.description) if parser.description else parser.description
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                choice.help = translated_help(choice.help) if choice.help else choice.help
            for sub in dict.fromkeys(action.choices.values()):
                yield from _parsers(sub)


COMMAND = Command("completion", "cli.completion", add_arguments, run)
