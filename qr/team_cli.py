"""`qr team status|pull|publish`: the command-line face of qr.team (no Textual)."""

from __future__ import annotations

import argparse
from pathlib import Path

from qr.cli import CommandError

# The parser is built on every run (`qr --help` too): config, qr.team and the store behind it are
# imported by the handlers only.


def _library(args: argparse.Namespace) -> Path:
    """The library the team commands work on: `--library`, else the profile's first (the shop's own)."""
    from qr.config import ConfigError, load_config, resolve_libraries, select_profile

    option = getattr(args, "library", None)
    try:
        config = load_config()
        profile = select_profile(getattr(args, "profile", None), config, library_option=option)
        return resolve_libraries(option, config, profile)[0]
    except ConfigError as error:
        raise CommandError(str(error)) from None


def team_status(args: argparse.Namespace) -> int:
    from qr.team import TeamError, status

    try:
        result = status(_library(args), fetch_first=not args.no_fetch)
    except TeamError as error:
        raise CommandError(str(error)) from None
    print("\n".join(result.lines()))
    return 0


def team_pull(args: argparse.Namespace) -> int:
    from qr.team import TeamError, pull

    try:
        result = pull(_library(args))
    except TeamError as error:
        raise CommandError(str(error)) from None
    print("\n".join(result.lines()))
    return 0


def team_publish(args: argparse.Namespace) -> int:
    from qr.team import TeamError, publish

    try:
        result = publish(_library(args), args.message)
    except TeamError as error:
        raise CommandError(str(error)) from None
    print("\n".join(result.lines()))
    return 0


def add_team_command(command, global_options) -> None:
    """Register `qr team ACTION` (called from qr.cli.build_parser with its subcommand factory)."""
    team = command("team", "the library as a git work tree shared by the team: status, pull, publish")
    actions = team.add_subparsers(dest="team_action", metavar="ACTION", required=True)

    def action(name: str, help: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help, description=help)
        global_options(sub, suppress=True)  # `qr team pull --library X` as well as `qr --library X team pull`
        return sub

    sub = action("status", "branch, commits behind/ahead of the remote, unpublished files")
    sub.add_argument("--no-fetch", action="store_true", help="do not contact the remote; use what the last fetch saw")
    sub.set_defaults(handler="qr.team_cli:team_status")

    sub = action("pull", "fetch and fast-forward to the team's library; says which codes changed")
    sub.set_defaults(handler="qr.team_cli:team_pull")

    sub = action("publish", "lint, commit the changed group files and push (rebasing on a rejected push; never forced)")
    sub.add_argument("-m", "--message", metavar="MESSAGE", help="commit subject (the changed codes are listed in the body)")
    sub.set_defaults(handler="qr.team_cli:team_publish")
