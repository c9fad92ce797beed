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

        app = make_app(workspace, clipboard=SystemClipboard(), once=bool(getattr(args, "once", False)), usage=UsageStore(busy_timeout=LAUNCHER_BUSY_TIMEOUT))
        app.resume_gc_after_start = True
        app.run()
    finally:
        gc.enable()
    return app.return_code or 0
