"""The group form: a new group, or a group's name, category, order and description.

The form does not save by itself: `apply(values)` (given by the caller) saves and returns None,
or a one-line reason that is shown in the form, which then stays open with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from qr.i18n import t
from qr.screens.base import QrModalScreen, SafeInput, plain
from qr.store.models import DEFAULT_CATEGORY, Group

GroupValues = dict
"""{"name": str, "category": str, "order": int | None, "description": str}"""


class GroupForm(QrModalScreen):
    """Name, category, order and description of a group; Enter saves, Esc cancels.

    | Key | Does |
    | :- | :- |
    | enter | save (errors are shown in the form) |
    | tab / shift+tab | next / previous field |
    | escape | cancel (nothing is written) |
    """

    TITLE_KEY = "screen.group_form"
    CSS_PATH = "dialogs.tcss"
    AUTO_FOCUS = "#group-name"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("enter", "submit", "OK", id="form.submit", show=False),
    ]

    def __init__(self, title: str, apply: Callable[[GroupValues], str | None], group: Group | None = None, *, focus: str = "name") -> None:
        super().__init__()
        self.form_title = title
        self.apply = apply
        self.group = group
        self.focus_field = focus

    def compose(self) -> ComposeResult:
        group = self.group
        category = group.category if group and group.category != DEFAULT_CATEGORY else ""
        with Vertical(id="dialog"):
            yield Static(plain(self.form_title), id="dialog-title")
            if group is not None:
                yield Static(plain(t("group.file", path=group.path.as_posix())), classes="group-label")
            yield Label(t("group.name"), classes="group-label")
            yield SafeInput(value=group.name if group else "", id="group-name")
            yield Label(t("group.category", default=DEFAULT_CATEGORY), classes="group-label")
            yield SafeInput(value=category, id="group-category")
            yield Label(t("group.order"), classes="group-label")
            yield SafeInput(value="" if not group or group.order is None else str(group.order), id="group-order", restrict=r"-?\d*")
            yield Label(t("group.description"), classes="group-label")
            yield SafeInput(value=group.description if group else "", id="group-description")
            yield Static("", id="group-error", classes="group-error")
            yield Static(t("form.hint"), id="dialog-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(f"#group-{self.focus_field}", Input).focus()

    def values(self) -> GroupValues:
        order = self.query_one("#group-order", Input).value.strip()
        return {
            "name": self.query_one("#group-name", Input).value.strip(),
            "category": self.query_one("#group-category", Input).value.strip(),
            "order": int(order) if order.lstrip("-").isdigit() else None,
            "description": self.query_one("#group-description", Input).value,
        }

    def show_error(self, message: str) -> None:
        error = self.query_one("#group-error", Static)
        error.update(plain(message))
        error.set_class(bool(message), "-shown")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        values = self.values()
        if not values["name"]:
            self.show_error(t("group.name_required"))
            self.query_one("#group-name", Input).focus()
            return
        problem = self.apply(values)
        if problem:
            self.show_error(problem)
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
