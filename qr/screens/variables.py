"""Two small forms over template variables: the missing ones before a copy, and the order context.

Both check `[vars.NAME].pattern` with an inline error and return a dict (None when cancelled).
The values live in the app's memory only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from qr.i18n import t
from qr.render import invalid_values
from qr.screens.base import QrModalScreen, SafeInput, plain, shown
from qr.store.entry import Entry
from qr.store.models import VarSpec

MAX_OFFER = 100
"""Longer clipboard text is a message, not a value to offer."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    value: str = ""
    required: bool = False


class ValuesForm(QrModalScreen):
    """One Input per variable; Enter in any of them submits the form, Esc cancels.

    | Key | Does |
    | :- | :- |
    | enter | check and submit |
    | tab / shift+tab | next / previous field |
    | escape | cancel (nothing changes) |
    """

    CSS_PATH = "variables.tcss"
    AUTO_FOCUS = ".form-input"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("enter", "submit", "OK", id="form.submit", show=False),
        Binding("ctrl+y", "use_clipboard", "Use the clipboard", id="form.clipboard", show=False),
    ]

    def __init__(self, title: str, fields: Sequence[Field], specs: Mapping[str, VarSpec]) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.specs = dict(specs)
        self.offer: tuple[int, str] | None = None
        """(field number, value): what the clipboard holds fits that empty field (ctrl+y fills it)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(plain(self.form_title), id="form-title")
            with VerticalScroll(id="form-fields", can_focus=False):
                if not self.fields:
                    yield Static(t("form.no_vars"), classes="form-empty")
                for number, field in enumerate(self.fields):
                    label = field.label if field.label == field.name else f"{field.label} ({field.name})"
                    with Horizontal(classes="form-row"):
                        yield Label(plain(label + (" *" if field.required else "")), classes="form-label")
                        spec = self.specs.get(field.name)
                        # what a valid value looks like, in words: data, so control characters escaped
                        # (Input draws its placeholder as plain Text, never markup)
                        hint = shown(spec.hint) if spec is not None else ""
                        yield SafeInput(value=field.value, placeholder=hint, id=f"field-{number}", classes="form-input", compact=True)
                    yield Static("", id=f"error-{number}", classes="form-error")
            yield Static("", id="form-offer")
            yield Static(t("form.hint"), id="form-hint")

    def inputs(self) -> list[Input]:
        return [self.query_one(f"#field-{number}", Input) for number in range(len(self.fields))]

    def values(self) -> dict[str, str]:
        return {field.name: box.value.strip() for field, box in zip(self.fields, self.inputs())}

    def errors(self) -> dict[str, str]:
        """name -> message for every value that cannot be used."""
        values = self.values()
        problems = {}
        for field in self.fields:
            if field.required and not values[field.name]:
                problems[field.name] = t("form.required")
        for name, message in invalid_values(self.specs, values).items():  # the pattern is checked with a time limit
            problems.setdefault(name, message)
        return problems

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        problems = self.errors()
        first_bad: Input | None = None
        for number, (field, box) in enumerate(zip(self.fields, self.inputs())):
            error = self.query_one(f"#error-{number}", Static)
            message = problems.get(field.name, "")
            error.update(plain(message))
            error.set_class(bool(message), "-shown")
            box.set_class(bool(message), "-invalid")
            if message and first_bad is None:
                first_bad = box
        if first_bad is not None:
            first_bad.focus()
            return
        self.dismiss(self.values())

    def action_cancel(self) -> None:
        self.dismiss(None)

    # -- a value from the clipboard (an order number just copied in the chat tool) --

    def on_mount(self) -> None:
        super().on_mount()
        if any(self.specs.get(field.name) and self.specs[field.name].pattern for field in self.fields):
            self.run_worker(self._read_clipboard, thread=True, group="clipboard-offer", exit_on_error=False)

    def _read_clipboard(self) -> None:
        held = self.app.clipboard_backend.paste()  # a clipboard program may take a moment: not on the UI thread
        if held:
            self.app.call_from_thread(self.offer_value, held)

    def offer_value(self, held: str) -> None:
        """Offer `held` for the first empty field whose pattern it matches (nothing is stored)."""
        value = held.strip()
        if not value or "\n" in value or len(value) > MAX_OFFER:
            return
        for number, (field, box) in enumerate(zip(self.fields, self.inputs())):
            spec = self.specs.get(field.name)
            if spec is None or not spec.pattern or box.value.strip():
                continue
            if not invalid_values({field.name: spec}, {field.name: value}):
                self.offer = (number, value)
                self.query_one("#form-offer", Static).update(
                    plain(t("form.clipboard_offer", value=value, label=field.label))
                )
                self.query_one("#form-offer", Static).add_class("-shown")
                return

    def action_use_clipboard(self) -> None:
        if self.offer is None:
            self.app.bell()
            return
        number, value = self.offer
        self.inputs()[number].value = value
        self.offer = None
        self.query_one("#form-offer", Static).remove_class("-shown")


class VariablesForm(ValuesForm):
    """Asks for the variables a phrase still misses before it is copied."""

    TITLE_KEY = "screen.variables"

    def __init__(self, entry: Entry, missing: Sequence[str], specs: Mapping[str, VarSpec]) -> None:
        phrase = entry.phrase
        title = (
            t("form.variables.title", code=phrase.code) if phrase.code
            else t("form.variables.title_untitled", title=phrase.title)
        )
        fields = [Field(name, specs[name].display if name in specs else name, required=True) for name in missing]
        super().__init__(f"{title}  {phrase.title}" if phrase.code else title, fields, specs)
        self.entry = entry


class ContextForm(ValuesForm):
    """Every declared variable (and any other value already in the context), prefilled."""

    TITLE_KEY = "screen.context"

    def __init__(self, context: Mapping[str, str], specs: Mapping[str, VarSpec]) -> None:
        names = list(specs) + [name for name in context if name not in specs]
        fields = [
            Field(name, specs[name].display if name in specs else name, value=context.get(name, ""))
            for name in names
        ]
        super().__init__(t("form.context.title"), fields, specs)
