"""After a library changed: put the new version into the workspace and tell every open screen.

Used by the edit actions, the editor and live reload alike, so a phrase saved anywhere is found
by the launcher at once and shown by the browser, and an edit is written once here:
`run_edit` turns a store edit into "applied and announced" or "refused, and the user told why".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qr.i18n import t
from qr.screens.base import LibraryChange, QrScreen
from qr.store.models import Group, Library, Phrase

if TYPE_CHECKING:
    from qr.app import QrApp
    from qr.store.edit import Edit
    from qr.store.save import SaveError


def library_for(app: QrApp, root: Path) -> Library | None:
    """The workspace's current version of the library at `root`."""
    return next((library for library in app.workspace.libraries if library.root == root), None)


def phrase_position(group: Group, phrase: Phrase, hint: int = -1) -> int | None:
    """Where `phrase` is in `group`: the same object, else an equal phrase (nearest `hint` first)."""
    phrases = group.phrases
    if 0 <= hint < len(phrases) and (phrases[hint] is phrase or phrases[hint] == phrase):
        return hint
    for position, item in enumerate(phrases):
        if item is phrase:
            return position
    for position, item in enumerate(phrases):
        if item == phrase:
            return position
    return None


def phrase_label(phrase: Phrase) -> str:
    return f"/{phrase.code} {phrase.title}" if phrase.code else f"“{phrase.title}”"


def tell_screens(app: QrApp, change: LibraryChange) -> None:
    """Every open qr screen hears of the change (bottom first), through its `library_changed` hook."""
    for screen in list(app.screen_stack):
        if isinstance(screen, QrScreen):
            screen.library_changed(change)


def apply_edit(app: QrApp, result: Edit, message: str | None = None, *, undoable: bool = True) -> None:
    """Put an edit's library into the workspace (index updated at once) and refresh the screens.

    The edit goes on the session's undo stack (ctrl+z in the lists) unless it is itself an undo.
    """
    before = library_for(app, result.library.root)
    if undoable and before is not None:
        from qr.store.undo import record

        step = record(before, result)
        if step is not None:
            app.undo_steps.append(step)
    app.workspace.update_library(result.library)
    highlight = None
    if result.group is not None and 0 <= result.index < len(result.group.phrases):
        highlight = (result.group.path, result.group.phrases[result.index])
    tell_screens(app, LibraryChange(result.library.root, result.written + result.removed, highlight))
    if message:
        app.notify(message, timeout=4)


def run_edit(
    app: QrApp,
    edit: Callable[[], Edit],
    message: Callable[[Edit], str] | str | None = None,
    *,
    on_error: Callable[[SaveError], None] | None = None,
) -> Edit | None:
    """Run a store edit; applied and announced (`message`, given the result) when it is saved.

    A refused or failed save changes nothing on disk: it is shown as an error that stays a while
    (or handed to `on_error`, for a form that shows it itself), and None is returned. A move that
    wrote its target but could not clear the source still applies what is on disk now.
    """
    from qr.store.edit import Edit, MoveError
    from qr.store.save import SaveError

    try:
        result = edit()
    except SaveError as error:
        if isinstance(error, MoveError):  # the phrase is in both groups now: show the disk as it is
            apply_edit(app, Edit(error.library, written=tuple(group.path for group in error.library.groups)), undoable=False)
        if on_error is not None:
            on_error(error)
        else:
            app.notify(t("edit.failed", error=error), severity="error", timeout=20 if isinstance(error, MoveError) else 10)
        return None
    apply_edit(app, result, message(result) if callable(message) else message)
    return result


def file_list(paths: Sequence[Path], shown: int = 3) -> str:
    """`a.toml, b.toml, c.toml +27`: a git pull can change many files; the notice stays short."""
    names = [path.as_posix() for path in paths]
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" +{more}" if more > 0 else "")
