"""`qr init PATH`: copy the bundled library to PATH to start your own."""

from __future__ import annotations

from pathlib import Path

from qr.cli import Command, CommandError, note, tr

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="cli.init.path")


def run(args: argparse.Namespace) -> int:
    from qr.config import ConfigError, bundled_library

    target = Path(args.path).expanduser()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CommandError(tr("cli.init.not_empty", path=target))
    try:
        source = bundled_library()
    except ConfigError as error:
        raise CommandError(error) from None
    import shutil  # here: shutil pulls in bz2 and lzma, which no other command needs

    try:
        shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__init__.py", "__pycache__", "*.pyc"))
    except OSError as error:
        raise CommandError(tr("cli.init.cannot_create", path=target, error=error.strerror or error)) from None
    count = sum(1 for _ in target.rglob("*.toml"))
    note(tr("cli.init.done", path=target, count=count))
    return 0


COMMAND = Command("init", "cli.init", add_arguments, run)
