"""The launcher's quiet "behind the team's remote" mark.

A hidden widget asks git, in a worker thread, how far each team library (a git work tree with an
upstream) is behind its remote: at start and every few minutes. Typing never waits for it: the
fetch runs off the event loop, gives up after a few seconds (or at once when qr quits), never
prompts for a password, and any failure just leaves the mark off.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from threading import Event
from typing import TYPE_CHECKING

from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

if TYPE_CHECKING:
    from textual import getters

    from qr.app import QrApp

CHECK_EVERY = 300.0
"""Seconds between two checks: a lead's publish shows up within minutes, the remote is not hammered."""
INDICATOR = "team"
"""The launcher's indicator slot this widget writes."""


def in_work_tree(root: Path) -> bool:
    """A cheap look for `.git` above `root`, so libraries outside git never start a git process."""
    try:
        root = root.resolve()
    except OSError:
        return False
    return any((folder / ".git").exists() for folder in (root, *root.parents))


def commits_behind(roots: Iterable[Path], stop: Event | None = None) -> int | None:
    """Commits behind, summed over the libraries whose remote answered (None: none did)."""
    # qr.team (git, and the lint it runs before a publish) loads here, in the worker thread of a
    # library that is a git work tree: importing it up front cost the launcher's first frame ~15 ms.
    from qr.team import behind_remote

    counts = [count for count in (behind_remote(root, stop=stop) for root in roots) if count is not None]
    return sum(counts) if counts else None


def _check_in_thread(roots: list[Path]) -> int | None:
    # Quitting qr cancels the worker: its event ends a fetch still waiting on a slow remote, so
    # leaving never waits for the network.
    return commits_behind(roots, stop=get_current_worker().cancelled_event)


class RemoteCheck(Widget):
    """Invisible: keeps the launcher's `team` indicator saying how far behind its remote the library is."""

    DEFAULT_CSS = "RemoteCheck { display: none; }"
    if TYPE_CHECKING:
        app = getters.app(QrApp)

    behind: reactive[int | None] = reactive(None, init=False)
    """Commits the team libraries are behind their remotes (None: unknown or not a team library)."""

    def __init__(self, every: float = CHECK_EVERY) -> None:
        super().__init__()
        self.every = every

    def on_mount(self) -> None:
        self.call_after_refresh(self.check)  # the thread and its git process start after the first frame
        self.set_interval(self.every, self.check)

    def check(self) -> Worker | None:
        """Start one check in a thread (a check still running is cancelled: the newer one wins)."""
        roots = [root for root in dict.fromkeys(library.root for library in self.app.workspace.libraries) if in_work_tree(root)]
        if not roots:
            self.behind = None
            return None
        return self.run_worker(
            partial(_check_in_thread, roots),
            name="team-check",
            group="team-check",
            thread=True,
            exclusive=True,
            exit_on_error=False,  # a failed check must never take the launcher down
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "team-check" and event.state == WorkerState.SUCCESS:
            self.behind = event.worker.result

    class Behind(Message):
        """How far behind its remote the team library is now (`commits` None or 0: not behind, or unknown)."""

        def __init__(self, commits: int | None) -> None:
            super().__init__()
            self.commits = commits

    def watch_behind(self, behind: int | None) -> None:
        self.post_message(self.Behind(behind))  # the launcher shows it on its status line
