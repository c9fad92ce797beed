"""What every qr screen shares: binding descriptions in the UI language, a name for the help
screen, palette commands of its own, and no blinking cursor when the app asks for none.

Subclass `QrScreen` or `QrModalScreen` (or call `localise_bindings(self)` in a widget's
`__init__`) and give each Binding an `id`; `binding.<id>` in qr/i18n.py translates its description.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar, Iterable

from textual.app import SystemCommand
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

from qr.i18n import has, t


def localise_bindings(node: DOMNode) -> None:
    """Replace the descriptions of `node`'s bindings by the catalogue's `binding.<id>` strings."""
    for key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[key] = [
            replace(binding, description=t(f"binding.{binding.id}"))
            if binding.id and has(f"binding.{binding.id}")
            else binding
            for binding in bindings
        ]


class _Shared:
    TITLE_KEY: ClassVar[str] = ""
    """Catalogue key of the screen's name (shown by the help screen)."""

    @property
    def display_name(self) -> str:
        return t(self.TITLE_KEY) if self.TITLE_KEY else type(self).__name__

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Commands this screen adds to the command palette (while it is the active screen)."""
        return ()

    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            for field in self.query(Input):
                field.cursor_blink = False


class QrScreen(_Shared, Screen):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)


class QrModalScreen(_Shared, ModalScreen):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)
