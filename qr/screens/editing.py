"""Editing from the launcher (and any screen with a highlighted phrase), and live reload.

- `EditingActions`: a bindings mixin for a screen with `current_entry`: e edits, n adds a phrase
  to its group, d deletes, m moves, g opens the group actions; F5 edits from anywhere on the screen.
  The letters act where nothing is being typed (the launcher's hit list, after Tab); in a text
  field they stay letters, and the footer hides them.
- `apply_edit`: after a save, swap the library into the workspace, re-index the changed groups
  and refresh the open screens so the launcher finds the phrase at once.
- `LiveReload`: polls the group files about once a second in a worker thread and reloads the ones
  that changed on disk, keeping the query and highlight; an open form with unsaved edits is kept.

The launcher imports this module before its first frame, so the editing code (qr.store.edit,
TextArea) is imported by the actions that need it, not here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.widgets import Input, OptionList

from qr.i18n import t
from qr.search import Entry
from qr.store.models import Group, Library, Phrase
from qr.store.watch import LibraryWatcher, Reloaded

if TYPE_CHECKING:
    from textual.app import App

    from qr.store import edit

LETTER_ACTIONS = frozenset({"edit_phrase", "new_phrase", "delete_phrase", "move_phrase", "group_actions"})
POLL_SECONDS = 1.0


# -- finding things --------------------------------------------------------------------------------

def library_for(app: App, root: Path) -> Library | None:
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


# -- after an edit -----------------------------------------------------------------------------------

def refresh_screens(app: App, root: Path, paths: Sequence[Path], highlight: tuple[Path, Phrase] | None = None) -> None:
    """Tell every open screen that group files of the library at `root` changed.

    A screen with `library_changed(root, paths)` decides itself; the launcher re-runs its query
    (keeping its highlight, or moving it to `highlight`), the browser rebuilds its tree.
    """
    for screen in list(app.screen_stack):
        hook = getattr(screen, "library_changed", None)
        if hook is not None:
            hook(root, tuple(paths))
            continue
        if hasattr(screen, "refresh_hits"):
            screen.refresh_hits()
            if highlight is not None:
                _highlight_hit(screen, root, *highlight)
        elif hasattr(screen, "reload") or hasattr(screen, "rebuild"):  # the browser
            (getattr(screen, "reload", None) or screen.rebuild)()
            if highlight is not None and hasattr(screen, "tree"):
                _highlight_leaf(screen.tree, root, *highlight)


def _highlight_hit(screen, root: Path, path: Path, phrase: Phrase) -> None:
    for position, hit in enumerate(screen.hits):
        entry = hit.entry
        if entry.library.root == root and entry.group.path == path and entry.phrase == phrase:
            screen.query_one("#hits", OptionList).highlighted = position
            return


def _highlight_leaf(tree, root: Path, path: Path, phrase: Phrase) -> None:
    """Put a tree's cursor on the node holding this phrase (when its group is open)."""
    stack = list(tree.root.children)
    while stack:
        node = stack.pop()
        data = node.data
        if isinstance(data, Entry):
            if data.library.root == root and data.group.path == path and data.phrase == phrase:
                tree.move_cursor(node)
                return
        else:
            stack.extend(node.children)


def apply_edit(app: App, result: edit.Edit, message: str | None = None) -> None:
    """Put an edit's library into the workspace (index updated at once) and refresh the screens."""
    app.workspace.update_library(result.library)
    highlight = None
    if result.group is not None and 0 <= result.index < len(result.group.phrases):
        highlight = (result.group.path, result.group.phrases[result.index])
    refresh_screens(app, result.library.root, result.written + result.removed, highlight)
    if message:
        app.notify(message, timeout=4)


def refuse_reason(library: Library) -> str | None:
    from qr.store import edit

    reason = edit.why_not_editable(library)
    return t("edit.refused", reason=reason) if reason else None


def _is_text_field(widget: object) -> bool:
    """An Input or a TextArea. A TextArea can only exist once its module is loaded, so that module
    (~7 ms) is not imported for the launcher's start just to test against it."""
    if isinstance(widget, Input):
        return True
    text_area = sys.modules.get("textual.widgets._text_area")
    return text_area is not None and isinstance(widget, text_area.TextArea)


# -- the actions ------------------------------------------------------------------------------------

class EditingActions(DOMNode):
    """Editor actions for a screen that has a highlighted phrase (`current_entry`).

    | Key | Does |
    | :- | :- |
    | e / F5 | edit the highlighted phrase |
    | n | add a phrase to its group |
    | d | delete it (asks first) |
    | m | move it to another group |
    | g | group actions: new group, rename, category / order / description, delete |
    """

    # Not in the footer (agents and new hires share these screens): F1 help and the palette list them.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit_phrase", "Edit", show=False, id="edit.phrase"),
        Binding("n", "new_phrase", "New phrase", show=False, id="edit.new"),
        Binding("d", "delete_phrase", "Delete", show=False, id="edit.delete"),
        Binding("m", "move_phrase", "Move", show=False, id="edit.move"),
        Binding("g", "group_actions", "Group", show=False, id="edit.group"),
        Binding("f5", "edit_phrase_anywhere", "Edit", show=False, id="edit.phrase_anywhere"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In a text field a letter is text: hide the letter keys there (F5 and the palette still work).
        if action in LETTER_ACTIONS and _is_text_field(getattr(self, "focused", None)):
            return False
        return super().check_action(action, parameters)

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_descendant_blur(self) -> None:
        self.refresh_bindings()

    # -- what the actions work on --

    def _entry(self) -> Entry | None:
        entry = getattr(self, "current_entry", None)
        if entry is None:
            self.app.notify(t("edit.no_phrase"), severity="warning")
        return entry

    def _editable(self, library: Library) -> bool:
        reason = refuse_reason(library)
        if reason:
            self.app.notify(reason, severity="error", timeout=8)
            return False
        return True

    def _default_library(self) -> Library:
        entry = getattr(self, "current_entry", None)
        return library_for(self.app, entry.library.root) if entry is not None else self.app.workspace.library

    # -- phrase actions --

    def action_edit_phrase(self) -> None:
        entry = self._entry()
        if entry is None or not self._editable(entry.library):
            return
        from qr.screens.editor import PhraseEditor

        library = library_for(self.app, entry.library.root) or entry.library
        group = library.group_by_path(entry.group.path) or entry.group
        position = phrase_position(group, entry.phrase)
        if position is None:
            self.app.notify(t("edit.gone", phrase=phrase_label(entry.phrase)), severity="error")
            return
        self.app.push_screen(PhraseEditor(library.root, group.path, position, group.phrases[position]))

    def action_edit_phrase_anywhere(self) -> None:
        self.action_edit_phrase()

    def action_new_phrase(self) -> None:
        from qr.screens.editor import PhraseEditor

        entry = getattr(self, "current_entry", None)
        library = self._default_library()
        if not self._editable(library):
            return
        if entry is not None:
            lang = entry.phrase.lang
            self.app.push_screen(PhraseEditor(library.root, entry.group.path, None, Phrase(title="", body="", lang=lang)))
            return
        if not library.groups:
            self.app.notify(t("edit.no_groups"), severity="warning")
            return
        from qr.screens.dialogs import GroupPicker

        def picked(path: Path | None) -> None:
            if path is not None:
                self.app.push_screen(PhraseEditor(library.root, path, None, Phrase(title="", body="")))

        self.app.push_screen(GroupPicker(t("edit.pick_group_for_new"), library.groups), picked)

    def action_delete_phrase(self) -> None:
        entry = self._entry()
        if entry is None or not self._editable(entry.library):
            return
        from qr.screens.dialogs import confirm_dialog
        from qr.store import edit
        from qr.store.save import SaveError

        phrase, group = entry.phrase, entry.group

        def answered(answer: str | None) -> None:
            if answer != "yes":
                return
            library = library_for(self.app, entry.library.root) or entry.library
            current = library.group_by_path(group.path)
            position = phrase_position(current, phrase) if current is not None else None
            if position is None:
                self.app.notify(t("edit.gone", phrase=phrase_label(phrase)), severity="error")
                return
            try:
                result = edit.delete_phrase(library, group.path, position)
            except SaveError as error:
                self.app.notify(t("edit.failed", error=error), severity="error", timeout=10)
                return
            apply_edit(self.app, result, t("edit.deleted", phrase=phrase_label(phrase), group=group.name))

        self.app.push_screen(
            confirm_dialog(
                t("edit.delete_title"),
                t("edit.delete_question", phrase=phrase_label(phrase), group=group.name, path=group.path.as_posix()),
                t("edit.delete_yes"),
            ),
            answered,
        )

    def action_move_phrase(self) -> None:
        entry = self._entry()
        if entry is None or not self._editable(entry.library):
            return
        from qr.screens.dialogs import GroupPicker
        from qr.store import edit
        from qr.store.save import SaveError

        library = library_for(self.app, entry.library.root) or entry.library
        phrase, source = entry.phrase, entry.group
        targets = [group for group in library.groups if group.path != source.path]
        if not targets:
            self.app.notify(t("edit.no_other_group"), severity="warning")
            return

        def picked(path: Path | None) -> None:
            if path is None:
                return
            current = library_for(self.app, library.root) or library
            group = current.group_by_path(source.path)
            position = phrase_position(group, phrase) if group is not None else None
            if position is None:
                self.app.notify(t("edit.gone", phrase=phrase_label(phrase)), severity="error")
                return
            try:
                result = edit.move_phrase(current, source.path, position, path)
            except edit.MoveError as error:
                apply_edit(self.app, edit.Edit(error.library, written=(path,)))
                self.app.notify(t("edit.failed", error=error), severity="error", timeout=20)
                return
            except SaveError as error:
                self.app.notify(t("edit.failed", error=error), severity="error", timeout=10)
                return
            target = result.library.group_by_path(path)
            apply_edit(self.app, result, t("edit.moved", phrase=phrase_label(phrase), group=target.name if target else path))

        self.app.push_screen(GroupPicker(t("edit.move_title", phrase=phrase_label(phrase), group=source.name), targets), picked)

    # -- group actions --

    def action_group_actions(self) -> None:
        from qr.screens.dialogs import ChoiceDialog

        entry = getattr(self, "current_entry", None)
        library = self._default_library()
        if not self._editable(library):
            return
        answers = [("new", t("group.action.new"))]
        if entry is not None:
            answers += [("edit", t("group.action.edit")), ("delete", t("group.action.delete"))]
        title = t("group.actions_title", group=entry.group.name) if entry else t("group.actions_title_none")

        def chosen(answer: str | None) -> None:
            if answer == "new":
                self.action_new_group()
            elif answer == "edit":
                self.action_edit_group()
            elif answer == "delete":
                self.action_delete_group()

        self.app.push_screen(ChoiceDialog(title, t("group.actions_message"), answers), chosen)

    def action_new_group(self) -> None:
        from qr.screens.groups import GroupForm
        from qr.store import edit
        from qr.store.save import SaveError

        library = self._default_library()
        if not self._editable(library):
            return
        entry = getattr(self, "current_entry", None)
        folder = entry.group.path.parent if entry is not None else None

        def apply(values: dict) -> str | None:
            current = library_for(self.app, library.root) or library
            try:
                result = edit.new_group(current, values["name"], category=values["category"], order=values["order"],
                                        description=values["description"], folder=folder)
            except SaveError as error:
                return str(error)
            apply_edit(self.app, result, t("group.created", group=result.group.name, path=result.group.path.as_posix()))
            return None

        self.app.push_screen(GroupForm(t("group.new_title"), apply))

    def _current_group(self, entry):
        """The entry's library and group as they are now (an edit or reload may have replaced them)."""
        library = library_for(self.app, entry.library.root) or entry.library
        group = library.group_by_path(entry.group.path)
        if group is None:
            self.app.notify(t("edit.group_gone", path=entry.group.path.as_posix()), severity="error")
            return None
        return library, group

    def action_edit_group(self, focus: str = "name") -> None:
        from qr.screens.groups import GroupForm
        from qr.store import edit
        from qr.store.save import SaveError

        entry = self._entry()
        if entry is None or not self._editable(entry.library):
            return
        found = self._current_group(entry)
        if found is None:
            return
        library, group = found

        def apply(values: dict) -> str | None:
            current = library_for(self.app, library.root) or library
            try:
                result = edit.update_group(current, group.path, name=values["name"], category=values["category"],
                                           order=values["order"], description=values["description"])
            except SaveError as error:
                return str(error)
            apply_edit(self.app, result, t("group.saved", group=result.group.name))
            return None

        self.app.push_screen(GroupForm(t("group.edit_title", group=group.name), apply, group, focus=focus))

    def action_rename_group(self) -> None:
        self.action_edit_group("name")

    def action_delete_group(self) -> None:
        entry = self._entry()
        if entry is None or not self._editable(entry.library):
            return
        from qr.screens.dialogs import confirm_dialog
        from qr.store import edit
        from qr.store.save import SaveError

        found = self._current_group(entry)
        if found is None:
            return
        library, group = found
        count = len(group.phrases)

        def answered(answer: str | None) -> None:
            if answer != "yes":
                return
            current = library_for(self.app, library.root) or library
            try:
                result = edit.delete_group(current, group.path, force=True)
            except SaveError as error:
                self.app.notify(t("edit.failed", error=error), severity="error", timeout=10)
                return
            apply_edit(self.app, result, t("group.deleted", group=group.name, count=count))

        question = (
            t("group.delete_question", group=group.name, path=group.path.as_posix(), count=count) if count
            else t("group.delete_question_empty", group=group.name, path=group.path.as_posix())
        )
        yes = t("group.delete_yes", count=count) if count else t("group.delete_yes_empty")
        self.app.push_screen(confirm_dialog(t("group.delete_title"), question, yes), answered)

    def editing_commands(self) -> Iterable[SystemCommand]:
        """The command palette's editor entries (the app adds them for screens with this mixin)."""
        yield SystemCommand(t("cmd.edit_phrase"), t("cmd.edit_phrase.help"), self.action_edit_phrase)
        yield SystemCommand(t("cmd.new_phrase"), t("cmd.new_phrase.help"), self.action_new_phrase)
        yield SystemCommand(t("cmd.delete_phrase"), t("cmd.delete_phrase.help"), self.action_delete_phrase)
        yield SystemCommand(t("cmd.move_phrase"), t("cmd.move_phrase.help"), self.action_move_phrase)
        yield SystemCommand(t("cmd.new_group"), t("cmd.new_group.help"), self.action_new_group)
        yield SystemCommand(t("cmd.rename_group"), t("cmd.rename_group.help"), self.action_rename_group)
        yield SystemCommand(t("cmd.group_properties"), t("cmd.group_properties.help"), lambda: self.action_edit_group("category"))
        yield SystemCommand(t("cmd.delete_group"), t("cmd.delete_group.help"), self.action_delete_group)


# -- live reload ----------------------------------------------------------------------------------------

class LiveReload:
    """Reloads group files that changed on disk (a teammate's save, a `git pull`).

    `start()` polls every POLL_SECONDS in a worker thread; `poll_now()` does one poll in the
    caller's thread (tests, and the editor's "reload" answer to a conflict).
    """

    def __init__(self, app: App) -> None:
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
            refresh_screens(self.app, polled.root, paths)
            names = _file_list(paths) if changes.files else "_library.toml"
            self.app.notify(t("reload.done", files=names), timeout=4)
            broken = [problem for problem in reloaded.problems if problem.file in changes.files]
            for problem in broken:
                self.app.notify(t("reload.broken", problem=problem), severity="error", timeout=10)

    def poll_now(self) -> None:
        """Poll and apply in the caller's thread (tests, and anyone who just changed files)."""
        found = self.poll()
        if found:
            self.apply(found)


def _file_list(paths: Sequence[Path], shown: int = 3) -> str:
    """`a.toml, b.toml, c.toml +27`: a git pull can change many files; the notice stays short."""
    names = [path.as_posix() for path in paths]
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" +{more}" if more > 0 else "")


def quit_or_ask(app: App) -> None:
    """Exit the app, unless an editor form has unsaved changes: then ask first."""
    unsaved = [screen for screen in app.screen_stack if getattr(screen, "dirty", False)]
    if not unsaved:
        app.exit()
        return
    from qr.screens.dialogs import confirm_dialog

    def answered(answer: str | None) -> None:
        if answer == "yes":
            app.exit()

    app.push_screen(confirm_dialog(t("editor.quit_title"), t("editor.quit_message"), t("editor.quit_yes")), answered)
