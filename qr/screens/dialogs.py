"""Small modal dialogs the editor needs: a question with a few answers, and a group picker.

Each returns its answer through `dismiss` (None when cancelled with Esc), so callers use
`push_screen(dialog, callback)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from qr.i18n import t
from qr.screens.base import QrModalScreen, plain, shown
from qr.store.models import Group

if TYPE_CHECKING:
    from qr.store.undo import Deleted


class ChoiceDialog(QrModalScreen):
    """A question with buttons; returns the chosen answer's key, or None on Esc.

    | Key | Does |
    | :- | :- |
    | left / right, tab | move between the answers |
    | enter | choose the focused answer |
    | escape | cancel |
    """

    TITLE_KEY = "screen.dialog"
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("left", "app.focus_previous", "Previous", show=False, id="dialog.previous"),
        Binding("right", "app.focus_next", "Next", show=False, id="dialog.next"),
    ]

    def __init__(self, title: str, message: str, answers: Sequence[tuple[str, str]], *, danger: str | None = None) -> None:
        """`answers` are (key, label) pairs, the first focused; `danger` marks one answer red."""
        super().__init__()
        self.dialog_title = title
        self.message = message
        self.answers = list(answers)
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(plain(self.dialog_title), id="dialog-title")
            yield Static(plain(self.message), id="dialog-message")
            with Horizontal(id="dialog-buttons"):
                for key, label in self.answers:
                    yield Button(plain(label), id=f"answer-{key}", variant="error" if key == self.danger else "default")

    def on_mount(self) -> None:
        super().on_mount()
        if self.answers:
            self.query_one(f"#answer-{self.answers[0][0]}", Button).focus()

    @on(Button.Pressed)
    def _answered(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss((event.button.id or "").removeprefix("answer-"))

    def action_cancel(self) -> None:
        self.dismiss(None)


def confirm_dialog(title: str, message: str, yes: str, *, danger: bool = True) -> ChoiceDialog:
    """A yes/no question whose first (focused) answer is "no": Enter alone never destroys anything."""
    return ChoiceDialog(title, message, [("no", t("dialog.keep")), ("yes", yes)], danger="yes" if danger else None)


class _Picker(QrModalScreen):
    """A titled list to pick one row from; dismisses with `value(number)` of the row, or None on Esc.
    Subclasses give the rows (plain `Content` built from data) and what a chosen row stands for."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, hint: str, empty: str = "") -> None:
        super().__init__()
        self.dialog_title = title
        self.hint = hint
        self.empty = empty

    def rows(self) -> list[Content]:
        """The rows, in order (each picker gives its own)."""
        return []

    def value(self, number: int) -> object:
        return number

    def compose(self) -> ComposeResult:
        rows = self.rows()
        with Vertical(id="dialog"):
            yield Static(plain(self.dialog_title), id="dialog-title")
            if not rows and self.empty:
                yield Static(self.empty, id="dialog-message")
            yield OptionList(*(Option(row, id=str(number)) for number, row in enumerate(rows)), id="picker")
            yield Static(self.hint, id="dialog-hint")

    @on(OptionList.OptionSelected, "#picker")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.value(int(event.option.id or 0)))

    def action_cancel(self) -> None:
        self.dismiss(None)


class GroupPicker(_Picker):
    """Pick a group (for moving a phrase): returns its path, or None on Esc.

    | Key | Does |
    | :- | :- |
    | up / down | highlight a group |
    | enter | choose it |
    | escape | cancel |
    """

    TITLE_KEY = "screen.group_picker"

    def __init__(self, title: str, groups: Sequence[Group]) -> None:
        super().__init__(title, t("picker.hint"), t("picker.none"))
        self.groups = list(groups)

    def rows(self) -> list[Content]:
        return [
            Content.assemble(
                (shown(group.name), "bold"),
                ("  " + shown(group.category), "$text-muted"),
                ("  " + shown(group.path.as_posix()), "$text-muted"),
                ("  " + t("picker.count", count=len(group.phrases)), "$text-muted"),
            )
            for group in self.groups
        ]

    def value(self, number: int) -> Path:
        return self.groups[number].path


class DeletedPicker(_Picker):
    """Pick a phrase deleted this session, to restore: returns its number in `items`, or None on Esc.

    | Key | Does |
    | :- | :- |
    | up / down | highlight a phrase |
    | enter | restore it |
    | escape | cancel |
    """

    TITLE_KEY = "screen.deleted_picker"

    def __init__(self, items: Sequence[Deleted]) -> None:
        super().__init__(t("restore.title"), t("restore.hint"))
        self.items = list(items)

    def rows(self) -> list[Content]:
        return [
            Content.assemble(
                ("/" + shown(item.phrase.code) if item.phrase.code else t("restore.no_code"), "bold"),
                ("  " + shown(item.phrase.title), ""),
                ("  " + shown(item.group_name), "$text-muted"),
                ("  " + shown(item.group_path.as_posix()), "$text-muted"),
            )
            for item in self.items
        ]
