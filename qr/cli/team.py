"""`qr team status|pull|publish`: the library as a git work tree shared by the team (qr.team)."""

from __future__ import annotations

from pathlib import Path

from qr.cli import Command, CommandError, add_global_options

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

# The parser is built on every `qr team …` and `qr --help`: config, qr.team and the store behind
# it are imported by the actions only.


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="team_action", metavar="ACTION", required=True)

    def action(name: str, help: str, run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help, description=help)
        add_global_options(sub, suppress=True)  # `qr team pull --library X` as well as `qr --library X team pull`
        sub.set_defaults(team_run=run)
        return sub

    sub = action("status", "branch, commits behind/ahead of the remote, unpublished files", status)
    sub.add_argument("--no-fetch", action="store_true", help="do not contact the remote; use what the last fetch saw")
    action("pull", "fetch and fast-forward to the team's library; says which codes changed", pull)
    sub = action("publish", "lint, commit the changed group files and push (rebasing on a rejected push; never forced)", publish)
    sub.add_argument("-m", "--message", metavar="MESSAGE", help="commit subject (the changed codes are listed in the body)")


def library_root(args: argparse.Namespace) -> Path:
    """The library the team commands work on: `--library`, else the profile's first (the shop's own)."""
    from qr.config import ConfigError, load_config, resolve_libraries, select_profile

    option = getattr(args, "library", None)
    try:
        config = load_config()
        profile = select_profile(getattr(args, "profile", None), config, library_option=option)
        return resolve_libraries(option, config, profile)[0]
    except ConfigError as error:
        raise CommandError(str(error)) from None


def status(args: argparse.Namespace) -> int:
    from qr.team import TeamError
    from qr.team import status as team_status

    try:
        result = team_status(library_root(args), fetch_first=not args.no_fetch)
    except TeamError as error:
        raise CommandError(str(error)) from None
    print("\n".join(result.lines()))
    return 0


def pull(args: argparse.Namespace) -> int:
    from qr.team import TeamError
    from qr.team import pull as team_pull

    try:
        result = team_pull(library_root(args))
    except TeamError as error:
        raise CommandError(str(error)) from None
    print("\n".join(result.lines()))
    return 0


def publish(args: argparse.Namespace) -> int:
    from qr.team import TeamError
    from qr.team import publish as team_publish

    try:
        result = team_publish(library_root(args), args.message)
    except TeamError as error:
        raise CommandError(str(error)) from None
    print("\n".join(result.lines()))
    return 0


def run(args: argparse.Namespace) -> int:
    return args.team_run(args)  # the action's own (argparse requires an action)


COMMAND = Command("team", "the library as a git work tree shared by the team: status, pull, publish", add_arguments, run)
