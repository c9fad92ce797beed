"""`qr init PATH`: copy the bundled library to PATH to start your own."""

from __future__ import annotations

import sys
from pathlib import Path

from qr.cli import Command, CommandError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path")


def run(args: argparse.Namespace) -> int:
    from qr.config import ConfigError, bundled_library

    target = Path(args.path).expanduser()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CommandError(f"{target} exists and is not empty; choose a new or empty folder")
    try:
        source = bundled_library()
    except ConfigError as error:
        raise CommandError(str(error)) from None
    import shutil  # here: shutil pulls in bz2 and lzma, which no other command needs

    try:
        shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__init__.py", "__pycache__", "*.pyc"))
    except OSError as error:
        raise CommandError(f"cannot create {target}: {error.strerror or error}") from None
    count = sum(1 for _ in target.rglob("*.toml"))
    print(f"created {target} with {count} files; use it with: qr --library {target}  (or set library in the config file)", file=sys.stderr)
    return 0


COMMAND = Command("init", "copy the bundled library to PATH to start your own", add_arguments, run)
