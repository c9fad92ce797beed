"""The lead's view of learned asks (issue 16.7): questions agents searched before copying a phrase,
most frequent first; one key adds one to the phrase's asks (and saves its group file), another
forgets it. Opened from the browser or launcher (`A`, or the command palette).

| Key | Does |
| :- | :- |
| a / enter | add the highlighted question to its phrase's asks |
| x / delete | forget it (never suggested again unless searched again) |
| escape | close |
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from qr.i18n import t
from qr.screens.base import QrModalScreen, localise_bindings, shown


class AsksSuggestions(QrModalScreen):
    """Learned questions per phrase, to accept as asks or forget."""

    TITLE_KEY = "screen.asks_suggestions"
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "accept", "Add to asks", id="asks.accept"),
        Binding("x,delete", "forget", "Forget", id="asks.forget"),
        Binding("escape", "cancel", "Close", id="dialog.cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        localise_bindings(self)
        self._rows: list = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(t("asks.title"), id="dialog-title")
            yield Static(id="dialog-message")
            yield OptionList(id="picker")
            yield Static(t("asks.hint"), id="dialog-hint")

    def on_mount(self) -> None:
        self._load()

    def _load(self) -> None:
        from qr.learned_asks import LearnedAsks, pending

        store = LearnedAsks()
        try:
            self._rows = pending(self.app.workspace, store)
        finally:
            store.close()
        message = self.query_one("#dialog-message", Static)
        if self.app.workspace.config.extra.get("learn_asks") is not True:
            message.update(t("asks.off"))
        else:
            message.update("" if self._rows else t("asks.none"))
        picker = self.query_one("#picker", OptionList)
        highlighted = picker.highlighted
        picker.set_options(
            Option(Content.assemble(
                (f"/{entry.phrase.code} ", "bold $text-primary"),
                (shown(entry.phrase.title), "bold"),
                "  ← ",
                shown(suggestion.text),  # what buyers typed: shown as written, never sent raw
                (f"  ×{suggestion.count}", "$text-muted"),
            ))
            for entry, suggestion in self._rows
        )
        if self._rows:
            picker.highlighted = min(highlighted or 0, len(self._rows) - 1)
            picker.focus()

    def _current(self):
        highlighted = self.query_one("#picker", OptionList).highlighted
        if highlighted is None or not 0 <= highlighted < len(self._rows):
            return None
        return self._rows[highlighted]

    @on(OptionList.OptionSelected, "#picker")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_accept()

    def action_accept(self) -> None:
        row = self._current()
        if row is None:
            self.app.bell()
            return
        entry, suggestion = row
        from qr.learned_asks import LearnedAsks, accept
        from qr.screens.changes import run_edit

        index = entry.group.phrases.index(entry.phrase)
        known = suggestion.text.casefold() in {ask.casefold() for ask in entry.phrase.asks}
        if known or run_edit(
            self.app,
            lambda: accept(entry.library, entry.group.path, index, suggestion.text),
            t("asks.accepted", code=entry.phrase.code, text=suggestion.text),
        ) is not None:
            store = LearnedAsks()
            store.forget(suggestion.code, suggestion.text)
            store.close()
        self._load()

    def action_forget(self) -> None:
        row = self._current()
        if row is None:
            self.app.bell()
            return
        from qr.learned_asks import LearnedAsks

        store = LearnedAsks()
        store.forget(row[1].code, row[1].text)
        store.close()
        self._load()

    def action_cancel(self) -> None:
        self.dismiss(None)
