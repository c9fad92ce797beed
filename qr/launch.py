"""`qr` with no command: open the workspace, then run the launcher on the system clipboard.

The library is loaded before Textual starts, so a missing folder or a bad config is one line on
stderr (exit 2) instead of a flash of an empty screen.
"""

from __future__ import annotations

import argparse

LAUNCHER_BUSY_TIMEOUT = 1.0
"""Seconds a copy waits for another qr's write to the usage history (on the UI thread)."""


def run_launcher(args: argparse.Namespace) -> int:
    """Run the launcher until the user quits (or after one copy with `--once`); the exit status."""
    from qr.commands import workspace_for  # raises CommandError (exit 2) for a missing library or bad config

    workspace = workspace_for(args, warn=False)  # problems are shown in the app instead
    workspace.index  # build the index before the first frame, so the first frame has hits

    from qr.app import make_app  # imports Textual (~200 ms)
    from qr.clipboard import SystemClipboard
    from qr.usage import UsageStore

    app = make_app(workspace, clipboard=SystemClipboard(), once=bool(getattr(args, "once", False)), usage=UsageStore(busy_timeout=LAUNCHER_BUSY_TIMEOUT))
    app.run()
    return app.return_code or 0
