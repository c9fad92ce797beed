"""argparse's `qr` parser: help, usage and errors in the CLI's language, every subcommand or only
the one the command line names. A plain `qr search`/`render`/`list` never imports this module nor
argparse (with gettext and locale, ~8 ms): `qr.cli.quick_parse` reads such command lines from the
subcommand's own declaration and hands anything it does not fully understand to `parse` here."""

from __future__ import annotations

import argparse

from qr import __version__
from qr.cli import COMMANDS, LAUNCHER_FLAGS, add_global_options, command, named_command, safe, tr

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from _typeshed import SupportsWrite


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage, help and errors reach the terminal through `safe`: an
    argument typed with an escape sequence in it is echoed escaped in "unrecognized arguments"."""

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        super()._print_message(safe(message) if message else message, file)


class HelpFormatter(argparse.HelpFormatter):
    """Help texts are catalogue ids (`cli.*`), looked up when help is shown rather than when the
    parser is built: building `qr search`'s parser must not load the catalogue."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._headings: list[str] = []

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return translated_help(action.help) if action.help else action.help

    def add_text(self, text: str | None) -> None:
        super().add_text(translated_help(text) if text else text)

    def start_section(self, heading: str | None) -> None:
        heading = translated_help(heading) if heading else heading
        if heading:
            self._headings.append(heading)
        super().start_section(heading)

    def format_help(self) -> str:
        # argparse ends a section heading with ":"; a Chinese one ends with "："
        text = super().format_help()
        for heading in self._headings:
            if not heading.isascii():
                text = text.replace(f"\n{heading}:\n", f"\n{heading}：\n")
        return text

    # argparse wraps by characters; a Chinese character takes two columns, so zh help overflowed
    # an 80-column terminal, which broke its lines again mid-word.
    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_cells(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap_cells(" ".join(text.split()), width - len(indent)))


def wrap_cells(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` terminal columns: at spaces, or between two wide
    (Chinese) characters, never before closing punctuation."""
    import re
    import unicodedata

    def cells(piece: str) -> int:
        return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in piece)

    lines: list[str] = []
    line = ""
    closing = "）】」』》〉，。；：！？、”’"  # never at the start of a line
    for token in re.findall(rf"(?:[^\s\u2e80-\uffef]+|[\u2e80-\uffef])[{closing}]*\s*|\s+", text):
        if line and cells(line + token.rstrip()) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


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


def parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """`parser.parse_args(argv)` with argparse's own messages (usage:, error:, invalid choice…)
    in the CLI's language: argparse looks them up through its module's `_` when it shows them."""
    english = argparse._  # type: ignore[attr-defined]  # argparse's gettext, a module global
    argparse._ = translated_help  # type: ignore[attr-defined]
    try:
        return parser.parse_args(argv)
    finally:
        argparse._ = english  # type: ignore[attr-defined]


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The `qr` parser. Given `argv`, only the subcommand it names is built (none for the launcher):
    importing and building all of them costs a tenth of a warm `qr search`. Parsing `argv` gives
    the same result and the same errors either way: usage lines do not list the commands, and an
    unknown command or anything unclear (--help, --version) builds them all."""
    only = named_command(argv) if argv is not None else None
    if only and only not in COMMANDS:
        only = None  # not a command: argparse's error lists them all
    parser = _Parser(prog="qr", description="cli.description", formatter_class=HelpFormatter)
    parser.add_argument("-V", "--version", action="version", version=f"qr {__version__}", help="cli.opt.version")
    add_global_options(parser, suppress=False)
    for flag, help in LAUNCHER_FLAGS.items():
        parser.add_argument(flag, action="store_true", help=help)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is None or name == only:
            declared = command(name)
            sub = subparsers.add_parser(name, help=declared.help, description=declared.help, formatter_class=HelpFormatter)
            add_global_options(sub, suppress=True)
            declared.add_arguments(sub)
            sub.set_defaults(run=declared.run)
    return parser
