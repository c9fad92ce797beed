"""Live reload: group files changed on disk (a teammate's save, a `git pull`) are reloaded while
qr runs, keeping every screen's place; an open form with unsaved edits is kept (see the editor's
`library_changed`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qr.i18n import t
from qr.screens.base import LibraryChange
from qr.screens.changes import file_list, library_for, tell_screens
from qr.store.models import Library
from qr.store.watch import LibraryWatcher, Reloaded

if TYPE_CHECKING:
    from qr.app import QrApp

POLL_SECONDS = 1.0


class LiveReload:
    """Reloads group files that changed on disk (a teammate's save, a `git pull`).

    `start()` polls every POLL_SECONDS in a worker thread; `poll_now()` does one poll in the
    caller's thread (tests, and the editor's "reload" answer to a conflict).
    """

    def __init__(self, app: QrApp) -> None:
        self.app = app
        self.watchers: dict[Path, LibraryWatcher] = {
            library.root: LibraryWatcher(library) for library in app.workspace.libraries
        }

    def start(self, interval: float = POLL_SECONDS) -> None:
        self.app.set_interval(interval, self._tick, name="live-reload")

    def _tick(self) -> None:
        self.app.run_worker(self._poll_in_thread, thread=True, group="live-reload", exclusive=True, exit_on_error=False)

    def _poll_in_thread(self) -> None:
        found = self.poll()
        if found:
            self.app.call_from_thread(self.apply, found)

    def poll(self) -> list[tuple[Library, Reloaded, dict]]:
        """(library as polled, what changed, the watcher's stamps before) for each changed library."""
        found = []
        workspace = self.app.workspace
        for library in list(workspace.libraries):
            watcher = self.watchers.get(library.root)
            if watcher is None:
                watcher = self.watchers[library.root] = LibraryWatcher(library)
            before = dict(watcher.side)
            reloaded = watcher.poll(library, workspace.problems_of(library))
            if reloaded is not None:
                found.append((library, reloaded, before))
        return found

    def apply(self, found: list[tuple[Library, Reloaded, dict]]) -> None:
        for polled, reloaded, side_before in found:
            current = library_for(self.app, polled.root)
            if current is not polled:
                # qr saved meanwhile: drop this result; the next poll compares with the new library.
                self.watchers[polled.root].side = side_before
                continue
            self.app.workspace.update_library(reloaded.library, reloaded.problems)
            if not reloaded.content_changed:
                continue
            changes = reloaded.changes
            paths = changes.files or tuple(group.path for group in reloaded.library.groups)
            tell_screens(self.app, LibraryChange(polled.root, tuple(paths)))
            names = file_list(paths) if changes.files else "_library.toml"
            self.app.notify(t("reload.done", files=names), timeout=4)
            broken = [problem for problem in reloaded.problems if problem.file in changes.files]
            for problem in broken:
                self.app.notify(t("reload.broken", problem=problem), severity="error", timeout=10)

    def poll_now(self) -> None:
        """Poll and apply in the caller's thread (tests, and anyone who just changed files)."""
        found = self.poll()
        if found:
            self.apply(found)
