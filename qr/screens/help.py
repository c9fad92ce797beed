"""F1: the key bindings of the screen it was opened from (with their ids, for remapping)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from qr.i18n import t
from qr.screens.base import QrModalScreen, QrScreen


def binding_rows(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, description, id) for qr's bindings active on `screen` (those with an id), keys merged
    per action. Textual's own text-editing keys (no id, English only) are left to the widgets."""
    app = screen.app
    rows: dict[tuple[str, str], list[str]] = {}
    ids: dict[tuple[str, str], str] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.id or not binding.description or binding.system:
            continue
        slot = (binding.action, binding.description)
        rows.setdefault(slot, []).append(app.get_key_display(binding) if binding.key == key else key)
        ids.setdefault(slot, binding.id or "")
    return [(" / ".join(dict.fromkeys(keys)), slot[1], ids[slot]) for slot, keys in rows.items()]


class HelpScreen(QrModalScreen):
    """Lists what every key does on the screen below. Esc or F1 closes it."""

    TITLE_KEY = "screen.help"
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.rows = binding_rows(screen)
        name = screen.display_name if isinstance(screen, QrScreen) else type(screen).__name__
        self.heading = t("help.title", screen=name)

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static(Content(self.heading), id="help-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            yield Static(t("help.footer"), id="help-hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(t("help.key"), t("help.action"), t("help.id"))
        table.add_rows([tuple(Text(cell) for cell in row) for row in self.rows])  # keys like "[" are not markup

    def action_close(self) -> None:
        self.dismiss()
