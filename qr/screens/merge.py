"""The merge dialog: a teammate changed the same phrase you are saving; theirs and mine side by side.

Lines that differ between the two versions are highlighted (theirs in red, mine in green, as in a
diff). The lead keeps mine, keeps theirs, edits a merged version (the form is filled with the
field-by-field merge and saved over their file), or saves a copy into a new file; Esc writes nothing.
Texts are data: every value reaches Textual as plain `Content` (never markup) through `shown()`
(control characters escaped), as on every other screen.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Static

from qr.i18n import t
from qr.record import replace
from qr.screens.base import QrModalScreen, shown
from qr.store.merge import PhraseConflict
from qr.store.models import Phrase

ANSWERS = ("mine", "theirs", "edit", "copy")


def phrase_lines(phrase: Phrase | None) -> list[str]:
    """A phrase as the lines the dialog compares: one per field, the body line by line."""
    if phrase is None:
        return [t("merge.deleted")]
    lines = [f"/{phrase.code}" if phrase.code else "", phrase.title]
    lines += phrase.body.split("\n")
    lines += [f"# {', '.join(phrase.tags)}" if phrase.tags else "", phrase.note]
    if phrase.valid_from or phrase.valid_until:
        lines.append(f"{phrase.valid_from or ''} – {phrase.valid_until or ''}")
    return lines


def highlighted(lines: list[str], other: list[str], style: str) -> Content:
    """`lines` with every line not matched in `other` styled (the diff of the two versions)."""
    changed: set[int] = set()
    for operation, start, end, _, _ in SequenceMatcher(None, lines, other, autojunk=False).get_opcodes():
        if operation != "equal":
            changed.update(range(start, end))
    parts: list[Content] = []
    for number, line in enumerate(lines):
        text = Content(shown(line) or " ")  # data: plain text, control characters escaped
        parts.append(text.stylize(style) if number in changed else text)
    return Content("\n").join(parts)


def merged_fields(conflict: PhraseConflict) -> Phrase | None:
    """Field by field: what only one side changed comes from that side; both changed: mine."""
    base, theirs, mine = conflict.base, conflict.theirs, conflict.mine
    if mine is None or theirs is None:
        return mine or theirs
    if base is None:
        return mine
    changes = {}
    for name in Phrase.COMPARED:
        if getattr(mine, name) == getattr(base, name) and getattr(theirs, name) != getattr(base, name):
            changes[name] = getattr(theirs, name)
    return replace(mine, **changes)


class MergeDialog(QrModalScreen):
    """Theirs and mine of one phrase side by side; returns "mine", "theirs", "edit", "copy" or None.

    | Key | Does |
    | :- | :- |
    | left / right, tab | move between the answers |
    | enter | choose the focused answer |
    | escape | cancel: nothing is written |
    """

    TITLE_KEY = "screen.merge"
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("left", "app.focus_previous", "Previous", show=False, id="dialog.previous"),
        Binding("right", "app.focus_next", "Next", show=False, id="dialog.next"),
    ]

    def __init__(self, conflict: PhraseConflict, path: str, *, can_copy: bool = True) -> None:
        super().__init__()
        self.conflict = conflict
        self.path = path
        self.answers = [answer for answer in ANSWERS if can_copy or answer != "copy"]
        if conflict.mine is None or conflict.theirs is None:
            self.answers.remove("edit")  # one side deleted it: there is nothing to merge field by field

    def compose(self) -> ComposeResult:
        theirs, mine = phrase_lines(self.conflict.theirs), phrase_lines(self.conflict.mine)
        with Vertical(id="merge-dialog"):
            yield Static(t("merge.title"), id="dialog-title")
            yield Static(Content(t("merge.message", phrase=shown(self.conflict.label), path=shown(self.path))), id="dialog-message")
            with Horizontal(id="merge-sides"):
                with VerticalScroll(classes="merge-side", id="merge-theirs"):
                    yield Static(t("merge.theirs_heading"), classes="merge-heading")
                    yield Static(highlighted(theirs, mine, "on $error 30%"), id="merge-theirs-text")
                with VerticalScroll(classes="merge-side", id="merge-mine"):
                    yield Static(t("merge.mine_heading"), classes="merge-heading")
                    yield Static(highlighted(mine, theirs, "on $success 30%"), id="merge-mine-text")
            with Horizontal(id="dialog-buttons"):
                for answer in [*self.answers, "cancel"]:
                    label = t("dialog.cancel") if answer == "cancel" else t(f"merge.{answer}")
                    yield Button(label, id=f"answer-{answer}")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(f"#answer-{self.answers[0]}", Button).focus()

    @on(Button.Pressed)
    def _answered(self, event: Button.Pressed) -> None:
        event.stop()
        answer = (event.button.id or "").removeprefix("answer-")
        self.dismiss(None if answer == "cancel" else answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
