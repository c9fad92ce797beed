"""`qr` with no subcommand: open the workspace, then run the launcher on the system clipboard.

The library is loaded before Textual starts, so a missing folder or a bad config is one line on
stderr (exit 2) instead of a flash of an empty screen.
"""

from __future__ import annotations

import gc

from qr.cli import workspace_for

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse

    from qr.paste import Paster
    from qr.workspace import Workspace

LAUNCHER_BUSY_TIMEOUT = 1.0
"""Seconds a copy waits for another qr's write to the usage history (on the UI thread)."""


def run_launcher(args: argparse.Namespace) -> int:
    """Run the launcher until the user quits (or after one copy with `--once`); the exit status."""
    # Start-up makes a few hundred thousand objects that live as long as qr (the index, Textual's
    # modules, widgets and styles): the cyclic collector walking them again and again while they
    # are made cost ~35 ms of a ~370 ms first frame. It is off until the launcher is on screen (the
    # app turns it back on, see QrApp.resume_gc_after_start), and on again whatever happens.
    gc.disable()
    try:
        # a missing library or a bad config is a CommandError (exit 2) before Textual starts
        workspace = workspace_for(args, warn_problems=False)  # problems are shown in the app instead
        workspace.index  # build the index before the first frame, so the first frame has hits  # noqa: B018

        from qr.app import make_app  # imports Textual (~200 ms)
        from qr.clipboard import SystemClipboard
        from qr.usage import UsageStore

        once = bool(getattr(args, "once", False))
        paster = None
        if wants_paste(args, workspace):
            from qr.paste import start_paster

            paster = start_paster()  # remembers the window that has the focus now
        app = make_app(workspace, clipboard=SystemClipboard(), once=once, usage=UsageStore(busy_timeout=LAUNCHER_BUSY_TIMEOUT), paster=paster)
        app.resume_gc_after_start = True
        app.run()
    finally:
        gc.enable()
    code = app.return_code or 0
    if once and code == 0 and paster is not None:
        paste_after_exit(paster)
    return code


def wants_paste(args: argparse.Namespace, workspace: Workspace) -> bool:
    """`--paste`, else `paste = true` in the profile's table, else at the top of the config."""
    if getattr(args, "paste", False):
        return True
    config = workspace.config
    profile = config.profiles.get(workspace.profile_name or "") if workspace.profile_name else None
    if isinstance(profile, dict) and isinstance(profile.get("paste"), bool):
        return profile["paste"]
    return config.extra.get("paste") is True


def paste_after_exit(paster: Paster | str) -> None:
    """`--once --paste`: qr has closed; paste into the window the focus went back to (a reason on
    stderr when that cannot be done; the reply stays on the clipboard)."""
    import sys

    from qr.i18n import t
    from qr.paste import PasteUnavailable

    if isinstance(paster, str):
        print(t("paste.unavailable", problem=paster), file=sys.stderr)
        return
    try:
        paster.paste_after_exit()
    except PasteUnavailable as error:
        print(t("paste.unavailable", problem=error), file=sys.stderr)
