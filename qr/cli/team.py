"""`qr team status|pull|publish|usage push`: the library as a git work tree shared by the team (qr.team)."""

from __future__ import annotations

from pathlib import Path

from qr.cli import Command, CommandError, add_global_options, note, out, tr, warn, workspace_for

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

# The parser is built on every `qr team …` and `qr --help`: config, qr.team and the store behind
# it are imported by the actions only.


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="team_action", metavar="ACTION", required=True)

    def action(name: str, help: str, run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help, description=help, formatter_class=parser.formatter_class)
        add_global_options(sub, suppress=True)  # `qr team pull --library X` as well as `qr --library X team pull`
        sub.set_defaults(team_run=run)
        return sub

    sub = action("status", "cli.team.status", status)
    sub.add_argument("--no-fetch", action="store_true", help="cli.team.no_fetch")
    action("pull", "cli.team.pull", pull)
    sub = action("publish", "cli.team.publish", publish)
    sub.add_argument("-m", "--message", metavar="MESSAGE", help="cli.team.message")
    sub = action("usage", "cli.team.usage", usage)
    sub.add_argument("usage_action", choices=["push"], metavar="push", help="cli.team.usage_push")


def library_root(args: argparse.Namespace) -> Path:
    """The library the team commands work on: `--library`, else the profile's first (the shop's own)."""
    from qr.config import ConfigError, load_config, resolve_libraries, select_profile

    option = getattr(args, "library", None)
    try:
        config = load_config()
        for warning in config.warnings:
            warn(str(warning))
        profile = select_profile(getattr(args, "profile", None), config, library_option=option)
        return resolve_libraries(option, config, profile)[0]
    except ConfigError as error:
        raise CommandError(error) from None


def status(args: argparse.Namespace) -> int:
    from qr.team import TeamError
    from qr.team import status as team_status

    try:
        result = team_status(library_root(args), fetch_first=not args.no_fetch)
    except TeamError as error:
        raise CommandError(error) from None
    for line in result.lines():
        out(line)
    return 0


def pull(args: argparse.Namespace) -> int:
    from qr.team import TeamError
    from qr.team import pull as team_pull

    try:
        result = team_pull(library_root(args))
    except TeamError as error:
        raise CommandError(error) from None
    for line in result.lines():
        out(line)
    return 0


def publish(args: argparse.Namespace) -> int:
    from qr.team import TeamError
    from qr.team import publish as team_publish

    try:
        result = team_publish(library_root(args), args.message)
    except TeamError as error:
        raise CommandError(error) from None
    for line in result.lines():
        out(line)
    _share_usage(args, required=False)
    return 0


def usage(args: argparse.Namespace) -> int:
    _share_usage(args, required=True)
    return 0


def _share_usage(args: argparse.Namespace, *, required: bool) -> None:
    """Push this agent's weekly copy counts to the team's usage branch when the profile opts in.

    After a publish it is a courtesy: a failure is a warning, never a failed publish."""
    from qr.team import TeamError
    from qr.team_usage import AgentUsage, push_usage, sharing_enabled, weekly
    from qr.usage import UsageStore

    workspace = workspace_for(args, warn_problems=False)
    if not sharing_enabled(workspace.config.profiles, workspace.config.extra, workspace.profile_name):
        if required:
            raise CommandError(tr("cli.team.usage_off", profile=workspace.profile_name or "-"))
        return
    store = UsageStore()
    try:
        rows = store.daily_counts(workspace.profile_name)
    finally:
        store.close()
    if rows is None:
        (warn if not required else _fail)(str(store.problem))
        return
    agent = workspace.agent or workspace.profile_name or "agent"
    try:
        pushed = push_usage(library_root(args), AgentUsage(agent, workspace.shop, weekly(rows)))
    except TeamError as error:
        if required:
            raise CommandError(error) from None
        warn(tr("cli.team.usage_failed", error=error))
        return
    note(tr("cli.team.usage_pushed" if pushed else "cli.team.usage_unchanged", agent=agent))


def _fail(text: str) -> None:
    raise CommandError(text)


def run(args: argparse.Namespace) -> int:
    return args.team_run(args)  # the action's own (argparse requires an action)


COMMAND = Command("team", "cli.team", add_arguments, run)
