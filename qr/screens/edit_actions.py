"""Editing from a screen with a highlighted phrase (the launcher, the browser).

`EditingScreen`: e edits, n adds a phrase to its group, d deletes, m moves, g opens the group
actions; F5 edits from anywhere on the screen. The letters act where nothing is being typed (the
launcher's hit list, after Tab); in a text field they stay letters, and the footer hides them.

The launcher imports this module before its first frame, so the editing code (qr.store.edit,
the editor's TextArea) is imported by the actions that need it, not here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import SystemCommand
from textual.binding import Binding, BindingType

from qr.i18n import t
from qr.record import replace
from qr.screens.base import QrScreen
from qr.screens.changes import library_for, phrase_label, phrase_position, run_edit
from qr.store.entry import Entry
from qr.store.models import Group, Library, Phrase

if TYPE_CHECKING:
    from qr.store.edit import Edit
    from qr.store.save import SaveError
    from qr.store.undo import Deleted

LETTER_ACTIONS = frozenset({"edit_phrase", "new_phrase", "delete_phrase", "move_phrase", "group_actions", "asks_suggestions", "restore_phrase"})


def refuse_reason(library: Library) -> str | None:
    from qr.store import edit

    reason = edit.why_not_editable(library)
    return t("edit.refused", reason=reason) if reason else None


def is_text_field(widget: object) -> bool:
    """An Input or a TextArea. A TextArea can only exist once its module is loaded, so that module
    (~7 ms) is not imported for the launcher's start just to test against it."""
    from textual.widgets import Input

    if isinstance(widget, Input):
        return True
    text_area = sys.modules.get("textual.widgets._text_area")
    return text_area is not None and isinstance(widget, text_area.TextArea)


class EditingScreen(QrScreen[None]):
    """A screen with a highlighted phrase (`current_entry`) and the editor's actions on it.

    | Key | Does |
    | :- | :- |
    | e / F5 | edit the highlighted phrase |
    | n | add a phrase to its group |
    | d | delete it (asks first) |
    | m | move it to another group |
    | g | group actions: new group, rename, category / order / description, delete |
    | r | restore a phrase deleted this session (a list), keeping the edits made since |
    | A | suggested asks: questions learned from searches (learn_asks), to add in one key |
    """

    # Not in the footer (agents and new hires share these screens): F1 help and the palette list them.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit_phrase", "Edit", show=False, id="edit.phrase"),
        Binding("n", "new_phrase", "New phrase", show=False, id="edit.new"),
        Binding("d", "delete_phrase", "Delete", show=False, id="edit.delete"),
        Binding("m", "move_phrase", "Move", show=False, id="edit.move"),
        Binding("g", "group_actions", "Group", show=False, id="edit.group"),
        Binding("f5", "edit_phrase_anywhere", "Edit", show=False, id="edit.phrase_anywhere"),
        Binding("A", "asks_suggestions", "Suggested asks", show=False, id="edit.asks_suggestions"),
        Binding("ctrl+z", "undo", "Undo", show=False, id="edit.undo"),
        Binding("r", "restore_phrase", "Restore deleted", show=False, id="edit.restore"),
    ]

    @property
    def current_entry(self) -> Entry | None:
        """The phrase the actions work on (the highlighted one); None when nothing is highlighted."""
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In a text field a letter is text: hide the letter keys there (F5 and the palette still work).
        if action in LETTER_ACTIONS and is_text_field(self.focused):
            return False
        return super().check_action(action, parameters)

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_descendant_blur(self) -> None:
        self.refresh_bindings()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The editor's entries in the command palette (a subclass lists its own first)."""
        yield SystemCommand(t("cmd.edit_phrase"), t("cmd.edit_phrase.help"), self.action_edit_phrase)
        yield SystemCommand(t("cmd.new_phrase"), t("cmd.new_phrase.help"), self.action_new_phrase)
        yield SystemCommand(t("cmd.delete_phrase"), t("cmd.delete_phrase.help"), self.action_delete_phrase)
        yield SystemCommand(t("cmd.move_phrase"), t("cmd.move_phrase.help"), self.action_move_phrase)
        yield SystemCommand(t("cmd.restore_phrase"), t("cmd.restore_phrase.help"), self.action_restore_phrase)
        yield SystemCommand(t("cmd.new_group"), t("cmd.new_group.help"), self.action_new_group)
        yield SystemCommand(t("cmd.rename_group"), t("cmd.rename_group.help"), self.action_rename_group)
        yield SystemCommand(t("cmd.group_properties"), t("cmd.group_properties.help"), lambda: self.action_edit_group("category"))
        yield SystemCommand(t("cmd.delete_group"), t("cmd.delete_group.help"), self.action_delete_group)
        yield SystemCommand(t("cmd.asks_suggestions"), t("cmd.asks_suggestions.help"), self.action_asks_suggestions)

    def action_asks_suggestions(self) -> None:
        """The questions learned from searches (learn_asks), to accept as asks."""
        from qr.screens.asks_suggestions import AsksSuggestions

        self.app.push_screen(AsksSuggestions())

    # -- what the actions work on --

    def _entry(self) -> Entry | None:
        entry = self.current_entry
        if entry is None:
            self.app.notify(t("edit.no_phrase"), severity="warning")
        return entry

    def _editable(self, library: Library) -> bool:
        reason = refuse_reason(library)
        if reason:
            self.app.notify(reason, severity="error", timeout=8)
            return False
        return True

    def _library_now(self, library: Library) -> Library:
        """The workspace's version of `library` now (an edit or reload may have replaced it)."""
        return library_for(self.app, library.root) or library

    def _default_library(self) -> Library:
        entry = self.current_entry
        return self._library_now(entry.library) if entry is not None else self.app.workspace.library

    def _phrase_now(self, library: Library, group_path: Path, phrase: Phrase) -> tuple[Library, int] | None:
        """The current library and where `phrase` is in its group now; None (and a notice) when gone."""
        current = self._library_now(library)
        group = current.group_by_path(group_path)
        position = phrase_position(group, phrase) if group is not None else None
        if position is None:
            self.app.notify(t("edit.gone", phrase=phrase_label(phrase)), severity="error")
            return None
        return current, position

    def _current_group(self, entry: Entry) -> tuple[Library, Group] | None:
        """The entry's library and group as they are now; None (and a notice) when the group is gone."""
        library = self._library_now(entry.library)
        group = library.group_by_path(entry.group.path)
        if group is None:
            self.app.notify(t("edit.group_gone", path=entry.group.path.as_posix()), severity="error")
            return None
        return library, group

    # -- phrase actions --

    def action_edit_phrase(self) -> None:
        entry = self._entry()
        if entry is None or not self._editable(entry.library):
            return
        from qr.screens.editor import PhraseEditor

        found = self._current_group(entry)
        library, group = found if found is not None else (entry.library, entry.group)
        position = phrase_position(group, entry.phrase)
        if position is None:
            self.app.notify(t("edit.gone", phrase=phrase_label(entry.phrase)), severity="error")
            return
        self.app.push_screen(PhraseEditor(library.root, group.path, position, group.phrases[position]))

    def action_edit_phrase_anywhere(self) -> None:
        self.action_edit_phrase()

    def action_undo(self) -> None:
        """Take back the session's last edit (add, edit, delete, move, group change), newest first."""
        from qr.screens.changes import apply_edit
        from qr.store.edit import EditError
        from qr.store.save import SaveError
        from qr.store.undo import undo

        steps = self.app.undo_steps
        if not steps:
            self.app.notify(t("undo.nothing"), timeout=4)
            return
        step = steps[-1]
        library = library_for(self.app, step.root)
        if library is None:
            steps.pop()
            return
        try:
            result = undo(library, step)
        except (EditError, SaveError) as error:
            steps.pop()  # it cannot be taken back as is; the older steps stay reachable
            self.app.notify(t("edit.failed", error=error), severity="error", timeout=10)
            return
        steps.pop()
        apply_edit(self.app, result, t("undo.done", what=step.describe()), undoable=False)

    def action_restore_phrase(self) -> None:
        """List the phrases deleted this session; the chosen one goes back into its group (the edits
        made since stay). A code taken meanwhile is dropped, and the lead told."""
        from qr.screens.dialogs import DeletedPicker
        from qr.store.undo import still_deleted

        items = still_deleted(self.app.deleted_phrases, lambda root: library_for(self.app, root))
        if not items:
            self.app.notify(t("restore.nothing"), timeout=4)
            return

        def picked(number: int | None) -> None:
            if number is not None:
                self._restore(items[number])

        self.app.push_screen(DeletedPicker(items), picked)

    def _restore(self, item: Deleted) -> None:
        from qr.store import edit

        library = library_for(self.app, item.root)
        group = library.group_by_path(item.group_path) if library is not None else None
        if library is None or group is None:
            self.app.notify(t("restore.group_gone", phrase=phrase_label(item.phrase), group=item.group_name,
                              path=item.group_path.as_posix()), severity="error", timeout=10)
            return
        if not self._editable(library):
            return
        phrase = item.phrase
        message = t("restore.done", phrase=phrase_label(phrase), group=group.name)
        owner = edit.code_owner(library, phrase.code)
        if phrase.code and owner is not None:
            other_group, index = owner
            message = t("restore.done_without_code", phrase=phrase_label(phrase), group=group.name, code=phrase.code,
                        other=phrase_label(other_group.phrases[index]), other_group=other_group.name)
            phrase = replace(phrase, code=None)
        result = run_edit(self.app, lambda: edit.add_phrase(library, group.path, phrase), message)
        if result is not None and item in self.app.deleted_phrases:
            self.app.deleted_phrases.remove(item)

    def action_new_phrase(self) -> None:
        from qr.screens.editor import PhraseEditor

        entry = self.current_entry
        library = self._default_library()
        if not self._editable(library):
            return
        if entry is not None:
            lang = entry.phrase.lang
            code = _offered_code(library, entry.group.path)
            self.app.push_screen(PhraseEditor(library.root, entry.group.path, None, Phrase(title="", body="", lang=lang, code=code)))
            return
        if not library.groups:
            self.app.notify(t("edit.no_groups"), severity="warning")
            return
        from qr.screens.dialogs import GroupPicker

        def picked(path: Path | None) -> None:
            if path is not None:
                self.app.push_screen(PhraseEditor(library.root, path, None, Phrase(title="", body="", code=_offered_code(library, path))))

        self.app.push_screen(GroupPicker(t("edit.pick_group_for_new"), library.groups), picked)

    def action_delete_phrase(self) -> None:
        entry = self._entry()
        if entry is None or not self._editable(entry.library):
            return
        from qr.screens.dialogs import confirm_dialog
        from qr.store import edit

        phrase, group = entry.phrase, entry.group

        def answered(answer: str | None) -> None:
            if answer != "yes":
                return
            found = self._phrase_now(entry.library, group.path, phrase)
            if found is not None:
                library, position = found
                result = run_edit(self.app, lambda: edit.delete_phrase(library, group.path, position),
                                  t("edit.deleted", phrase=phrase_label(phrase), group=group.name))
                if result is not None:
                    from qr.store.undo import remember_deleted

                    remember_deleted(self.app.deleted_phrases, library.root, group, [phrase])

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

        library = self._library_now(entry.library)
        phrase, source = entry.phrase, entry.group
        targets = [group for group in library.groups if group.path != source.path]
        if not targets:
            self.app.notify(t("edit.no_other_group"), severity="warning")
            return

        def picked(path: Path | None) -> None:
            if path is None:
                return
            found = self._phrase_now(library, source.path, phrase)
            if found is not None:
                current, position = found
                run_edit(self.app, lambda: edit.move_phrase(current, source.path, position, path),
                         lambda result: t("edit.moved", phrase=phrase_label(phrase), group=_group_name(result, path)))

        self.app.push_screen(GroupPicker(t("edit.move_title", phrase=phrase_label(phrase), group=source.name), targets), picked)

    # -- group actions --

    def action_group_actions(self) -> None:
        from qr.screens.dialogs import ChoiceDialog

        entry = self.current_entry
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

        library = self._default_library()
        if not self._editable(library):
            return
        entry = self.current_entry
        folder = entry.group.path.parent if entry is not None else None

        def apply(values: dict) -> str | None:
            current = self._library_now(library)
            return _form_edit(
                self,
                lambda: edit.new_group(current, values["name"], category=values["category"], order=values["order"],
                                       description=values["description"], folder=folder),
                lambda result: t("group.created", group=_group_name(result), path=_group_path(result)),
            )

        self.app.push_screen(GroupForm(t("group.new_title"), apply))

    def action_edit_group(self, focus: str = "name") -> None:
        from qr.screens.groups import GroupForm
        from qr.store import edit

        entry = self._entry()
        if entry is None or not self._editable(entry.library):
            return
        found = self._current_group(entry)
        if found is None:
            return
        library, group = found

        def apply(values: dict) -> str | None:
            current = self._library_now(library)
            return _form_edit(
                self,
                lambda: edit.update_group(current, group.path, name=values["name"], category=values["category"],
                                          order=values["order"], description=values["description"]),
                lambda result: t("group.saved", group=_group_name(result)),
            )

        self.app.push_screen(GroupForm(t("group.edit_title", group=group.name), apply, group, focus=focus))

    def action_rename_group(self) -> None:
        self.action_edit_group("name")

    def action_delete_group(self) -> None:
        entry = self._entry()
        if entry is None or not self._editable(entry.library):
            return
        from qr.screens.dialogs import confirm_dialog
        from qr.store import edit

        found = self._current_group(entry)
        if found is None:
            return
        library, group = found
        count = len(group.phrases)

        def answered(answer: str | None) -> None:
            if answer == "yes":
                current = self._library_now(library)
                gone = current.group_by_path(group.path) or group
                result = run_edit(self.app, lambda: edit.delete_group(current, group.path, force=True),
                                  t("group.deleted", group=group.name, count=count))
                if result is not None:
                    from qr.store.undo import remember_deleted

                    remember_deleted(self.app.deleted_phrases, current.root, gone, gone.phrases)

        question = (
            t("group.delete_question", group=group.name, path=group.path.as_posix(), count=count) if count
            else t("group.delete_question_empty", group=group.name, path=group.path.as_posix())
        )
        yes = t("group.delete_yes", count=count) if count else t("group.delete_yes_empty")
        self.app.push_screen(confirm_dialog(t("group.delete_title"), question, yes), answered)


def _form_edit(screen: EditingScreen, do: Callable[[], Edit], message: Callable[[Edit], str]) -> str | None:
    """Run an edit for a form that shows a refusal itself: the error's text, or None when saved."""
    errors: list[SaveError] = []
    run_edit(screen.app, do, message, on_error=errors.append)
    return str(errors[0]) if errors else None


def _group_name(result: Edit, path: Path | None = None) -> str:
    """The edited group's name (a moved phrase's target group: `path`) as saved."""
    group = result.group if path is None else result.library.group_by_path(path)
    return group.name if group is not None else (path.as_posix() if path is not None else "")


def _group_path(result: Edit) -> str:
    return result.group.path.as_posix() if result.group is not None else ""


def _offered_code(library: Library, path: Path) -> str | None:
    """The group's next free code (`wl11` after `wl10`), offered in a new phrase's form."""
    from qr.store.edit import next_free_code

    group = library.group_by_path(path)
    return next_free_code(library, group) if group is not None else None
